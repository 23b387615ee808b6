"""Reading and checking the strategy catalog's files in strategies/content/ (format: its README).

Pure: files in, plain dictionaries out, ready to compare with the database by digest. Each
document is validated by the grammar, for every base timeframe it suggests, before anything is
loaded: a catalog that does not parse never reaches a page.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from noonbarbari.content_loading import ContentError, check_keys, load_toml
from strategies.content_dir import CONTENT_DIR
from strategies.models import Bias, CatalogEntryText, Category, Skill
from strategies.rules import DocumentError, dump, parse
from strategies.series import is_timeframe

META_KEYS = {"slug", "category", "bias", "timeframes", "skill", "position", "version"}
TEXT_KEYS = CatalogEntryText.TEXT_FIELDS


@dataclass(frozen=True)
class StrategyContent:
    folder: Path
    entry: dict[str, Any]  # CatalogEntry fields
    texts: dict[str, dict[str, str]]  # language -> CatalogEntryText fields


def read_all(content_dir: Path = CONTENT_DIR) -> list[StrategyContent]:
    folders = sorted(path for path in content_dir.iterdir() if (path / "meta.toml").exists())
    return [read_strategy(folder) for folder in folders]


def read_strategy(folder: Path) -> StrategyContent:
    meta_path = folder / "meta.toml"
    meta = load_toml(meta_path)
    check_keys(meta_path, meta, META_KEYS, set())
    _check_meta(meta_path, meta, folder.name)
    document = _read_document(folder / "strategy.yaml", meta)
    entry = {
        "slug": meta["slug"],
        "category": meta["category"],
        "bias": meta["bias"],
        "timeframes": list(meta["timeframes"]),
        "skill": meta["skill"],
        "position": meta["position"],
        "version": meta["version"],
        "document": document,
    }
    texts = {}
    for code, _name in settings.LANGUAGES:
        path = folder / f"{code}.toml"
        if path.exists():
            texts[code] = _read_text(path, required=code == settings.LANGUAGE_CODE)
    if settings.LANGUAGE_CODE not in texts:
        raise ContentError(f"{folder}: {settings.LANGUAGE_CODE}.toml is required")
    return StrategyContent(folder, entry, texts)


def _check_meta(path: Path, meta: dict[str, Any], folder_name: str) -> None:
    if meta["slug"] != folder_name:
        raise ContentError(f"{path}: slug must equal the folder name")
    for key, allowed in (("category", Category), ("bias", Bias), ("skill", Skill)):
        if meta[key] not in allowed.values:
            raise ContentError(f"{path}: {key} must be one of {', '.join(allowed.values)}")
    timeframes = meta["timeframes"]
    if not isinstance(timeframes, list) or not timeframes or not all(map(is_timeframe, timeframes)):
        raise ContentError(f'{path}: timeframes must list ccxt timeframes such as "1h"')
    for key in ("position", "version"):
        if type(meta[key]) is not int or meta[key] < 1:
            raise ContentError(f"{path}: {key} must be a positive integer")


def _read_document(path: Path, meta: dict[str, Any]) -> str:
    """The canonical text of the document, checked for every suggested base timeframe."""
    text = path.read_text(encoding="utf-8")
    try:
        documents = [parse(text, base_timeframe=timeframe) for timeframe in meta["timeframes"]]
    except DocumentError as error:
        raise ContentError(f"{path}: {error}") from None
    document = documents[0]
    if document.name != meta["slug"]:
        raise ContentError(f"{path}: name must equal the slug")
    if document.long_only != (meta["bias"] == Bias.LONG_ONLY):
        raise ContentError(f"{path}: long_only must agree with meta.toml's bias")
    return dump(document)


def _read_text(path: Path, *, required: bool) -> dict[str, str]:
    raw = load_toml(path)
    check_keys(path, raw, set(TEXT_KEYS) if required else set(), set(TEXT_KEYS))
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ContentError(f"{path}: {key} must be text")
    return {key: raw.get(key, "").strip() for key in TEXT_KEYS}
