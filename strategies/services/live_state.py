"""What a live run's own fills add up to, and what they show: the holding, the cash, the open
position as its page shows it, and the closed trade once the position is flat. Shared by the
live tick and by the work between bars (strategies.services.live_upkeep)."""

import math
from dataclasses import dataclass

from strategies.engine.enums import Action, Leg, Side
from strategies.engine.fills.sizing import profit
from strategies.models import RunFill, RunFunding, RunTrade, StrategyRun
from strategies.series import timeframe_ms

HELD_DECIMALS = 12


@dataclass(frozen=True)
class LiveState:
    """What the run's own fills add up to: the base it holds (signed: a short is negative),
    its cash (the starting capital less what it paid, plus what it received, and the funding
    the exchange booked on a perpetual), and the fill of the entry it holds from.

    Where the exchange takes a buy's fee from the coins bought (Binance), the account holds
    less than the fills' amounts, and not always a whole number of the market's amount
    steps: `held` is what can be traded (whole steps) and `dust` the rest, which stays in the
    account (reconciliation counts it; no order can sell it). A fee charged in the base is
    paid in coins, not cash; one charged in another asset (BNB) is counted as cash spent, at
    its value in the quote currency when it was charged."""

    held: float
    cash: float
    entry: RunFill | None
    dust: float = 0.0
    # The position's average entry price over its base order's and safety orders' fills,
    # their fees, and the bar of the last of them (a trailing stop follows the bars from it).
    average: float | None = None
    entry_fees: float = 0.0
    added_ms: int | None = None

    @property
    def side(self) -> Side:
        return Side.LONG if self.held > 0 else Side.SHORT

    @property
    def size(self) -> float:
        return abs(self.held)

    @classmethod
    def of(cls, run: StrategyRun) -> "LiveState":
        return cls.at_closes(run, [None])[0]

    @classmethod
    def at_closes(cls, run: StrategyRun, bars: list) -> list["LiveState"]:
        """The state at the close of each bar opening at `bars` (ascending; None: now):
        what the fills of orders sent at that bar's open or before add up to. A bar recorded
        late (ticks missed while workers were down) shows what was held then, not now."""
        fills = RunFill.objects.filter(run=run).select_related("order").order_by("bar_ms", "pk")
        base, step = run.symbol.split("/")[0], run.amount_step
        # Funding the exchange booked (a perpetual), counted from the close it was due by.
        bar_ms = timeframe_ms(run.timeframe)
        funding = list(RunFunding.objects.filter(run=run).values_list("time_ms", "amount"))
        pending = iter(fills)
        fill = next(pending, None)
        held, cash, entry, states = 0.0, float(run.capital), None, []
        bought = value = fees = 0.0
        added_ms = None
        for bar in bars:
            while fill is not None and (bar is None or fill.bar_ms <= bar):
                adds = fill.order.leg in (Leg.ENTRY, Leg.SAFETY)
                if fill.order.leg == Leg.ENTRY:  # only an entry starts a position
                    entry, bought, value, fees = fill, 0.0, 0.0, 0.0
                if adds:
                    bought += fill.amount
                    value += fill.amount * fill.price
                    fees += fill.fee
                    added_ms = fill.bar_ms
                buys = fill.order.action != Action.SELL
                in_coins = fill.base_fee(base)
                held += (fill.amount if buys else -fill.amount) - in_coins
                cash += (-1 if buys else 1) * fill.amount * fill.price
                cash -= 0.0 if in_coins else fill.fee
                fill = next(pending, None)
            held = round(held, HELD_DECIMALS)  # sums of stepped amounts: no 1e-17 positions
            tradeable = whole_steps(held, step)
            paid = sum(amount for at, amount in funding if bar is None or at < bar + bar_ms)
            holds = bool(tradeable and entry)
            states.append(
                cls(
                    held=tradeable,
                    cash=cash + paid,
                    entry=entry if tradeable else None,
                    dust=round(held - tradeable, HELD_DECIMALS),
                    average=value / bought if holds and bought else None,
                    entry_fees=fees if holds else 0.0,
                    added_ms=added_ms if holds else None,
                )
            )
        return states


def whole_steps(amount: float, step: float | None) -> float:
    """`amount` rounded toward zero to whole steps of the market (unchanged without a step);
    a hair under a step (1e-9 of one, float sums) still counts as that step."""
    if not step:
        return amount
    steps = math.floor(abs(amount) / step + 1e-9)
    return round(math.copysign(steps * step, amount), HELD_DECIMALS) if steps else 0.0


def account_fields(state: LiveState, mark: float) -> dict[str, object]:
    """The run's holding, equity and position at the price `mark`."""
    return {
        "held": state.held,
        "equity": state.cash + (state.held + state.dust) * mark,
        "position": _position(state, mark),
    }


def _position(state: LiveState, close: float) -> dict | None:
    """The open position as the run's page shows it (trade_json's shape)."""
    if state.entry is None or state.average is None:
        return None
    entry, average = state.entry, state.average
    return {
        "side": entry.order.side,
        "entry_time": entry.bar_ms,
        "entry_price": average,
        "size": state.size,
        "pnl": profit(state.side.sign, state.size * average, state.size * close, state.entry_fees),
        "fees": state.entry_fees,
        "mark_price": close,
    }


def closed_trade_record(run: StrategyRun, state: LiveState) -> None:
    """When the run is flat after an exit filled, the trade from its last entry to it: the
    entry's fills are the base order's and the safety orders' that filled before the exit."""
    if state.held:
        return
    adding = (Leg.ENTRY, Leg.SAFETY)
    fills = RunFill.objects.filter(run=run)
    exit_fill = fills.exclude(order__leg__in=adding).order_by("-pk").first()
    entry_fill = fills.filter(order__leg=Leg.ENTRY).order_by("-pk").first()
    if exit_fill is None or entry_fill is None or entry_fill.pk > exit_fill.pk:
        return
    # Every fill from the entry to the last exit: safety orders' and the exits' (a stop that
    # sold part of it, then the rest), in the order they were recorded.
    deal = list(fills.filter(pk__gte=entry_fill.pk, pk__lte=exit_fill.pk).select_related("order"))
    entries = [fill for fill in deal if fill.order.leg in adding]
    exits = [fill for fill in deal if fill.order.leg not in adding]
    size = sum(fill.amount for fill in entries)
    entry_value = sum(fill.amount * fill.price for fill in entries)
    exit_value = sum(fill.amount * fill.price for fill in exits)
    fees = sum(fill.fee for fill in deal)
    # A fee paid in coins already shrank what the exit sold: the profit counts it once.
    base = run.symbol.split("/")[0]
    in_coins = sum(fill.base_fee(base) * fill.price for fill in deal)
    RunTrade.objects.get_or_create(
        run=run,
        entry_ms=entry_fill.bar_ms,
        defaults={
            "side": entry_fill.order.side,
            "entry_price": entry_value / size,
            "size": size,
            "exit_ms": exit_fill.bar_ms,
            "exit_price": exit_value / sum(fill.amount for fill in exits),
            "exit_reason": exit_fill.order.reason,
            "pnl": profit(
                Side(entry_fill.order.side).sign, entry_value, exit_value, fees - in_coins
            ),
            "fees": fees,
        },
    )
