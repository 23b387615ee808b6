import base64
import os

import pytest
from django.core.management import call_command
from django.test import Client

from exchanges.credentials import Credentials
from exchanges.models import Exchange
from exchanges.services import exchange_key_create
from tests.accounts.helpers import enrol, make_user, verify_session


def kraken_credentials() -> Credentials:
    """Random, correctly shaped Kraken Spot credentials: each value is unique (a canary)."""
    return Credentials(
        api_key=base64.b64encode(os.urandom(42)).decode(),  # 56 characters
        secret=base64.b64encode(os.urandom(64)).decode(),  # 88 characters
    )


@pytest.fixture
def owner():
    return make_user("keys@example.com")


@pytest.fixture
def owner_client(owner):
    """The owner, logged in with a session verified by a second factor."""
    client = Client()
    device = enrol(owner)
    client.force_login(owner)
    verify_session(client, device)
    return client


@pytest.fixture
def kraken():
    # Transactional tests run after others have emptied the database: load the guides again.
    if not Exchange.objects.filter(slug="kraken").exists():
        call_command("load_guides", verbosity=0)
    return Exchange.objects.get(slug="kraken")


@pytest.fixture
def kraken_key(owner, kraken):
    return exchange_key_create(
        user=owner, exchange=kraken, label="kraken-spot", credentials=kraken_credentials()
    )
