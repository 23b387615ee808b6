"""Going live: each gate with what it says is missing, the live run started when all pass
(against the sandbox venue), and a key verdict that stops live runs."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.connection_tests import verdict_listeners
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.models import ConnectionTest
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.services import live_start
from tests.accounts.helpers import enrol, make_user, totp_code, verify_session
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import kraken_futures, paper_run, sandbox_key, stored
from tests.strategies.test_runs_live_futures import SHORT, SYMBOL
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db


@pytest.fixture
def trader(sandbox):
    """A verified user with a paper run that started 25 hours ago and a green Kraken key."""
    user = make_user("trader@example.com")
    device = enrol(user)
    client = Client()
    client.force_login(user)
    verify_session(client, device)
    candles = hand_candles()
    stored(candles)
    paper = paper_run(user, HAND, candles, start=1)
    StrategyRun.objects.filter(pk=paper.pk).update(started_at=timezone.now() - timedelta(hours=25))
    key = sandbox_key(sandbox, user, "spot-full")  # its connection test runs inline: green
    return client, user, device, paper, key


def form(key, *, code="", accept=True, **changes):
    data = {"key": str(key.pk) if key else "", "capital": "500", "notional_cap": "200"}
    if accept:
        data["accept"] = "on"
    return data | {"code": code} | changes


def missing(response) -> str:
    return page(response)


def test_every_gate_passed_starts_a_live_run_that_prepares_against_the_exchange(
    trader, django_capture_on_commit_callbacks
):
    client, user, device, paper, key = trader
    shown = page(client.get(f"/en/runs/{paper.pk}/go-live/"))
    assert "Done" in shown
    assert "This is a futures market" not in shown  # a spot market: no short, no liquidation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device)))

    assert response.status_code == 302
    live = StrategyRun.objects.get(owner=user, mode=RunMode.LIVE)
    assert (live.key, live.capital, live.notional_cap) == (key, 500, 200.0)
    assert (live.document, live.symbol, live.fee) == (paper.document, paper.symbol, paper.fee)
    # Prepared on the long cluster (inline here): key checked, the account's BTC noted.
    assert (live.status, live.base_baseline) == (RunStatus.RUNNING, 2.0)


def test_a_paper_run_shorter_than_a_day_is_named_with_its_length(trader):
    client, _user, device, paper, key = trader
    StrategyRun.objects.filter(pk=paper.pk).update(started_at=timezone.now() - timedelta(hours=3))

    text = page(client.post(f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device))))

    assert "for 24 hours first: the longest paper run so far lasted 3.0 hours." in text
    assert not StrategyRun.objects.filter(mode=RunMode.LIVE).exists()


def test_no_key_a_key_not_green_and_a_key_tested_too_long_ago(trader, sandbox):
    client, user, _device, paper, key = trader
    url = f"/en/runs/{paper.pk}/go-live/"

    assert "Choose one of your Kraken keys" in page(client.post(url, form(None, code="1")))
    read_only = sandbox_key(sandbox, user, "spot-read-only")
    text = page(client.post(url, form(read_only)))
    assert "The key's last connection test is not green." in text
    assert "Open the page of the key spot-read-only" in text
    withdraws = sandbox_key(sandbox, user, "spot-withdraw")
    assert "The key can withdraw funds" in page(client.post(url, form(withdraws)))
    ConnectionTest.objects.filter(key=key).update(finished_at=timezone.now() - timedelta(hours=25))
    assert "more than 24 hours old" in page(client.post(url, form(key)))
    assert not StrategyRun.objects.filter(mode=RunMode.LIVE).exists()


def test_the_risk_notice_and_a_fresh_code_are_required(trader):
    client, _user, device, paper, key = trader
    url = f"/en/runs/{paper.pk}/go-live/"

    assert "tick the box that says you accept it" in page(
        client.post(url, form(key, code=totp_code(device), accept=False))
    )
    assert "Type a fresh code from your authenticator app" in page(
        client.post(url, form(key, code="000000"))
    )
    assert "Type a fresh code from your authenticator app" in page(
        client.post(url, form(key, code="backup01"))  # a backup code does not count
    )
    assert not StrategyRun.objects.filter(mode=RunMode.LIVE).exists()


def test_a_strategy_that_sells_short_goes_live_on_a_futures_market(
    trader, sandbox, django_capture_on_commit_callbacks
):
    client, user, device, _paper, _key = trader
    candles = hand_candles()
    stored(candles, SYMBOL, kraken_futures())
    paper = paper_run(
        user, SHORT, candles, start=1, allows_shorts=True, symbol=SYMBOL, amount_step=1e-4,
        exchange=kraken_futures(),
    )  # fmt: skip
    StrategyRun.objects.filter(pk=paper.pk).update(started_at=timezone.now() - timedelta(hours=25))
    key = sandbox_key(sandbox, user, "futures-full")
    notice = page(client.get(f"/fr/runs/{paper.pk}/go-live/"))
    assert "le prix monte, sans limite. La plateforme ferme une position" in notice

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device)))

    assert response.status_code == 302
    live = StrategyRun.objects.get(owner=user, mode=RunMode.LIVE)
    assert (live.exchange.slug, live.symbol, live.allows_shorts) == ("kraken-futures", SYMBOL, True)
    # Prepared: the key checked, the account's position in the contract noted (none).
    assert (live.status, live.base_baseline) == (RunStatus.RUNNING, 0.0)


def test_a_verdict_against_the_key_stops_its_live_runs(trader, django_capture_on_commit_callbacks):
    _client, user, _device, paper, key = trader
    live = paper_run(user, HAND, hand_candles(), start=1)
    StrategyRun.objects.filter(pk=live.pk).update(mode=RunMode.LIVE, key=key)
    assert live_start.runs_stop_on_key_verdict in verdict_listeners

    live_start.runs_stop_on_key_verdict(key, Diagnosis(verdict=Verdict.UNAVAILABLE))
    live.refresh_from_db()
    assert live.status == RunStatus.RUNNING  # nothing learnt about the key
    with django_capture_on_commit_callbacks(execute=True):
        live_start.runs_stop_on_key_verdict(key, Diagnosis(verdict=Verdict.WITHDRAW_ENABLED))

    live.refresh_from_db()
    assert (live.status, live.stop_code) == (RunStatus.FAILED, "key_refused")
    paper.refresh_from_db()
    assert paper.status == RunStatus.RUNNING  # a paper run trades with no key


def test_the_daily_recheck_tests_every_live_runs_key_again(trader):
    _client, user, _device, _paper, key = trader
    live = paper_run(user, HAND, hand_candles(), start=1)
    StrategyRun.objects.filter(pk=live.pk).update(mode=RunMode.LIVE, key=key)
    before = ConnectionTest.objects.filter(key=key).count()

    assert live_start.live_keys_recheck() == 1

    assert ConnectionTest.objects.filter(key=key).count() == before + 1


def test_a_second_live_run_on_a_key_and_market_already_traded_is_refused(
    trader, django_capture_on_commit_callbacks
):
    client, user, device, paper, key = trader
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device)))
    first = StrategyRun.objects.get(owner=user, mode=RunMode.LIVE)
    assert first.status == RunStatus.RUNNING

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device, steps_ahead=1))
        )
        french = client.post(
            f"/fr/runs/{paper.pk}/go-live/", form(key, code=totp_code(device, steps_ahead=1))
        )

    assert response.status_code == 200
    refusal = f"The key spot-full already trades BTC/USD in another live run (#{first.pk})"
    assert refusal in missing(response)
    assert (
        f"La clé spot-full trade déjà BTC/USD dans une autre session réelle (#{first.pk})"
        in missing(french)
    )
    assert StrategyRun.objects.filter(owner=user, mode=RunMode.LIVE).count() == 1

    # Once stopped, it leaves the market to another run.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/runs/{first.pk}/stop/")
        # The code refused with the gates was never checked, so it is still fresh.
        client.post(f"/en/runs/{paper.pk}/go-live/", form(key, code=totp_code(device, 1)))
    assert StrategyRun.objects.filter(owner=user, mode=RunMode.LIVE).count() == 2
