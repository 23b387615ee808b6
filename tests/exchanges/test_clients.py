"""Building clients: markets and the clock offset shared through the cache, offline."""

from typing import Any

import ccxt
import pytest

from exchanges import clients
from tests.exchanges.fake_http import FakeSession
from tests.exchanges.guide_content import guide_ccxt_ids

SERVER_AHEAD_MS = 1500


def answer_time(client: Any) -> FakeSession:
    """Binance's time endpoint, with a server clock 1.5 s ahead of ours; records the calls."""
    server_time = {"serverTime": client.milliseconds() + SERVER_AHEAD_MS}
    client.session = FakeSession({"https://api.binance.com/api/v3/time": (200, server_time)})
    return client.session


@pytest.fixture
def binance_markets_cached():
    """Another process loaded Binance's markets and shared them."""
    market = {"id": "BTCUSDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT", "spot": True}
    loaded = clients.build("binance")
    loaded.set_markets([market])
    clients.share_markets(loaded)


def test_with_markets_cached_the_clock_offset_is_still_measured_then_shared(
    binance_markets_cached,
):
    first = clients.build("binance")
    assert first.markets  # from the cache: load_markets, which measures the offset, won't run
    calls = answer_time(first)

    clients.ensure_markets(first)

    assert len(calls.calls) == 1
    assert first.options["timeDifference"] == pytest.approx(-SERVER_AHEAD_MS, abs=200)
    # Another process's client signs with the exchange's clock without asking again.
    second = clients.build("binance")
    again = answer_time(second)
    clients.ensure_markets(second)
    assert again.calls == []
    assert second.options["timeDifference"] == first.options["timeDifference"]
    assert second.nonce() == pytest.approx(second.milliseconds() + SERVER_AHEAD_MS, abs=200)


def test_the_offset_is_kept_per_machine(binance_markets_cached, monkeypatch):
    first = clients.build("binance")
    answer_time(first)
    clients.ensure_markets(first)
    monkeypatch.setattr(clients.socket, "gethostname", lambda: "another-machine")
    assert clients.build("binance").options.get("timeDifference", 0) == 0


# Written out here, not read from the code: dropping an exchange from the code's list must fail.
# Their nonce is a counter that only has to grow; aligned on a re-measured server clock it
# could go backwards between two processes (EAPI:Invalid nonce, Bitfinex "nonce: small").
COUNTER_NONCES = ["kraken", "krakenfutures", "bitfinex"]
# Their signatures carry a timestamp checked against the exchange's clock (Binance's
# recvWindow, OKX's and Bybit's timestamps...): a drifting server clock must not look like a
# broken key.
CLOCK_SIGNERS = ["binance", "binanceusdm", "okx", "bybit", "coinbase", "kucoin", "bitget", "gate"]


@pytest.mark.parametrize("ccxt_id", COUNTER_NONCES)
def test_counter_nonces_are_not_aligned_on_the_exchange_clock(ccxt_id):
    assert clients.build(ccxt_id).options.get("adjustForTimeDifference") is False


@pytest.mark.parametrize("ccxt_id", CLOCK_SIGNERS)
def test_timestamped_signatures_use_the_exchange_clock(ccxt_id):
    assert clients.build(ccxt_id).options.get("adjustForTimeDifference") is True


def test_every_guide_exchange_is_classified():
    assert guide_ccxt_ids() == {*COUNTER_NONCES, *CLOCK_SIGNERS}


@pytest.mark.parametrize(
    ("ccxt_id", "dialect"), [("binance", "binance"), ("binanceusdm", "binanceusdm")]
)
def test_a_client_pointed_at_the_sandbox_classifies_errors_as_the_exchange_s_host_would(
    venue, settings, ccxt_id, dialect
):
    """ccxt reads Binance's -1008 through the answering host's error map: OperationFailed
    from api.binance.com and fapi.binance.com (a failure to retry), a plain ExchangeError
    from an unknown host. Pointed at the sandbox, a client must still see the former."""
    settings.EXCHANGE_API_OVERRIDES = {ccxt_id: venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    client = clients.build(ccxt_id)
    clients.ensure_markets(client)
    venue.inject_unavailable(venue=dialect)

    with pytest.raises(ccxt.OperationFailed) as raised:
        client.fetch_ticker(next(iter(client.markets)))

    assert not isinstance(raised.value, ccxt.ExchangeError)
