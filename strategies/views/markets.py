"""The markets of an exchange, as JSON for the market field's list (strategies/markets.js).

Signed-in users only: the forms that use it are behind a sign-in, and an anonymous request
must not make us call an exchange (a cold markets cache costs a load of all its markets, and
an exchange that is down would be asked again on every request). Errors are JSON too, with
a sentence: an exchange we do not offer is a 404, one that cannot answer a 503 or a 502."""

import ccxt
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from strategies.selectors.backtests import exchanges_offered
from strategies.services import backtest_errors as errors
from strategies.services.backtest_markets import markets_listed


@require_GET
@cache_control(private=True, max_age=3600)  # markets change seldom: one fetch an hour
def market_list(request: HttpRequest, exchange: str) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to see the exchanges' markets.")}, status=403)
    venue = exchanges_offered().filter(slug=exchange).first()
    if venue is None or venue.ccxt_id not in ccxt.exchanges:
        return JsonResponse(
            {"error": _("Noon Barbari offers no exchange by that name.")}, status=404
        )
    try:
        markets = markets_listed(venue)
    except ccxt.BaseError as error:
        code = errors.exchange_error_code(error)
        status = 503 if code == errors.EXCHANGE_UNAVAILABLE else 502
        message = errors.error_message(code, {"exchange": venue.name})
        return JsonResponse({"error": message}, status=status)
    return JsonResponse({"exchange": venue.slug, "name": venue.name, "markets": markets})
