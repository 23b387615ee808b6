"""Writes to exchange keys. Secrets go in as plaintext and are encrypted by save()."""

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from exchanges.models import Exchange, ExchangeKey, ExchangeKeyEvent, KeyEventKind, KeyStatus

logger = logging.getLogger(__name__)

WEB = "web"


@dataclass(frozen=True)
class Credentials:
    """What the user pasted, already validated; never logged, never passed to a task."""

    api_key: str
    secret: str
    passphrase: str | None = None
    uid: str | None = None

    def __repr__(self) -> str:
        return "Credentials(********)"


def key_event_record(key: ExchangeKey, kind: KeyEventKind, actor: str) -> None:
    ExchangeKeyEvent.objects.create(
        user_id=key.user_id,
        key=None if kind == KeyEventKind.DELETED else key,
        key_label=key.label,
        kind=kind,
        actor=actor,
    )


def default_label(*, user: User, exchange: Exchange) -> str:
    """kraken-spot, kraken-futures... and a number when the user already has that label."""
    base = exchange.slug if exchange.slug.endswith("-futures") else f"{exchange.slug}-spot"
    taken = set(ExchangeKey.objects.owned_by(user).values_list("label", flat=True))
    label, number = base, 2
    while label in taken:
        label, number = f"{base}-{number}", number + 1
    return label


def _apply(key: ExchangeKey, credentials: Credentials) -> None:
    key.api_key = credentials.api_key
    key.secret = credentials.secret
    key.passphrase = credentials.passphrase
    key.uid = credentials.uid
    key.key_hint = credentials.api_key[-4:]


@transaction.atomic
def exchange_key_create(
    *,
    user: User,
    exchange: Exchange,
    label: str,
    credentials: Credentials,
    expires_on: date | None = None,
) -> ExchangeKey:
    key = ExchangeKey(user=user, exchange=exchange, label=label, expires_on=expires_on)
    _apply(key, credentials)
    key.save()
    key_event_record(key, KeyEventKind.CREATED, WEB)
    _test_on_save(key)
    logger.info("Exchange key %s added for user %s", key.pk, user.pk)
    return key


@transaction.atomic
def exchange_key_rotate(*, key: ExchangeKey, credentials: Credentials) -> ExchangeKey:
    """Replace the credentials of a key (a new key on the exchange, same label)."""
    _apply(key, credentials)
    key.rotated_at = timezone.now()
    key.status = KeyStatus.UNTESTED
    key.last_verdict = ""
    key.save()
    key_event_record(key, KeyEventKind.SECRET_REPLACED, WEB)
    _test_on_save(key)
    return key


def _test_on_save(key: ExchangeKey) -> None:
    # Imported here: the connection test module builds on these services.
    from exchanges.connection_tests import connection_test_start

    connection_test_start(key=key)


@transaction.atomic
def exchange_key_delete(*, key: ExchangeKey) -> None:
    """Wipe the ciphertexts, then delete the row; the audit trail keeps the label."""
    key_event_record(key, KeyEventKind.DELETED, WEB)
    ExchangeKey.objects.filter(pk=key.pk).update(
        api_key=None, secret=None, passphrase=None, uid=None
    )
    key.delete()


def exchange_key_reveal(*, key: ExchangeKey, actor: str) -> Credentials:
    """Decrypt a key for the task that needs it now; the audit trail says which task."""
    key_event_record(key, KeyEventKind.DECRYPTED, actor)
    return Credentials(
        api_key=key.api_key.reveal(),
        secret=key.secret.reveal(),
        passphrase=key.passphrase.reveal() if key.passphrase is not None else None,
        uid=key.uid.reveal() if key.uid is not None else None,
    )


def keys_block_two_factor_removal(user: User) -> str | None:
    count = ExchangeKey.objects.owned_by(user).count()
    if not count:
        return None
    return _(
        "You still have exchange keys: delete them before turning off two-factor authentication."
    )


def keys_delete_for_account(sender, user: User, **kwargs) -> None:
    """Account deletion: wipe every key's ciphertexts first (the data keys go with the user)."""
    for key in ExchangeKey.objects.owned_by(user):
        exchange_key_delete(key=key)
