from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.key_list, name="keys"),
]
