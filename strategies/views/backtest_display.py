"""A stored backtest as its pages show it: statistics with their units, ledger rows, the data's
provenance, the charts' data (read by static/strategies/backtest-charts.js)."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from strategies.engine.enums import Reason, Side
from strategies.engine.metric_texts import COUNT, DURATION, FRACTION, METRICS, MONEY, MetricText
from strategies.models import Backtest, CandleSource, StrategyRun
from strategies.series import utc
from strategies.services.backtest_errors import error_message
from strategies.views.chart_indicators import indicator_lines

NOT_ENOUGH = _("not enough data")
# Past this, a percentage is shown as a bound: an annual rate compounded from a short span
# has dozens of digits and would only push the page sideways (CAGR now needs 30 days, but
# statistics stored before that rule still hold such rates).
HUGE_PERCENT = 1_000_000
OVER = _("more than %(limit)s %%")
EXIT_REASONS = Reason.labels()
SIDES = Side.labels()
FEE_FROM_KEY = _(
    "the taker fee is your own tier, as the exchange told your key “%(label)s” on %(date)s"
)
FEE_ENTRY_TIER = _("the taker fee is the exchange's public entry tier")
COSTS = _(
    "taker fee %(fee)s%% per leg, slippage %(slippage)s basis points per leg, at most "
    "%(share)s%% of a candle's volume per order"
)


@dataclass(frozen=True)
class StatRow:
    metric: MetricText
    shown: str


def when(ms: int | None) -> datetime | None:
    return None if ms is None else utc(ms)


def duration_text(ms: float) -> str:
    """ "3 days 4 hours", "5 hours 10 minutes", "20 minutes"."""
    minutes = int(ms // 60_000)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours or (days and not parts):
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not days and (mins or not parts):
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)


def rounded(number: object, places: int, *, grouping: bool = False, trim: bool = False) -> str:
    """A number rounded half up to `places` decimals and localized, through the floatformat
    filter the templates use, so one amount reads the same everywhere (number_format alone
    cuts digits off: 9910.678 read 9 910,67 beside 9 910,68). `trim` drops trailing zeros."""
    if trim:
        value = Decimal(str(number)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        number, places = value, max(0, -int(value.normalize().as_tuple().exponent))
    return str(floatformat(number, f"{places}{'g' if grouping else ''}"))


def total_return_text(stats: dict | None) -> str:
    """A report's total return as lists show it, "0.53 %" (rounded as the report rounds it);
    empty before the report."""
    if not stats:
        return ""
    total_return = next(metric for metric in METRICS if metric.name == "total_return")
    return metric_value(total_return, stats["total_return"])


# A price or an amount of money in a CSV: ten significant digits keep every digit an exchange
# quotes and drop the noise of float arithmetic (56414.69999999999 is 56414.7 filled with
# 2 bps of slippage, computed).
CSV_DIGITS = 10
CSV_TIMES = ("entry_time", "exit_time")
CSV_NUMBERS = ("entry_price", "exit_price", "mark_price", "pnl", "fees", "mae", "mfe")


def csv_row(trade: dict, amount_step: float | None) -> dict:
    """A ledger row for the CSV: times as ISO 8601 in UTC, prices and money to CSV_DIGITS
    significant digits, the size to the market's amount step (when known)."""
    row = dict(trade)
    for name in CSV_TIMES:
        if row.get(name) is not None:
            row[name] = utc(row[name]).strftime("%Y-%m-%dT%H:%M:%SZ")
    for name in CSV_NUMBERS:
        if row.get(name) is not None:
            row[name] = float(f"{row[name]:.{CSV_DIGITS}g}")
    if row.get("size") is not None:
        places = _places(amount_step)
        row["size"] = round(row["size"], places) if places is not None else row["size"]
    return row


def _places(step: float | None) -> int | None:
    """The decimals of an amount step (1e-08 -> 8, 0.001 -> 3, 1 -> 0); None without one."""
    if not step or step <= 0:
        return None
    return max(0, -Decimal(repr(step)).normalize().as_tuple().exponent)  # type: ignore[operator]


def percent(fraction: float, places: int = 2, *, trim: bool = False) -> str:
    """A fraction in percent, without the sign: 0.004 -> "0.40", or "0.4" trimmed."""
    return rounded(Decimal(str(fraction)) * 100, places, trim=trim)


def costs_text(filled: Backtest | StrategyRun) -> str:
    """The costs a backtest or a run fills with, as every page words them: the fee and the
    volume share (stored as fractions) in percent, and where the fee came from when the
    user left it to us."""
    costs = str(COSTS) % {
        "fee": percent(filled.fee, 4, trim=True),
        "slippage": rounded(filled.slippage_bps, 2, trim=True),
        "share": percent(filled.max_volume_share, 2, trim=True),
    }
    source = filled.fee_source or {}
    if source.get("kind") == "key":
        read_at = datetime.fromisoformat(source["read_at"])
        shown = {"label": source.get("label", ""), "date": formats.date_format(read_at)}
        return f"{costs} ({str(FEE_FROM_KEY) % shown})"
    if source.get("kind") == "entry":
        return f"{costs} ({FEE_ENTRY_TIER})"
    return costs


def metric_value(metric: MetricText, value: object) -> str:
    if value is None:
        return str(NOT_ENOUGH)
    number = float(value)  # type: ignore[arg-type]
    if metric.unit == FRACTION:
        if number * 100 >= HUGE_PERCENT:
            limit = formats.number_format(HUGE_PERCENT, 0, use_l10n=True, force_grouping=True)
            return str(OVER) % {"limit": limit}
        return percent(number) + " %"
    if metric.unit == MONEY:
        return rounded(number, 2, grouping=True)
    if metric.unit == DURATION:
        return duration_text(number)
    if metric.unit == COUNT:
        return rounded(int(number), 0, grouping=True)
    return rounded(number, 2)


