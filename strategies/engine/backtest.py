"""A backtest: the decision pass, the fill model and the statistics over one candle history.

The same `decide` paper and live runs call, then `fills.simulate`, then `metrics.statistics`.
A paper run's tick is this very function over the run's candles up to its last closed bar.
Pure: arrays in, a result out; storing it is the Django shell's business.
"""

from dataclasses import dataclass, field

import numpy as np

from strategies.engine.decide import IndicatorStore, Signals, decide
from strategies.engine.fills import FillModel, Fills, Market, ShortsNotAllowed, Trade, simulate
from strategies.engine.fills.anchors import anchor_prices
from strategies.engine.fills.journal import Order
from strategies.engine.metrics import Stats, statistics
from strategies.rules.document import Document
from strategies.series import Candles


@dataclass(frozen=True)
class Backtest:
    """The outcome: closed and open trades, the equity and the signed holding at every close,
    the statistics, and the orders with their fills (bars index the period; built when first
    read: a backtest's report never needs them, a paper run's tick does)."""

    trades: list[Trade]
    open_trades: list[Trade]
    equity: np.ndarray
    stats: Stats
    model: FillModel
    market: Market
    held: np.ndarray
    fills: Fills
    funding: float = 0.0  # received (negative: paid) over every position, open ones included
    # (bar, side) where an entry signal expired without its trigger (decision logs show them)
    expired: list[tuple[int, str]] = field(default_factory=list)

    @property
    def orders(self) -> list[Order]:
        return self.fills.orders


def backtest(
    document: Document,
    candles: Candles,
    *,
    capital: float,
    model: FillModel | None = None,
    market: Market | None = None,
    warmup: int = 0,
    flatten_at: int | None = None,
    funding: np.ndarray | None = None,
    store: IndicatorStore | None = None,
) -> Backtest:
    """Run `document` over `candles` from `capital` (quote currency). The first `warmup` bars
    only feed the indicators: decisions, fills and statistics start after them (bars index the
    rest). `flatten_at`: see fills.simulate. `funding`: on a perpetual market, the funding
    rates due during each candle's bar, summed (one per candle, warm-up included); None
    elsewhere. `store`: indicator values computed once over a history these candles begin
    (a study's trials and folds share them). Raises ShortsNotAllowed when the document can
    enter short and the market cannot."""
    model, market = model or FillModel(), market or Market()
    if capital <= 0:
        raise ValueError("capital must be positive")
    if not 0 <= warmup <= len(candles):
        raise ValueError("warmup must be within the candles")
    shorts_checked(document, market)
    period = candles.slice(warmup, len(candles))
    signals = _after(decide(document, candles, store=store, start=warmup), warmup)
    fills = simulate(
        signals,
        period,
        risk=document.risk,
        sizing=document.sizing,
        model=model,
        market=market,
        capital=capital,
        flatten_at=flatten_at,
        funding=None if funding is None else funding[warmup:],
        reverse=document.stop_and_reverse,
        ladder=document.safety_orders,
        anchors=_after_warmup(anchor_prices(document.risk.stop_anchor, candles), warmup),
    )
    return Backtest(
        trades=fills.trades,
        open_trades=fills.open_trades,
        equity=fills.equity,
        stats=statistics(fills, period, capital),
        model=model,
        market=market,
        held=fills.held,
        fills=fills,
        funding=fills.funding,
        expired=expiries(signals, fills.held),
    )


def _after_warmup(anchors: tuple[np.ndarray, np.ndarray], warmup: int):
    """The anchors of the bars after the warm-up (a swing's reach back into it)."""
    return anchors[0][warmup:], anchors[1][warmup:]


def shorts_checked(document: Document, market: Market) -> None:
    """The fill model's point 7, the one place it is decided: ShortsNotAllowed when the
    document can enter short and the market cannot."""
    if document.entry_branches()["short"] is not None and not market.allows_shorts:
        raise ShortsNotAllowed()


def _after(signals: Signals, warmup: int) -> Signals:
    """The signals of the bars after the warm-up."""
    expired = (signals.expired_long, signals.expired_short)
    long_expired, short_expired = (None if flags is None else flags[warmup:] for flags in expired)
    return Signals(
        enter_long=signals.enter_long[warmup:],
        enter_short=signals.enter_short[warmup:],
        exit_long=signals.exit_long[warmup:],
        exit_short=signals.exit_short[warmup:],
        expired_long=long_expired,
        expired_short=short_expired,
    )


def expiries(signals: Signals, held: np.ndarray) -> list[tuple[int, str]]:
    """(bar, side) of each entry signal whose trigger did not come while the account was flat
    (`held`: the amount held at each close), in bar order. An expiry while a position is held
    changed nothing the user could see."""
    found = [
        (int(bar), side)
        for side, flags in (("long", signals.expired_long), ("short", signals.expired_short))
        if flags is not None
        for bar in np.flatnonzero(flags)
        if held[bar] == 0
    ]
    return sorted(found)


def trade_json(trade: Trade) -> dict:
    """A trade as `manage.py backtest --json` prints it (times in ms, prices as filled)."""
    shown = {
        "side": trade.side,
        "entry_time": trade.entry_time,
        "entry_price": trade.entry_price,
        "size": trade.size,
        "pnl": trade.pnl,
        "fees": trade.fees,
        "funding": trade.funding,
    }
    if trade.is_open:
        return shown | {"mark_price": trade.mark_price}
    return shown | {
        "exit_time": trade.exit_time,
        "exit_price": trade.exit_price,
        "exit_reason": trade.exit_reason,
    }
