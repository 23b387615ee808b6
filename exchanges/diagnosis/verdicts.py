from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    OK = "ok", _("Connected")
    WRONG_CREDENTIALS = "wrong_credentials", _("Wrong key or secret")
    MISSING_PERMISSION = "missing_permission", _("Missing permission")
    WITHDRAW_ENABLED = "withdraw_enabled", _("Key can withdraw: refused")
    IP_NOT_ALLOWED = "ip_not_allowed", _("IP address not allowed")
    EXPIRED = "expired", _("Key expired")
    NONCE_CLASH = "nonce_clash", _("Key used by another program")
    UNAVAILABLE = "unavailable", _("Exchange unavailable")
    # Binance's HTTP 451: the exchange serves no one from the country our servers are in.
    LOCATION_REFUSED = "location_refused", _("Exchange refuses our servers' location")
    AMBIGUOUS = "ambiguous", _("Several possible causes")
    UNKNOWN = "unknown", _("Unexpected answer")
    # Failures on our side, before or after the exchange: never blamed on the key or the venue.
    OUR_ERROR = "our_error", _("Error on our side")
    UNREADABLE = "unreadable", _("Stored key unreadable")
    NOT_RUN_IN_TIME = "not_run_in_time", _("Test not run in time")


# Verdicts about the key itself; the others say nothing against it (try again later).
KEY_VERDICTS = {
    Verdict.WRONG_CREDENTIALS,
    Verdict.MISSING_PERMISSION,
    Verdict.WITHDRAW_ENABLED,
    Verdict.IP_NOT_ALLOWED,
    Verdict.EXPIRED,
}
# Nothing learnt about the key: it goes back to "not tested yet".
TRANSIENT_VERDICTS = {
    Verdict.UNAVAILABLE,
    Verdict.LOCATION_REFUSED,
    Verdict.NONCE_CLASH,
    Verdict.OUR_ERROR,
    Verdict.NOT_RUN_IN_TIME,
}
# Our own failures: the user is told so, and the log gets an error for the team.
OUR_VERDICTS = {
    Verdict.OUR_ERROR,
    Verdict.UNREADABLE,
    Verdict.NOT_RUN_IN_TIME,
    Verdict.LOCATION_REFUSED,
}

ADVICE = {
    Verdict.OK: _("The key works and has the permissions Noon Barbari needs."),
    Verdict.WRONG_CREDENTIALS: _(
        "The exchange does not recognise this key and secret together. Copy both again from the "
        "exchange (some clipboards change + and / characters), or create a new key."
    ),
    Verdict.MISSING_PERMISSION: _(
        "The key works but lacks permissions Noon Barbari needs. Edit the key on the exchange, "
        "tick them, and test again."
    ),
    Verdict.WITHDRAW_ENABLED: _(
        "This key can withdraw funds. Noon Barbari refuses such keys: create a new key without "
        "the withdrawal permission, replace this one, and delete it on the exchange."
    ),
    Verdict.IP_NOT_ALLOWED: _(
        "The key only accepts some IP addresses, and ours is not one of them. Add our IP "
        "addresses to the key's whitelist on the exchange."
    ),
    Verdict.EXPIRED: _("The key has expired. Create a new one on the exchange and replace it."),
    Verdict.NONCE_CLASH: _(
        "Another program is using this key at the same time. Give each program its own key."
    ),
    Verdict.UNAVAILABLE: _(
        "The exchange did not answer properly (busy, down or too slow). This says nothing about "
        "your key: try again in a few minutes."
    ),
    Verdict.LOCATION_REFUSED: _(
        "The exchange refuses every connection from the country where Noon Barbari's servers "
        "run, so your key could not be tested. This says nothing about your key. We have been "
        "alerted."
    ),
    Verdict.AMBIGUOUS: _(
        "The exchange's answer covers several causes. Check these, most likely first:"
    ),
    Verdict.UNKNOWN: _(
        "The exchange gave an answer we do not recognise. Check the key on the exchange, or "
        "write to our support with the error code below."
    ),
    Verdict.OUR_ERROR: _(
        "The test failed because of an error in Noon Barbari, not because of your key or the "
        "exchange. We have been alerted. Try again in a few minutes."
    ),
    Verdict.UNREADABLE: _(
        "We could not decrypt the key we stored, so the exchange was not asked. Paste the key "
        "again with “Replace the secret”. We have been alerted."
    ),
    Verdict.NOT_RUN_IN_TIME: _(
        "Our test workers did not run this test in time. This says nothing about your key or "
        "the exchange. We have been alerted. Try again in a few minutes."
    ),
}


@dataclass(frozen=True)
class Diagnosis:
    """One connection test's conclusion."""

    verdict: Verdict
    raw_code: str = ""
    anchor: str = ""  # troubleshooting entry of the exchange's guide: #error-<anchor>
    missing_permissions: tuple[str, ...] = ()
    refused_permissions: tuple[str, ...] = ()  # granted, and the reason we refuse the key
    discouraged_permissions: tuple[str, ...] = ()  # granted, never needed: a warning
    permissions_seen: tuple[str, ...] = ()
    checklist: tuple[Verdict, ...] = ()  # ranked causes, for AMBIGUOUS
    # When the key (or its right to trade) ends, where the exchange tells it (Bybit, Binance).
    key_expires_on: date | None = None
    currencies: tuple[str, ...] = field(default=())

    @property
    def about_the_key(self) -> bool:
        return self.verdict in KEY_VERDICTS

    @property
    def ours(self) -> bool:
        """Whether the test failed on our side (the page must not blame the key or venue)."""
        return self.verdict in OUR_VERDICTS

    @property
    def transient(self) -> bool:
        return self.verdict in TRANSIENT_VERDICTS

    @property
    def advice(self) -> str:
        return str(ADVICE[self.verdict])
