"""Studies: is a backtested strategy real or curve-fit? A walk-forward over a backtest's market
and period (strategies/engine/study/), its folds chosen on the long workers side by side.

A study is planned by one long job (its folds), each fold chosen by a long job of its own
(the line's fairness rules apply to every one of them), and assembled by one more once every
fold has chosen: the out-of-sample trades, the deflated Sharpe ratio, the robustness score.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from strategies.models.backtests import Backtest
from strategies.models.candles import CandleSeries
from strategies.models.catalog import CatalogEntry
from strategies.models.fill_columns import FillModelColumns, MarketColumns
from strategies.models.mine import StrategyVersion


class StudyStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    CHOOSING = "choosing", _("Choosing each fold's parameters")
    ASSEMBLING = "assembling", _("Trading each fold's choice out of sample")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class StudyMethod(models.TextChoices):
    """The engine's methods (strategies/engine/study/tpe.py), as users read them."""

    GRID = "grid", _("Every combination (a grid)")
    TPE = "tpe", _("TPE (Optuna): a number of trials a fold, the most promising first")


ACTIVE_STUDY = (StudyStatus.QUEUED, StudyStatus.CHOOSING, StudyStatus.ASSEMBLING)


class Study(FillModelColumns, MarketColumns, models.Model):
    """A walk-forward of one backtest's strategy, market, period, costs and capital, varying
    `dimensions` ([{"path", "low", "high", "step"}, ...]) under `constraints` (["a < b"]),
    each fold's best chosen by `objective`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="studies"
    )
    backtest = models.ForeignKey(
        Backtest, null=True, blank=True, on_delete=models.SET_NULL, related_name="studies"
    )
    catalog_entry = models.ForeignKey(
        CatalogEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="studies"
    )
    strategy_version = models.ForeignKey(
        StrategyVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="studies"
    )
    strategy_name = models.CharField(_("strategy"), max_length=200)
    # The strategy of the user's made to keep what the study chose, when it studied none of
    # theirs (a catalog strategy, a document alone): the numbers kept again go there too.
    kept_in = models.ForeignKey(
        "strategies.Strategy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.TextField(_("document"))  # frozen at the request
    exchange = models.ForeignKey(Exchange, null=True, blank=True, on_delete=models.CASCADE)
    # The candles the backtest read (the market's shared series, or the user's import).
    series = models.ForeignKey(CandleSeries, null=True, blank=True, on_delete=models.SET_NULL)
    symbol = models.CharField(_("symbol"), max_length=60)
    timeframe = models.CharField(_("timeframe"), max_length=8)
    start_ms = models.BigIntegerField(_("start"))
    end_ms = models.BigIntegerField(_("end"))
    capital = models.DecimalField(_("starting capital"), max_digits=20, decimal_places=2)

    objective = models.CharField(_("objective"), max_length=16)
    drawdown_limit = models.FloatField(null=True, blank=True)  # a fraction, for "return"
    dimensions = models.JSONField(default=list)
    constraints = models.JSONField(default=list, blank=True)
    in_sample_days = models.PositiveIntegerField(_("in-sample days"))
    out_of_sample_days = models.PositiveIntegerField(_("out-of-sample days"))
    anchored = models.BooleanField(_("anchored folds"), default=False)
    # How each fold searches: "grid" (every combination) or "tpe" (`trials` of them proposed
    # by Optuna's TPE sampler, seeded with `seed` plus the fold's number: repeatable).
    method = models.CharField(
        _("search method"), max_length=8, choices=StudyMethod.choices, default=StudyMethod.GRID
    )
    trials = models.PositiveIntegerField(_("trials per fold"), null=True, blank=True)
    seed = models.PositiveIntegerField(_("seed"), null=True, blank=True)

    status = models.CharField(max_length=12, choices=StudyStatus.choices)
    error_code = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    combinations = models.PositiveIntegerField(null=True, blank=True)  # per fold, once planned
    # {"folds": [...], "equity": [[ms, value], ...], "deflated_sharpe", "robustness": {...}}
    result = models.JSONField(null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return f"{self.strategy_name} {self.symbol} {self.timeframe} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("strategies:studies:detail", kwargs={"study_id": self.pk})

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STUDY

    @property
    def trials_per_fold(self) -> int | None:
        """The combinations each fold tries: all of them, or TPE's budget if fewer."""
        if self.method == StudyMethod.GRID or self.combinations is None:
            return self.combinations
        return min(self.trials or 0, self.combinations)


class StudyFold(models.Model):
    """One fold of a study, chosen by its own long job: `chosen` is {"parameters", "score",
    "in_sample_return"}, or null when no combination could be ranked in-sample; `tried` the
    combinations a TPE search tried (a grid's are the plan's)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="folds")
    number = models.PositiveIntegerField()  # 1, 2, ... as engine.study.folds numbers them
    done = models.BooleanField(default=False)
    chosen = models.JSONField(null=True, blank=True)
    tried = models.JSONField(null=True, blank=True)
    # A grid fold searched in turns: {"next": the next combination's index, "chosen": the
    # best so far, as `chosen` is}; null before its first turn ends.
    progress = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="one_row_per_fold"),
        ]

    def __str__(self) -> str:
        return f"fold {self.number} of study {self.study_id}"
