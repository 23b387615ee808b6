"""No server error, for any input: each bad request gets a clear answer and one log line."""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

from tests.accounts.helpers import enrol, make_user, verify_session

pytestmark = pytest.mark.django_db

# A sample value for each path converter, so that every route gives a concrete address.
SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _routes(patterns: list, prefix: str = "") -> Iterator[str]:
    """Every path the URL conf serves (regex routes, the admin's catch-alls, are skipped)."""
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            part = "en/"
        elif isinstance(pattern, RoutePattern):
            part = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], str(pattern))
        else:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


@dataclass(frozen=True)
class Bad:
    """A request a visitor (`who`) sends, and the answer it must get instead of a 500."""

    who: str  # anonymous, verified (a user with 2FA, session confirmed), staff
    method: str
    path: str
    data: str = ""
    content_type: str = "application/x-www-form-urlencoded"
    status: int | None = None  # None: any answer but a server error


NEXT_WORD = [
    Bad("verified", "GET", "/en/accounts/login/code/?next=x"),
    Bad("verified", "GET", "/en/profile/two-factor/enable/?next=x"),
    Bad("verified", "GET", "/en/profile/two-factor/verify/?next=x"),
    Bad("verified", "GET", "/en/profile/two-factor/backup-codes/?next=x"),
    Bad("verified", "POST", "/en/profile/two-factor/backup-codes/saved/?next=x"),
]
UTF16 = "application/x-www-form-urlencoded; charset=utf-16"
CHARSET = [Bad("verified", "POST", path, "a=b", UTF16, status=400) for path in ROUTES]
NUL = [
    Bad("staff", "GET", "/en/admin/accounts/user/?preferred_language__exact=%00", status=400),
    Bad("staff", "GET", "/en/admin/accounts/user/?q=a%00b", status=400),
    Bad("staff", "GET", "/en/admin/accounts/securityevent/?kind=%00", status=400),
    # In a form, the field says so itself (Django's form fields refuse NUL characters).
    Bad("anonymous", "POST", "/en/accounts/login/", "login=a%00@example.com&password=x"),
]


def _client(who: str) -> Client:
    client = Client(raise_request_exception=False)
    if who == "anonymous":
        return client
    user = make_user(f"{who}@example.com", is_staff=who == "staff", is_superuser=who == "staff")
    device = enrol(user)
    client.force_login(user)
    verify_session(client, device)
    return client


def test_routes_were_found():
    assert len(ROUTES) > 50
    assert "/en/profile/keys/add/x/" in ROUTES


@pytest.mark.parametrize(
    "bad",
    [*NEXT_WORD, *CHARSET, *NUL],
    ids=lambda bad: f"{bad.method} {bad.path} {bad.content_type}",
)
def test_bad_input_gets_an_answer_and_one_log_line_at_most(bad: Bad, caplog):
    client = _client(bad.who)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        if bad.method == "GET":
            response = client.get(bad.path)
        else:
            response = client.post(bad.path, bad.data, content_type=bad.content_type)

    assert response.status_code < 500
    if bad.status is not None:
        assert response.status_code == bad.status
    if response.status_code in (301, 302):
        assert response["Location"].startswith("/"), response["Location"]
    request_records = [r for r in caplog.records if r.name.startswith(("django", "noonbarbari"))]
    assert len(request_records) <= 1, [r.getMessage() for r in request_records]
    assert not any(r.exc_info for r in caplog.records)


def test_the_refusal_is_a_page_in_the_readers_language(client):
    response = client.post("/fr/accounts/login/", "login=a", content_type=UTF16)

    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "UTF-8" in page
    assert "Ce formulaire" in page
    assert "Content-Security-Policy" in response
