"""What a study maximises: one number from a backtest's statistics, higher is better.

None means the trial cannot be ranked (too short a period for a Sharpe ratio, no losing trade
for a profit factor, a drawdown past the user's limit): it is never chosen, whatever the
others score.
"""

from strategies.engine.metrics import Stats

OBJECTIVES = ("sharpe", "sortino", "calmar", "profit_factor", "return")


def objective_value(
    stats: Stats, objective: str, drawdown_limit: float | None = None
) -> float | None:
    """`objective` of a trial's statistics; None past `drawdown_limit` (a fraction: 0.2 refuses
    any trial that fell more than 20 % from a peak)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    if drawdown_limit is not None and stats.max_drawdown > drawdown_limit:
        return None
    if objective == "sharpe":
        return stats.sharpe
    if objective == "sortino":
        return stats.sortino
    if objective == "profit_factor":
        return stats.profit_factor
    if objective == "return":
        return stats.total_return
    return stats.calmar
