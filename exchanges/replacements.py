"""A key's new credentials wait, encrypted, for their connection test: they become the key's
only if the exchange accepts them, so that a mistyped secret never breaks a working key.

Started by `services.exchange_key_rotate`; settled here when the test ends (its worker, or
its expiry: then nothing was tested, and nothing is adopted).
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from exchanges.credentials import Credentials, credentials_assign
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.key_events import key_event_record
from exchanges.models import (
    ConnectionTest,
    ExchangeKey,
    KeyEventKind,
    KeyReplacement,
    ReplacementOutcome,
)

logger = logging.getLogger(__name__)

WIPED = {"api_key": None, "secret": None, "passphrase": None, "uid": None}
_ADOPTED_FIELDS = ["api_key", "secret", "passphrase", "uid", "key_hint", "expires_on", "rotated_at"]


def replacements_wipe(replacements: QuerySet[KeyReplacement]) -> None:
    """Overwrite the ciphertexts of these replacements (settled ones, or a key being deleted)."""
    replacements.update(**WIPED)


@transaction.atomic
def replacement_settle(
    *, test: ConnectionTest, diagnosis: Diagnosis, tested: Credentials | None, actor: str
) -> bool:
    """Adopt the replacement `test` tried if the exchange accepted it, with the very credentials
    it accepted (`tested`; None when nothing was tested), else keep the key's; wipe the new
    ciphertexts either way. True when the key's credentials changed; settles once."""
    replacement = (
        KeyReplacement.objects.select_for_update()
        .filter(test=test, outcome=ReplacementOutcome.PENDING)
        .first()
    )
    if replacement is None:
        return False
    outcome = ReplacementOutcome.REFUSED
    if diagnosis.verdict == Verdict.OK and tested is not None:
        outcome = _adopt(replacement, tested)
    rows = KeyReplacement.objects.filter(pk=replacement.pk)
    rows.update(outcome=outcome, settled_at=timezone.now())
    replacements_wipe(rows)
    adopted = outcome == ReplacementOutcome.ADOPTED
    kind = KeyEventKind.SECRET_REPLACED if adopted else KeyEventKind.SECRET_REFUSED
    key_event_record(test.key, kind, actor)
    logger.info("Replacement %s of key %s: %s", replacement.pk, test.key_id, outcome)
    return adopted


def _adopt(replacement: KeyReplacement, tested: Credentials) -> ReplacementOutcome:
    key = ExchangeKey.objects.select_for_update().get(pk=replacement.key_id)
    credentials_assign(key, tested)
    key.expires_on = replacement.expires_on
    key.rotated_at = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            key.save(update_fields=_ADOPTED_FIELDS)
    except IntegrityError:
        # The user saved this API key in another key while it was tested: two programs on
        # one key would clash on its nonces (the form refuses it when it comes first).
        return ReplacementOutcome.DUPLICATE
    return ReplacementOutcome.ADOPTED
