"""Writes to exchange keys. Secrets go in as plaintext and are encrypted by save()."""

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import ActionRefused, reasons_against, refuse_if_blocked
from exchanges.clients import required_credentials
from exchanges.connection_tests import connection_test_expire, connection_test_start
from exchanges.credentials import Credentials, credentials_assign
from exchanges.key_events import key_event_record
from exchanges.models import (
    Exchange,
    ExchangeKey,
    KeyEventKind,
    KeyReplacement,
    ReplacementOutcome,
)
from exchanges.replacements import WIPED, replacements_wipe
from noonbarbari.content_loading import Outcome, decide, digest

logger = logging.getLogger(__name__)

WEB = "web"


def default_label(*, user: User, exchange: Exchange) -> str:
    """kraken-spot, kraken-futures... and a number when the user already has that label."""
    base = exchange.slug if exchange.slug.endswith("-futures") else f"{exchange.slug}-spot"
    taken = set(ExchangeKey.objects.owned_by(user).values_list("label", flat=True))
    label, number = base, 2
    while label in taken:
        label, number = f"{base}-{number}", number + 1
    return label


class KeyConflict(Exception):
    """Another save took this label or this API key first (the form's check came before it):
    `field` is which, `label` the key that has it."""

    def __init__(self, *, field: str, label: str) -> None:
        super().__init__(field)
        self.field, self.label = field, label


