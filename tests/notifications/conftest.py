import pytest
from django.test import Client

from tests.accounts.helpers import enrol, make_user, verify_session
from tests.notifications.receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def local_addresses(settings):
    """Webhooks to 127.0.0.1 over http, as the tests' receivers listen."""
    settings.NOTIFICATION_PRIVATE_ADDRESSES = True
    settings.NOTIFICATION_TIMEOUT = 3.0


@pytest.fixture
def person():
    return make_user("ada@example.com")


@pytest.fixture
def device(person):
    return enrol(person)


@pytest.fixture
def person_client(person, device):
    client = Client()
    client.force_login(person)
    verify_session(client, device)
    return client


@pytest.fixture
def sandbox(venue, settings, monkeypatch):
    """The venue standing in for the exchanges, as the strategies tests have it."""
    from tests.strategies.conftest import sandbox as strategies_sandbox

    return strategies_sandbox.__wrapped__(venue, settings, monkeypatch)
