from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange


class GuideQuerySet(models.QuerySet["Guide"]):
    def published(self) -> "GuideQuerySet":
        return self.filter(published=True)

    def visible_to(self, user) -> "GuideQuerySet":
        """Visitors see published guides; staff also see drafts (as previews)."""
        return self if getattr(user, "is_staff", False) else self.published()


class Guide(models.Model):
    """How to connect one exchange to Noon Barbari; its text lives in GuideTranslation rows."""

    exchange = models.OneToOneField(
        Exchange, verbose_name=_("exchange"), on_delete=models.CASCADE, related_name="guide"
    )
    published = models.BooleanField(_("published"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    strategy_slugs = models.JSONField(
        _("strategies that fit"),
        default=list,
        blank=True,
        help_text=_("Slugs of the strategies suggested once the key is connected."),
    )
    # Bumped whenever the guide, its exchange, a translation or an item changes: part of the
    # rendered page's cache key, so that staff edits show at once.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["position", "exchange__name"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def __str__(self) -> str:
        return str(_("Guide: %(exchange)s") % {"exchange": self.exchange.name})

    def get_absolute_url(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            return reverse("guides:detail", kwargs={"slug": self.exchange.slug})

    @property
    def slug(self) -> str:
        return self.exchange.slug


class GuideTranslation(models.Model):
    """A guide's text in one language. Blank sections fall back to English on the page."""

    HEADER_FIELDS = ("title", "tagline", "meta_description")
    # The Markdown sections, in page order.
    SECTION_FIELDS = (
        "why",
        "before_you_start",
        "create_key_intro",
        "create_key_after",
        "permissions_intro",
        "ip_whitelist",
        "paste_keys",
        "test_connection",
        "what_next",
        "closing_note",
    )
    TEXT_FIELDS = HEADER_FIELDS + SECTION_FIELDS

    guide = models.ForeignKey(
        Guide, verbose_name=_("guide"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, blank=True)
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    meta_description = models.CharField(_("meta description"), max_length=200, blank=True)
    why = models.TextField(_("why this exchange"), blank=True)
    before_you_start = models.TextField(_("before you start"), blank=True)
    create_key_intro = models.TextField(_("create the API key: introduction"), blank=True)
    create_key_after = models.TextField(_("create the API key: after the steps"), blank=True)
    permissions_intro = models.TextField(_("permissions: introduction"), blank=True)
    ip_whitelist = models.TextField(_("IP whitelist"), blank=True)
    paste_keys = models.TextField(_("paste the keys"), blank=True)
    test_connection = models.TextField(_("test the connection"), blank=True)
    what_next = models.TextField(_("once connected"), blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["guide", "language"]
        verbose_name = _("guide translation")
        verbose_name_plural = _("guide translations")
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "language"], name="one_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guide.exchange.name} ({self.language})"

    def get_absolute_url(self) -> str:
        return self.guide.get_absolute_url(language=self.language)


class ItemKind(models.TextChoices):
    STEP = "step", _("Step")
    PERMISSION = "permission", _("Permission")
    SECURITY_TIP = "security_tip", _("Security tip")
    PITFALL = "pitfall", _("Pitfall")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")


class PermissionLevel(models.TextChoices):
    REQUIRED = "required", _("Required")
    OPTIONAL = "optional", _("Optional")
    NEVER = "never", _("Never")


class GuideItem(models.Model):
    """One ordered entry of a list section: a step, a permission, a tip, a pitfall or an error.

    One table for the five kinds keeps the guide page at one query for all its lists; the
    admin edits each kind through its proxy model below.
    """

    KIND: ClassVar[str] = ""  # set by the one-kind proxies below

    translation = models.ForeignKey(
        GuideTranslation,
        verbose_name=_("translation"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("Permission: the exchange's own label. Troubleshooting: the exact error."),
    )
    level = models.CharField(_("level"), max_length=10, choices=PermissionLevel.choices, blank=True)
    anchor = models.SlugField(
        _("anchor"),
        max_length=80,
        blank=True,
        help_text=_("Troubleshooting: stable link target, the same in every language."),
    )
    text = models.TextField(
        _("text"), blank=True, help_text=_("Markdown. Troubleshooting: what the error means.")
    )
    fix = models.TextField(_("what to do"), blank=True, help_text=_("Markdown. Troubleshooting."))

    class Meta:
        ordering = ["translation", "kind", "position", "pk"]
        verbose_name = _("guide item")
        verbose_name_plural = _("guide items")
        indexes = [models.Index(fields=["translation", "kind", "position"])]

    def __str__(self) -> str:
        return self.label or self.text[:60]


class _KindManager(models.Manager["GuideItem"]):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def get_queryset(self) -> models.QuerySet["GuideItem"]:
        return super().get_queryset().filter(kind=self.kind)


class _OfOneKind:
    """Mixin for the proxies below: an item of one kind, for the admin's per-kind inlines."""

    KIND: ClassVar[str]
    kind: str

    def save(self, *args, **kwargs) -> None:
        self.kind = self.KIND
        super().save(*args, **kwargs)  # type: ignore[misc]


class Step(_OfOneKind, GuideItem):
    KIND = ItemKind.STEP
    objects = _KindManager(KIND)  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("step")
        verbose_name_plural = _("create the API key: steps")


class Permission(_OfOneKind, GuideItem):
    KIND = ItemKind.PERMISSION
    objects = _KindManager(KIND)  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("permission")
        verbose_name_plural = _("permission checklist")


class SecurityTip(_OfOneKind, GuideItem):
    KIND = ItemKind.SECURITY_TIP
    objects = _KindManager(KIND)  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("security tip")
        verbose_name_plural = _("security tips")


class Pitfall(_OfOneKind, GuideItem):
    KIND = ItemKind.PITFALL
    objects = _KindManager(KIND)  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("pitfall")
        verbose_name_plural = _("common pitfalls")


class TroubleshootingEntry(_OfOneKind, GuideItem):
    KIND = ItemKind.TROUBLESHOOTING
    objects = _KindManager(KIND)  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("troubleshooting entry")
        verbose_name_plural = _("troubleshooting")


# The list sections of a guide page, each edited through its proxy model.
LIST_SECTIONS: dict[str, type[GuideItem]] = {
    "steps": Step,
    "permissions": Permission,
    "security_tips": SecurityTip,
    "pitfalls": Pitfall,
    "troubleshooting": TroubleshootingEntry,
}
