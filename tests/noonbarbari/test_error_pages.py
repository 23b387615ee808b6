"""Branded error pages (404, 500, 403 for a failed CSRF check) in both languages, within the CSP."""

import re

import pytest
from django.test import Client

from noonbarbari.views import HomeView

pytestmark = pytest.mark.django_db


def _assert_within_csp(response) -> str:
    """The page carries the policy and needs no exception to it: no inline script or style."""
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert "/static/css/site.css" in page
    return page


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Page not found"), ("fr", "Page introuvable")],
)
def test_a_missing_page_is_branded_and_translated(client, language, words):
    response = client.get(f"/{language}/no-such-page/")

    assert response.status_code == 404
    page = _assert_within_csp(response)
    assert f'<html lang="{language}">' in page
    assert words in page
    assert "Noon Barbari" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Something went wrong on our side"), ("fr", "Quelque chose n’a pas fonctionné")],
)
def test_a_server_error_is_branded_and_translated(monkeypatch, language, words):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomeView, "get_context_data", crash)
    client = Client(raise_request_exception=False)

    response = client.get(f"/{language}/")

    assert response.status_code == 500
    page = _assert_within_csp(response)
    assert f'<html lang="{language}">' in page
    assert words in page
    assert 'href="/en/"' in page
    assert 'href="/fr/"' in page
    assert "boom" not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "This form has expired"), ("fr", "Ce formulaire a expiré")],
)
def test_a_failed_csrf_check_is_branded_and_translated(language, words):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/{language}/accounts/login/", {"login": "a@example.com"})

    assert response.status_code == 403
    page = _assert_within_csp(response)
    assert f'<html lang="{language}">' in page
    assert words in page
    assert "cookies" in page
