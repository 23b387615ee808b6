"""Parameter searches for ema-crossover over 1-hour candles, its two EMA periods varied.

Trials a second on one worker over one year, and a 6-fold walk-forward (60 days in-sample, 30
out) with 100 trials per fold, in this process and as a study on a real long cluster of two
workers (targets: at least 100 trials a second per worker; Freqtrade's hyperopt does 1.1 to 1.9
epochs a second on such a year on this machine; the walk-forward under 60 s, both ways).

Each trial is a full backtest (decisions, the fill model, the statistics) over the trial's
period, with the indicators computed once per distinct period for the whole search (the
study's IndicatorStore), as a study's worker runs them. The candles are a seeded random walk
as hourly candles; fee 0.1 %, slippage 2 bps. Figures are the best of --runs runs (a shared
machine only ever slows a run down).

The cluster's line ("... as a study on a real long cluster") is the same walk-forward as a user
gets it, once: a throwaway site (production settings, a fresh SQLite database in a temporary
folder: bench/site.py) holds the candles in its candle store and a finished backtest of them,
`study_start` puts the study in the line of long work, and one `manage.py qcluster` serves the
long cluster with two workers over the ORM broker. Timed from `study_start` to the study done:
the plan's job, a job per fold (its search) and the assembly's, each handed out by the line,
reading the candles from the store and writing to the database. The in-process figure leaves
all that out (queueing, the broker's polling, the hand-offs between jobs), and only a real
cluster shows whether one user's folds spread over both workers: the line prints the most fold
jobs handed out at once, as observed, not as expected. It runs with the default
LONG_JOBS_PER_USER=1: a lone user's folds borrow the workers no one else waits for. The compiled
code is warmed before the cluster starts, as bin/up does. --no-cluster skips this line.

A last line times the same walk-forward searching with TPE (Optuna, seeded): 100 trials a fold
in a space of about 3,000 combinations (fast 2 to 60 by 1, slow 20 to 300 by 5, fast below
slow), where the grid would take thirty times as long: the sampler's own cost shows there.

    .venv/bin/python bench/optimise.py [--runs 3] [--no-cluster]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TRIALS_TARGET, WALK_FORWARD_TARGET = 100.0, 60.0
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
WARMUP_DAYS = 30
# (path, low, high, step): fast 5 to 50 by 5, slow 60 to 240 by 20, 100 combinations.
SPACE = (("ema_fast.period", 5, 50, 5), ("ema_slow.period", 60, 240, 20))
LONG_WORKERS = 2
TPE_SPACE = (("ema_fast.period", 2, 60, 1), ("ema_slow.period", 20, 300, 5))
TPE_TRIALS = 100
PATIENCE_S = 600.0  # a study still going by then is reported as such


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

    return [dimension(setting.document, *each) for each in SPACE]


def trials_per_second(runs: int) -> tuple[float, int]:
    from strategies.engine.decide import IndicatorStore
    from strategies.engine.study.search import Period, search
    from strategies.engine.study.space import grid

    setting = study(365)
    combinations = grid(setting.document, space(setting))
    period = Period(WARMUP_DAYS * 24, len(setting.candles))
    # One trial first: a cold numba cache (sources changed) compiles here, not in the timing.
    search(setting, IndicatorStore(setting.candles), combinations[:1], period)
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


class Studied(NamedTuple):
    seconds: float  # from study_start to the study's end, or to giving up on it
    most_out: int  # the most fold jobs handed out to workers at once, as polled
    status: str
    error_code: str
    folds: int
    combinations: int | None
    result: dict | None


def cluster_study(setting) -> Studied:
    """The walk-forward of `setting` as a study on a throwaway site served by a real long
    cluster."""
    from bench.site import environment, running_worker

    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp:
        workers = str(LONG_WORKERS)
        env = environment(tmp, "", Q_LONG_WORKERS=workers, LONG_JOB_SLOTS=workers)
        # Compiled before the workers start, as bin/up does: otherwise a worker whose numba
        # cache is cold (sources changed) would compile during its first fold, inside the timing.
        subprocess.run(
            [sys.executable, "manage.py", "warm_compiled"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with running_worker(env, clusters=("long",)):
            import django

            django.setup()
            from django.db import connections

            try:
                return studied(setting)
            finally:
                connections.close_all()  # before the database's folder goes


def studied(setting) -> Studied:
    from decimal import Decimal

    from django_q.tasks import async_task, result

    from accounts.models import User
    from exchanges.models import Exchange
    from strategies.candles.store import candles_write, series_for
    from strategies.models import Backtest, LongJob, LongJobKind, Study, StudyStatus
    from strategies.services.studies import study_start

    owner = User.objects.create_user("study@example.com", "a long bench password")
    kraken = Exchange.objects.get(slug="kraken")
    candles = setting.candles
    end = int(candles.time[-1]) + HOUR_MS
    series = series_for(exchange=kraken, symbol="BTC/USD", timeframe="1h")
    covered = (int(candles.time[0]), end)
    candles_write(series=series, candles=candles, covered=covered, source="exchange")
    # A finished report over the period after the warm-up, with the in-process figure's costs
    # and market; the study reads only the warm-up its slowest EMA needs before the period.
    model = setting.model
    backtest = Backtest.objects.create(
        owner=owner,
        strategy_name="ema-crossover",
        document=(ROOT / "strategies/content/ema-crossover/strategy.yaml").read_text(),
        exchange=kraken,
        symbol="BTC/USD",
        timeframe="1h",
        start_ms=int(candles.time[WARMUP_DAYS * 24]),
        end_ms=end,
        capital=Decimal(str(setting.capital)),
        **{name: getattr(model, name) for name in Backtest.FILL_MODEL_FIELDS},
        **{name: getattr(setting.market, name) for name in Backtest.MARKET_FIELDS},
        status="done",
        stats={},
        bars=len(candles) - WARMUP_DAYS * 24,
        gaps=0,
    )
    # The clock starts once a worker answers: the cluster's own start is not the study's.
    if result(async_task("math.floor", 0.5, cluster="long"), wait=60_000) is None:
        raise SystemExit("the long cluster did not answer within 60 s")

    started = time.perf_counter()
    study = study_start(
        owner=owner,
        backtest=backtest,
        dimensions=[{"path": p, "low": lo, "high": hi, "step": by} for p, lo, hi, by in SPACE],
        constraints=[],  # the ranges already keep every fast period below every slow one
        objective=setting.objective,
    )
    out = LongJob.objects.filter(kind=LongJobKind.STUDY_FOLD).exclude(dispatched_at=None)
    ended = (StudyStatus.DONE, StudyStatus.FAILED, StudyStatus.CANCELLED)
    most = 0
    while time.perf_counter() - started < PATIENCE_S:
        most = max(most, out.count())
        if Study.objects.filter(pk=study.pk, status__in=ended).exists():
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    study.refresh_from_db()
    folds = study.folds.count()
    return Studied(
        seconds, most, study.status, study.error_code, folds, study.combinations, study.result
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cluster", action="store_true", help="skip the study on a cluster")
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

    if not options.no_cluster:
        report_cluster(cluster_study(study(60 + 6 * 30)))

    seconds, found, combinations = tpe_walk_forward_seconds(options.runs)
    verdict = "ok" if seconds <= WALK_FORWARD_TARGET else "MISSED"
    print(
        f"walk-forward with TPE, {len(found.folds)} folds of {TPE_TRIALS} trials among "  # type: ignore[attr-defined]
        f"{combinations} combinations: {seconds:.2f} s on one worker (target < "
        f"{WALK_FORWARD_TARGET:.0f} s) {verdict}"
    )


def tpe_walk_forward_seconds(runs: int) -> tuple[float, object, int]:
    from strategies.engine.study.space import constraint, dimension, grid
    from strategies.engine.study.tpe import TPE, Method
    from strategies.engine.study.walk_forward import walk_forward

    setting = study(60 + 6 * 30)
    wide = [dimension(setting.document, *each) for each in TPE_SPACE]
    rule = [constraint("ema_fast.period < ema_slow.period", wide)]
    best, found = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        found = walk_forward(
            setting, wide, rule, start=WARMUP_DAYS * 24, method=Method(TPE, TPE_TRIALS, seed=1)
        )
        best = min(best, time.perf_counter() - started)
    return best, found, len(grid(setting.document, wide, rule))


def report_cluster(found: Studied) -> None:
    label = (
        f"the same as a study on a real long cluster ({LONG_WORKERS} workers, one user), "
        f"{found.folds} folds of {found.combinations} trials"
    )
    if found.status != "done":
        reason = found.error_code or "not finished"
        print(f"{label}: {found.status} ({reason}) after {found.seconds:.1f} s MISSED")
        return
    verdict = "ok" if found.seconds <= WALK_FORWARD_TARGET else "MISSED"
    print(
        f"{label}: study_start to done in {found.seconds:.1f} s (target < "
        f"{WALK_FORWARD_TARGET:.0f} s) {verdict}; at most {found.most_out} of its fold jobs "
        "handed out to workers at once"
    )
    result = found.result or {}
    score = result.get("robustness")
    if score is not None:  # its warm-up is shorter than in-process: EMAs start elsewhere
        deflated = result["deflated_sharpe"]
        shown = "none" if deflated is None else f"{deflated:.3f}"
        print(
            f"  robustness {score['score']:.2f} ({score['verdict']}), consistency "
            f"{score['consistency']:.2f}, deflated Sharpe {shown}"
        )


if __name__ == "__main__":
    main()
