"""My strategies: the text editor, versions, the diff between two of them and restoring one."""

import re

import pytest

from tests.strategies.mine_helpers import copied, page, signed_in

pytestmark = pytest.mark.django_db

# Line numbers counted by hand: 4 (period 0), 8 (unknown alias), 9 (unknown operator).
BROKEN = """\
name: broken
indicators:
  fast: {kind: ema, period: 10}
  slow: {kind: ema, period: 0}
entry:
  combine: AND
  rules:
    - {lhs: {indicator: fast}, op: crosses_up, rhs: {indicator: ema_2000}}
    - {lhs: {bar: close}, op: sideways, rhs: {indicator: slow}}
exit: {lhs: {indicator: fast}, op: crosses_down, rhs: {indicator: slow}}
"""

# Spellings the grammar accepts, keys out of order, defaults left out...
LOOSE = """\
name: rsi-dip
indicators:
  r: {kind: rsi}
entry: {lhs: {indicator: r}, op: "<", rhs: {value: 30}}
exit: {op: crosses_above, lhs: {indicator: r}, rhs: {value: 70}}
"""
# ... and the canonical form, written out by hand from the grammar's rules (canonical
# operators, the RSI's default period 14, every risk key, the default sizing).
CANONICAL = """\
name: rsi-dip
long_only: true
indicators:
  r: {kind: rsi, period: 14}
entry: {lhs: {indicator: r}, op: lt, rhs: {value: 30}}
exit: {lhs: {indicator: r}, op: crosses_up, rhs: {value: 70}}
risk: {stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: null, cooldown_bars: 0}
sizing: {kind: equity_fraction, fraction: 1.0}
"""


def edit_url(strategy, language="en") -> str:
    return f"/{language}/strategies/mine/{strategy.pk}/edit/"


def marked_lines(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="line-error" id="line-(\d+)">', html)]


@pytest.mark.parametrize(
    ("language", "first_problem", "second_problem"),
    [
        (
            "en",
            "line 4: indicators.slow.period: must be at least 1",
            'line 8: entry.rules[0].rhs.indicator: unknown indicator "ema_2000"',
        ),
        (
            "fr",
            "ligne 4\u00a0: indicators.slow.period: doit valoir au moins 1",
            "ligne 8\u00a0: entry.rules[0].rhs.indicator: "
            "indicateur inconnu «\u00a0ema_2000\u00a0»",
        ),
    ],
)
def test_a_refused_document_shows_each_problem_at_its_line_and_saves_nothing(
    language, first_problem, second_problem
):
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")

    html = page(client.post(edit_url(strategy, language), {"text": BROKEN}))

    assert first_problem in html
    assert marked_lines(html) == [4, 8, 9]
    assert second_problem in html
    assert 'href="#line-9"' in html
    # The text typed is back in the editor, exactly.
    assert html.count("{lhs: {bar: close}, op: sideways, rhs: {indicator: slow}}") == 2
    assert strategy.versions.count() == 1


def test_text_that_is_not_yaml_is_refused_at_its_line():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")

    html = page(client.post(edit_url(strategy), {"text": "name: x\nindicators: [\n"}))

    assert "this is not valid YAML" in html
    assert marked_lines(html)  # the parser's line, whichever it names
    assert strategy.versions.count() == 1


def test_a_saved_document_is_stored_in_canonical_form():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")
    copied_at = strategy.updated_at

    response = client.post(edit_url(strategy), {"text": LOOSE})

    assert response["Location"] == f"/en/strategies/mine/{strategy.pk}/"
    strategy.refresh_from_db()
    assert strategy.updated_at > copied_at
    latest = strategy.versions.first()
    assert (latest.number, latest.note, latest.document) == (2, "Document edited", CANONICAL)
    french = page(client.get(f"/fr/strategies/mine/{strategy.pk}/"))
    assert "Document modifié" in french


def test_a_rule_across_parameters_is_refused_in_the_editor_too():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "macd-trend")
    text = strategy.versions.get().document.replace("fast: 12, slow: 26", "fast: 30, slow: 26")

    html = page(client.post(edit_url(strategy), {"text": text}))

    assert "line 4: indicators.macd: The fast period must be shorter than the slow period." in html
    assert strategy.versions.count() == 1


