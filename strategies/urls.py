"""The strategies app's pages. (A stand-in holding only "My strategies"; the full module,
with the catalog's pages, replaces it at merge with the same include.)"""

from django.urls import include, path

app_name = "strategies"

urlpatterns = [
    path("mine/", include("strategies.urls_mine")),
]
