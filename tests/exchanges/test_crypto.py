"""Envelope encryption and the encrypted field, on real rows."""

import io
import json
import pickle
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from exchanges.credentials import exchange_key_reveal
from exchanges.crypto.cipher import Ciphertext, DecryptionError
from exchanges.crypto.models import DataKey
from exchanges.models import ExchangeKey
from exchanges.services import exchange_key_create
from tests.accounts.helpers import make_user
from tests.exchanges.conftest import kraken_credentials

pytestmark = pytest.mark.django_db

KEYS_1 = "test1=dGVzdC1rZWstb25lLTMyLWJ5dGVzLWxvbmctLS0tLS0"
KEYS_2 = "test2=dGVzdC1rZWstdHdvLTMyLWJ5dGVzLWxvbmctLS0tLS0"


def test_round_trip_and_nothing_in_clear(owner, kraken):
    credentials = kraken_credentials()
    key = exchange_key_create(user=owner, exchange=kraken, label="k", credentials=credentials)

    stored = ExchangeKey.objects.values("api_key", "secret").get(pk=key.pk)
    assert stored["secret"].startswith("nb1.1.")
    assert credentials.secret not in stored["secret"]
    fresh = ExchangeKey.objects.get(pk=key.pk)
    assert fresh.secret.reveal() == credentials.secret
    assert fresh.api_key.reveal() == credentials.api_key
    assert fresh.key_hint == credentials.api_key[-4:]
    assert str(fresh.secret) == "********"
    assert credentials.secret not in repr(fresh.secret)
    assert exchange_key_reveal(key=fresh, actor="task:test").secret == credentials.secret
    assert "task:test" in fresh.events.values_list("actor", flat=True)


def test_resaving_keeps_the_ciphertext(kraken_key):
    before = ExchangeKey.objects.values_list("secret", flat=True).get(pk=kraken_key.pk)
    key = ExchangeKey.objects.get(pk=kraken_key.pk)
    key.label = "renamed"
    key.save()

    assert ExchangeKey.objects.values_list("secret", flat=True).get(pk=key.pk) == before


def test_a_ciphertext_copied_elsewhere_does_not_decrypt(owner, kraken, kraken_key):
    other_row = exchange_key_create(
        user=owner, exchange=kraken, label="second", credentials=kraken_credentials()
    )
    stranger = make_user("stranger@example.com")
    strangers_key = exchange_key_create(
        user=stranger, exchange=kraken, label="theirs", credentials=kraken_credentials()
    )
    secret = ExchangeKey.objects.values_list("secret", flat=True).get(pk=kraken_key.pk)
    api_key = ExchangeKey.objects.values_list("api_key", flat=True).get(pk=kraken_key.pk)

    ExchangeKey.objects.filter(pk=other_row.pk).update(secret=Ciphertext(secret))
    ExchangeKey.objects.filter(pk=strangers_key.pk).update(secret=Ciphertext(secret))
    ExchangeKey.objects.filter(pk=kraken_key.pk).update(api_key=Ciphertext(secret))

    for row, field in ((other_row, "secret"), (strangers_key, "secret"), (kraken_key, "api_key")):
        with pytest.raises(DecryptionError, match="copied from another field, row or user"):
            getattr(ExchangeKey.objects.get(pk=row.pk), field).reveal()
    ExchangeKey.objects.filter(pk=kraken_key.pk).update(api_key=Ciphertext(api_key))
    assert ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()


def test_a_tampered_ciphertext_does_not_decrypt(kraken_key):
    stored = ExchangeKey.objects.values_list("secret", flat=True).get(pk=kraken_key.pk)
    flipped = stored[:-5] + ("A" if stored[-5] != "A" else "B") + stored[-4:]
    ExchangeKey.objects.filter(pk=kraken_key.pk).update(secret=Ciphertext(flipped))

    with pytest.raises(DecryptionError):
        ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()
    ExchangeKey.objects.filter(pk=kraken_key.pk).update(secret=Ciphertext("plain text"))
    with pytest.raises(DecryptionError, match="not a value encrypted"):
        ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()


