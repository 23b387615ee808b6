"""Studies (names "strategies:studies:<name>"), under /<lang>/strategies/studies/; a study starts
from its backtest's report (strategies:backtests:study)."""

from django.urls import path

from strategies.views import studies as views

app_name = "studies"

urlpatterns = [
    path("", views.study_list, name="list"),
    path("<int:study_id>/", views.study_detail, name="detail"),
    path("<int:study_id>/progress/", views.study_progress, name="progress"),
    path("<int:study_id>/cancel/", views.study_cancel, name="cancel"),
    path("<int:study_id>/keep/", views.study_keep, name="keep"),
]
