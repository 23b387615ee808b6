"""Helpers for the "My strategies" tests: catalog rows, signed-in clients and strategies made
through the services."""

import html

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from strategies.models import CatalogEntry, Strategy
from strategies.services import mine as services
from tests.accounts.helpers import make_user


def catalog_entry(slug: str, *, published: bool = True) -> CatalogEntry:
    """The catalog entry as load_strategies put it in the test database, (un)published."""
    if not CatalogEntry.objects.filter(slug=slug).exists():
        call_command("load_strategies", verbosity=0)  # after a test that emptied the tables
    CatalogEntry.objects.filter(slug=slug).update(published=published)
    return CatalogEntry.objects.get(slug=slug)


def signed_in(email: str) -> tuple[Client, User]:
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
