"""The go-live page as a user reads it: "add one first" only without a key fit for trading,
only such keys offered (the others listed with why), a short paper run's age in minutes, and
a code typed while something else is wrong said to be unchecked, not refused."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.models import ConnectionTest
from strategies.models import RunMode, StrategyRun
from tests.accounts.helpers import enrol, make_user, totp_code, verify_session
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, sandbox_key, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

ADD_ONE = "None of your Kraken keys can trade yet: add one on your keys page first"
CHOOSE = "Choose one of your Kraken keys."
NOT_CHECKED = "Your code was not checked: the code is checked last, once everything else is in"
FRESH_CODE = "Type a fresh code from your authenticator app (backup codes do not count here)."


def verified(email: str):
    """A user with a second factor, and a browser session that passed it."""
    user = make_user(email)
    device = enrol(user)
    client = Client()
    client.force_login(user)
    verify_session(client, device)
    return client, user, device


@pytest.fixture
def paper(sandbox):
    """A verified user's paper run of 25 hours on the sandbox's Kraken, and no key yet."""
    client, user, device = verified("golive@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1)
    started(run, timedelta(hours=25))
    return client, user, device, run


def started(run, ago: timedelta) -> None:
    StrategyRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - ago)


def url(run) -> str:
    return f"/en/runs/{run.pk}/go-live/"


def form(key, *, code="", accept=True, **changes):
    data = {"key": str(key.pk) if key else "", "capital": "500", "notional_cap": "200"}
    if accept:
        data["accept"] = "on"
    return data | {"code": code} | changes


def offered(text: str) -> list[tuple[str, str, bool]]:
    """The key select's options: (value, label, selected)."""
    select = re.search(r'<select name="key"[^>]*>(.*?)</select>', text, re.DOTALL)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select.group(1))
    return [(value, label, "selected" in attrs) for value, attrs, label in options]


def test_a_user_with_a_key_fit_for_trading_is_asked_to_choose_it_not_to_add_one(paper, sandbox):
    client, user, _device, run = paper
    key = sandbox_key(sandbox, user, "spot-full")  # its connection test runs inline: green

    text = page(client.get(url(run)))

    assert ADD_ONE not in text
    assert "add one" not in text
    # The only key fit for trading comes chosen: its gate is passed already.
    assert offered(text) == [("", "Choose a key", False), (str(key.pk), "spot-full", True)]
    sent_without = page(client.post(url(run), form(None)))
    assert CHOOSE in sent_without
    assert "add one" not in sent_without


def test_add_one_first_is_said_when_no_key_is_fit_for_trading(paper, sandbox):
    client, user, _device, run = paper

    assert ADD_ONE in page(client.get(url(run)))  # no key at all
    sandbox_key(sandbox, user, "spot-withdraw")
    text = page(client.get(url(run)))

    assert ADD_ONE in text
    assert "Open your keys" in text
    assert [(value, label) for value, label, _selected in offered(text)] == [("", "Choose a key")]


def test_only_keys_whose_last_test_passed_and_fit_for_trading_are_offered(paper, sandbox):
    client, user, device, run = paper
    full = sandbox_key(sandbox, user, "spot-full")
    sandbox_key(sandbox, user, "spot-withdraw")  # refused by its test: it can withdraw
    sandbox_key(sandbox, user, "spot-read-only")  # its test is not green
    tested_long_ago = sandbox_key(sandbox, user, "spot-no-query-funds")
    ConnectionTest.objects.filter(key=tested_long_ago).update(
        finished_at=timezone.now() - timedelta(hours=25)
    )

    text = page(client.get(url(run)))

    assert [label for _value, label, _selected in offered(text)] == ["Choose a key", "spot-full"]
    left_out = text.split("Keys left out, and why:")[1].split("</ul>")[0]
    assert "<strong>spot-withdraw</strong>: The key can withdraw funds" in left_out
    assert "<strong>spot-read-only</strong>: The key's last connection test is not green." in (
        left_out
    )
    assert "<strong>spot-full</strong>" not in left_out
    assert "Open the page of the key spot-withdraw" in left_out
    assert "Only keys fit for trading are offered" in text
    # One sent anyway (a page opened before its test turned red) is refused with its reason.
    withdraws = user.exchange_keys.get(label="spot-withdraw")
    refused = page(client.post(url(run), form(withdraws, code=totp_code(device))))
    assert "The key can withdraw funds" in refused.split('id="id_key_error"')[1].split("</ul>")[0]
    assert not StrategyRun.objects.filter(mode=RunMode.LIVE).exists()
    assert str(full.pk) in [value for value, _label, _selected in offered(refused)]


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(minutes=6, seconds=5), "the longest paper run so far lasted 6 minutes."),
        (timedelta(minutes=1, seconds=5), "the longest paper run so far lasted 1 minute."),
        (timedelta(minutes=59, seconds=50), "the longest paper run so far lasted 59 minutes."),
        (timedelta(minutes=90), "the longest paper run so far lasted 1.5 hours."),
    ],
)
def test_a_paper_run_under_an_hour_is_said_in_minutes(paper, ago, said):
    client, _user, _device, run = paper
    started(run, ago)

    text = page(client.get(url(run)))

    assert f"on paper on Kraken BTC/USD for 24 hours first: {said}" in text
    assert "0.1 hours" not in text


def test_a_valid_code_typed_with_another_field_wrong_is_said_unchecked_and_stays_usable(
    paper, sandbox
):
    client, user, device, run = paper
    key = sandbox_key(sandbox, user, "spot-full")
    code = totp_code(device)

    wrong_field = page(client.post(url(run), form(key, code=code, capital="0")))
    no_notice = page(client.post(url(run), form(key, code=code, accept=False)))

    for text in (wrong_field, no_notice):
        assert NOT_CHECKED in text
        assert FRESH_CODE not in text
        assert "Checked last, once everything else is in order." in text  # the field's help
    assert "Ensure this value is greater than or equal to 0.01." in wrong_field
    assert "tick the box that says you accept it" in no_notice
    # Not checked, so not used up: the same code starts the run once the rest is right.
    response = client.post(url(run), form(key, code=code))
    assert response.status_code == 302
    assert StrategyRun.objects.filter(owner=user, mode=RunMode.LIVE).count() == 1


def test_a_wrong_code_with_everything_else_right_is_refused_as_such(paper, sandbox):
    client, user, _device, run = paper
    key = sandbox_key(sandbox, user, "spot-full")

    text = page(client.post(url(run), form(key, code="000000")))

    assert FRESH_CODE in text.split('id="id_code_error"')[1].split("</ul>")[0]
    assert NOT_CHECKED not in text
    assert not StrategyRun.objects.filter(mode=RunMode.LIVE).exists()


def test_a_ladder_shows_its_worst_case_and_that_live_keeps_it_within_the_cap(sandbox):
    client, user, _device = verified("golive-ladder@example.com")
    candles = hand_candles()
    stored(candles)
    # 50 USD a base order, safety orders costing 50 and 100: 200 at worst, of 1000.
    ladder = HAND.replace(
        "sizing: {kind: fixed_quote, amount: 600}", "sizing: {kind: fixed_quote, amount: 50}"
    )
    ladder += "safety_orders: {count: 2, deviation_pct: 0.01, volume_scale: 2}\n"
    run = paper_run(user, ladder, candles, start=1, capital=1000.0)

    shown = page(client.get(url(run)))

    assert "With every safety order filled, a deal commits up to 200.00 of the quote" in shown
    assert "capital of 1,000.00: 20.00% of it." in shown
    assert "Live, the whole ladder stays within “Most one order may be worth” below" in shown
