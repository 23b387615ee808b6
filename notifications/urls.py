from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("<str:kind>/events/", views.events_save, name="events"),
    path("<str:kind>/unlink/", views.unlink, name="unlink"),
    path("<str:kind>/address/", views.address_save, name="address"),
    path("telegram/link/", views.telegram_link, name="telegram_link"),
    path("settings/", views.preferences_save, name="preferences"),
]
