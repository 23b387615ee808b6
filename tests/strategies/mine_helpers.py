"""Helpers for the "My strategies" tests: catalog rows straight from the content files (the
catalog loader lives elsewhere), signed-in clients and strategies made through the services."""

import html
import tomllib
from pathlib import Path

from django.test import Client

from strategies import rules
from strategies.models import CatalogEntry, CatalogEntryText, Strategy
from strategies.services import mine as services
from tests.accounts.helpers import make_user

CONTENT = Path(__file__).resolve().parents[2] / "strategies" / "content"


def _toml(path: Path) -> dict:
    with path.open("rb") as file:
        return tomllib.load(file)


def catalog_entry(slug: str, *, published: bool = True) -> CatalogEntry:
    """The catalog entry of a content folder, its document in canonical form, its titles."""
    folder = CONTENT / slug
    meta = _toml(folder / "meta.toml")
    document = rules.dump(rules.parse((folder / "strategy.yaml").read_text()))
    entry = CatalogEntry.objects.create(
        slug=meta["slug"],
        category=meta["category"],
        bias=meta["bias"],
        timeframes=meta["timeframes"],
        skill=meta["skill"],
        position=meta["position"],
        version=meta["version"],
        published=published,
        document=document,
    )
    for language in ("en", "fr"):
        text = _toml(folder / f"{language}.toml")
        CatalogEntryText.objects.create(
            entry=entry, language=language, title=text["title"], summary=text["summary"]
        )
    return entry


def signed_in(email: str) -> tuple[Client, object]:
    user = make_user(email)
    client = Client()
    client.force_login(user)
    return client, user


def copied(user, slug: str) -> Strategy:
    entry = CatalogEntry.objects.filter(slug=slug).first() or catalog_entry(slug)
    return services.strategy_copy_from_catalog(owner=user, entry=entry, language="en")


def page(response) -> str:
    """The page's HTML with entities read (&#x27; as '), as a reader sees the text."""
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())
