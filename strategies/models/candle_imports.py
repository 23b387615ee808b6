"""A user's candle file on its way into the store: received by the web tier, read by a worker.

The file is kept in the row (compressed), so that a worker on any machine can read it, and
dropped once it has been read: what stays is the outcome (the problems with their lines, or
what was imported).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.candles import CandleSeries


class CandleImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PARSING = "parsing", _("Reading the file")
    WRITING = "writing", _("Storing the candles")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


ACTIVE_IMPORT = (
    CandleImportStatus.QUEUED,
    CandleImportStatus.PARSING,
    CandleImportStatus.WRITING,
)


class CandleImportQuerySet(models.QuerySet["CandleImport"]):
    def owned_by(self, user) -> "CandleImportQuerySet":
        return self.filter(owner=user)

    def active(self) -> "CandleImportQuerySet":
        return self.filter(status__in=ACTIVE_IMPORT)

    def finished(self) -> "CandleImportQuerySet":
        return self.exclude(status__in=ACTIVE_IMPORT)

    def without_file(self) -> "CandleImportQuerySet":
        """Everything but the file itself, which only the worker reads."""
        return self.defer("data")


class CandleImport(models.Model):
    """One CSV file sent by its owner to be imported into their series for `symbol`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="candle_imports",
    )
    symbol = models.CharField(_("symbol"), max_length=60)
    # As given (empty: the file's shortest step); the series' timeframe once imported.
    timeframe = models.CharField(_("timeframe"), max_length=8, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    # The file, zlib-compressed; None once read (imported or refused).
    data = models.BinaryField(null=True, blank=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CandleImportStatus.choices,
        default=CandleImportStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the file's rows read
    # Why nothing was imported: [{"line": n or None, "code": ..., "params": {...}}, ...]
    problems = models.JSONField(default=list, blank=True)
    # What was imported: the series, the bars and their range [first_ms, end_ms) in ms UTC.
    series = models.ForeignKey(
        CandleSeries,
        verbose_name=_("candle series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    bars = models.PositiveIntegerField(null=True, blank=True)
    first_ms = models.BigIntegerField(null=True, blank=True)
    end_ms = models.BigIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # first taken by a worker
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CandleImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("candle import")
        verbose_name_plural = _("candle imports")
        indexes = [models.Index(fields=["owner", "status"], name="candle_import_owner_status")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.file_name} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_IMPORT
