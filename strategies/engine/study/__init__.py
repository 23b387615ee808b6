"""Studies: is a strategy's result real or curve-fit? Parameter searches over a document's
ranges, walk-forward folds (each fold's best parameters chosen in-sample, scored out of sample),
the deflated Sharpe ratio (the number of trials accounted for), Monte Carlo on a report's trades
and the robustness score that sums them up. Pure, like the rest of the engine: arrays and
documents in, numbers out; the Django shell runs them as long work and stores what they find.
"""
