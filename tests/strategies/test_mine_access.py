"""My strategies are their owner's alone: another user's strategy is a 404 everywhere,
visitors are sent to log in, and the list costs the same queries however long it is."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import Strategy
from tests.strategies.mine_helpers import catalog_entry, copied, page, signed_in

pytestmark = pytest.mark.django_db

# Every route of a strategy, with the methods it answers.
ROUTES = [
    ("detail", {}, "get"),
    ("parameters", {}, "get"),
    ("parameters", {}, "post"),
    ("edit", {}, "get"),
    ("edit", {}, "post"),
    ("version", {"number": 1}, "get"),
    ("restore", {"number": 1}, "post"),
    ("diff", {}, "get"),
    ("rename", {}, "get"),
    ("rename", {}, "post"),
    ("delete", {}, "get"),
    ("delete", {}, "post"),
]


def route(name: str, strategy: Strategy, extra: dict) -> str:
    return reverse(f"strategies:mine:{name}", kwargs={"strategy_id": strategy.pk, **extra})


@pytest.fixture
def victim() -> Strategy:
    _client, owner = signed_in("owner@example.com")
    return copied(owner, "ema-crossover")


@pytest.mark.parametrize(("name", "extra", "method"), ROUTES)
def test_another_users_strategy_is_not_found(victim, name, extra, method):
    intruder, _ = signed_in("intruder@example.com")
    before = list(victim.versions.values_list("number", "document"))

    response = getattr(intruder, method)(
        route(name, victim, extra), {"name": "Mine now", "text": "x: 1"}
    )

    assert response.status_code == 404
    victim.refresh_from_db()
    assert victim.name == "EMA crossover"
    assert list(victim.versions.values_list("number", "document")) == before


@pytest.mark.parametrize(("name", "extra", "method"), ROUTES)
def test_visitors_are_sent_to_log_in(victim, name, extra, method):
    response = getattr(Client(), method)(route(name, victim, extra))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
    assert Strategy.objects.filter(pk=victim.pk).exists()


@pytest.mark.parametrize("path", ["/en/strategies/mine/", "/fr/strategies/mine/new/"])
def test_visitors_are_sent_to_log_in_from_the_list_and_the_new_page(path):
    response = Client().get(path)

    assert response.status_code == 302
    language = path.split("/")[1]
    assert response["Location"].startswith(f"/{language}/accounts/login/?next={path}")


def test_the_list_shows_only_the_users_own_strategies(victim):
    client, user = signed_in("someone@example.com")
    copied(user, "macd-trend")

    html = page(client.get("/en/strategies/mine/"))

    assert "MACD with the trend" in html
    assert "EMA crossover" not in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client.get("/en/strategies/mine/"))
    return len(queries)


def test_the_list_costs_the_same_queries_however_many_strategies(django_assert_num_queries):
    client, user = signed_in("many@example.com")
    copied(user, "ema-crossover")
    _list_queries(client)  # the banner's keys, read once and then from the cache
    one = _list_queries(client)
    for slug in ("macd-trend", "super_trend", "trend_magic"):
        for _copy in range(2):
            copied(user, slug)
    copied(user, "ema-crossover")

    # user, strategies (with their latest version number), catalog titles; the session and
    # the banner's keys to replace come from the cache
    with django_assert_num_queries(one):
        html = page(client.get("/en/strategies/mine/"))
    assert one == 3
    assert html.count('<th scope="row">') == 8
    assert "Trend Magic above the 200 EMA (2)" in html
    assert "EMA crossover (2)" in html


def test_the_list_shows_name_origin_and_latest_version_number():
    catalog_entry("ema-crossover")
    client, user = signed_in("list@example.com")
    strategy = copied(user, "ema-crossover")
    client.post(
        f"/en/strategies/mine/{strategy.pk}/edit/",
        {"text": strategy.versions.get().document.replace("period: 20", "period: 21")},
    )

    html = page(client.get("/fr/strategies/mine/"))

    assert "Croisement d’EMA" in html  # the catalog title, in French
    assert "<td>2</td>" in html
