import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Each test starts in English, whatever an earlier test activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
