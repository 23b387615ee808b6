"""A report's closed trades split by direction and by exit reason: how many, how often they
won, what they made (net of fees), their profit factor and their mean, per group."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from strategies.views.backtest_display import EXIT_REASONS, NOT_ENOUGH, SIDES, percent, rounded


@dataclass(frozen=True)
class GroupRow:
    label: str
    trades: str
    win_rate: str
    net_profit: str
    profit_factor: str
    average: str


BY_SIDE = _("By direction")
BY_REASON = _("By exit reason")


def breakdown_tables(trades: list[dict]) -> list[tuple[list[GroupRow], str, str]]:
    """(rows, caption id, caption) for the rows by direction and by exit reason: only the
    groups that hold trades, in the vocabulary's order; none without closed trades."""
    if not trades:
        return []
    return [
        (_rows(trades, "side", SIDES), "by-side-caption", str(BY_SIDE)),
        (_rows(trades, "exit_reason", EXIT_REASONS), "by-reason-caption", str(BY_REASON)),
    ]


def _rows(trades: list[dict], field: str, labels: dict) -> list[GroupRow]:
    rows = []
    for value, label in labels.items():
        pnls = [float(trade["pnl"]) for trade in trades if trade.get(field) == value]
        if pnls:
            rows.append(_row(str(label), pnls))
    return rows


def _row(label: str, pnls: list[float]) -> GroupRow:
    gains = sum(pnl for pnl in pnls if pnl > 0)
    losses = -sum(pnl for pnl in pnls if pnl < 0)
    wins = sum(1 for pnl in pnls if pnl > 0)
    return GroupRow(
        label=label,
        trades=rounded(len(pnls), 0, grouping=True),
        win_rate=f"{percent(wins / len(pnls))} %",
        net_profit=rounded(sum(pnls), 2, grouping=True),
        profit_factor=rounded(gains / losses, 2) if losses > 0 else str(NOT_ENOUGH),
        average=rounded(sum(pnls) / len(pnls), 2, grouping=True),
    )
