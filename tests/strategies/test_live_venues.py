"""The trading table decides where live runs trade: the go-live page and the service refuse
an exchange it does not verify (naming those that trade live), a live run whose venue left
the table stops at its next tick without sending anything, and the public exchanges page is
generated from it."""

import pytest
from django.test import Client
from django.utils import translation

from exchanges import trading
from exchanges.models import Exchange
from strategies.models import RunMode, RunStatus
from strategies.services import live_start, live_ticks
from strategies.services.start_checks import StartRefused
from tests.accounts.helpers import make_user
from tests.strategies import test_runs_go_live
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

trader = test_runs_go_live.trader  # a verified user, a day-old paper run, a green key

LIVE = (
    "Live runs trade on Kraken (spot), Kraken Futures (futures and perpetuals), Binance (spot), "
    "Binance USDⓈ-M Futures (futures and perpetuals)"
)


def test_the_table_verifies_the_venues_with_a_dialect_and_live_tests_only():
    assert trading.trades_live("kraken", derivative=False)
    assert not trading.trades_live("kraken", derivative=True)
    assert trading.trades_live("krakenfutures", derivative=True)
    assert trading.trades_live("binance", derivative=False)
    assert not trading.trades_live("binance", derivative=True)
    assert trading.trades_live("binanceusdm", derivative=True)
    assert not trading.trades_live("binanceusdm", derivative=False)
    for ccxt_id in ("kucoin", "okx", "bybit"):
        assert not trading.trades_live(ccxt_id, derivative=False)
        assert not trading.trades_live(ccxt_id, derivative=True)


def test_going_live_on_an_unverified_exchange_is_refused_in_both_languages():
    user = make_user("kucoin@example.com")
    kucoin = Exchange.objects.get(ccxt_id="kucoin")
    candles = hand_candles()
    stored(candles, exchange=kucoin, symbol="BTC/USDT")
    paper = paper_run(user, HAND, candles, start=1, exchange=kucoin, symbol="BTC/USDT")

    venue, *_ = live_start.live_gates(paper=paper, key=None, accepted=True, code_ok=True)
    assert not venue.passed
    assert "KuCoin does not trade live on Noon Barbari yet for spot markets" in venue.missing
    assert LIVE in venue.missing
    with translation.override("fr"):
        (french, *_) = live_start.live_gates(paper=paper, key=None, accepted=True, code_ok=True)
    assert "KuCoin ne trade pas encore en réel sur Noon Barbari pour les marchés spot" in (
        french.missing
    )
    with pytest.raises(StartRefused) as refused:
        live_start.strategy_run_go_live(
            owner=user,
            paper=paper,
            key=None,
            capital=500,
            notional_cap=200,
            accepted=True,
            code="123456",
        )
    assert LIVE in refused.value.message


def test_the_go_live_page_of_a_verified_market_passes_the_venue_gate(trader):
    client, _user, _device, paper, _key = trader
    shown = page(client.get(f"/en/runs/{paper.pk}/go-live/"))
    assert "does not trade live" not in shown


def test_a_live_run_whose_venue_left_the_table_stops_before_sending_anything(
    trader,
    sandbox,
    monkeypatch,
):
    _client, _user, _device, paper, key = trader
    paper.mode, paper.key = RunMode.LIVE, key
    paper.save()
    monkeypatch.setitem(trading.VENUES, "kraken", trading.UNVERIFIED)
    orders_before = len(sandbox.state.ledger.orders)

    live_ticks.live_tick(paper, int(hand_candles().time[2]))

    paper.refresh_from_db()
    assert (paper.status, paper.stop_code) == (RunStatus.FAILED, "venue_not_live")
    assert paper.stop_params["venues"] == (
        "Kraken Futures (futures and perpetuals), Binance (spot), "
        "Binance USDⓈ-M Futures (futures and perpetuals)"
    )
    assert paper.cancel_due_at is not None  # its resting orders are cancelled all the same
    assert len(sandbox.state.ledger.orders) == orders_before


def test_the_public_exchanges_page_is_the_table():
    english = page(Client().get("/en/exchanges/"))
    assert "Which exchanges trade live" in english
    kraken_row = english.split('href="/en/guides/kraken/"')[1].split("</tr>")[0]
    assert "<td>live</td>" in kraken_row
    assert "the take-profit is the paper twin" in kraken_row
    futures_row = english.split('href="/en/guides/kraken-futures/"')[1].split("</tr>")[0]
    assert "live, closes reduce-only" in futures_row
    binance_row = english.split('href="/en/guides/binance/"')[1].split("</tr>")[0]
    assert "<td>live</td>" in binance_row
    assert "the stop (moved by a trailing stop) and the take-profit" in binance_row
    usdm_row = english.split('href="/en/guides/binance-usdm/"')[1].split("</tr>")[0]
    assert "live, closes reduce-only" in usdm_row
    kucoin_row = english.split('href="/en/guides/kucoin/"')[1].split("</tr>")[0]
    assert kucoin_row.count("paper only") == 2
    french = page(Client().get("/fr/exchanges/"))
    assert "papier uniquement" in french
