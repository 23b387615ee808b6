"""The market field: the exchange's own names for a market resolve to ccxt's symbol, an
unknown one is refused with close matches and where to see them all, and the markets endpoint
that fills the field's list (against the sandbox venue: never the internet)."""

import json

import pytest
from django.test import Client

from exchanges.sandbox.faults import Fault
from strategies.models import Backtest, StrategyRun
from strategies.services.backtest_markets import MarketUnknown, market_facts
from tests.accounts.helpers import enrol, make_user, verify_session
from tests.strategies.backtest_run_helpers import form_data
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import kraken, kraken_futures

pytestmark = pytest.mark.django_db

# The sandbox's Kraken lists four spot markets: BTC/USD (XXBTZUSD, altname XBTUSD,
# wsname XBT/USD), ETH/USD (XETHZUSD), SOL/USD (SOLUSD) and BTC/EUR (XXBTZEUR); Kraken Futures two
# perpetuals, BTC/USD:USD (PF_XBTUSD) and ETH/USD:USD (PF_ETHUSD).
PAPER_FORM = {
    "strategy": "catalog:ema-crossover",
    "exchange": "kraken",
    "timeframe": "1h",
    "capital": "1000",
    "fee": "",
    "slippage_bps": "5",
    "max_volume_share": "10",
}
MARKETS_URL = "/en/strategies/markets/kraken/"


def verified(email: str) -> Client:
    user = make_user(email)
    client = Client()
    client.force_login(user)
    verify_session(client, enrol(user))
    return client


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("XBT/USD", "BTC/USD"),  # Kraken's own code for bitcoin
        ("xbtusd", "BTC/USD"),  # its altname, in lower case
        ("XXBTZUSD", "BTC/USD"),  # its market id
        ("xxbtzusd", "BTC/USD"),
        ("btc/usd", "BTC/USD"),
        (" xbt-eur ", "BTC/EUR"),
        ("eth usd", "ETH/USD"),
    ],
)
def test_the_exchanges_own_names_resolve_to_ccxts_symbol(sandbox, typed, symbol):
    assert market_facts(kraken(), typed).symbol == symbol


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("PF_XBTUSD", "BTC/USD:USD"),  # the contract's id
        ("xbt/usd:usd", "BTC/USD:USD"),
        ("XBT/USD", "BTC/USD:USD"),  # the only market of that base and quote there
    ],
)
def test_a_perpetuals_names_resolve_on_kraken_futures(sandbox, typed, symbol):
    facts = market_facts(kraken_futures(), typed)

    assert (facts.symbol, facts.allows_shorts) == (symbol, True)


def test_an_unknown_market_comes_with_the_markets_closest_to_it(sandbox):
    with pytest.raises(MarketUnknown) as unknown:
        market_facts(kraken(), "ETH/EUR")

    # Each shares one currency with ETH/EUR; BTC/USD shares none.
    assert set(unknown.value.matches) == {"ETH/USD", "BTC/EUR"}
    assert unknown.value.symbol == "ETH/EUR"


def test_a_paper_run_started_with_xbt_usd_trades_btc_usd(sandbox):
    client = verified("xbt@example.com")

    response = client.post("/en/runs/new/", PAPER_FORM | {"symbol": "XBT/USD"})

    assert response.status_code == 302
    assert StrategyRun.objects.get().symbol == "BTC/USD"


def test_a_backtest_started_with_the_market_id_is_stored_under_ccxts_symbol(sandbox):
    client = verified("xxbtzusd@example.com")

    response = client.post("/en/strategies/backtests/new/", form_data(symbol="xxbtzusd"))

    assert response.status_code == 302
    assert Backtest.objects.get().symbol == "BTC/USD"


def test_an_unknown_market_is_refused_naming_close_matches_and_the_full_list(sandbox):
    client = verified("eth-eur@example.com")

    text = page(client.post("/en/runs/new/", PAPER_FORM | {"symbol": "ETH/EUR"}))

    assert "Kraken has no market ETH/EUR (any more). Close matches: " in text
    matches = text.split("Close matches: ")[1].split(".")[0]
    assert sorted(matches.split(", ")) == ["BTC/EUR", "ETH/USD"]
    assert f"or see them all at {MARKETS_URL}." in text
    assert not StrategyRun.objects.exists()
    # The existing sentence keeps its French; the address is the French page's.
    french = page(client.post("/fr/runs/new/", PAPER_FORM | {"symbol": "ETH/EUR"}))
    assert "Kraken n\u2019a pas de marché ETH/EUR (ou plus)." in french
    assert "/fr/strategies/markets/kraken/" in french


def test_the_field_offers_a_list_filled_from_the_markets_endpoint():
    client = verified("list@example.com")

    text = page(client.get("/en/runs/new/"))

    assert 'list="id_symbol_markets"' in text
    assert '<datalist id="id_symbol_markets"></datalist>' in text
    assert 'data-markets-url="/en/strategies/markets/exchange-slug/"' in text
    assert 'data-markets-slot="exchange-slug"' in text
    assert "strategies/markets.js" in text
    # Without JavaScript it is still a text input that posts the market typed.
    assert 'type="text" name="symbol"' in text


def test_the_markets_endpoint_lists_each_market_with_the_exchanges_names(sandbox):
    client = Client()
    client.force_login(make_user("endpoint@example.com"))  # signed in; no second factor needed

    response = client.get(MARKETS_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert (body["exchange"], body["name"]) == ("kraken", "Kraken")
    symbols = [market["symbol"] for market in body["markets"]]
    assert symbols == ["BTC/EUR", "BTC/USD", "ETH/USD", "SOL/USD"]
    btc_usd = body["markets"][1]
    assert btc_usd == {
        "symbol": "BTC/USD",
        "type": "spot",
        "aliases": ["XBT/USD", "XBTUSD", "XXBTZUSD"],
    }


def test_the_markets_endpoint_needs_a_sign_in_and_then_never_calls_the_exchange(
    sandbox, monkeypatch
):
    def no_call(exchange):
        raise AssertionError("an anonymous request reached the exchange")

    monkeypatch.setattr("strategies.views.markets.markets_listed", no_call)

    response = Client().get(MARKETS_URL)

    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Sign in to see the exchanges' markets."}


@pytest.mark.parametrize("slug", ["no-such-exchange", "KRAKEN", "kraken_"])
def test_an_exchange_we_do_not_offer_is_a_json_404(sandbox, slug):
    client = Client()
    client.force_login(make_user("slug@example.com"))

    response = client.get(f"/en/strategies/markets/{slug}/")

    assert response.status_code == 404
    assert json.loads(response.content) == {
        "error": "Noon Barbari offers no exchange by that name."
    }


def test_an_exchange_that_cannot_answer_is_a_json_503_not_a_server_error(sandbox):
    sandbox.inject(Fault("unavailable", count=20, venue="spot"))
    client = Client()
    client.force_login(make_user("down@example.com"))

    response = client.get(MARKETS_URL)

    assert response.status_code == 503
    error = json.loads(response.content)["error"]
    assert error.startswith("Kraken did not answer in time or is under maintenance.")
