"""Reading and checking the versioned guide content in guides/content/ (format: its README).

Everything here is pure: files in, plain dictionaries out, ready to compare with the database
by digest (noonbarbari.content_loading). Writing to the database is guides.services' job.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings

from exchanges.models import AccountTwoFactor, CcxtSupport, IpWhitelist, Region
from guides.models import GuideTranslation, ItemKind, PermissionLevel
from noonbarbari.content_loading import ContentError, check_keys, load_toml

CONTENT_DIR = Path(__file__).resolve().parent / "content"

EXCHANGE_FIELDS = {
    "slug": str,
    "name": str,
    "ccxt_id": str,
    "region": Region.values,
    "spot": bool,
    "futures": bool,
    "spot_maker_fee": "decimal",
    "spot_taker_fee": "decimal",
    "ccxt_support": CcxtSupport.values,
    "account_2fa": AccountTwoFactor.values,
    "ip_whitelist": IpWhitelist.values,
    "website_url": str,
    "api_keys_url": str,
    "support_url": str,
    "fees_url": str,
    "strategies": list,
    "published": bool,
    "position": int,
}
EXCHANGE_OPTIONAL = {"ip_whitelist_max": int, "sister": str}

TEXT_KEYS = GuideTranslation.TEXT_FIELDS
LIST_KEYS = ("create_key_steps", "permissions", "security_tips", "pitfalls", "troubleshooting")
# The order in which a translation's items appear in files and in digests.
ITEM_KIND_ORDER: list[str] = [
    ItemKind.STEP,
    ItemKind.PERMISSION,
    ItemKind.SECURITY_TIP,
    ItemKind.PITFALL,
    ItemKind.TROUBLESHOOTING,
]
ANCHOR = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ExchangeContent:
    folder: Path
    facts: dict[str, Any]  # Exchange model fields, except `credentials` and `sister`
    sister: str | None
    guide: dict[str, Any]  # Guide model fields
    translations: dict[str, dict[str, Any]]  # language -> GuideTranslation fields + "items"


def read_all(content_dir: Path = CONTENT_DIR) -> list[ExchangeContent]:
    folders = sorted(path for path in content_dir.iterdir() if (path / "exchange.toml").exists())
    return [read_exchange(folder) for folder in folders]


def read_exchange(folder: Path) -> ExchangeContent:
    raw = load_toml(folder / "exchange.toml")
    check_keys(folder / "exchange.toml", raw, set(EXCHANGE_FIELDS), set(EXCHANGE_OPTIONAL))
    for key, kind in {**EXCHANGE_FIELDS, **EXCHANGE_OPTIONAL}.items():
        if key in raw:
            raw[key] = _checked(folder / "exchange.toml", key, raw[key], kind)
    if raw["slug"] != folder.name:
        raise ContentError(f"{folder / 'exchange.toml'}: slug must equal the folder name")
    facts = {
        "slug": raw["slug"],
        "name": raw["name"],
        "ccxt_id": raw["ccxt_id"],
        "region": raw["region"],
        "spot_trading": raw["spot"],
        "futures_trading": raw["futures"],
        "spot_maker_fee": raw["spot_maker_fee"],
        "spot_taker_fee": raw["spot_taker_fee"],
        "ccxt_support": raw["ccxt_support"],
        "account_2fa": raw["account_2fa"],
        "ip_whitelist": raw["ip_whitelist"],
        "ip_whitelist_max": raw.get("ip_whitelist_max"),
        "website_url": raw["website_url"],
        "api_keys_url": raw["api_keys_url"],
        "support_url": raw["support_url"],
        "fees_url": raw["fees_url"],
    }
    guide = {
        "published": raw["published"],
        "position": raw["position"],
        "strategy_slugs": [str(slug) for slug in raw["strategies"]],
    }
    translations = {}
    for code, _name in settings.LANGUAGES:
        path = folder / f"{code}.toml"
        if path.exists():
            translations[code] = _read_translation(path)
    english = translations.get(settings.LANGUAGE_CODE)
    if english is None:
        raise ContentError(f"{folder}: the {settings.LANGUAGE_CODE}.toml guide is required")
    for code, translation in translations.items():
        _check_same_structure(folder / f"{code}.toml", english, translation)
    return ExchangeContent(folder, facts, raw.get("sister"), guide, translations)


def _checked(path: Path, key: str, value: Any, kind: Any) -> Any:
    if kind == "decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ContentError(f"{path}: {key} must be a decimal number") from None
        if number < 0:
            raise ContentError(f"{path}: {key} cannot be negative")
        return number
    if isinstance(kind, list):
        if value not in kind:
            raise ContentError(f"{path}: {key} must be one of {', '.join(kind)}")
        return value
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ContentError(f"{path}: {key} must be a {kind.__name__}")
    return value


def _read_translation(path: Path) -> dict[str, Any]:
    raw = load_toml(path)
    check_keys(path, raw, set(), set(TEXT_KEYS) | set(LIST_KEYS))
    snapshot: dict[str, Any] = {key: _text(path, key, raw.get(key, "")) for key in TEXT_KEYS}
    items = []
    for text in raw.get("create_key_steps", []):
        items.append(_item(ItemKind.STEP, text=_text(path, "create_key_steps", text)))
    for number, entry in enumerate(raw.get("permissions", []), start=1):
        check_keys(path, entry, {"label", "level"}, {"note"}, f"[[permissions]] #{number}: ")
        if entry["level"] not in PermissionLevel.values:
            raise ContentError(f"{path}: permission level must be one of required/optional/never")
        items.append(
            _item(
                ItemKind.PERMISSION,
                label=_text(path, "permissions.label", entry["label"]),
                level=entry["level"],
                text=_text(path, "permissions.note", entry.get("note", "")),
            )
        )
    for text in raw.get("security_tips", []):
        items.append(_item(ItemKind.SECURITY_TIP, text=_text(path, "security_tips", text)))
    for text in raw.get("pitfalls", []):
        items.append(_item(ItemKind.PITFALL, text=_text(path, "pitfalls", text)))
    for number, entry in enumerate(raw.get("troubleshooting", []), start=1):
        where = f"[[troubleshooting]] #{number}: "
        check_keys(path, entry, {"anchor", "error", "meaning", "fix"}, set(), where)
        if not ANCHOR.match(str(entry["anchor"])):
            raise ContentError(f"{path}: anchor {entry['anchor']!r} must be lowercase-hyphenated")
        items.append(
            _item(
                ItemKind.TROUBLESHOOTING,
                anchor=_text(path, "troubleshooting.anchor", entry["anchor"]),
                label=_text(path, "troubleshooting.error", entry["error"]),
                text=_text(path, "troubleshooting.meaning", entry["meaning"]),
                fix=_text(path, "troubleshooting.fix", entry["fix"]),
            )
        )
    snapshot["items"] = items
    return snapshot


def _text(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ContentError(f"{path}: {key} must be text")
    return value.strip()


def _item(
    kind: str, *, label: str = "", level: str = "", anchor: str = "", text: str = "", fix: str = ""
) -> dict[str, str]:
    return {
        "kind": str(kind),
        "label": label,
        "level": level,
        "anchor": anchor,
        "text": text,
        "fix": fix,
    }


def _check_same_structure(path: Path, english: dict[str, Any], other: dict[str, Any]) -> None:
    """Permission labels and levels, and troubleshooting anchors, are facts, not translations."""
    for kind, fields in (
        (ItemKind.PERMISSION, ("label", "level")),
        (ItemKind.TROUBLESHOOTING, ("anchor",)),
    ):
        mine = [tuple(item[f] for f in fields) for item in other["items"] if item["kind"] == kind]
        theirs = [
            tuple(item[f] for f in fields) for item in english["items"] if item["kind"] == kind
        ]
        if mine and mine != theirs:
            raise ContentError(
                f"{path}: {kind} entries must match the English guide's {', '.join(fields)}"
            )
