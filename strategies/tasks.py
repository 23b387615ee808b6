"""django-q2 tasks of the strategies app: ids in, services called (run on the long cluster)."""

from strategies.services.backtests import backtest_run


def run_backtest(backtest_id: int) -> None:
    backtest_run(backtest_id=backtest_id)
