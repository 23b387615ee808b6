"""The outbox of what a run's owner is told: a row written in the transaction that decided
the event, sent afterwards by a task, so a mail server that is down never undoes nor delays
what happened (a stop, a kill switch)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.models.runs import StrategyRun


class NoticeKind(models.TextChoices):
    RUN_ENDED = "run_ended", _("Run ended")


class RunNotice(models.Model):
    """One message to a run's owner: sent at least once (retried with a growing pause while
    sending fails), its row the idempotency key."""

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
