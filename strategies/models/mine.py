"""A user's own strategies: each save is a new, immutable version."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from strategies.models.catalog import CatalogEntry


class StrategyQuerySet(models.QuerySet["Strategy"]):
    def owned_by(self, user) -> "StrategyQuerySet":
        return self.filter(owner=user)


class Strategy(models.Model):
    """A strategy of one user; its document is its latest version's."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="strategies",
    )
    name = models.CharField(_("name"), max_length=80)
    copied_from = models.ForeignKey(
        CatalogEntry,
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_strategy_name_per_user"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("strategies:mine:detail", kwargs={"strategy_id": self.pk})


class StrategyVersion(models.Model):
    """One saved state of a strategy's document (canonical YAML), never changed afterwards."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    document = models.TextField(_("document"))
    # Where it came from: "copied from ema-crossover", "parameters edited", "restored from 2".
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "number"], name="one_version_number_per_strategy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.strategy} v{self.number}"
