"""Staff edit catalog strategies in the admin; a document that does not validate is refused."""

import pytest
from django.urls import reverse

from strategies.models import CatalogEntry
from strategies.services.mine import strategy_create
from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db


def change_form(entry: CatalogEntry, **changes) -> dict:
    data = {
        "slug": entry.slug,
        "published": "on",
        "position": entry.position,
        "version": entry.version,
        "category": entry.category,
        "bias": entry.bias,
        "skill": entry.skill,
        "timeframes": '["1h", "4h"]',
        "document": entry.document,
        "texts-TOTAL_FORMS": "0",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "2",
    }
    return {**data, **changes}


def test_a_broken_document_is_refused_with_its_problems_and_lines(admin_client):
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    broken = entry.document.replace("crosses_up", "leaps_over", 1)
    url = reverse("admin:strategies_catalogentry_change", args=[entry.pk])

    response = admin_client.post(url, change_form(entry, document=broken))

    assert response.status_code == 200
    page = response.content.decode()
    assert "unknown operator &quot;leaps_over&quot;" in page
    assert "line " in page
    entry.refresh_from_db()
    assert "crosses_up" in entry.document


def test_a_valid_edit_is_stored_in_canonical_form(admin_client):
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    url = reverse("admin:strategies_catalogentry_change", args=[entry.pk])
    # Spellings seen in the wild, and a parameter left to its default.
    edited = entry.document.replace("crosses_up", "crosses_above", 1)

    response = admin_client.post(url, change_form(entry, document=edited))

    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert "crosses_above" not in entry.document
    assert "op: crosses_up" in entry.document


def test_staff_cannot_delete_a_users_strategy(admin_client):
    strategy = strategy_create(
        owner=make_user("owner@example.com"),
        name="mine",
        document="name: mine\nentry: {lhs: {bar: close}, op: gt, rhs: {value: 1}}\n"
        "risk: {stop_loss_pct: 0.1}\n",
    )

    response = admin_client.post(
        reverse("admin:strategies_strategy_delete", args=[strategy.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(strategy).objects.filter(pk=strategy.pk).exists()


def test_staff_see_backtests_read_only(admin_client):
    response = admin_client.get(reverse("admin:strategies_backtest_changelist"))

    assert response.status_code == 200
    assert admin_client.get(reverse("admin:strategies_backtest_add")).status_code == 403
