"""Funding rates of perpetual markets, as the exchange published them: shared by every
backtest and paper run on the market (the fill model's point 9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange


class FundingSeries(models.Model):
    """One perpetual market's published rates, and how far they were asked for: every rate
    the exchange published in [asked_from_ms, asked_through_ms) is held."""

    exchange = models.ForeignKey(Exchange, verbose_name=_("exchange"), on_delete=models.CASCADE)
    symbol = models.CharField(_("symbol"), max_length=60)
    asked_from_ms = models.BigIntegerField(null=True, blank=True)
    asked_through_ms = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("funding rate series")
        verbose_name_plural = _("funding rate series")
        constraints = [
            models.UniqueConstraint(fields=["exchange", "symbol"], name="one_funding_per_market")
        ]

    def __str__(self) -> str:
        return f"{self.exchange_id} {self.symbol} funding"

    def holds(self, start: int, end: int) -> bool:
        """Whether every rate published in [start, end) is held."""
        if self.asked_from_ms is None or self.asked_through_ms is None:
            return False
        return self.asked_from_ms <= start and end <= self.asked_through_ms


class FundingRate(models.Model):
    """One published rate: the fraction of a position's notional that longs pay shorts (a
    negative rate: shorts pay longs) at `time_ms`."""

    series = models.ForeignKey(FundingSeries, on_delete=models.CASCADE, related_name="rates")
    time_ms = models.BigIntegerField()
    rate = models.FloatField()

    class Meta:
        ordering = ["series", "time_ms"]
        constraints = [
            models.UniqueConstraint(fields=["series", "time_ms"], name="one_rate_per_time")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.time_ms}: {self.rate}"
