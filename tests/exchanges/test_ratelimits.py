"""The per-key call counter that replaces ccxt's spacing for Kraken's private calls."""

import time

import ccxt
import pytest

from exchanges import clients, ratelimits
from exchanges.credentials import Credentials
from exchanges.ratelimits import CallCounter
from exchanges.sandbox import CallCounter as VenueCounter

KRAKEN = ratelimits.COUNTERS["kraken"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def take(clock: FakeClock, cost: float = 1.0, key: str = "k") -> float:
    return ratelimits.take(KRAKEN, key, cost, clock=clock, sleep=clock.sleep)


def test_a_key_bursts_up_to_krakens_ceiling_without_waiting():
    clock = FakeClock()
    # Kraken's Starter tier allows 15; one is kept back for its stepwise decay.
    assert [take(clock) for _ in range(14)] == [0.0] * 14
    assert clock.slept == []


def test_past_the_ceiling_a_call_waits_for_the_counter_to_decay():
    clock = FakeClock()
    for _ in range(14):
        take(clock)
    assert take(clock) == pytest.approx(1 / 0.33)  # one unit decays in about 3 s
    assert take(clock, cost=2) == pytest.approx(2 / 0.33)  # a ledger call counts two


def test_the_counter_decays_between_calls_and_never_below_zero():
    clock = FakeClock()
    for _ in range(14):
        take(clock)
    clock.now += 10 / 0.33 + 1e-6  # ten units decayed
    assert [take(clock) for _ in range(10)] == [0.0] * 10
    assert take(clock) > 0
    clock.now += 3600
    assert [take(clock) for _ in range(14)] == [0.0] * 14


def test_each_key_has_its_own_counter():
    clock = FakeClock()
    for _ in range(14):
        take(clock, key="a")
    assert take(clock, key="b") == 0.0


def test_order_calls_are_left_to_the_trading_engines_limiter():
    assert KRAKEN.cost_of("AddOrder") == KRAKEN.cost_of("CancelOrder") == 0
    assert KRAKEN.cost_of("TradesHistory") == KRAKEN.cost_of("Ledgers") == 2
    assert KRAKEN.cost_of("BalanceEx") == 1
    assert KRAKEN.covers(["private"])
    assert not KRAKEN.covers(["public"])


def test_a_slow_answer_dates_the_count_from_the_answer():
    clock = FakeClock()
    for _ in range(14):
        take(clock)
    clock.now += 5.0  # the last request took 5 s: the venue may have counted it just now
    ratelimits.restamp(KRAKEN, "k", clock=clock)
    assert take(clock) == pytest.approx(1 / 0.33)


def test_the_cache_key_never_holds_the_api_key():
    key = ratelimits.counter_key("kraken", "VISIBLE-API-KEY")
    assert "VISIBLE" not in key
    assert key != ratelimits.counter_key("kraken", "another key")


@pytest.fixture
def strict_venue(venue, settings, monkeypatch):
    """The sandbox counting calls like Kraken, with a small ceiling and a fast decay so the
    test takes a second; the client's counter is the same."""
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = True
    venue.state.counter = VenueCounter(maximum=3, decay_per_second=5.0)
    small = CallCounter(ceiling=3, decay_per_second=5.0, apis=frozenset({"private"}))
    monkeypatch.setitem(ratelimits.COUNTERS, "kraken", small)
    yield venue
    venue.state.counter = None


def sandbox_client(venue) -> ccxt.Exchange:
    key = venue.key("spot-full")
    return clients.build("kraken", Credentials(api_key=key.key, secret=key.secret))


def test_against_a_counting_venue_the_limiter_never_trips_its_rate_limit(strict_venue):
    started = time.monotonic()
    for _ in range(3):  # a fresh client, as each connection test builds
        client = sandbox_client(strict_venue)
        client.private_post_balanceex()
        client.private_post_balanceex()
    elapsed = time.monotonic() - started
    # 6 calls against a ceiling of 3 decaying by 5 a second: about 0.6 s of waiting, where
    # ccxt's own spacing (rateLimit 1 s * cost 3) would have taken 9 s.
    assert 0.5 < elapsed < 3


def test_without_the_limiter_the_same_burst_is_refused(strict_venue, settings):
    settings.EXCHANGE_RATE_LIMIT = False
    client = sandbox_client(strict_venue)
    for _ in range(3):
        client.private_post_balanceex()
    with pytest.raises(ccxt.DDoSProtection, match="EAPI:Rate limit exceeded"):
        client.private_post_balanceex()


def test_public_calls_keep_ccxts_spacing(strict_venue):
    client = sandbox_client(strict_venue)
    assert client.fetch2 is not ccxt.kraken.fetch2  # wrapped...
    started = time.monotonic()
    client.public_get_time()
    client.public_get_time()
    assert time.monotonic() - started >= 0.9  # ...but public calls still wait rateLimit (1 s)
