import pytest
from django.core.cache import caches
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real guide content, loaded once: every test starts from the published guides."""
    with django_db_blocker.unblock():
        call_command("load_guides", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Each test starts in English, with empty caches, whatever an earlier test did."""
    from django.utils import translation

    for cache in caches.all():
        cache.clear()
    translation.activate("en")
    yield
    translation.deactivate()
