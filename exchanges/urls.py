from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.key_list, name="keys"),
    path("add/<slug:exchange_slug>/", views.key_add, name="key_add"),
    path("<uuid:key_id>/", views.key_detail, name="key_detail"),
    path("<uuid:key_id>/status/", views.key_status, name="key_status"),
    path("<uuid:key_id>/test/", views.key_test, name="key_test"),
    path("<uuid:key_id>/rotate/", views.key_rotate, name="key_rotate"),
    path("<uuid:key_id>/delete/", views.key_delete, name="key_delete"),
]
