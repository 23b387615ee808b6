"""Backtests (names "strategies:backtests:<name>"), under /<lang>/strategies/backtests/."""

from django.urls import path

from strategies.views import backtests as views
from strategies.views import studies as study_views

app_name = "backtests"

urlpatterns = [
    path("", views.backtest_list, name="list"),
    path("new/", views.backtest_new, name="new"),
    path("compare/", views.backtest_compare, name="compare"),
    path("data/", views.backtest_data_reach, name="data"),
    path("<int:backtest_id>/", views.backtest_detail, name="detail"),
    path("<int:backtest_id>/progress/", views.backtest_progress, name="progress"),
    path("<int:backtest_id>/chart/", views.backtest_chart, name="chart"),
    path("<int:backtest_id>/cancel/", views.backtest_cancel, name="cancel"),
    path("<int:backtest_id>/trades.csv", views.backtest_csv, name="csv"),
    path("<int:backtest_id>/study/", study_views.study_new, name="study"),
]
