"""The human-readable summary `manage.py backtest` prints without --json."""

from strategies.engine import Backtest
from strategies.engine.metric_texts import DURATION, FRACTION, METRICS, MONEY, RATIO
from strategies.i18n import gettext_lazy as _
from strategies.series import Candles, utc_text

HEADLINE = _("%(name)s on %(count)s candles of %(timeframe)s, from %(start)s to %(end)s (UTC).")
CAPITAL = _("Starting capital %(capital)s, final equity %(equity)s.")
TRADES = _("%(closed)s closed trades, %(open)s still open at the end (marked at the last close).")
COSTS = _("Fill model: fee %(fee)s on both legs, slippage %(bps)s bps on both legs, %(share)s.")
NO_SHARE = _("no volume limit")
SHARE = _("at most %(share)s of a bar's volume per order")
STOP_FIRST = _("When a stop and a target are both reached in one bar, the stop fills first.")
TARGET_FIRST = _("When a stop and a target are both reached in one bar, the target fills first.")
NOT_ENOUGH = _("not enough data")
NONE = _("none")
HOURS = _("%(hours)s h")

# The statistics with the report's labels (one table: strategies.engine.metric_texts); the
# trade count and the final equity are in the lines above them.
# A CSV of candles says nothing of funding: the command never charges it.
ROWS = [m for m in METRICS if m.name not in ("trades", "final_equity", "funding_paid")]


def summary_lines(name: str, candles: Candles, result: Backtest, capital: float) -> list[str]:
    stats, model = result.stats, result.model
    lines = [
        str(HEADLINE % _headline(name, candles)),
        str(CAPITAL % {"capital": _money(capital), "equity": _money(stats.final_equity)}),
        str(TRADES % {"closed": stats.trades, "open": len(result.open_trades)}),
        "",
    ]
    for metric in ROWS:
        lines.append(
            f"{metric.label}: {_shown(getattr(stats, metric.name), metric.unit, metric.name)}"
        )
    share = (
        SHARE % {"share": _percent(model.max_volume_share)} if model.max_volume_share else NO_SHARE
    )
    costs = {"fee": _percent(model.fee), "bps": f"{model.slippage_bps:g}", "share": share}
    tie = STOP_FIRST if model.stop_first else TARGET_FIRST
    return [*lines, "", str(COSTS % costs), str(tie)]


def _headline(name: str, candles: Candles) -> dict:
    start = utc_text(int(candles.time[0])) if len(candles) else "-"
    end = utc_text(int(candles.time[-1] + candles.bar_ms)) if len(candles) else "-"
    return {
        "name": name,
        "count": len(candles),
        "timeframe": candles.timeframe,
        "start": start,
        "end": end,
    }


def _shown(value, kind: str, field: str) -> str:
    if value is None:
        return str(NOT_ENOUGH if field in ("sharpe", "sortino") else NONE)
    if kind == FRACTION:
        return _percent(value)
    if kind == MONEY:
        return _money(value)
    if kind == DURATION:
        return str(HOURS % {"hours": f"{value / 3_600_000:,.1f}"})
    return f"{value:,.2f}" if kind == RATIO else str(value)


def _percent(value: float) -> str:
    return f"{value * 100:.2f} %"


def _money(value: float) -> str:
    return f"{value:,.2f}"
