"""One vocabulary for orders (strategies.engine.enums): the columns that store it take their
choices and lengths from it, an order's kind and trigger are data on the order, and sizing
and profit are computed by one rule for the simulation and live runs alike."""

import pytest
from django.core.exceptions import ValidationError

from strategies.engine import Market
from strategies.engine.enums import Action, Event, Kind, Leg, Reason, Side, Status
from strategies.engine.fills.sizing import entry_amount, profit
from strategies.models import Backtest, RunDecision, RunOrder, RunTrade, StrategyRun
from strategies.rules.model import EquityFraction, FixedQuote, Risk, RiskPerTrade
from strategies.services.live_start import COPIED
from strategies.views.backtest_display import trade_rows
from tests.strategies.backtest_helpers import bars, flat, run, signals

# Every column that stores a value of the vocabulary, with the vocabulary it stores.
COLUMNS = [
    (RunOrder, "leg", Leg),
    (RunOrder, "side", Side),
    (RunOrder, "action", Action),
    (RunOrder, "kind", Kind),
    (RunOrder, "reason", Reason),
    (RunOrder, "status", Status),
    (RunTrade, "side", Side),
    (RunTrade, "exit_reason", Reason),
    (RunDecision, "event", Event),
]


@pytest.mark.parametrize(("model", "name", "vocabulary"), COLUMNS)
def test_every_value_of_the_vocabulary_fits_its_column_and_is_a_choice(model, name, vocabulary):
    field = model._meta.get_field(name)
    longest = max(len(member.value) for member in vocabulary)
    assert field.max_length >= longest
    assert {value for value, _label in field.choices} == {member.value for member in vocabulary}


@pytest.mark.django_db
def test_a_trailing_stop_decision_fits_its_row():
    # 'trailing_stop' is 13 characters: the hand-picked varchar(12) held it on SQLite only.
    decision = RunDecision(run_id=1, bar_ms=0, event=Event.TRAILING_STOP)
    try:
        decision.full_clean(exclude=["run"])
    except ValidationError as refused:
        pytest.fail(str(refused))


def test_every_value_has_a_label():
    for vocabulary in (Action, Event, Kind, Leg, Reason, Side, Status):
        assert set(vocabulary.labels()) == set(vocabulary), vocabulary
        assert all(str(member.label) for member in vocabulary)


def test_a_trade_closed_at_its_owners_request_says_so():
    trade = {
        "side": "long",
        "entry_time": 0,
        "entry_price": 100.0,
        "size": 1.0,
        "pnl": 5.0,
        "fees": 0.0,
        "exit_time": 3_600_000,
        "exit_price": 105.0,
        "exit_reason": "manual",
    }
    assert trade_rows([trade])[0]["reason_text"] == "closed at your request"


# --- an order's kind and trigger ----------------------------------------------------------


def _exit(fills):
    (exit_order,) = [order for order in fills.orders if order.leg == Leg.EXIT]
    return exit_order


def test_a_stop_loss_exit_is_a_stop_market_order_at_its_level():
    # Entry decided at bar 0's close, filled at bar 1's open (100): the stop is 95. Bar 2's
    # low (94) reaches it; its open (100) is above it, so it fills at 95.
    candles = bars(*flat(2), (100, 101, 94, 96), *flat(2, 96))
    fills = run(candles, signals(5, enter=[0]), risk=Risk(stop_loss_pct=0.05))
    order = _exit(fills)
    assert (order.kind, order.trigger, order.reason) == (Kind.STOP_MARKET, 95.0, Reason.STOP_LOSS)
    assert order.fills[0].price == 95.0


def test_a_shorts_stop_is_above_and_a_target_is_a_take_profit_market_order():
    # Short at 100 (bar 1's open): its stop at 105, reached by bar 2's high (106).
    candles = bars(*flat(2), (100, 106, 99, 104), *flat(2, 104))
    short = run(
        candles,
        signals(5, enter_short=[0]),
        risk=Risk(stop_loss_pct=0.05),
        market=Market(allows_shorts=True),
    )
    assert (_exit(short).kind, _exit(short).trigger) == (Kind.STOP_MARKET, pytest.approx(105.0))
    # Long at 100 with a 10 % target: 110, reached by bar 2's high (111).
    candles = bars(*flat(2), (100, 111, 99, 108), *flat(2, 108))
    target = run(candles, signals(5, enter=[0]), risk=Risk(take_profit_pct=0.1))
    order = _exit(target)
    assert (order.kind, order.trigger, order.reason) == (
        Kind.TAKE_PROFIT_MARKET,
        pytest.approx(110.0),  # 100 x 1.1 in floating point
        Reason.TAKE_PROFIT,
    )


