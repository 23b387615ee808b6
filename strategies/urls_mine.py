"""My strategies: a signed-in user's own strategies (names "strategies:mine:<name>")."""

from django.urls import path

from strategies.views import mine as views

app_name = "mine"

urlpatterns = [
    path("", views.strategy_list, name="list"),
    path("new/", views.strategy_new, name="new"),
    path("copy/<slug:slug>/", views.strategy_copy, name="copy"),
    path("<int:strategy_id>/", views.strategy_detail, name="detail"),
    path("<int:strategy_id>/parameters/", views.strategy_parameters, name="parameters"),
    path("<int:strategy_id>/edit/", views.strategy_edit, name="edit"),
    path("<int:strategy_id>/versions/<int:number>/", views.strategy_version, name="version"),
    path(
        "<int:strategy_id>/versions/<int:number>/restore/",
        views.strategy_restore,
        name="restore",
    ),
    path("<int:strategy_id>/diff/", views.strategy_diff, name="diff"),
    path("<int:strategy_id>/rename/", views.strategy_rename, name="rename"),
    path("<int:strategy_id>/delete/", views.strategy_delete, name="delete"),
]
