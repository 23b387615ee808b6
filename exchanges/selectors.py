"""Reads of exchanges and keys, with their visibility rules, and a test's verdict as the key
page shows it."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from exchanges import permissions, trading
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.diagnosis.rules import ip_anchor
from exchanges.models import ConnectionTest, Exchange, ExchangeKey

# Verdicts read from the key's own permissions: they have no error anchor of their own.
_PERMISSION_VERDICTS = (Verdict.MISSING_PERMISSION, Verdict.WITHDRAW_ENABLED)


def live_venues_text() -> str:
    """The venues that trade live, as sentences name them: "Kraken (spot), Kraken Futures
    (futures and perpetuals)", in the trading table's order."""
    markets = trading.live_markets()
    names = dict(
        Exchange.objects.filter(ccxt_id__in={ccxt_id for ccxt_id, _ in markets}).values_list(
            "ccxt_id", "name"
        )
    )
    return ", ".join(
        f"{names.get(ccxt_id, ccxt_id)} ({trading.DERIVATIVES if derivative else trading.SPOT})"
        for ccxt_id, derivative in markets
    )


def exchanges_available() -> QuerySet[Exchange]:
    """Venues a user may add a key for: those with a published guide, in the guides' order."""
    return Exchange.objects.filter(guide__published=True).order_by("guide__position")


def keys_owned(user: User) -> QuerySet[ExchangeKey]:
    """The user's keys, and only theirs (another user's key id is not found)."""
    return ExchangeKey.objects.owned_by(user).select_related("exchange")


def key_with_api_key(
    user: User, api_key: str, *, other_than: ExchangeKey | None = None
) -> ExchangeKey | None:
    """The user's key with this very API key, found by its keyed digest (nothing decrypted)."""
    keys = ExchangeKey.objects.owned_by(user)
    if other_than is not None:
        keys = keys.exclude(pk=other_than.pk)
    if not keys.exists():  # no need to make the user a data key to learn that
        return None
    digest = ExchangeKey.digest_of(user_id=user.pk, api_key=api_key)
    return keys.filter(api_key_digest=digest).first()


def tests_of(key: ExchangeKey) -> QuerySet[ConnectionTest]:
    """The tests of the credentials the key holds (or held), newest first: not those of a new
    secret being tested or refused, which say nothing about the key runs use."""
    return key.tests.of_key_credentials()


def test_history(key: ExchangeKey) -> QuerySet[ConnectionTest]:
    """Every test of the key, new secrets' included, newest first (for its page)."""
    return key.tests.select_related("replacement")


@dataclass(frozen=True)
class KeyVerdict:
    """A finished connection test as the key page tells it."""

    diagnosis: Diagnosis
    # Named as on the exchange's key page too, where the user ticks or unticks them.
    missing: list[permissions.NamedPermission]
    refused: list[permissions.NamedPermission]
    discouraged: list[permissions.NamedPermission]
    link_to_permissions: bool
    # A green tick must not read as "cannot withdraw" where the test could not see it.
    withdrawal_untold: bool
    shows_egress_ips: bool
    # The guide's entry about IP addresses, when an IP allowlist is (one of) the causes.
    ip_anchor: str


def key_verdict(test: ConnectionTest | None) -> KeyVerdict | None:
    """The verdict of a finished test; None when there is none yet."""
    diagnosis = test.diagnosis if test is not None else None
    if test is None or diagnosis is None:
        return None
    ccxt_id = test.key.exchange.ccxt_id
    about_ip = Verdict.IP_NOT_ALLOWED in (diagnosis.verdict, *diagnosis.checklist)
    return KeyVerdict(
        diagnosis=diagnosis,
        missing=permissions.named(ccxt_id, diagnosis.missing_permissions),
        refused=permissions.named(ccxt_id, diagnosis.refused_permissions),
        discouraged=permissions.named(ccxt_id, diagnosis.discouraged_permissions),
        link_to_permissions=not diagnosis.anchor and diagnosis.verdict in _PERMISSION_VERDICTS,
        withdrawal_untold=diagnosis.verdict == Verdict.OK
        and not permissions.tells_withdrawal(ccxt_id),
        shows_egress_ips=about_ip,
        ip_anchor=ip_anchor(ccxt_id) if about_ip else "",
    )
