"""Any change to what a catalog page shows moves CatalogEntry.updated_at, the pages' cache key."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from exchanges.models import Exchange
from noonbarbari.page_cache import content_changed
from strategies.models import CatalogEntry, CatalogEntryText


def _entry_changed(**kwargs: object) -> None:
    content_changed("strategies")


def _text_changed(instance: CatalogEntryText, **kwargs: object) -> None:
    CatalogEntry.objects.filter(pk=instance.entry_id).update(updated_at=timezone.now())
    content_changed("strategies")


def _exchange_changed(**kwargs: object) -> None:
    # Strategy pages list the exchanges that suit them, with their fees.
    CatalogEntry.objects.update(updated_at=timezone.now())
    content_changed("strategies")


def connect() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_entry_changed, sender=CatalogEntry, dispatch_uid=f"strategies.e.{name}")
        signal.connect(_text_changed, sender=CatalogEntryText, dispatch_uid=f"strategies.t.{name}")
        signal.connect(_exchange_changed, sender=Exchange, dispatch_uid=f"strategies.x.{name}")
