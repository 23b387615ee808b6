"""The banner every page shows while one of the user's keys needs replacing."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from exchanges.models import ExchangeKey


def key_reminders(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's keys needing replacement (read only if the page asks)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # Their ids: the banner counts them, and no page needs their ciphertexts read.
        "keys_to_replace": SimpleLazyObject(
            lambda: list(
                ExchangeKey.objects.owned_by(user)
                .needing_replacement()
                .values_list("pk", flat=True)
            )
        )
    }
