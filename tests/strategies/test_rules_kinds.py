"""An unknown indicator kind is refused with the kinds spelled closest to it, or with every kind,
and says where the kinds are described (as an unknown operator lists the operators)."""

import pytest

from strategies.indicators import REGISTRY
from strategies.rules import DocumentError, checks, parse
from tests.strategies.test_rules_support import base_with

PAGE_LISTS = "The Indicators page of the docs lists every kind"


def kind_problem(kind: str) -> tuple[str, str, int | None]:
    with pytest.raises(DocumentError) as caught:
        parse(base_with(l3=f"  fast: {{kind: {kind}, period: 12}}"))
    [problem] = caught.value.errors
    return problem.path, str(problem.message), problem.line


@pytest.mark.parametrize(
    ("kind", "suggested"),
    [
        ("emaa", "ema"),  # one letter too many
        ("EMA", "ema"),  # capitals: the lowercase kind, alone
        ("rsii", "rsi"),
        ("bolinger", "bollinger"),  # one letter missing
        ("supertrend", "super_trend, trend"),  # the closest first
    ],
)
def test_a_misspelt_kind_suggests_the_closest(kind, suggested):
    assert kind_problem(kind) == (
        "indicators.fast.kind",
        f'unknown indicator kind "{kind}": did you mean {suggested}? {PAGE_LISTS}',
        3,
    )


def test_a_kind_like_none_lists_every_kind_and_where_they_are_described(monkeypatch):
    # A registry of three kinds, so that the expected list does not follow the library's.
    small = {kind: REGISTRY[kind] for kind in ("sma", "ema", "rsi")}
    monkeypatch.setattr(checks, "REGISTRY", small)

    assert kind_problem("moving_average") == (
        "indicators.fast.kind",
        'unknown indicator kind "moving_average": use sma, ema, rsi (the Indicators page of '
        "the docs describes each)",
        3,
    )


def test_with_the_library_s_kinds_a_nonsense_kind_names_them_all():
    _path, message, _line = kind_problem("xyz")

    assert message.startswith('unknown indicator kind "xyz": use sma, ema, wma, ')
    assert all(kind in message for kind in REGISTRY)
    assert "the Indicators page of the docs" in message
