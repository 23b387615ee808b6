"""My strategies: a new strategy from the blank example, a copy of a catalog strategy."""

import pytest

from strategies.models import Strategy
from tests.strategies.mine_helpers import catalog_entry, page, signed_in

pytestmark = pytest.mark.django_db

NEW = "/{language}/strategies/mine/new/"
COPY = "/{language}/strategies/mine/copy/{slug}/"


def test_the_new_page_starts_from_a_small_valid_example_in_both_languages():
    client, _user = signed_in("new@example.com")

    english = page(client.get(NEW.format(language="en")))
    french = page(client.get(NEW.format(language="fr")))

    assert "New strategy" in english
    assert "Nouvelle stratégie" in french
    for text in (english, french):
        assert "name: my-strategy" in text
        assert "rsi: {kind: rsi, period: 14}" in text


def test_creating_a_strategy_saves_version_1_and_shows_its_sentences():
    client, user = signed_in("new@example.com")
    text = (
        "name: dip\n"
        "indicators:\n"
        "  r: {kind: rsi}\n"
        "entry: {lhs: {indicator: r}, op: crosses_up, rhs: {value: 30}}\n"
        "exit: {lhs: {indicator: r}, op: crosses_down, rhs: {value: 70}}\n"
    )

    response = client.post(NEW.format(language="en"), {"name": "Dip buyer", "text": text})

    strategy = Strategy.objects.get(owner=user)
    assert response["Location"] == f"/en/strategies/mine/{strategy.pk}/"
    version = strategy.versions.get()
    assert (version.number, version.note) == (1, "Created")
    detail = page(client.get(response["Location"]))
    assert "Dip buyer" in detail
    assert "Enter long when RSI 14 crosses above 30." in detail
    french = page(client.get(f"/fr/strategies/mine/{strategy.pk}/"))
    assert "Créée" in french  # the note, shown in the reader's language


def test_a_new_strategy_needs_a_name_of_its_own_and_keeps_what_was_typed():
    client, user = signed_in("new@example.com")
    client.post(NEW.format(language="en"), {"name": "Mine", "text": _blank(client)})

    english = page(client.post(NEW.format(language="en"), {"name": "Mine", "text": "name: x\n"}))
    assert "entry: this key is required" in english  # the document is checked first
    retry = page(client.post(NEW.format(language="fr"), {"name": "Mine", "text": _blank(client)}))

    assert "Tu as déjà une stratégie nommée «\u00a0Mine\u00a0»" in retry
    assert 'value="Mine"' in retry
    assert Strategy.objects.filter(owner=user).count() == 1


def _blank(client) -> str:
    return client.get(NEW.format(language="en")).context["form"].initial["text"]


@pytest.mark.parametrize(
    ("language", "title"), [("en", "EMA crossover"), ("fr", "Croisement d’EMA")]
)
def test_a_copy_is_named_after_the_title_in_the_users_language(language, title):
    entry = catalog_entry("ema-crossover")
    client, user = signed_in("copier@example.com")

    response = client.post(COPY.format(language=language, slug="ema-crossover"))

    strategy = Strategy.objects.get(owner=user)
    assert response["Location"] == f"/{language}/strategies/mine/{strategy.pk}/"
    assert strategy.name == title
    assert strategy.copied_from == entry
    version = strategy.versions.get()
    assert (version.number, version.note) == (1, "Copied from ema-crossover v1")
    assert version.document == entry.document


def test_copying_again_numbers_the_name_and_other_users_are_not_counted():
    catalog_entry("ema-crossover")
    client, user = signed_in("copier@example.com")
    other, _ = signed_in("other@example.com")
    other.post(COPY.format(language="en", slug="ema-crossover"))

    for _copy in range(3):
        client.post(COPY.format(language="en", slug="ema-crossover"))

    names = sorted(Strategy.objects.filter(owner=user).values_list("name", flat=True))
    assert names == ["EMA crossover", "EMA crossover (2)", "EMA crossover (3)"]
    listing = page(client.get("/en/strategies/mine/"))
    assert "EMA crossover (3)" in listing
    assert "Copied from" in listing


def test_the_version_note_of_a_copy_reads_in_french():
    catalog_entry("ema-crossover")
    client, user = signed_in("copier@example.com")
    client.post(COPY.format(language="fr", slug="ema-crossover"))
    strategy = Strategy.objects.get(owner=user)

    french = page(client.get(f"/fr/strategies/mine/{strategy.pk}/"))

    assert "Copiée depuis ema-crossover v1" in french
    assert "Copied from" not in french


def test_copy_is_post_only_and_drafts_or_unknown_slugs_are_not_found():
    catalog_entry("ema-crossover")
    catalog_entry("macd-trend", published=False)
    client, user = signed_in("copier@example.com")

    assert client.get(COPY.format(language="en", slug="ema-crossover")).status_code == 405
    assert client.post(COPY.format(language="en", slug="macd-trend")).status_code == 404
    assert client.post(COPY.format(language="en", slug="no-such-thing")).status_code == 404
    assert not Strategy.objects.filter(owner=user).exists()


def test_a_visitor_who_copies_is_sent_to_log_in_then_back_to_a_page_they_can_get():
    catalog_entry("ema-crossover")
    from django.test import Client

    response = Client().post(COPY.format(language="en", slug="ema-crossover"))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
    # Not the copy URL itself: after logging in, the browser comes back with a GET.
    assert "copy" not in response["Location"]
    assert not Strategy.objects.exists()


def test_the_empty_list_points_to_the_catalog_and_to_a_new_strategy():
    client, _user = signed_in("empty@example.com")

    english = page(client.get("/en/strategies/mine/"))
    french = page(client.get("/fr/strategies/mine/"))

    assert "You have no strategy yet." in english
    assert 'href="/en/strategies/"' in english
    assert 'href="/en/strategies/mine/new/"' in english
    assert "Tu n’as encore aucune stratégie." in french
    assert 'href="/fr/strategies/"' in french
