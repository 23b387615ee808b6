"""Runs (names "runs:<name>"), under /<lang>/runs/."""

from django.urls import path

from strategies.views import governor as governor_views
from strategies.views import runs as views

app_name = "runs"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_new, name="new"),
    path("stop-all/", views.runs_kill, name="kill"),
    path("limits/", governor_views.limits_page, name="limits"),
    path("limits/<str:scope>/", governor_views.limits_save, name="limits_save"),
    path("limits/breach/<int:breach_id>/rearm/", governor_views.breach_rearm, name="limits_rearm"),
    path("<int:run_id>/", views.run_detail, name="detail"),
    path("<int:run_id>/live/", views.run_live, name="live"),
    path("<int:run_id>/stop/", views.run_stop, name="stop"),
    path("<int:run_id>/flatten/", views.run_flatten, name="flatten"),
    path("<int:run_id>/close-paper/", views.paper_position_close, name="close_paper"),
    path("<int:run_id>/go-live/", views.run_go_live, name="go_live"),
    path("<int:run_id>/trades/", views.run_trades_load, name="trades"),
]
