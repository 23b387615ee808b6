"""The shared candle store: closed bars of a market, kept once for every user.

Candles are stored in chunks of up to CHUNK_BARS bars (a row per chunk, its bars packed as
arrays), not a row per candle: a million one-minute candles are sixty-odd rows, read in one
query. Which time ranges were fetched is kept beside them, so that a bar missing inside a
fetched range is a gap (nobody traded) and not a bar we never asked for.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange


class CandleSource(models.TextChoices):
    EXCHANGE = "exchange", _("the exchange's candles")
    TRADES = "trades", _("built from the exchange's trade history")
    AGGREGATED = "aggregated", _("built from shorter candles already held")
    UPLOAD = "upload", _("a file you imported")
    ARCHIVE = "archive", _("the exchange's published archive")


class CandleSeries(models.Model):
    """One market and timeframe: an exchange's (shared by every user), or a user's import."""

    exchange = models.ForeignKey(
        Exchange, verbose_name=_("exchange"), null=True, blank=True, on_delete=models.CASCADE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="candle_series",
    )
    symbol = models.CharField(_("symbol"), max_length=60)
    timeframe = models.CharField(_("timeframe"), max_length=8)
    # Fetched (or imported) ranges of bar opens, [start, end) in ms UTC, sorted and merged.
    coverage = models.JSONField(_("ranges held"), default=list, blank=True)
    # Where each covered range came from: [[start, end, source], ...].
    provenance = models.JSONField(_("provenance"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("candle series")
        verbose_name_plural = _("candle series")
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe"],
                condition=models.Q(owner__isnull=True),
                name="one_shared_series_per_market",
            ),
            models.UniqueConstraint(
                fields=["owner", "symbol", "timeframe"],
                condition=models.Q(owner__isnull=False),
                name="one_imported_series_per_user_market",
            ),
        ]

    def __str__(self) -> str:
        where = self.exchange.slug if self.exchange else f"user {self.owner_id}"
        return f"{where} {self.symbol} {self.timeframe}"


class CandleChunk(models.Model):
    """Up to CHUNK_BARS closed bars of a series, packed: times (int64 ms) then open, high, low,
    close and volume (float64), each as one contiguous block."""

    series = models.ForeignKey(CandleSeries, on_delete=models.CASCADE, related_name="chunks")
    start = models.BigIntegerField()  # the chunk's span starts here (ms), a multiple of its span
    count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["series", "start"]
        constraints = [
            models.UniqueConstraint(fields=["series", "start"], name="one_chunk_per_span"),
        ]

    def __str__(self) -> str:
        return f"{self.series} from {self.start} ({self.count} bars)"


class WarmMarket(models.Model):
    """A market staff want kept warm beside the ones in use (strategies/services/warm_markets.py):
    its latest candles fetched every hour, so that its history never needs rebuilding from
    trades."""

    exchange = models.ForeignKey(Exchange, verbose_name=_("exchange"), on_delete=models.CASCADE)
    symbol = models.CharField(_("symbol"), max_length=60, help_text=_("As ccxt names it: BTC/USD."))
    timeframe = models.CharField(
        _("timeframe"), max_length=8, help_text=_("1m, 5m, 15m, 30m, 1h, 4h or 1d.")
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("market kept warm")
        verbose_name_plural = _("markets kept warm")
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe"], name="one_warm_market"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exchange} {self.symbol} {self.timeframe}"