def test_an_exit_rules_order_is_a_market_order_without_trigger():
    fills = run(bars(*flat(5)), signals(5, enter=[0], exit_=[2]))
    assert (_exit(fills).kind, _exit(fills).trigger) == (Kind.MARKET, None)
    assert all(order.kind == Kind.MARKET for order in fills.orders)


# --- sizing and profit, once -----------------------------------------------------------------


def test_entry_amount_follows_the_fill_models_point_two():
    market = Market(amount_step=0.001)
    # Half of 1000 at 100 with a 0.1 % fee: 500 / 100.1 = 4.99500..., rounded down: 4.995.
    half = EquityFraction(fraction=0.5)
    assert entry_amount(half, risk=Risk(), cash=1000, price=100, fee=0.001, market=market) == 4.995
    # Within a notional cap of 200: 200 / 100.1 = 1.99800...
    capped = entry_amount(
        half, risk=Risk(), cash=1000, price=100, fee=0.001, market=market, notional_cap=200
    )
    assert capped == 1.998
    # Fixed quote of 300 with 1000 in cash: 300 / 100.1 = 2.99700...
    fixed = FixedQuote(kind="fixed_quote", amount=300)
    assert entry_amount(fixed, risk=Risk(), cash=1000, price=100, fee=0.001, market=market) == 2.997
    # More than the cash: the cash (250 / 100.1 = 2.49750...); no cash: nothing.
    assert entry_amount(fixed, risk=Risk(), cash=250, price=100, fee=0.001, market=market) == 2.497
    assert entry_amount(fixed, risk=Risk(), cash=-5, price=100, fee=0.001, market=market) == 0.0
    # Risk 1 % with a 5 % stop: the fraction 0.01 / 0.05 = 0.2, 200 / 100.1 = 1.99800...
    one_percent = RiskPerTrade(kind="risk_per_trade", risk_pct=0.01)
    stop = Risk(stop_loss_pct=0.05)
    assert entry_amount(one_percent, risk=stop, cash=1000, price=100, fee=0.001, market=market) == (
        1.998
    )
    # A trailing stop nearer than the stop-loss measures: 0.01 / 0.04 = 0.25, 250 / 100.1.
    nearer = Risk(stop_loss_pct=0.05, trailing_stop_pct=0.04)
    assert entry_amount(
        one_percent, risk=nearer, cash=1000, price=100, fee=0.001, market=market
    ) == (2.497)
    # Risk 10 % with a 5 % stop would be twice the cash: all of it, 1000 / 100.1 = 9.99000...
    ten_percent = RiskPerTrade(kind="risk_per_trade", risk_pct=0.1)
    assert entry_amount(ten_percent, risk=stop, cash=1000, price=100, fee=0.001, market=market) == (
        9.99
    )
    # ... and within a notional cap of 150: 150 / 100.1 = 1.49850...
    capped = entry_amount(
        one_percent, risk=stop, cash=1000, price=100, fee=0.001, market=market, notional_cap=150
    )
    assert capped == 1.498


def test_profit_of_a_long_and_of_a_short():
    assert profit(Side.LONG.sign, 1000.0, 1100.0, 2.0) == 98.0
    assert profit(Side.SHORT.sign, 1000.0, 900.0, 2.0) == 98.0
    assert profit(Side.SHORT.sign, 1000.0, 1100.0, 2.0) == -102.0


# --- the fill model's columns, once ---------------------------------------------------------


def test_a_live_run_copies_every_fill_model_and_market_column_of_its_paper_run():
    for name in (*StrategyRun.FILL_MODEL_FIELDS, *StrategyRun.MARKET_FIELDS):
        assert name in COPIED
    # Backtests and runs keep the same columns for the same engine objects.
    assert Backtest.FILL_MODEL_FIELDS == StrategyRun.FILL_MODEL_FIELDS
    assert Backtest.MARKET_FIELDS == StrategyRun.MARKET_FIELDS


def test_the_columns_give_back_the_engines_objects():
    backtest = Backtest(
        fee=0.0026,
        slippage_bps=7.5,
        max_volume_share=0.05,
        tie="target_first",
        amount_step=0.0001,
        min_amount=0.0002,
        min_cost=0.5,
        allows_shorts=True,
    )
    model, market = backtest.fill_model(), backtest.market_rules()
    assert (model.fee, model.slippage_bps, model.max_volume_share, model.tie) == (
        0.0026,
        7.5,
        0.05,
        "target_first",
    )
    assert (market.amount_step, market.min_amount, market.min_cost, market.allows_shorts) == (
        0.0001,
        0.0002,
        0.5,
        True,
    )
    assert Backtest.fill_model_columns(model)["tie"] == "target_first"
    assert Backtest.market_columns(market)["min_cost"] == 0.5
