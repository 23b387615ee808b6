"""Binance keys' connection tests end to end: the real form, the task, ccxt's binance and
binanceusdm classes, the sandbox's Binance dialects, the verdict and the status page."""

import secrets
import string
import time

import pytest
from django.core.cache import cache

from exchanges import clients, retry
from exchanges.diagnosis import Verdict
from exchanges.models import ConnectionTest, ExchangeKey, KeyStatus
from tests.exchanges.test_connection_test import status_page

pytestmark = pytest.mark.django_db

ALPHANUMERIC = string.ascii_letters + string.digits


@pytest.fixture
def binance_on_sandbox(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"binance": venue.url, "binanceusdm": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def add_binance_key(client, on_commit, venue, label, slug="binance", **override):
    demo = venue.key(label)
    data = {"label": f"{label} {slug}", "api_key": demo.key, "secret": demo.secret, **override}
    with on_commit(execute=True):
        response = client.post(f"/en/profile/keys/add/{slug}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ExchangeKey.objects.get(label=data["label"])


def made_up(length: int = 64) -> str:
    return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def test_a_good_binance_key_gets_the_green_tick(
    owner_client, django_capture_on_commit_callbacks, binance_on_sandbox
):
    key = add_binance_key(
        owner_client, django_capture_on_commit_callbacks, binance_on_sandbox, "binance-full"
    )

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == Verdict.OK, test.raw_code
    assert {"enableReading", "enableSpotAndMarginTrading"} <= set(test.permissions_seen)
    assert set(test.currencies) == {"BTC", "ETH", "USDT"}  # BNB 0 is not held
    key.refresh_from_db()
    assert key.status == KeyStatus.OK
    assert "✓ Connected" in status_page(owner_client, key)


@pytest.mark.parametrize(
    ("label", "slug", "verdict", "seen"),
    [
        ("binance-withdraw", "binance", Verdict.WITHDRAW_ENABLED, "enableWithdrawals"),
        ("binance-read-only", "binance", Verdict.MISSING_PERMISSION, "enableReading"),
        ("binance-full", "binance-usdm", Verdict.OK, "enableFutures"),
        ("binance-spot-only", "binance-usdm", Verdict.MISSING_PERMISSION, "enableReading"),
    ],
)
def test_each_binance_key_switch_gets_its_verdict(
    owner_client, django_capture_on_commit_callbacks, binance_on_sandbox, label, slug, verdict, seen
):
    key = add_binance_key(
        owner_client, django_capture_on_commit_callbacks, binance_on_sandbox, label, slug
    )

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == verdict, test.raw_code
    assert seen in test.permissions_seen
    if label == "binance-withdraw":
        assert test.refused_permissions == ["enableWithdrawals"]
    if verdict == Verdict.MISSING_PERMISSION:
        needed = "enableFutures" if slug == "binance-usdm" else "enableSpotAndMarginTrading"
        assert test.missing_permissions == [needed]
    key.refresh_from_db()
    # Binance ends Spot trading on a key without trusted IPs: that end is a Spot key's, not
    # a futures key's.
    trades_spot = "enableSpotAndMarginTrading" in test.permissions_seen
    assert (key.expires_on is not None) == (trades_spot and slug == "binance")


@pytest.mark.parametrize(
    ("label", "override", "verdict", "raw_code", "anchor"),
    [
        # A secret that is not the key's: Binance's -1022.
        ("binance-full", {"secret": made_up()}, Verdict.WRONG_CREDENTIALS, "-1022", "binance-1022"),
        # A well-formed key Binance does not know: -2015, the IP first on the checklist.
        ("binance-full", {"api_key": made_up()}, Verdict.AMBIGUOUS, "-2015", "binance-2015"),
        # Our IP is not on the key's trusted list: the same -2015.
        ("binance-ip-restricted", {}, Verdict.AMBIGUOUS, "-2015", "binance-2015"),
    ],
)
def test_each_refusal_gets_binance_s_own_code_and_guide_entry(
    owner_client,
    django_capture_on_commit_callbacks,
    binance_on_sandbox,
    label,
    override,
    verdict,
    raw_code,
    anchor,
):
    key = add_binance_key(
        owner_client,
        django_capture_on_commit_callbacks,
        binance_on_sandbox,
        label,
        **override,
    )

    test = ConnectionTest.objects.get(key=key)
    assert (test.verdict, test.raw_code) == (verdict, raw_code)
    page = status_page(owner_client, key)
    assert f'href="/en/guides/binance/#error-{anchor}"' in page
    if verdict == Verdict.AMBIGUOUS:
        assert test.checklist[0] == Verdict.IP_NOT_ALLOWED
        assert 'href="/en/guides/binance/#error-ip-address-not-allowed"' in page


def test_from_a_restricted_location_nothing_is_said_against_the_key(
    owner_client, django_capture_on_commit_callbacks, binance_on_sandbox, monkeypatch
):
    build = clients.build

    def from_a_restricted_country(*args, **kwargs):
        client = build(*args, **kwargs)
        client.headers = {"X-Sandbox-Client-IP": "198.51.100.7"}  # TEST-NET-2: "restricted"
        return client

    monkeypatch.setattr(clients, "build", from_a_restricted_country)

    key = add_binance_key(
        owner_client, django_capture_on_commit_callbacks, binance_on_sandbox, "binance-full"
    )

    test = ConnectionTest.objects.get(key=key)
    assert test.verdict == Verdict.LOCATION_REFUSED
    key.refresh_from_db()
    assert key.status == KeyStatus.UNTESTED  # nothing was learnt about the key
    page = status_page(owner_client, key)
    assert "refuses every connection from the country" in page
    assert 'href="/en/guides/binance/#error-restricted-location"' in page


def test_a_clock_that_moved_since_it_was_measured_is_measured_again(
    owner_client, django_capture_on_commit_callbacks, binance_on_sandbox
):
    on_commit = django_capture_on_commit_callbacks
    first = add_binance_key(owner_client, on_commit, binance_on_sandbox, "binance-full")
    assert ConnectionTest.objects.get(key=first).verdict == Verdict.OK  # the offset is cached
    # Binance's clock is now 30 s ahead of the offset measured: every signed request is
    # refused with -1021 until the offset is measured again.
    binance_on_sandbox.freeze_time(time.time() + 30)

    second = add_binance_key(owner_client, on_commit, binance_on_sandbox, "binance-bnb")

    test = ConnectionTest.objects.get(key=second)
    assert test.verdict == Verdict.OK, test.raw_code
    # Measured again after the refusal, and shared with the next clients.
    offset = cache.get(clients._cache_key("clock-offset", "binance", per_host=True))
    assert 29_000 < abs(offset) < 31_000  # ccxt keeps ours minus theirs
