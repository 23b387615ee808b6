from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from guides import views as guide_views
from guides.sitemaps import GuideSitemap, PageSitemap
from noonbarbari import views
from notifications import views as notification_views
from strategies.sitemaps import CatalogSitemap, LibrarySitemap

sitemaps = {
    "pages": PageSitemap,
    "guides": GuideSitemap,
    "library": LibrarySitemap,
    "strategies": CatalogSitemap,
}

handler400 = "noonbarbari.views.bad_request"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("telegram/webhook/", notification_views.telegram_webhook, name="telegram_webhook"),
]

# `/` has no page of its own: LocaleMiddleware redirects it to /en/ or /fr/ from the language
# cookie or the Accept-Language header.
urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("guides/", include("guides.urls")),
    path("exchanges/", guide_views.live_exchanges, name="live_exchanges"),
    path("strategies/", include("strategies.urls")),
    path("docs/", include("strategies.urls_docs")),
    path("runs/", include("strategies.urls_runs")),
    path("", include("accounts.urls")),
    path("profile/keys/", include("exchanges.urls")),
    path("profile/notifications/", include("notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
)
