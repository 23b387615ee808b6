"""load_strategies: the catalog's files reach the database, valid, and staff edits are kept."""

import shutil
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guides.content_files import read_all as read_guides
from strategies.content_files import CONTENT_DIR
from strategies.models import CatalogEntry, CatalogEntryText
from strategies.rules import parse, sentences

pytestmark = pytest.mark.django_db

# Written out: the issue named fifteen (and one more of our choosing); a risk-sized breakout
# and a liquidity sweep reversal came with risk-based sizing and targets in R, a trend pullback
# with entry triggers, and the two DCA ladders with safety orders.
SLUGS = [
    "bollinger-revert",
    "breakout-momentum",
    "dca-accumulator",
    "dca-trend-filter",
    "donchian-breakout",
    "ema-crossover",
    "fair_value_gap",
    "liquidity-sweep-reversal",
    "macd-trend",
    "macd-with-adx-strength",
    "multi-trend-confluence",
    "premium_discount_zones",
    "prior_period_levels",
    "risk-sized-breakout",
    "rsi-mean-revert",
    "rsi-with-trend-filter",
    "stochastic-revert",
    "super_trend",
    "trend-pullback",
    "trend_magic",
]


def test_the_catalog_holds_its_twenty_strategies_in_both_languages():
    assert sorted(CatalogEntry.objects.values_list("slug", flat=True)) == SLUGS
    for language in ("en", "fr"):
        texts = CatalogEntryText.objects.filter(language=language)
        assert texts.count() == len(SLUGS)
        assert not texts.filter(title="").exists()
        assert not texts.filter(thesis="").exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_every_document_validates_and_reads_as_sentences_in_both_languages(slug):
    entry = CatalogEntry.objects.get(slug=slug)
    document = parse(entry.document)
    for timeframe in entry.timeframes:
        parse(entry.document, base_timeframe=timeframe)

    with translation.override("en"):
        english = sentences(document)
    with translation.override("fr"):
        french = sentences(document)

    assert english
    assert len(english) == len(french)
    assert english != french
    assert english[0].startswith("Enter")
    assert french[0].startswith("Entre")


def test_at_least_two_strategies_use_a_higher_timeframe_and_some_go_short():
    documents = [parse(entry.document) for entry in CatalogEntry.objects.all()]
    higher = [d for d in documents if any(i.timeframe for i in d.indicators.values())]
    short = [d for d in documents if not d.long_only]
    assert len(higher) >= 2
    assert len(short) >= 3


def test_every_strategy_a_guide_names_is_in_the_catalog():
    named = {slug for guide in read_guides() for slug in guide.guide["strategy_slugs"]}
    assert named
    assert named <= set(SLUGS)


def test_loading_twice_changes_nothing(capsys):
    call_command("load_strategies")

    # 15 entries and their 30 texts.
    assert "0 created, 0 updated, 60 unchanged, 0 kept" in capsys.readouterr().out


def test_a_staff_edit_is_kept_until_forced(capsys):
    CatalogEntryText.objects.filter(entry__slug="ema-crossover", language="fr").update(
        title="Croisement maison"
    )

    call_command("load_strategies")
    assert "Kept strategy ema-crossover (fr)" in capsys.readouterr().out
    assert CatalogEntryText.objects.get(entry__slug="ema-crossover", language="fr").title == (
        "Croisement maison"
    )

    call_command("load_strategies", "--force")
    in_file = tomllib.loads((CONTENT_DIR / "ema-crossover" / "fr.toml").read_text())["title"]
    assert in_file != "Croisement maison"
    title = CatalogEntryText.objects.get(entry__slug="ema-crossover", language="fr").title
    assert title == in_file


@pytest.fixture
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "ema-crossover", target / "ema-crossover")
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "strategy.yaml",
            "op: crosses_up",
            "op: jumps_over",
            r"strategy.yaml: line 9: entry.rules\[0\].op: unknown operator",
        ),
        (
            "strategy.yaml",
            "period: 50",
            "period: 0",
            r"strategy.yaml: line 5: indicators.ema_slow.period",
        ),
        ("strategy.yaml", "name: ema-crossover", "name: other", "name must equal the slug"),
        ("meta.toml", 'category = "trend"', 'category = "magic"', "category must be one of"),
        ("meta.toml", 'bias = "long_only"', 'bias = "long_short"', "long_only must agree"),
        ("en.toml", "title =", "titel =", "en.toml: missing title"),
    ],
)
def test_a_broken_content_file_is_refused_with_its_file_and_problem(
    content_copy, file, old, new, message
):
    path = content_copy / "ema-crossover" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))

    with pytest.raises(CommandError, match=message):
        call_command("load_strategies", content_dir=content_copy)
