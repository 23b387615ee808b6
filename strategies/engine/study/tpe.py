"""A study's second method: in each fold, a budget of trials chosen by Optuna's TPE sampler
instead of every combination of the grid.

TPE (the tree-structured Parzen estimator) proposes the next combination from the ones tried:
where the best scores cluster, it looks closer. The sampler draws each number's place among
its dimension's values (an integer index), so every proposal is a value of the grid the user
set, with its steps; a proposal that breaks a constraint or an indicator's own rules, or that
cannot be ranked, is told to the sampler as infeasible (it learns to avoid the region) and
costs no backtest. A combination proposed again is answered from the trials already run. The
sampler is seeded: the same seed, the same proposals, the same choices.

When the budget covers every combination the grid allows, the grid is searched instead: TPE
could only try the same combinations, in a random order.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from strategies.engine.decide import IndicatorStore
from strategies.engine.study.search import Period, Setting, Trial, run_trial, search
from strategies.engine.study.space import combination_key

GRID, TPE = "grid", "tpe"
METHODS = (GRID, TPE)
# Proposals the sampler may make per trial budgeted before a fold stops asking: in a small
# space, TPE proposes combinations it has tried; this bounds a fold's search all the same.
PROPOSALS_PER_TRIAL = 10


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
) -> list[Trial]:
    """Up to `trials` distinct combinations of `space` (the grid: every combination the
    constraints allow), proposed by a TPE sampler seeded with `seed` over the dimensions'
    `values` ({path: values}), each run over `period`; in the order they were tried."""
    if trials >= len(space):
        return search(setting, store, space, period)
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
        if key in allowed and key not in tried:
            tried[key] = run_trial(setting, store, parameters, period)
        score = tried[key].score if key in tried else None
        # Above zero: infeasible, ranked below every feasible trial whatever its value.
        asked.set_constraint("infeasible", 0.0 if score is not None else 1.0)
        sampler_study.tell(asked, score if score is not None else 0.0)
    return list(tried.values())
