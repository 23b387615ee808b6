"""A guide's "Once connected" text promises going live only on an exchange that trades live:
elsewhere a key can backtest and paper-trade, and the text says live trading is not offered yet."""

import tomllib
from pathlib import Path

import pytest

from exchanges import trading

CONTENT = Path(__file__).resolve().parents[2] / "guides" / "content"
SLUGS = sorted(path.name for path in CONTENT.iterdir() if (path / "en.toml").is_file())


def _trades_live(slug: str) -> bool:
    ccxt_id = tomllib.loads((CONTENT / slug / "exchange.toml").read_text())["ccxt_id"]
    return any(trading.trades_live(ccxt_id, derivative=kind) for kind in (False, True))


# The exchanges whose guides may say "go live": those the trading table verifies.
LIVE = {slug for slug in SLUGS if _trades_live(slug)}
LANGUAGES = ("en", "fr")

# Phrasings the paper-only guides used to promise live trading with, matched case-insensitively.
PROMISES = {
    "en": ("go live", "start live", "first live run"),
    "fr": ("passe en réel", "passage en réel"),
}
NOT_OFFERED_YET = {"en": "is not offered yet", "fr": "n’est pas encore proposé"}
EXCHANGES_PAGE = {"en": "exchanges page", "fr": "page des plateformes"}
GO_LIVE = {"en": "go live", "fr": "passe en réel"}


def what_next(slug: str, language: str) -> str:
    text = tomllib.loads((CONTENT / slug / f"{language}.toml").read_text(encoding="utf-8"))
    return text["what_next"].lower()


def test_the_live_exchanges_have_guides():
    """The table's live venues have guides (a renamed folder would leave them untested)."""
    assert LIVE, "no guide of a venue the trading table verifies"
    assert set(SLUGS) >= LIVE
    assert len(SLUGS) > len(LIVE)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", sorted(set(SLUGS) - LIVE))
def test_a_paper_only_guide_does_not_promise_going_live(slug, language):
    text = what_next(slug, language)

    for promise in PROMISES[language]:
        assert promise not in text, f"{slug}/{language}.toml promises {promise!r}"
    assert NOT_OFFERED_YET[language] in text
    assert EXCHANGES_PAGE[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", sorted(LIVE))
def test_a_live_guide_keeps_its_go_live_sentence(slug, language):
    text = what_next(slug, language)

    assert GO_LIVE[language] in text
    assert NOT_OFFERED_YET[language] not in text
