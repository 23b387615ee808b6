"""Checks on pasted credentials: clear, translated messages before anything is stored."""

import base64
import binascii
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_LENGTH = 1000
BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
ALNUM = re.compile(r"^[A-Za-z0-9]+$")

CREDENTIAL_LABELS = {
    "api_key": gettext_lazy("API key"),
    "secret": gettext_lazy("Secret"),
    "passphrase": gettext_lazy("Passphrase"),
    "uid": gettext_lazy("User ID (UID)"),
}


def clean_credential(value: str, *, multiline: bool = False) -> tuple[str, bool]:
    """The value without surrounding blanks, and whether any were removed."""
    stripped = value.strip()
    if not stripped:
        raise ValidationError(_("This field is empty."), code="empty")
    if len(value) > MAX_LENGTH:
        raise ValidationError(
            _("This is far too long for a credential (%(length)d characters): paste only the key.")
            % {"length": len(value)},
            code="too_long",
        )
    allowed = {"\n", "\r"} if multiline else set()
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in stripped):
        raise ValidationError(
            _("This contains invisible control characters: copy the key again from the exchange."),
            code="control",
        )
    if not multiline and any(char.isspace() for char in stripped):
        raise ValidationError(
            _("This contains spaces or line breaks inside it: copy the key again in one piece."),
            code="inner_space",
        )
    return stripped, stripped != value


def _base64_bytes(value: str) -> int | None:
    if not BASE64.match(value):
        return None
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return None


def _kraken(field: str, value: str, *, futures: bool) -> None:
    venue = _("Kraken Futures") if futures else _("Kraken Spot")
    if field == "secret" and _base64_bytes(value) != 64:
        raise ValidationError(
            _(
                "A %(venue)s private key is 88 characters of base64 (letters, digits, + and /, "
                "ending with ==). Copy it again: clipboards sometimes change + and /."
            )
            % {"venue": venue},
            code="shape",
        )
    if field == "api_key":
        spot_shape = len(value) == 56 and BASE64.match(value)
        futures_shape = len(value) == 88 and BASE64.match(value)
        if futures and spot_shape:
            raise ValidationError(
                _(
                    "This looks like a Kraken Spot key: Kraken Futures keys are created on "
                    "the Kraken Futures site."
                ),
                code="wrong_venue",
            )
        if not futures and futures_shape:
            raise ValidationError(
                _("This looks like a Kraken Futures key: add it with the Kraken Futures exchange."),
                code="wrong_venue",
            )
        if not (futures_shape if futures else spot_shape):
            raise ValidationError(
                _("A %(venue)s API key is %(length)d characters of base64.")
                % {"venue": venue, "length": 88 if futures else 56},
                code="shape",
            )


def _binance(field: str, value: str) -> None:
    if field in ("api_key", "secret") and not (len(value) == 64 and ALNUM.match(value)):
        raise ValidationError(
            _("Binance API keys and secrets are 64 letters and digits."), code="shape"
        )


def check_shape(ccxt_id: str, field: str, value: str) -> None:
    """Exchange-specific checks where the exchange's format is known and stable."""
    if ccxt_id == "kraken":
        _kraken(field, value, futures=False)
    elif ccxt_id == "krakenfutures":
        _kraken(field, value, futures=True)
    elif ccxt_id == "binance":
        _binance(field, value)


def multiline_allowed(ccxt_id: str, field: str) -> bool:
    # Coinbase's CDP secrets are PEM private keys, which span several lines.
    return ccxt_id == "coinbase" and field == "secret"
