from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from noonbarbari.health import cluster_health, database_health


class HomeView(TemplateView):
    template_name = "noonbarbari/home.html"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON health for load balancers: 503 only when the database is down.

    A stopped task cluster is reported but keeps the status at 200: the site still serves
    pages, and the web tier must not be taken out of rotation for the worker's sake.
    """
    database = database_health()
    if not database["ok"]:
        return JsonResponse({"status": "error", "database": database}, status=503)
    cluster = cluster_health()
    status = "ok" if cluster["running"] else "degraded"
    return JsonResponse({"status": status, "database": database, "cluster": cluster})