def _save_unique(key: ExchangeKey, *, api_key: str) -> None:
    """Save, turning the database's uniqueness refusal into a KeyConflict (a race that the
    form's own checks cannot see: two saves at the same moment)."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            key.save()
    except IntegrityError:
        others = ExchangeKey.objects.owned_by(key.user).exclude(pk=key.pk)
        same_label = others.filter(label=key.label).first()
        if same_label is not None:
            raise KeyConflict(field="label", label=same_label.label) from None
        digest = ExchangeKey.digest_of(user_id=key.user_id, api_key=api_key)
        same_key = others.filter(api_key_digest=digest).first()
        if same_key is None:
            raise
        raise KeyConflict(field="api_key", label=same_key.label) from None


@transaction.atomic
def exchange_key_create(
    *,
    user: User,
    exchange: Exchange,
    label: str,
    credentials: Credentials,
    expires_on: date | None = None,
) -> ExchangeKey:
    """Save a new key and start its test; KeyConflict when its label or API key was just
    saved by another request."""
    key = ExchangeKey(user=user, exchange=exchange, label=label, expires_on=expires_on)
    credentials_assign(key, credentials)
    _save_unique(key, api_key=credentials.api_key)
    key_event_record(key, KeyEventKind.CREATED, WEB)
    connection_test_start(key=key)
    logger.info("Exchange key %s added for user %s", key.pk, user.pk)
    return key


REPLACEMENT_PENDING = gettext_lazy(
    "A new secret for this key is being tested already: wait for its verdict on this page "
    "(a few seconds) before replacing it again."
)


class ReplacementRefused(ActionRefused):
    """A new secret that is not taken now; `reasons` says why."""


@transaction.atomic
def exchange_key_rotate(
    *, key: ExchangeKey, credentials: Credentials, expires_on: date | None
) -> KeyReplacement:
    """Keep new credentials for the key (a new key on the exchange, same label), encrypted,
    and start their connection test: they replace the key's only if the exchange accepts them
    (replacements.py). Meanwhile the key, its status and the runs using it carry on.
    ReplacementRefused while another new secret of the key is being tested."""
    # One request at a time per key (on PostgreSQL; SQLite's writes are serialised anyway).
    ExchangeKey.objects.select_for_update().filter(pk=key.pk).only("pk").first()
    pending = KeyReplacement.objects.filter(key=key, outcome=ReplacementOutcome.PENDING).first()
    if pending is not None and not connection_test_expire(test=pending.test):
        raise ReplacementRefused([str(REPLACEMENT_PENDING)])
    replacement = KeyReplacement(user_id=key.user_id, key=key, expires_on=expires_on)
    credentials_assign(replacement, credentials)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            replacement.save()
    except IntegrityError:  # another request's new secret, saved at the same moment
        raise ReplacementRefused([str(REPLACEMENT_PENDING)]) from None
    key_event_record(key, KeyEventKind.SECRET_SUBMITTED, WEB)
    connection_test_start(key=key, replacement=replacement)
    return replacement


# Reasons a key cannot be deleted now, contributed by apps that use keys (a live run trading
# with it) without exchanges importing them: each returns a translated sentence or None.
KeyDeletionBlocker = Callable[[ExchangeKey], str | None]
key_deletion_blockers: list[KeyDeletionBlocker] = []


class KeyDeletionRefused(ActionRefused):
    pass


@transaction.atomic
def exchange_key_delete(*, key: ExchangeKey) -> None:
    """Wipe the ciphertexts, then delete the row; the audit trail keeps the label. Refused
    while something depends on the key."""
    refuse_if_blocked(key_deletion_blockers, key, KeyDeletionRefused)
    key_event_record(key, KeyEventKind.DELETED, WEB)
    ExchangeKey.objects.filter(pk=key.pk).update(**WIPED)
    replacements_wipe(KeyReplacement.objects.filter(key=key))
    key.delete()


def _exchange_snapshot(exchange: Exchange) -> dict[str, Any]:
    snapshot = {name: getattr(exchange, name) for name in _EXCHANGE_FACTS}
    snapshot["credentials"] = list(exchange.credentials)
    snapshot["sister"] = exchange.sister.slug if exchange.sister else None
    return snapshot


_EXCHANGE_FACTS = (
    "slug",
    "name",
    "ccxt_id",
    "region",
    "spot_trading",
    "futures_trading",
    "spot_maker_fee",
    "spot_taker_fee",
    "ccxt_support",
    "account_2fa",
    "ip_whitelist",
    "ip_whitelist_max",
    "website_url",
    "api_keys_url",
    "support_url",
    "fees_url",
)


@transaction.atomic
def exchange_facts_load(
    *, facts: dict[str, Any], sister: str | None, force: bool = False
) -> tuple[Exchange, Outcome]:
    """Create or update a venue's facts from content files, keeping staff edits unless forced.

    What a key consists of is ccxt's word (raises UnknownExchange). Link the sister with
    exchange_sister_link once every venue exists.
    """
    credentials = list(required_credentials(facts["ccxt_id"]))
    wanted = {**facts, "credentials": credentials, "sister": sister}
    exchange = Exchange.objects.select_related("sister").filter(slug=facts["slug"]).first()
    if exchange is None:
        exchange = Exchange(**facts, credentials=credentials)
        outcome = Outcome.CREATED
    else:
        outcome = decide(
            stored=exchange.content_digest,
            current=digest(_exchange_snapshot(exchange)),
            wanted=digest(wanted),
            force=force,
        )
        if outcome is Outcome.UPDATED:
            for key, value in facts.items():
                setattr(exchange, key, value)
            exchange.credentials = credentials
    if outcome in (Outcome.CREATED, Outcome.UPDATED):
        exchange.content_digest = digest(wanted)
        exchange.save()
    return exchange, outcome


def exchange_sister_link(*, exchange: Exchange, sister_slug: str | None) -> None:
    sister = Exchange.objects.filter(slug=sister_slug).first() if sister_slug else None
    if exchange.sister_id != (sister.pk if sister else None):
        exchange.sister = sister
        exchange.save(update_fields=["sister"])


def keys_block_two_factor_removal(user: User) -> str | None:
    count = ExchangeKey.objects.owned_by(user).count()
    if not count:
        return None
    return _(
        "You still have exchange keys: delete them before turning off two-factor authentication."
    )


def keys_block_account_deletion(user: User) -> str | None:
    """An account goes with its keys: a key that cannot be deleted keeps the account too."""
    for key in ExchangeKey.objects.owned_by(user):
        if reasons := reasons_against(key_deletion_blockers, key):
            return " ".join(reasons)
    return None


def keys_delete_for_account(sender, user: User, **kwargs) -> None:
    """Account deletion: wipe every key's ciphertexts first (the data keys go with the user)."""
    for key in ExchangeKey.objects.owned_by(user):
        exchange_key_delete(key=key)
