from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    # The login stage after the password, next to allauth's own login pages.
    path("accounts/login/code/", views.two_factor_login, name="two_factor_login"),
    path(
        "accounts/login/code/cancel/",
        views.two_factor_login_cancel,
        name="two_factor_login_cancel",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/two-factor/enable/", views.two_factor_enable, name="two_factor_enable"),
    path("profile/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("profile/two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path(
        "profile/two-factor/backup-codes/download/",
        views.backup_codes_download,
        name="backup_codes_download",
    ),
    path(
        "profile/two-factor/backup-codes/saved/",
        views.backup_codes_saved,
        name="backup_codes_saved",
    ),
    path("profile/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/delete/", views.delete_account, name="delete"),
]