def test_the_field_refuses_what_would_leak_or_store_plaintext(kraken_key):
    with pytest.raises(FieldError):
        ExchangeKey.objects.filter(secret="anything").exists()
    with pytest.raises(FieldError):
        # (as keyword arguments: django-stubs' mypy plugin crashes on this lookup)
        ExchangeKey.objects.filter(**{"api_key__startswith": "nb1"}).exists()
    assert ExchangeKey.objects.filter(passphrase__isnull=True).count() == 1
    # Each refusal is an error inside a query: wrapped so the test's transaction goes on.
    with pytest.raises(TypeError, match="stores only encrypted values"), transaction.atomic():
        ExchangeKey.objects.filter(pk=kraken_key.pk).update(secret="plaintext")
    kraken_key.secret = "new plaintext"
    with pytest.raises(TypeError, match="stores only encrypted values"), transaction.atomic():
        ExchangeKey.objects.bulk_update([kraken_key], ["secret"])
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ExchangeKey.objects.get(pk=kraken_key.pk).secret)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(kraken_key)  # holds a plaintext not yet saved


def test_dumpdata_shows_ciphertext_and_loaddata_round_trips(kraken_key, tmp_path):
    plaintext = ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()
    out = io.StringIO()
    call_command("dumpdata", "exchanges.exchangekey", "exchanges.datakey", stdout=out)
    dump = out.getvalue()
    assert plaintext not in dump
    assert '"secret": "nb1.' in dump

    fixture = tmp_path / "keys.json"
    fixture.write_text(dump)
    ExchangeKey.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)

    assert ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal() == plaintext
    assert json.loads(dump)


def test_kek_rotation_with_live_rows_then_the_old_kek_leaves(owner, kraken):
    with override_settings(FIELD_ENCRYPTION_KEYS=KEYS_1, FIELD_ENCRYPTION_ACTIVE_KEY="test1"):
        credentials = kraken_credentials()
        key = exchange_key_create(user=owner, exchange=kraken, label="k", credentials=credentials)
        other = make_user("second@example.com")
        exchange_key_create(
            user=other, exchange=kraken, label="k", credentials=kraken_credentials()
        )
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {"test1"}

    both = f"{KEYS_2},{KEYS_1}"
    with override_settings(FIELD_ENCRYPTION_KEYS=both, FIELD_ENCRYPTION_ACTIVE_KEY="test2"):
        out = io.StringIO()
        call_command("rotate_encryption_keys", batch_size=1, stdout=out)
        assert "Re-wrapped 1 data keys; 1 left." in out.getvalue()
        assert "Done: 2 data keys re-wrapped" in out.getvalue()
        again = io.StringIO()
        call_command("rotate_encryption_keys", stdout=again)
        assert "Done: 0 data keys re-wrapped" in again.getvalue()

    with override_settings(FIELD_ENCRYPTION_KEYS=KEYS_2, FIELD_ENCRYPTION_ACTIVE_KEY="test2"):
        assert ExchangeKey.objects.get(pk=key.pk).secret.reveal() == credentials.secret


def test_removing_a_kek_too_early_gives_a_clear_error(kraken_key):
    only_the_old_kek = override_settings(
        FIELD_ENCRYPTION_KEYS=KEYS_1, FIELD_ENCRYPTION_ACTIVE_KEY="test1"
    )
    with only_the_old_kek, pytest.raises(Exception, match="run rotate_encryption_keys before"):
        ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()


def test_a_users_data_key_rotation_re_encrypts_their_rows(owner, kraken_key):
    plaintext = ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal()
    before = ExchangeKey.objects.values_list("secret", flat=True).get(pk=kraken_key.pk)

    call_command("rotate_encryption_keys", user=owner.email, stdout=io.StringIO())

    after = ExchangeKey.objects.values_list("secret", flat=True).get(pk=kraken_key.pk)
    assert after != before
    assert after.startswith("nb1.2.")
    assert list(DataKey.objects.filter(user=owner).values_list("version", flat=True)) == [2]
    assert ExchangeKey.objects.get(pk=kraken_key.pk).secret.reveal() == plaintext


def test_deleting_the_user_shreds_everything_they_encrypted(owner, kraken_key):
    stolen_copy = ExchangeKey.objects.get(pk=kraken_key.pk)  # e.g. from an old backup
    assert DataKey.objects.filter(user=owner).exists()

    owner.delete()

    assert not DataKey.objects.filter(user_id=stolen_copy.user_id).exists()
    with pytest.raises(DecryptionError, match="crypto-shredded"):
        stolen_copy.secret.reveal()


def test_migrations_hold_no_key_material():
    migrations = sorted(Path("exchanges/migrations").glob("0*.py"))
    assert migrations
    for migration in migrations:
        text = migration.read_text()
        assert "nb1." not in text
        assert "dGVzdC1rZWst" not in text
