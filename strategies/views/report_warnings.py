"""What a backtest report (and a run's page) warns about before its figures are read: a
timeframe the strategy was not written for, costs larger than a candle's typical move, and a
warm-up the market's history could not give in full. (A one-minute run of a 15m-4h strategy
once lost 99.9 % in 975 trades without a word.)"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from strategies.models import Backtest, StrategyRun
from strategies.views.backtest_display import percent, rounded


def report_warnings(backtest: Backtest, suggested: tuple[list[str], bool]) -> list[str]:
    """The report's warnings, worded; `suggested`: selectors.catalog.suggested_timeframes."""
    warnings = []
    timeframes, from_copy = suggested
    if timeframes and backtest.timeframe not in timeframes:
        values = {"said": _suggested(timeframes, from_copy), "timeframe": backtest.timeframe}
        warnings.append(
            _(
                "%(said)s; this backtest ran on %(timeframe)s. Its rules were not tuned for "
                "these candles: on a shorter timeframe more of its signals are noise and each "
                "trade pays the fees, on a longer one its trades come fewer and later."
            )
            % values
        )
    model = backtest.fill_model()
    cost = 2 * (model.fee + model.slippage)  # a round trip: both legs
    move = backtest.typical_move
    if move and cost > move:
        warnings.append(
            _(
                "A candle of this period typically moves %(move)s %% (the median from one "
                "close to the next), and a round trip costs %(cost)s %% in fees and slippage, "
                "%(times)s times that: a trade has to run several candles just to pay for "
                "itself."
            )
            % {
                "move": percent(move, 3, trim=True),
                "cost": percent(cost, 3, trim=True),
                "times": rounded(cost / move, 1, trim=True),
            }
        )
    found, wanted = backtest.warmup_bars, backtest.warmup_wanted
    if found is not None and wanted is not None and found < wanted:
        warnings.append(
            ngettext(
                "The indicators need %(wanted)s candle before the period and only %(found)s "
                "exist (the market's history begins later, or has gaps there): the first "
                "decisions rest on indicators still settling.",
                "The indicators need %(wanted)s candles before the period and only %(found)s "
                "exist (the market's history begins later, or has gaps there): the first "
                "decisions rest on indicators still settling.",
                wanted,
            )
            % {
                "wanted": rounded(wanted, 0, grouping=True),
                "found": rounded(found, 0, grouping=True),
            }
        )
    return warnings


def run_warnings(run: StrategyRun, suggested: tuple[list[str], bool]) -> list[str]:
    """A run's page warns of a timeframe its strategy was not written for, as a report does."""
    timeframes, from_copy = suggested
    if not timeframes or run.timeframe in timeframes:
        return []
    values = {"said": _suggested(timeframes, from_copy), "timeframe": run.timeframe}
    return [
        _(
            "%(said)s; this run trades on %(timeframe)s. Its rules were not tuned for these "
            "candles: on a shorter timeframe more of its signals are noise and each trade pays "
            "the fees, on a longer one its trades come fewer and later."
        )
        % values
    ]


def _suggested(timeframes: list[str], from_copy: bool) -> str:
    shown = {"suggested": ", ".join(timeframes)}
    if from_copy:
        return _("The catalog strategy this one was copied from is meant for %(suggested)s") % shown
    return _("The catalog suggests this strategy on %(suggested)s") % shown


def warmup_text(backtest: Backtest) -> str:
    """The warm-up as the report's data section states it; empty for a report stored before
    the warm-up was recorded."""
    if backtest.warmup_bars is None:
        return ""
    if not backtest.warmup_bars:
        return _(
            "No candle before the period fed the indicators: they start with its first candle."
        )
    return ngettext(
        "Before the period, %(count)s candle fed the indicators only (the warm-up): "
        "decisions, fills and statistics start with the period's first candle.",
        "Before the period, %(count)s candles fed the indicators only (the warm-up): "
        "decisions, fills and statistics start with the period's first candle.",
        backtest.warmup_bars,
    ) % {"count": _count(backtest.warmup_bars)}


def _count(candles: int) -> str:
    return rounded(candles, 0, grouping=True)
