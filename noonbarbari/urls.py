from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from noonbarbari import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

# `/` has no page of its own: LocaleMiddleware redirects it to /en/ or /fr/ from the language
# cookie or the Accept-Language header.
urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
)