# Shown on perpetual markets only: elsewhere no position pays funding.
PERPETUAL_ONLY = frozenset({"funding_paid"})


def stat_rows(stats: dict | None, *, perpetual: bool = False) -> list[StatRow]:
    if not stats:
        return []
    shown = [m for m in METRICS if m.name in stats]
    if not perpetual:
        shown = [m for m in shown if m.name not in PERPETUAL_ONLY]
    return [StatRow(m, metric_value(m, stats.get(m.name))) for m in shown]


def funding_rows(backtest: Backtest) -> dict | None:
    """A perpetual's funding as the report states it: what was paid, and which period the
    published rates used cover (none: no rate was published in the period)."""
    funding = backtest.funding
    if funding is None:
        return None
    covered = funding.get("covered") or []
    return {
        "paid": -float(funding.get("paid") or 0.0),
        "first": when(covered[0]) if covered else None,
        "last": when(covered[1]) if covered else None,
    }


def compare_rows(left: dict | None, right: dict | None) -> list[tuple[object, str, str]]:
    """(label, left value, right value) for every statistic; a dash where a report has none."""
    return [
        (
            metric.label,
            metric_value(metric, left.get(metric.name)) if left else "—",
            metric_value(metric, right.get(metric.name)) if right else "—",
        )
        for metric in METRICS
        if metric.name not in PERPETUAL_ONLY
        or any((report or {}).get(metric.name) for report in (left, right))
    ]


def trade_rows(trades: list[dict]) -> list[dict]:
    """Ledger rows: times as datetimes, side and exit reason in words, return in percent."""
    rows = []
    for trade in trades:
        cost = trade["entry_price"] * trade["size"]
        rows.append(
            trade
            | {
                "side_text": SIDES.get(trade["side"], trade["side"]),
                "entry_at": when(trade["entry_time"]),
                # Seconds, as the charts count time (the report's "on the chart" buttons).
                "entry_s": trade["entry_time"] // 1000,
                "exit_s": trade["exit_time"] // 1000 if trade.get("exit_time") else None,
                "exit_at": when(trade.get("exit_time")),
                "reason_text": EXIT_REASONS.get(trade.get("exit_reason") or "", ""),
                "return_pct": 100 * trade["pnl"] / cost if cost else None,
                # Reports stored before excursions were kept have none.
                "mae_pct": 100 * trade["mae"] if "mae" in trade else None,
                "mfe_pct": 100 * trade["mfe"] if "mfe" in trade else None,
            }
        )
    return rows


def provenance_rows(provenance: list) -> list[dict]:
    labels = dict(CandleSource.choices)
    return [
        {"start": when(a), "end": when(b), "source": labels.get(source, source)}
        for a, b, source in provenance
    ]


def chart_data(backtest: Backtest) -> dict:
    """What the charts draw, as columns (one list per field, times in seconds as
    lightweight-charts takes them): a year of bars is a few tens of kilobytes, not hundreds."""
    rows = backtest.prices
    prices = {
        "time": [t // 1000 for t, *_values in rows],
        **{
            name: [_drawn(row[1 + index]) for row in rows]
            for index, name in enumerate(PRICE_FIELDS)
        },
    }
    chart = equity_chart(float(backtest.capital), backtest.equity)
    if len(backtest.hold) == len(backtest.equity):  # empty in reports stored before it
        chart["equity"]["hold"] = [_drawn(value) for _ms, value in backtest.hold]
    return chart | {
        "prices": prices,
        "markers": _markers(backtest),
        "indicators": indicator_lines(backtest, _drawn),
    }


PRICE_FIELDS = ("open", "high", "low", "close")


def _drawn(value: float) -> float:
    """A value as a chart draws it: eight significant digits (a pixel is far coarser), so
    the columns are not mostly the seventeen digits of a float's full precision."""
    return float(f"{value:.8g}")


def equity_chart(capital: float, points: list) -> dict:
    """The equity line and the drawdown under it (in %), from [[close ms, equity], ...] points
    (a backtest's, a run's), as columns; no price chart."""
    peak, times, equity, drawdown = capital, [], [], []
    for ms, value in points:
        peak = max(peak, value)
        times.append(ms // 1000)
        equity.append(_drawn(value))
        drawdown.append(round(100 * (value / peak - 1), 4))
    return {
        "equity": {"time": times, "value": equity, "drawdown": drawdown},
        "prices": {"time": []},
        "markers": {"time": [], "entry": [], "long": []},
        "labels": {
            "equity": str(_("Equity")),
            "drawdown": str(_("Drawdown (%)")),
            "hold": str(_("Buy and hold")),
        },
    }


def _markers(backtest: Backtest) -> dict:
    """Entries and exits, each on the price point (bucket) holding its fill bar."""
    starts = [row[0] for row in backtest.prices]
    if not starts:
        return {"time": [], "entry": [], "long": []}

    def bucket(ms: int) -> int:
        index = max(0, bisect_right(starts, ms) - 1)
        return starts[index] // 1000

    markers = []
    for trade in [*backtest.trades, *backtest.open_trades]:
        long = trade["side"] == "long"
        markers.append((bucket(trade["entry_time"]), True, long))
        if trade.get("exit_time") is not None:
            markers.append((bucket(trade["exit_time"]), False, long))
    markers.sort(key=lambda marker: marker[0])
    return {
        "time": [time for time, _entry, _long in markers],
        "entry": [entry for _time, entry, _long in markers],
        "long": [long for _time, _entry, long in markers],
    }


def failure_text(backtest: Backtest) -> str:
    return error_message(backtest.error_code, backtest.error_params) if backtest.error_code else ""