def test_the_diff_shows_the_changed_lines_with_signs_not_only_colour():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")
    text = strategy.versions.get().document.replace("period: 20", "period: 12")
    client.post(edit_url(strategy), {"text": text})

    html = page(client.get(f"/en/strategies/mine/{strategy.pk}/diff/?from=1&to=2"))

    removed = re.search(r'<tr class="diff-removed">(.*?)</tr>', html, re.S)
    added = re.search(r'<tr class="diff-added">(.*?)</tr>', html, re.S)
    assert removed
    assert "ema_fast: {kind: ema, period: 20}" in removed.group(1)
    assert added
    assert "ema_fast: {kind: ema, period: 12}" in added.group(1)
    assert '<span aria-hidden="true">-</span><span class="visually-hidden">Removed:</span>' in html
    assert '<span aria-hidden="true">+</span><span class="visually-hidden">Added:</span>' in html
    assert "1 line added, 1 line removed." in html
    assert html.count('class="diff-added"') == 1  # the unchanged lines are context only
    french = page(client.get(f"/fr/strategies/mine/{strategy.pk}/diff/?from=1&to=2"))
    assert "1 ligne ajoutée, 1 ligne supprimée." in french


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=1&to=9", "There is no version 9 of this strategy: pick one from the list."),
        ("?from=abc&to=1", "There is no version abc of this strategy: pick one from the list."),
        ("?from=1", "Pick the version to compare to."),
        ("?to=1&from=", "Pick the version to compare from."),
        ("", "Pick the two versions to compare."),
    ],
)
def test_bad_or_missing_version_numbers_get_a_clear_message(query, message):
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")

    html = page(client.get(f"/en/strategies/mine/{strategy.pk}/diff/{query}"))

    assert message in html
    assert "diff-added" not in html


def test_bad_version_numbers_are_explained_in_french():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")

    html = page(client.get(f"/fr/strategies/mine/{strategy.pk}/diff/?from=1&to=9"))

    assert (
        "Il n’y a pas de version 9 de cette stratégie\u00a0: choisis-en une dans la liste." in html
    )


def test_restoring_adds_a_version_equal_to_the_old_one_and_keeps_the_history():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")
    first = strategy.versions.get().document
    client.post(edit_url(strategy), {"text": LOOSE})

    response = client.post(f"/en/strategies/mine/{strategy.pk}/versions/1/restore/")

    assert response["Location"] == f"/en/strategies/mine/{strategy.pk}/"
    versions = list(strategy.versions.order_by("number").values_list("number", "note", "document"))
    assert versions == [
        (1, "Copied from ema-crossover v1", first),
        (2, "Document edited", CANONICAL),
        (3, "Restored from version 1", first),
    ]
    french = page(client.get(f"/fr/strategies/mine/{strategy.pk}/"))
    assert "Restaurée depuis la version 1" in french


def test_a_version_page_shows_its_document_and_sentences_and_offers_a_restore():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")
    client.post(edit_url(strategy), {"text": LOOSE})

    old = page(client.get(f"/en/strategies/mine/{strategy.pk}/versions/1/"))
    current = page(client.get(f"/en/strategies/mine/{strategy.pk}/versions/2/"))

    assert "Enter long when EMA 20 crosses above EMA 50." in old
    assert "ema_fast: {kind: ema, period: 20}" in old
    assert f'action="/en/strategies/mine/{strategy.pk}/versions/1/restore/"' in old
    assert "This is the current version." in current
    assert "restore/" not in current
    assert client.get(f"/en/strategies/mine/{strategy.pk}/versions/3/").status_code == 404
    assert client.post(f"/en/strategies/mine/{strategy.pk}/versions/7/restore/").status_code == 404


def test_rename_and_delete_ask_first_then_act():
    client, user = signed_in("editor@example.com")
    strategy = copied(user, "ema-crossover")
    other = copied(user, "macd-trend")
    base = f"/en/strategies/mine/{strategy.pk}"

    assert "Rename EMA crossover" in page(client.get(f"{base}/rename/"))
    taken = page(client.post(f"{base}/rename/", {"name": other.name}))
    assert "You already have a strategy named “MACD with the trend”" in taken
    client.post(f"{base}/rename/", {"name": "Slow trend"})
    strategy.refresh_from_db()
    assert strategy.name == "Slow trend"
    assert strategy.versions.count() == 1  # a name is not a version

    assert "Delete Slow trend?" in page(client.get(f"{base}/delete/"))
    assert strategy.versions.exists()
    response = client.post(f"{base}/delete/")
    assert response["Location"] == "/en/strategies/mine/"
    assert client.get(f"{base}/").status_code == 404
