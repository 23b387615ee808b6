from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from guides import selectors, services
from guides.models import (
    LIST_SECTIONS,
    Guide,
    GuideTranslation,
    Permission,
    Pitfall,
    SecurityTip,
    Step,
    TroubleshootingEntry,
)


def _section_label(name: str) -> str:
    if name in LIST_SECTIONS:
        return str(LIST_SECTIONS[name]._meta.verbose_name_plural)
    return str(getattr(GuideTranslation._meta.get_field(name), "verbose_name", name))


class _FallbackStatus:
    @admin.display(description=_("falls back to English"))
    def fallback_status(self, translation: GuideTranslation) -> str:
        """Which sections of this translation readers get in English, for the translators."""
        if translation.pk is None or translation.language == selectors.FALLBACK_LANGUAGE:
            return "—"
        missing = selectors.missing_sections(translation)
        if not missing:
            return str(_("Nothing: fully translated"))
        return ", ".join(_section_label(name) for name in missing)


class GuideTranslationInline(_FallbackStatus, admin.StackedInline):
    model = GuideTranslation
    extra = 0
    max_num = len(settings.LANGUAGES)
    fields = ["language", "title", "tagline", "meta_description", "fallback_status", "edit_link"]
    readonly_fields = ["fallback_status", "edit_link"]
    show_change_link = True

    @admin.display(description=_("sections, steps and checklists"))
    def edit_link(self, translation: GuideTranslation) -> str:
        if translation.pk is None:
            return str(_("Save first, then edit the sections."))
        url = reverse("admin:guides_guidetranslation_change", args=[translation.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit every section of this language"))


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["exchange", "published", "position", "languages", "pages"]
    list_editable = ["published", "position"]
    list_filter = ["published", "exchange__region"]
    search_fields = ["exchange__name", "exchange__slug", "translations__title"]
    list_select_related = ["exchange"]
    autocomplete_fields = ["exchange"]
    fields = ["exchange", "published", "position", "strategy_slugs", "pages", "updated_at"]
    readonly_fields = ["pages", "updated_at"]
    inlines = [GuideTranslationInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Guide]:
        return super().get_queryset(request).prefetch_related("translations")

    @admin.display(description=_("languages"))
    def languages(self, guide: Guide) -> str:
        return ", ".join(t.language for t in guide.translations.all()) or "—"

    @admin.display(description=_("view on site"))
    def pages(self, guide: Guide) -> str:
        if guide.pk is None:
            return "—"
        return format_html_join(
            " · ",
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            ((guide.get_absolute_url(language=code), name) for code, name in settings.LANGUAGES),
        )

    @admin.action(description=_("Publish the selected guides"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        services.guides_set_published(guides=queryset, published=True)

    @admin.action(description=_("Unpublish the selected guides"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        services.guides_set_published(guides=queryset, published=False)


class _ItemInline(admin.TabularInline):
    extra = 0
    fields = ["position", "text"]


class StepInline(_ItemInline):
    model = Step


class PermissionInline(_ItemInline):
    model = Permission
    fields = ["position", "label", "level", "text"]


class SecurityTipInline(_ItemInline):
    model = SecurityTip


class PitfallInline(_ItemInline):
    model = Pitfall


class TroubleshootingInline(admin.StackedInline):
    model = TroubleshootingEntry
    extra = 0
    fields = [("position", "anchor"), "label", "text", "fix"]


@admin.register(GuideTranslation)
class GuideTranslationAdmin(_FallbackStatus, admin.ModelAdmin):
    list_display = ["__str__", "language", "title", "fallback_status"]
    list_filter = ["language", "guide__published", "guide__exchange__region"]
    search_fields = ["title", "tagline", "guide__exchange__name"]
    list_select_related = ["guide__exchange"]
    readonly_fields = ["fallback_status"]
    fieldsets = [
        (None, {"fields": ["guide", "language", "fallback_status"]}),
        (_("Header"), {"fields": GuideTranslation.HEADER_FIELDS}),
        (
            _("Sections"),
            {
                "description": _(
                    "Markdown. A blank section is shown in English, marked as not yet translated."
                ),
                "fields": GuideTranslation.SECTION_FIELDS,
            },
        ),
    ]
    inlines = [
        StepInline,
        PermissionInline,
        SecurityTipInline,
        PitfallInline,
        TroubleshootingInline,
    ]
