from django.urls import include, path

from strategies.views import catalog, markets

app_name = "strategies"

urlpatterns = [
    path("", catalog.library, name="index"),
    path("mine/", include("strategies.urls_mine")),
    path("backtests/", include("strategies.urls_backtests")),
    path("studies/", include("strategies.urls_studies")),
    path("candles/", include("strategies.urls_candles")),
    path("markets/<slug:exchange>/", markets.market_list, name="markets"),
    path("<slug:slug>/", catalog.detail, name="detail"),
]
