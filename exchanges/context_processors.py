"""The banner every page shows while one of the user's keys needs replacing."""

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from exchanges.models import ExchangeKey

# A key turns old by the day: minutes of delay are nothing, and spare every page a query.
# Any save or delete of one of the user's keys forgets the entry at once (exchanges.apps).
BANNER_SECONDS = 300


def _banner_key(user_id: int) -> str:
    return f"keys-to-replace:{user_id}"


def keys_to_replace(user_id: int) -> list[int]:
    """The ids of the user's keys needing replacement: the banner counts them, and no page
    needs their ciphertexts read. Kept in the shared cache for BANNER_SECONDS."""
    ids = cache.get(_banner_key(user_id))
    if ids is None:
        ids = list(
            ExchangeKey.objects.filter(user_id=user_id)
            .needing_replacement()
            .values_list("pk", flat=True)
        )
        cache.set(_banner_key(user_id), ids, BANNER_SECONDS)
    return ids


def forget_keys_to_replace(sender, instance: ExchangeKey, **kwargs) -> None:
    """After a key is saved or deleted (post_save, post_delete)."""
    keys_to_replace_forget(instance.user_id)


def keys_to_replace_forget(user_id: int) -> None:
    """Now, and again at commit, since another process may read the old rows in between and
    keep them. Called by any write that may change the banner without save() (update())."""
    key = _banner_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def key_reminders(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's keys needing replacement (read only if the page asks)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"keys_to_replace": SimpleLazyObject(lambda: keys_to_replace(user.pk))}
