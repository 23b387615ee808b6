"""Any change to what a guide page shows moves its Guide.updated_at, the page cache's key."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from exchanges.models import Exchange
from guides.models import (
    Guide,
    GuideItem,
    GuideTranslation,
    Permission,
    Pitfall,
    SecurityTip,
    Step,
    TroubleshootingEntry,
)
from noonbarbari.page_cache import content_changed


def _touch(guides) -> None:
    guides.update(updated_at=timezone.now())
    content_changed("guides")


def _guide_changed(**kwargs: object) -> None:
    content_changed("guides")


def _translation_changed(instance: GuideTranslation, **kwargs: object) -> None:
    _touch(Guide.objects.filter(pk=instance.guide_id))


def _item_changed(instance: GuideItem, **kwargs: object) -> None:
    _touch(Guide.objects.filter(translations__pk=instance.translation_id))


def _exchange_changed(instance: Exchange, **kwargs: object) -> None:
    # A guide shows its exchange's facts, and the name of the sister venue.
    _touch(Guide.objects.filter(Q(exchange=instance) | Q(exchange__sister=instance)))


def connect() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_guide_changed, sender=Guide, dispatch_uid=f"g.{name}")
        signal.connect(_translation_changed, sender=GuideTranslation, dispatch_uid=f"t.{name}")
        signal.connect(_exchange_changed, sender=Exchange, dispatch_uid=f"e.{name}")
        # Signals name the class that was saved: the admin saves items through the proxies.
        for model in (GuideItem, Step, Permission, SecurityTip, Pitfall, TroubleshootingEntry):
            signal.connect(_item_changed, sender=model, dispatch_uid=f"i.{model.__name__}.{name}")
