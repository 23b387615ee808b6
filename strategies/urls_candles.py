"""My candles (names "strategies:candles:<name>"), under /<lang>/strategies/candles/."""

from django.urls import path

from strategies.views import candles as views

app_name = "candles"

urlpatterns = [
    path("", views.candle_list, name="list"),
    path("imports/", views.candle_imports_status, name="imports"),
]
