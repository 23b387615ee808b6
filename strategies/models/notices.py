"""The run notices' old outbox, kept one release after notifications took its place: during a
deploy, processes still running the previous code write here until they restart. Migration
0038 carried its unsent rows over; strategies.tasks.send_run_notice forwards any written
since. The next release drops the table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.runs import StrategyRun


class NoticeKind(models.TextChoices):
    RUN_ENDED = "run_ended", _("Run ended")


class RunNotice(models.Model):
    """One message to a run's owner (no longer written: see the module's docstring)."""

    run = models.ForeignKey(StrategyRun, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    # When a task should try again (null once sent, or given up).
    due_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("run notice")
        verbose_name_plural = _("run notices")
        indexes = [models.Index(fields=["due_at"], name="run_notice_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.run_id}"
