"""Parameter searches on one worker: trials a second over one year of 1-hour candles for
ema-crossover with its two periods varied, and a 6-fold walk-forward (60 days in-sample, 30 out)
with 100 trials per fold (targets: at least 100 trials a second per worker; Freqtrade's
hyperopt does 1.1 to 1.9 epochs a second on such a year on this machine; the walk-forward
under 60 s).

Each trial is a full backtest (decisions, the fill model, the statistics) over the trial's
period, with the indicators computed once per distinct period for the whole search (the
study's IndicatorStore), as a study's worker runs them. The candles are a seeded random walk
as hourly candles; fee 0.1 %, slippage 2 bps. Figures are the best of --runs runs (a shared
machine only ever slows a run down).

    .venv/bin/python bench/optimise.py [--runs 3]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIALS_TARGET, WALK_FORWARD_TARGET = 100.0, 60.0
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
WARMUP_DAYS = 30


def hourly(days: int):
    import numpy as np

    from bench.signals import random_walk
    from strategies.series import Candles

    walk = random_walk(days * 24)
    times = walk.time[0] + HOUR_MS * np.arange(len(walk), dtype=np.int64)
    opens, highs, lows, closes = (p * 400 for p in (walk.open, walk.high, walk.low, walk.close))
    return Candles("1h", times, opens, highs, lows, closes, walk.volume * 1000)


def study(days: int, objective: str = "sharpe"):
    from strategies import rules
    from strategies.engine import FillModel, Market
    from strategies.engine.study.search import Setting

    document = rules.parse((ROOT / "strategies/content/ema-crossover/strategy.yaml").read_text())
    return Setting(
        document=document,
        candles=hourly(WARMUP_DAYS + days),
        capital=10_000.0,
        model=FillModel(fee=0.001, slippage_bps=2.0),
        market=Market(),
        objective=objective,
    )


def space(setting):
    """Fast EMA 5 to 50 by 5, slow 60 to 240 by 20: 100 combinations, every fast below slow."""
    from strategies.engine.study.space import dimension

    return [
        dimension(setting.document, "ema_fast.period", 5, 50, 5),
        dimension(setting.document, "ema_slow.period", 60, 240, 20),
    ]


def trials_per_second(runs: int) -> tuple[float, int]:
    from strategies.engine.decide import IndicatorStore
    from strategies.engine.study.search import Period, search
    from strategies.engine.study.space import grid

    setting = study(365)
    combinations = grid(setting.document, space(setting))
    period = Period(WARMUP_DAYS * 24, len(setting.candles))
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        search(setting, IndicatorStore(setting.candles), combinations, period)
        best = min(best, time.perf_counter() - started)
    return len(combinations) / best, len(combinations)


def walk_forward_seconds(runs: int) -> tuple[float, object]:
    from strategies.engine.study.walk_forward import walk_forward

    setting = study(60 + 6 * 30)
    best, found = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        found = walk_forward(setting, space(setting), start=WARMUP_DAYS * 24)
        best = min(best, time.perf_counter() - started)
    return best, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    rate, count = trials_per_second(options.runs)
    verdict = "ok" if rate >= TRIALS_TARGET else "MISSED"
    print(
        f"ema-crossover, {count} combinations over one year of 1-hour candles: "
        f"{rate:.0f} trials/s on one worker (target >= {TRIALS_TARGET:.0f}) {verdict}"
    )
    seconds, found = walk_forward_seconds(options.runs)
    folds = found.folds  # type: ignore[attr-defined]
    trials = sum(fold.trials for fold in folds)
    whole = len(found.trial_sharpes)  # type: ignore[attr-defined]
    verdict = "ok" if seconds <= WALK_FORWARD_TARGET else "MISSED"
    print(
        f"walk-forward, {len(folds)} folds of 60 + 30 days: {trials} in-sample trials, "
        f"{len(folds)} out-of-sample runs and {whole} whole-period trials (the deflated "
        f"Sharpe's spread) in {seconds:.2f} s on one worker (target < "
        f"{WALK_FORWARD_TARGET:.0f} s) {verdict}"
    )
    score, deflated = found.robustness, found.deflated_sharpe  # type: ignore[attr-defined]
    if score is not None:  # a random walk: nothing real to find, so "curve_fit" is the truth
        shown = "none" if deflated is None else f"{deflated:.3f}"
        print(
            f"  robustness {score.score:.2f} ({score.verdict}), consistency "
            f"{score.consistency:.2f}, deflated Sharpe {shown}"
        )


if __name__ == "__main__":
    main()
