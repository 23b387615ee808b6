"""A study's second method: in each fold, a budget of trials chosen by Optuna's TPE sampler
instead of every combination of the grid.

TPE (the tree-structured Parzen estimator) proposes the next combination from the ones tried:
where the best scores cluster, it looks closer. The sampler draws each number's place among
its dimension's values (an integer index), so every proposal is a value of the grid the user
set, with its steps; a proposal that breaks a constraint or an indicator's own rules, or that
cannot be ranked, is told to the sampler as infeasible (it learns to avoid the region) and
costs no backtest. A combination proposed again is told as failed (told twice, it would weigh
twice). The sampler is seeded: the same seed and the same Optuna version (the lock pins it),
the same proposals, the same choices.

When the budget covers every combination the grid allows, the grid is searched instead: TPE
could only try the same combinations, in a random order.
"""

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from strategies.engine.decide import IndicatorStore
from strategies.engine.study.search import Period, Setting, Trial, run_trial, search
from strategies.engine.study.space import combination_key, seeded_sample

GRID, TPE = "grid", "tpe"
METHODS = (GRID, TPE)
# Proposals the sampler may make per trial budgeted: in a small space TPE proposes what it
# has tried, and its cost grows with the square of the proposals; past this, the budget is
# made up in a seeded order (below).
PROPOSALS_PER_TRIAL = 3


@dataclass(frozen=True)
class Method:
    """How each fold searches: `name` GRID (every combination) or TPE (`trials` distinct
    combinations a fold, its sampler seeded with `seed` plus the fold's number)."""

    name: str = GRID
    trials: int = 0
    seed: int = 0


EVERY_COMBINATION = Method()


def tpe_search(
    setting: Setting,
    store: IndicatorStore,
    space: Sequence[Mapping[str, float]],
    values: Mapping[str, Sequence[float]],
    period: Period,
    *,
    trials: int,
    seed: int,
    beat: Callable[[], None] = lambda: None,
) -> list[Trial]:
    """`trials` distinct combinations of `space` (the grid: every combination the constraints
    allow; all of it when the budget covers it), proposed by a TPE sampler seeded with `seed`
    over the dimensions' `values` ({path: values}), each run over `period`; in the order they
    were tried. `beat()` after each trial, as `search` does."""
    if trials >= len(space):
        return search(setting, store, space, period, beat)
    import optuna  # here: the backtest command and the web server never need it

    allowed = {combination_key(parameters) for parameters in space}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():  # multivariate TPE is "experimental"
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=seed,
            multivariate=True,  # the numbers of a strategy move together (fast and slow EMA)
        )
    sampler_study = optuna.create_study(direction="maximize", sampler=sampler)
    tried: dict[tuple, Trial] = {}
    for _proposal in range(trials * PROPOSALS_PER_TRIAL):
        if len(tried) >= trials:
            break
        asked = sampler_study.ask()
        parameters = {
            path: choices[asked.suggest_int(path, 0, len(choices) - 1)]
            for path, choices in values.items()
        }
        key = combination_key(parameters)
        if key in tried:  # told once already: told again, it would weigh twice
            sampler_study.tell(asked, state=optuna.trial.TrialState.FAIL)
            continue
        score = None
        if key in allowed:
            tried[key] = run_trial(setting, store, parameters, period)
            score = tried[key].score
            beat()
        # Above zero: infeasible, ranked below every feasible trial whatever its value.
        asked.set_constraint("infeasible", 0.0 if score is not None else 1.0)
        sampler_study.tell(asked, score if score is not None else 0.0)
    # A small space, or one mostly refused by its constraints: TPE keeps proposing what it
    # has tried. The budget is made up with combinations not tried yet, in a seeded order.
    untried = [each for each in space if combination_key(each) not in tried]
    for drawn in seeded_sample(untried, trials - len(tried), seed):
        tried[combination_key(drawn)] = run_trial(setting, store, drawn, period)
        beat()
    return list(tried.values())
