from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.two_factor import has_two_factor, session_verified


def two_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For everything that touches money: a logged-in user, with two-factor authentication
    turned on, in a session confirmed with a code. Otherwise the user is sent to the step
    they miss, told why, and brought back here afterwards."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        here = request.get_full_path()
        if not request.user.is_authenticated:
            return redirect_to_login(here)
        if not has_two_factor(request.user):
            messages.info(
                request,
                _(
                    "Turn on two-factor authentication first: Noon Barbari requires it "
                    "before anything that touches your money."
                ),
            )
            return _redirect("accounts:two_factor_enable", here)
        if not session_verified(request):
            messages.info(request, _("Confirm it is you with a code from your authenticator app."))
            return _redirect("accounts:two_factor_verify", here)
        return view(request, *args, **kwargs)

    return wrapped


def _redirect(urlname: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(urlname)}?{urlencode({'next': next_url})}")
