from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs."""
    return {"support_email": settings.NOONBARBARI_SUPPORT_EMAIL}
