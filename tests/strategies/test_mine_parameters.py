"""My strategies: the parameters form, generated from the indicator registry."""

import pytest

from strategies.services import mine as services
from tests.strategies.mine_helpers import copied, page, signed_in

pytestmark = pytest.mark.django_db

RISK_AND_SIZING = [
    "risk.stop_loss_pct",
    "risk.take_profit_pct",
    "risk.take_profit_r",
    "risk.trailing_stop_pct",
    "risk.cooldown_bars",
    "sizing.kind",
    "sizing.fraction",
    "sizing.amount",
    "sizing.risk_pct",
]


def url(strategy, language="en") -> str:
    return f"/{language}/strategies/mine/{strategy.pk}/parameters/"


def shown_values(client, strategy) -> dict[str, object]:
    """What the form shows before any change, as a browser would submit it."""
    form = client.get(url(strategy)).context["form"]
    return {field.html_name: "" if field.value() is None else field.value() for field in form}


def test_one_field_per_parameter_of_each_indicator_then_risk_and_sizing():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "fair_value_gap")  # gap: no parameters; trend_4h: two

    response = client.get(url(strategy))

    assert list(response.context["form"].fields) == [
        "indicators.trend_4h.period",
        "indicators.trend_4h.slope_lookback",
        *RISK_AND_SIZING,
    ]
    html = page(response)
    assert "This indicator has no parameters." in html
    assert "on the 4h chart" in html
    assert "The EMA rises when it is above its value this many bars ago." in html  # Param.help
    assert 'name="indicators.trend_4h.period" value="100"' in html
    assert 'value="100" min="1" max="5000"' in html
    assert 'name="risk.stop_loss_pct" value="2"' in html  # 0.02 shown as 2 (%)
    assert 'name="risk.take_profit_pct" value="4"' in html


def test_each_parameter_is_named_in_the_readers_language_next_to_its_document_key():
    client, user = signed_in("params-fr@example.com")
    strategy = copied(user, "fair_value_gap")

    html = page(client.get(url(strategy, "fr")))

    assert ">Période (period)</label>" in html
    assert ">Bougies de recul pour la pente (slope_lookback)</label>" in html


def test_every_parameter_of_the_registry_has_a_name_for_readers():
    from strategies.forms.parameters import PARAMETER_NAMES
    from strategies.indicators.registry import REGISTRY

    names = {param.name for spec in REGISTRY.values() for param in spec.params}
    assert names  # the registry is loaded
    assert names <= set(PARAMETER_NAMES)


def test_fields_are_typed_from_the_registry_choices_and_decimals_included():
    client, user = signed_in("params@example.com")
    text = (
        "name: typed\n"
        "indicators:\n"
        "  top: {kind: highest, period: 30, source: close}\n"
        "  st: {kind: super_trend, period: 10, multiplier: 2.5}\n"
        "entry: {lhs: {bar: close}, op: gt, rhs: {indicator: top}}\n"
        "exit: {lhs: {bar: close}, op: lt, rhs: {indicator: st}}\n"
    )
    strategy = services.strategy_create(owner=user, name="Typed", document=text)

    html = page(client.get(url(strategy)))

    assert '<select name="indicators.top.source"' in html
    for word in ("open", "high", "low", "close", "volume"):
        assert f'<option value="{word}"' in html
    assert '<option value="close" selected>' in html
    assert (
        '<input type="number" name="indicators.st.multiplier" value="2.5" min="0.1" max="20.0" '
        'step="any" required' in html
    )


def test_saving_changes_only_the_values_and_adds_a_version():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "ema-crossover")
    original = strategy.versions.get().document
    data = shown_values(client, strategy)
    data.update(
        {
            "indicators.ema_fast.period": "12",
            "indicators.ema_slow.period": "26",
            "risk.stop_loss_pct": "4",
            "risk.take_profit_pct": "12.5",
            "risk.trailing_stop_pct": "",
            "risk.cooldown_bars": "0",
            "sizing.fraction": "50",
        }
    )

    response = client.post(url(strategy), data)

    assert response["Location"] == f"/en/strategies/mine/{strategy.pk}/"
    latest = strategy.versions.first()
    assert (latest.number, latest.note) == (2, "Parameters edited")
    # 4% -> 0.04, 12.5% -> 0.125, 50% -> 0.5; the rules are the copied ones, line for line.
    expected = (
        original.replace("{kind: ema, period: 20}", "{kind: ema, period: 12}")
        .replace("{kind: ema, period: 50}", "{kind: ema, period: 26}")
        .replace(
            "risk: {stop_loss_pct: 0.05, take_profit_pct: null, trailing_stop_pct: 0.08, "
            "cooldown_bars: 3}",
            "risk: {stop_loss_pct: 0.04, take_profit_pct: 0.125, trailing_stop_pct: null, "
            "cooldown_bars: 0}",
        )
        .replace("fraction: 1.0}", "fraction: 0.5}")
    )
    assert expected != original
    assert latest.document == expected
    assert "Version 2 saved." in page(client.get(response["Location"]))


def test_a_fixed_amount_replaces_the_equity_share():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "macd-trend")
    data = shown_values(client, strategy)
    data.update({"sizing.kind": "fixed_quote", "sizing.amount": "250", "sizing.fraction": ""})

    client.post(url(strategy), data)

    assert "sizing: {kind: fixed_quote, amount: 250.0}" in strategy.versions.first().document


