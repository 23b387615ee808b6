"""The catalog: named strategies shipped as content files, editable by staff."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    TREND = "trend", _("Trend following")
    MEAN_REVERSION = "mean_reversion", _("Mean reversion")
    BREAKOUT = "breakout", _("Breakout")
    MOMENTUM = "momentum", _("Momentum")
    CONFLUENCE = "confluence", _("Confluence")


class Bias(models.TextChoices):
    LONG_ONLY = "long_only", _("Long only")
    LONG_SHORT = "long_short", _("Long and short")


class Skill(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CatalogEntryQuerySet(models.QuerySet["CatalogEntry"]):
    def published(self) -> "CatalogEntryQuerySet":
        return self.filter(published=True)

    def visible_to(self, user) -> "CatalogEntryQuerySet":
        """Visitors see published entries; staff also see drafts (as previews)."""
        return self if getattr(user, "is_staff", False) else self.published()


class CatalogEntry(models.Model):
    """A named strategy of the catalog: its document (canonical YAML) and its facts; the text
    users read lives in CatalogEntryText rows, one per language."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    bias = models.CharField(_("bias"), max_length=12, choices=Bias.choices)
    timeframes = models.JSONField(
        _("suggested timeframes"), default=list, help_text=_("ccxt's spelling: 15m, 1h, 4h, 1d.")
    )
    skill = models.CharField(_("skill level"), max_length=12, choices=Skill.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    published = models.BooleanField(_("published"), default=True)
    document = models.TextField(
        _("document"), help_text=_("The strategy in the rule grammar (YAML), validated on save.")
    )
    version = models.PositiveIntegerField(_("content version"), default=1)
    # Bumped by every write: part of the cached pages' keys.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = CatalogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("catalog strategy")
        verbose_name_plural = _("catalog strategies")

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            return reverse("strategies:detail", kwargs={"slug": self.slug})


class CatalogEntryText(models.Model):
    """A catalog strategy's text in one language; blank fields fall back to English."""

    TEXT_FIELDS = ("title", "summary", "thesis", "expected_behaviour", "market_fit", "risk_notes")

    entry = models.ForeignKey(
        CatalogEntry, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=120, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    thesis = models.TextField(_("thesis"), blank=True)
    expected_behaviour = models.TextField(_("expected behaviour"), blank=True)
    market_fit = models.TextField(_("market fit"), blank=True)
    risk_notes = models.TextField(_("risk notes"), blank=True)
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["entry", "language"]
        verbose_name = _("catalog strategy text")
        verbose_name_plural = _("catalog strategy texts")
        constraints = [
            models.UniqueConstraint(fields=["entry", "language"], name="one_text_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.entry.slug} ({self.language})"
