from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.decorators import two_factor_required
from exchanges.models import Exchange


@never_cache
@two_factor_required
def key_list(request: HttpRequest) -> HttpResponse:
    """The user's exchange keys, behind a two-factor-verified session."""
    exchanges = Exchange.objects.filter(guide__published=True).order_by("guide__position")
    return render(request, "exchanges/key_list.html", {"exchanges": exchanges})
