import hmac

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from accounts.two_factor import session_verified
from noonbarbari.context_processors import site_url
from noonbarbari.health import cluster_health, database_health


class HomeView(TemplateView):
    template_name = "noonbarbari/home.html"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: Django's own refusals (too many fields, a bad header) in our layout."""
    return render(request, "400.html", {"reason": ""}, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form's page went stale or cookies are off; say what to do."""
    return render(request, "403_csrf.html", status=403)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON health for load balancers: 503 only when the database is down.

    Anyone learns whether the site is up, and nothing else. Verified staff sessions and
    callers with `Authorization: Bearer <HEALTHZ_TOKEN>` also get the details (host names,
    cluster ids, queue length, latency), which help an attacker map the deployment. A
    stopped task cluster is reported to them as "degraded" but keeps the status at 200:
    the web tier must not be taken out of rotation for the worker's sake.
    """
    database = database_health()
    if not _may_see_health_details(request):
        ok = database["ok"]
        return JsonResponse({"status": "ok" if ok else "error"}, status=200 if ok else 503)
    if not database["ok"]:
        return JsonResponse({"status": "error", "database": database}, status=503)
    cluster = cluster_health()
    status = "ok" if cluster["running"] else "degraded"
    return JsonResponse({"status": status, "database": database, "cluster": cluster})


def _may_see_health_details(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
        return True
    return bool(request.user.is_staff and session_verified(request))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawl the public pages; keep out of accounts and the admin."""
    lines = ["User-agent: *"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/accounts/", f"Disallow: /{code}/admin/"]
    lines.append(f"Sitemap: {site_url(reverse('django.contrib.sitemaps.views.sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


FAVICON = "img/favicon.ico"


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request: HttpRequest) -> FileResponse:
    """Browsers ask for /favicon.ico whatever the page links to (and some show no SVG icon):
    the icon itself, not a redirect, so that no browser keeps an outdated static address."""
    path = finders.find(FAVICON)
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
