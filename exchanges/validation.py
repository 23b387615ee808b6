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
    _refuse_foreign_characters(stripped)
    return stripped, stripped != value


# Unicode's explicit direction controls: text made to display in another order than it is.
BIDI_CONTROLS = frozenset(
    {"\u061c", "\u200e", "\u200f"}
    | {chr(code) for code in range(0x202A, 0x202F)}
    | {chr(code) for code in range(0x2066, 0x206A)}
)


def _refuse_foreign_characters(value: str) -> None:
    """No exchange issues credentials outside printable ASCII (the one exception, a PEM key's
    line breaks, is ASCII too). Each kind of stray character gets a message that names it, as
    pasting picks them up from chats, documents and web pages."""
    for char in value:
        if " " <= char <= "~" or char in "\n\r":
            continue
        named = {"character": f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()}
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            message = _(
                "This contains a hidden text-direction character (%(character)s), which makes "
                "text display in another order than it is: copy the key again from the exchange."
            )
        elif category in ("Cf", "Zs", "Zl", "Zp", "Co", "Cn", "Cs"):
            message = _(
                "This contains an invisible character (%(character)s), often picked up by "
                "copying from a chat or a document: copy the key again from the exchange."
            )
        elif category.startswith("L") or category.startswith("M") or category.startswith("N"):
            message = _(
                "This contains a letter or digit that is not plain ASCII (%(character)s): "
                "exchanges issue keys made of A to Z, a to z, 0 to 9 and a few symbols. Copy "
                "the key again from the exchange rather than typing it."
            )
        else:
            message = _(
                "This contains a symbol or emoji (%(character)s) that no exchange puts in a "
                "key: copy the key again from the exchange."
            )
        raise ValidationError(message % named, code="not_ascii")


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


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# (API key, secret) as each exchange issues them, where the two cannot be mistaken for each
# other: Kraken's documented lengths, Coinbase's CDP key name and PEM private key, and the hex
# and UUID formats of OKX, KuCoin and Gate keys.
KEY_AND_SECRET_SHAPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "kraken": (re.compile(r"[A-Za-z0-9+/]{56}"), re.compile(r"[A-Za-z0-9+/]{86}==")),
    "coinbase": (
        re.compile(r"organizations/[0-9a-f-]+/apiKeys/[0-9a-f-]+"),
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*", re.DOTALL),
    ),
    "okx": (re.compile(_UUID), re.compile(r"[0-9A-F]{32}")),
    "kucoin": (re.compile(r"[0-9a-f]{24}"), re.compile(_UUID)),
    "gate": (re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{64}")),
}


def check_not_swapped(ccxt_id: str, api_key: str, secret: str) -> None:
    """Refuse an API key shaped like this exchange's secrets beside a secret shaped like its
    keys: the two were pasted into each other's field."""
    shapes = KEY_AND_SECRET_SHAPES.get(ccxt_id)
    if shapes is None:
        return
    key_shape, secret_shape = shapes
    if secret_shape.fullmatch(api_key) and key_shape.fullmatch(secret):
        raise ValidationError(
            _(
                "The API key and the secret look swapped: paste the API key into the first "
                "field and the secret into the second."
            ),
            code="swapped",
        )


def check_shape(ccxt_id: str, field: str, value: str) -> None:
    """Exchange-specific checks where the exchange's format is known and stable."""
    if ccxt_id == "kraken":
        _kraken(field, value, futures=False)
    elif ccxt_id == "krakenfutures":
        _kraken(field, value, futures=True)
    elif ccxt_id in ("binance", "binanceusdm"):
        _binance(field, value)


def multiline_allowed(ccxt_id: str, field: str) -> bool:
    # Coinbase's CDP secrets are PEM private keys, which span several lines.
    return ccxt_id == "coinbase" and field == "secret"