@pytest.mark.parametrize(
    ("language", "below_minimum", "not_a_percentage"),
    [
        (
            "en",
            "Ensure this value is greater than or equal to 1.",
            "Enter a percentage above 0 and below 100, or leave it empty.",
        ),
        (
            "fr",
            "Cette valeur doit être supérieure ou égale à 1.",
            "Saisis un pourcentage supérieur à 0 et inférieur à 100, ou laisse le champ vide.",
        ),
    ],
)
def test_bad_values_are_refused_next_to_their_field_and_nothing_typed_is_lost(
    language, below_minimum, not_a_percentage
):
    client, user = signed_in("params@example.com")
    strategy = copied(user, "ema-crossover")
    data = shown_values(client, strategy)
    data.update(
        {
            "indicators.ema_fast.period": "0",
            "indicators.ema_slow.period": "77",
            "risk.stop_loss_pct": "150",
            "risk.take_profit_pct": "7.5",
        }
    )

    html = page(client.post(url(strategy, language), data))

    assert below_minimum in html
    assert not_a_percentage in html
    for name, typed in data.items():
        if typed != "" and not name.startswith("sizing.kind"):
            assert f'name="{name}" value="{typed}"' in html, name
    assert strategy.versions.count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The fast period must be shorter than the slow period."),
        ("fr", "La période rapide doit être plus courte que la période lente."),
    ],
)
def test_a_rule_across_parameters_is_refused_too(language, message):
    client, user = signed_in("params@example.com")
    strategy = copied(user, "macd-trend")
    data = shown_values(client, strategy)
    data.update({"indicators.macd.fast": "30", "indicators.macd.slow": "26"})

    html = page(client.post(url(strategy, language), data))

    assert message in html
    assert 'name="indicators.macd.fast" value="30"' in html
    assert strategy.versions.count() == 1


def test_risk_per_trade_with_a_target_in_r_replaces_the_equity_share_and_the_percent_target():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "macd-trend")
    data = shown_values(client, strategy)
    data.update({"sizing.kind": "risk_per_trade", "sizing.risk_pct": "1", "sizing.fraction": ""})
    data.update({"risk.take_profit_r": "2.5"})

    client.post(url(strategy), data)

    document = strategy.versions.first().document
    assert "sizing: {kind: risk_per_trade, risk_pct: 0.01}" in document
    assert "take_profit_r: 2.5" in document
    # Shown again as typed, and saved again unchanged.
    response = client.post(url(strategy), shown_values(client, strategy), follow=True)
    assert "Nothing changed, so no new version was saved." in page(response)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sizing.kind": "risk_per_trade"}, "Fill this in for the position size you picked."),
        (
            {"risk.take_profit_r": "2", "risk.take_profit_pct": "5"},
            "take_profit_pct and take_profit_r both set the target: keep one of them",
        ),
        ({"risk.take_profit_r": "101"}, "Enter a number above 0, up to 100, or leave it empty."),
    ],
    ids=["risk-pct-missing", "two-targets", "r-too-large"],
)
def test_risk_sizing_and_r_targets_refused_next_to_their_field(changes, message):
    client, user = signed_in("params@example.com")
    strategy = copied(user, "macd-trend")
    data = shown_values(client, strategy)
    data.update(changes)

    html = page(client.post(url(strategy), data))

    assert message in html
    assert strategy.versions.count() == 1


def test_the_amount_is_required_for_a_fixed_amount():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "macd-trend")
    data = shown_values(client, strategy)
    data.update({"sizing.kind": "fixed_quote", "sizing.amount": ""})

    html = page(client.post(url(strategy), data))

    assert "Fill this in for the position size you picked." in html
    assert strategy.versions.count() == 1


def test_saving_unchanged_values_adds_no_version():
    client, user = signed_in("params@example.com")
    strategy = copied(user, "stochastic-revert")

    response = client.post(url(strategy), shown_values(client, strategy), follow=True)

    assert "Nothing changed, so no new version was saved." in page(response)
    assert strategy.versions.count() == 1


@pytest.mark.parametrize(
    "risk_and_sizing",
    [
        "risk: {stop_loss_pct: 0.0000001}\nsizing: {kind: fixed_quote, amount: 1.0e+15}",
        "risk: {stop_loss_pct: 0.5}\nsizing: {kind: fixed_quote, amount: 0.000000001}",
    ],
)
def test_any_document_the_grammar_accepts_can_be_saved_unchanged(risk_and_sizing):
    client, user = signed_in("extremes@example.com")
    strategy = services.strategy_create(
        owner=user,
        name="extremes",
        document=(
            "name: extremes\nindicators: {r: {kind: rsi}}\n"
            "entry: {lhs: {indicator: r}, op: crosses_up, rhs: {value: 30}}\n" + risk_and_sizing
        ),
    )

    response = client.post(url(strategy), shown_values(client, strategy), follow=True)

    assert "Nothing changed, so no new version was saved." in page(response)


def test_saving_the_parameters_keeps_an_anchored_stop_the_form_does_not_show():
    client, user = signed_in("anchored-params@example.com")
    anchored = """name: anchored
indicators:
  rsi: {kind: rsi, period: 14}
entry: {lhs: {indicator: rsi}, op: lt, rhs: {value: 30}}
exit: {lhs: {indicator: rsi}, op: gt, rhs: {value: 60}}
risk: {take_profit_r: 2, stop_anchor: {at: swing, bars: 10, max_pct: 0.04, too_wide: clamp}}
"""
    strategy = services.strategy_create(owner=user, name="Anchored", document=anchored)
    data = shown_values(client, strategy)
    data["indicators.rsi.period"] = "10"

    client.post(url(strategy), data)

    latest = strategy.versions.first()
    assert latest.number == 2
    assert "stop_anchor: {at: swing, bars: 10, max_pct: 0.04, too_wide: clamp}" in latest.document
    assert "rsi: {kind: rsi, period: 10" in latest.document
