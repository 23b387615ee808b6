"""The Binance USDⓈ-M futures REST dialect: ``/fapi/v1/...``, ``/fapi/v2/...``, ``/fapi/v3/...``.

Written from Binance's USDⓈ-M Futures API documentation (General Info, Common Definition,
Error Codes, Market Data, Trade, Account, the Algo Order API of the 2025-11-06 change log) and
checked with ccxt's unmodified ``binanceusdm`` (4.5.90). binance_common.py holds the wire rules
the Spot dialect shares (errors, SIGNED requests, weights, the restricted-location answer);
this dialect counts its requests on its own REQUEST_WEIGHT limiter (2400 a minute, as
exchangeInfo says) and needs a key with Enable Futures for every signed call (-2015 otherwise,
as for an unknown key). Every route below carries its documented weight, 0 where Binance
counts the request elsewhere (new orders: on the order-count limits; fundingRate and
fundingInfo: on a separate 500 per 5 minutes the sandbox does not keep).

The modules: binance_futures_market.py (public data), binance_futures_orders.py (orders),
binance_futures_algo.py (conditional orders, the Algo Order API), binance_futures_account.py
(account, balance, positions, position mode, income, trades, commission), with
binance_futures_checks.py (order checks), binance_futures_views.py (order and trade answers)
and binance_futures_common.py (contracts, ids, formats, the lookup rule).
"""

from __future__ import annotations

from collections.abc import Callable

from exchanges.sandbox import binance_futures_account as account
from exchanges.sandbox import binance_futures_algo as algo
from exchanges.sandbox import binance_futures_market as market
from exchanges.sandbox import binance_futures_orders as orders
from exchanges.sandbox.binance_routes import BinanceDialect, Handler, Route

FUTURES = "enableFutures"


def signed(handler: Handler, weight: int | Callable[[dict[str, str]], int] = 1) -> Route:
    return Route(handler, weight, signed=True, permission=FUTURES)


ROUTES = {
    # Public market data.
    ("GET", "/fapi/v1/ping"): Route(market.ping),
    ("GET", "/fapi/v1/time"): Route(market.server_time),
    ("GET", "/fapi/v1/exchangeInfo"): Route(market.exchange_info),
    ("GET", "/fapi/v1/klines"): Route(market.klines, market.limit_weight),
    ("GET", "/fapi/v1/depth"): Route(market.depth, market.depth_weight),
    ("GET", "/fapi/v1/ticker/24hr"): Route(market.ticker_24hr, market.by_symbol(1, 40)),
    ("GET", "/fapi/v1/ticker/price"): Route(market.ticker_price, market.by_symbol(1, 2)),
    ("GET", "/fapi/v2/ticker/price"): Route(market.ticker_price, market.by_symbol(1, 2)),
    ("GET", "/fapi/v1/premiumIndex"): Route(market.premium_index, market.by_symbol(1, 10)),
    ("GET", "/fapi/v1/fundingRate"): Route(market.funding_history, 0),
    ("GET", "/fapi/v1/fundingInfo"): Route(market.funding_info, 0),
    # Orders.
    ("POST", "/fapi/v1/order"): signed(orders.new_order, 0),
    ("GET", "/fapi/v1/order"): signed(orders.query_order),
    ("DELETE", "/fapi/v1/order"): signed(orders.cancel_order),
    ("GET", "/fapi/v1/openOrder"): signed(orders.query_open_order),
    ("GET", "/fapi/v1/openOrders"): signed(orders.open_orders, market.by_symbol(1, 40)),
    ("GET", "/fapi/v1/allOrders"): signed(orders.all_orders, 5),
    ("DELETE", "/fapi/v1/allOpenOrders"): signed(orders.cancel_all_open_orders),
    # Conditional orders.
    ("POST", "/fapi/v1/algoOrder"): signed(algo.new_algo_order, 0),
    ("GET", "/fapi/v1/algoOrder"): signed(algo.query_algo_order),
    ("DELETE", "/fapi/v1/algoOrder"): signed(algo.cancel_algo_order),
    ("GET", "/fapi/v1/openAlgoOrders"): signed(algo.open_algo_orders, market.by_symbol(1, 40)),
    ("GET", "/fapi/v1/allAlgoOrders"): signed(algo.all_algo_orders, 5),
    ("DELETE", "/fapi/v1/algoOpenOrders"): signed(algo.cancel_all_algo_open_orders),
    # The account.
    ("GET", "/fapi/v3/account"): signed(account.account, 5),
    ("GET", "/fapi/v3/balance"): signed(account.balance, 5),
    ("GET", "/fapi/v3/positionRisk"): signed(account.position_risk, 5),
    ("GET", "/fapi/v1/leverageBracket"): signed(account.leverage_brackets),
    ("GET", "/fapi/v1/positionSide/dual"): signed(account.position_mode, 30),
    ("POST", "/fapi/v1/positionSide/dual"): signed(account.change_position_mode),
    ("GET", "/fapi/v1/income"): signed(account.income, 30),
    ("GET", "/fapi/v1/userTrades"): signed(account.user_trades, 5),
    ("GET", "/fapi/v1/commissionRate"): signed(account.commission_rate, 20),
}


class BinanceUsdmDialect(BinanceDialect):
    name = "binanceusdm"
    prefixes = ("/fapi/",)
    routes = ROUTES
