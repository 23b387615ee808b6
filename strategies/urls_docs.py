"""The strategies documentation, mounted at /<lang>/docs/ (namespace "docs")."""

from django.urls import path

from strategies.views.docs import pages

app_name = "docs"

urlpatterns = [
    path("", pages.docs_index, name="index"),
    path("rules/", pages.docs_rules, name="rules"),
    path("indicators/", pages.docs_indicators, name="indicators"),
    path("risk/", pages.docs_risk, name="risk"),
    path("backtests/", pages.docs_backtests, name="backtests"),
]
