"""Keeping markets warm: every hour, the latest candles of each market in use are fetched from
the exchange's candle endpoint before its window moves on (Kraken serves only the latest 720
candles of an interval), so that a market held since the service started never needs its
history rebuilt from trades. In use: a run not ended, a backtest of the last RECENT days, and
the markets staff list (WarmMarket, in the admin).

markets_in_use() -> {(exchange id, symbol, timeframe)}
warm_markets_extend(*, now_ms=None) -> int     candle fills asked for, in the line as the
                                               site's own jobs (users' turns come first)
"""

import time
from datetime import timedelta

from django.utils import timezone

from exchanges.models import Exchange
from strategies.candles.fetch import CANDLE_WINDOW, PAGE_LIMIT
from strategies.candles.store import series_for
from strategies.models import ACTIVE_RUN, Backtest, StrategyRun, WarmMarket
from strategies.series import timeframe_ms
from strategies.services.candle_fills import candle_fill_request

RECENT = timedelta(days=30)
Market = tuple[int, str, str]


def markets_in_use() -> set[Market]:
    fields = ("exchange_id", "symbol", "timeframe")
    runs = StrategyRun.objects.filter(status__in=ACTIVE_RUN).values_list(*fields)
    backtests = Backtest.objects.filter(
        exchange__isnull=False, created_at__gte=timezone.now() - RECENT
    ).values_list(*fields)
    listed = WarmMarket.objects.values_list(*fields)
    return {(int(e), s, t) for e, s, t in [*runs, *backtests, *listed] if e is not None}


def warm_markets_extend(*, now_ms: int | None = None) -> int:
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    exchanges = Exchange.objects.in_bulk({exchange_id for exchange_id, _s, _t in markets_in_use()})
    asked = 0
    for exchange_id, symbol, timeframe in sorted(markets_in_use()):
        exchange = exchanges.get(exchange_id)
        if exchange is None:
            continue
        series = series_for(exchange=exchange, symbol=symbol, timeframe=timeframe)
        start, end = _to_extend(exchange.ccxt_id, series.coverage, timeframe, now_ms)
        if start < end and candle_fill_request(series=series, start=start, end=end, owner_id=None):
            asked += 1
    return asked


def _to_extend(ccxt_id: str, coverage: list, timeframe: str, now_ms: int) -> tuple[int, int]:
    """From the end of what is held (or one page back) to the last closed bar; never further
    back than the candle endpoint's window, where one has a window: only candles, no trades."""
    bar_ms = timeframe_ms(timeframe)
    end = now_ms // bar_ms * bar_ms
    start = int(coverage[-1][1]) if coverage else end - PAGE_LIMIT * bar_ms
    window = CANDLE_WINDOW.get(ccxt_id)
    if window:  # a bar short of the window's edge, which moves while the fill runs
        start = max(start, end - (window - 1) * bar_ms)
    return start, end
