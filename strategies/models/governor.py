"""The risk governor's limits, its state and its breaches.

Limits hold across live runs: an account's (`key` empty: all its live runs) or one key's (the
live runs trading with it). The governor's state lives on the same row, so that a worker
that restarts finds the peak, the day's start and what each run was worth where it was left.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exchanges.models import ExchangeKey


class RiskLimitsQuerySet(models.QuerySet["RiskLimits"]):
    def over(self, owner_id: int, key_id: object) -> "RiskLimitsQuerySet":
        """The limits a live run of `owner_id` with key `key_id` is under: the account's, and
        the key's (none for a run without a key)."""
        return self.filter(Q(key__isnull=True) | Q(key_id=key_id), owner_id=owner_id)


class RiskLimits(models.Model):
    # The fields a user sets (the page's form, the admin); the rest is the governor's state.
    FIELDS = (
        "currency",
        "max_drawdown_pct",
        "daily_loss_limit",
        "day_starts_at",
        "time_zone",
        "max_exposure",
        "max_live_runs",
        "flatten_on_breach",
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_limits"
    )
    # Empty: the account's limits, over every live run; else this key's runs only.
    key = models.ForeignKey(
        ExchangeKey, null=True, blank=True, on_delete=models.CASCADE, related_name="risk_limits"
    )
    # The quote currency the amounts are in: live runs under these limits trade in it.
    currency = models.CharField(_("currency"), max_length=8, default="USD")
    max_drawdown_pct = models.DecimalField(
        _("maximum drawdown (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    daily_loss_limit = models.DecimalField(
        _("daily loss limit"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    day_starts_at = models.PositiveSmallIntegerField(_("the day starts at (hour)"), default=0)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    max_exposure = models.DecimalField(
        _("maximum exposure"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    max_live_runs = models.PositiveSmallIntegerField(
        _("maximum active live runs"), null=True, blank=True
    )
    flatten_on_breach = models.BooleanField(
        _("close the positions on a loss breach"), default=False
    )

    # The governor's state. The drawdown is measured on an index of the runs' combined equity
    # that moves with what the runs already there earned between two checks: a run that starts
    # or ends adds or takes away money, not performance, and moves neither the index nor its
    # peak (a time-weighted return).
    index = models.FloatField(default=1.0)
    peak_index = models.FloatField(default=1.0)
    # {run id: its equity at the last check}, the runs active then.
    equities = models.JSONField(default=dict, blank=True)
    # The current day's start, and {run id: its equity then, or when it joined that day}.
    day_start = models.DateTimeField(null=True, blank=True)
    day_equities = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # What the last check measured, by breach kind: the page shows it.
    measures = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(_("limits changed"), auto_now=True)

    objects = RiskLimitsQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk limits")
        verbose_name_plural = _("risk limits")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="limits_one_per_key"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(key__isnull=True), name="limits_one_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} / {self.key or 'account'}"

    @property
    def any_limit(self) -> bool:
        return any(
            value is not None
            for value in (
                self.max_drawdown_pct,
                self.daily_loss_limit,
                self.max_exposure,
                self.max_live_runs,
            )
        )


class BreachKind(models.TextChoices):
    DRAWDOWN = "drawdown", _("Maximum drawdown")
    DAILY_LOSS = "daily_loss", _("Daily loss limit")
    EXPOSURE = "exposure", _("Maximum exposure")
    LIVE_RUNS = "live_runs", _("Maximum active live runs")


# A loss limit's breach may close the positions; the others only hold entries back.
LOSS_BREACHES = (BreachKind.DRAWDOWN, BreachKind.DAILY_LOSS)


class RiskBreachQuerySet(models.QuerySet["RiskBreach"]):
    def open(self) -> "RiskBreachQuerySet":
        """The breaches that hold entries back now."""
        return self.filter(cleared_at__isnull=True)


class RiskBreach(models.Model):
    """A limit found crossed: no run under it enters a position while it is open. A drawdown's
    stays open until its owner re-arms the limit, a daily loss's until the next day starts,
    an exposure's or a run count's until the measure is back within the limit."""

    limits = models.ForeignKey(RiskLimits, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(_("limit"), max_length=12, choices=BreachKind.choices)
    measured = models.FloatField(_("measured"))
    limit = models.FloatField(_("limit"))
    at = models.DateTimeField(_("found at"), auto_now_add=True)
    # The bar the tick that found it acted at (none when a worker's start found it).
    bar_ms = models.BigIntegerField(null=True, blank=True)
    # Whether the owner's choice asked to close the positions, and when that was done.
    flattened = models.BooleanField(_("positions closed"), default=False)
    flattened_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    objects = RiskBreachQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("risk limit breach")
        verbose_name_plural = _("risk limit breaches")
        constraints = [
            models.UniqueConstraint(
                fields=["limits", "kind"],
                condition=Q(cleared_at__isnull=True),
                name="breach_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.limits_id} {self.at:%Y-%m-%d %H:%M}"

    @property
    def open(self) -> bool:
        return self.cleared_at is None
