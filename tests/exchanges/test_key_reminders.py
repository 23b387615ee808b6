"""Reminders to replace keys: which keys, the weekly email in the owner's language, and the
banner on every page while a key needs replacing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.models import ExchangeKey
from exchanges.reminders import keys_remind
from exchanges.services import exchange_key_create, exchange_key_delete
from tests.accounts.helpers import make_user
from tests.exchanges.conftest import kraken_credentials

pytestmark = pytest.mark.django_db


def key(owner, kraken, label, *, age_days=0, expires_in=None):
    created = exchange_key_create(
        user=owner, exchange=kraken, label=label, credentials=kraken_credentials()
    )
    ExchangeKey.objects.filter(pk=created.pk).update(
        created_at=timezone.now() - timedelta(days=age_days),
        expires_on=None if expires_in is None else timezone.localdate() + timedelta(expires_in),
    )
    return ExchangeKey.objects.get(pk=created.pk)


def test_old_keys_and_keys_about_to_expire_need_replacing(owner, kraken):
    old = key(owner, kraken, "old", age_days=91)
    expiring = key(owner, kraken, "expiring", expires_in=14)
    key(owner, kraken, "fresh", age_days=89, expires_in=15)
    replaced = key(owner, kraken, "replaced", age_days=200)
    ExchangeKey.objects.filter(pk=replaced.pk).update(rotated_at=timezone.now())

    assert set(ExchangeKey.objects.needing_replacement()) == {old, expiring}
    assert old.needs_rotation
    assert expiring.expires_soon


def test_one_email_per_owner_a_week_in_their_language(owner, kraken, mailoutbox):
    owner.preferred_language = "fr"
    owner.save()
    key(owner, kraken, "old", age_days=120)
    key(owner, kraken, "expiring", expires_in=3)
    other = make_user("other@example.com")
    key(other, kraken, "fine")

    assert keys_remind() == 1
    assert keys_remind() == 0  # already told today

    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    assert "Il est temps de remplacer une clé" in mail.subject
    assert "- old (Kraken)" in mail.body
    assert "- expiring (Kraken)" in mail.body
    ExchangeKey.objects.update(reminded_on=timezone.localdate() - timedelta(days=8))
    assert keys_remind() == 1  # a week later, again


def test_the_banner_shows_on_every_page_for_its_owner_only(owner, kraken):
    key(owner, kraken, "old", age_days=100)
    other = make_user("other@example.com")
    client, other_client = Client(), Client()
    client.force_login(owner)
    other_client.force_login(other)

    page = client.get("/en/guides/").content.decode()
    assert "One of your exchange keys is old or about to expire" in page
    assert "old or about to expire" not in other_client.get("/en/guides/").content.decode()
    assert "Une de tes clés de plateforme" in client.get("/fr/guides/").content.decode()


def test_the_banner_leaves_the_moment_its_key_is_replaced_or_deleted(owner, kraken):
    banner = "One of your exchange keys is old or about to expire"
    old = key(owner, kraken, "old", age_days=100)
    client = Client()
    client.force_login(owner)
    assert banner in client.get("/en/guides/").content.decode()  # now kept in the cache

    # As a tested replacement is adopted (exchanges.replacements): the key saved, rotated.
    old.rotated_at = timezone.now()
    old.save(update_fields=["rotated_at"])
    assert "old or about to expire" not in client.get("/en/guides/").content.decode()

    second = key(owner, kraken, "second", age_days=100)
    assert banner in client.get("/en/guides/").content.decode()
    exchange_key_delete(key=second)
    assert "old or about to expire" not in client.get("/en/guides/").content.decode()


def test_the_banner_hears_of_an_expiry_date_a_connection_test_read_from_the_exchange(owner, kraken):
    from exchanges.connection_tests import _tell_the_key
    from exchanges.diagnosis import Diagnosis, Verdict
    from exchanges.models import ConnectionTest

    key(owner, kraken, "fresh")
    client = Client()
    client.force_login(owner)
    assert "old or about to expire" not in client.get("/en/guides/").content.decode()  # kept
    test = ConnectionTest.objects.create(key=ExchangeKey.objects.get(user=owner))
    soon = timezone.localdate() + timedelta(days=3)

    # The exchange says the key ends in three days: written with update(), no signal.
    _tell_the_key(test, Diagnosis(verdict=Verdict.OK, key_expires_on=soon))

    assert (
        "One of your exchange keys is old or about to expire"
        in client.get("/en/guides/").content.decode()
    )
