"""Deterministic synthetic market data: one trade stream per pair, everything else derived from it.

The price is a seeded random process of time alone, so "now" always has data and two calls about
the same past time range give identical answers, with no stored history:

- log price = log start price + a sum of piecewise-linear noise at several time scales (30 days
  down to 1 minute), each knot a hashed standard normal scaled so the moves have the pair's daily
  volatility; it behaves like a random walk over minutes to weeks and stays near its start price
  over months (a sandbox should not drift to zero or to the moon);
- each minute has 1..8 trades whose times, sizes and sides come from a generator seeded by
  (seed, pair, minute), priced on the path between the minute's two boundary prices;
- candles are OHLCV over those trades, the ticker's last price is the last trade at or before now,
  so the last candle's close always equals the ticker's last price.

Buckets up to 5 minutes aggregate every trade; longer buckets read a fixed sample of their
minutes (open, close and some in between) to stay fast, scaling the sampled volume up.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import struct
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

SCALES = (30 * 86400, 7 * 86400, 86400, 4 * 3600, 3600, 900, 300, 60)
EXACT_BUCKET_MINUTES = 5
SAMPLED_MINUTES = 6


@dataclass(frozen=True)
class PairSpec:
    id: str
    altname: str
    wsname: str
    base: str
    quote: str
    start_price: float
    pair_decimals: int
    lot_decimals: int
    cost_decimals: int
    ordermin: str
    costmin: str
    daily_volatility: float
    base_volume_per_minute: float
    exchange: str = "kraken"  # whose dialect lists it: "kraken" or "binance"

    @property
    def tick(self) -> Decimal:
        return Decimal(1).scaleb(-self.pair_decimals)


PAIRS = (
    PairSpec(
        "XXBTZUSD",
        "XBTUSD",
        "XBT/USD",
        "XXBT",
        "ZUSD",
        64000.0,
        1,
        8,
        5,
        "0.00005",
        "0.5",
        0.03,
        1.6,
    ),
    PairSpec(
        "XETHZUSD", "ETHUSD", "ETH/USD", "XETH", "ZUSD", 3200.0, 2, 8, 5, "0.002", "0.5", 0.04, 22.0
    ),
    # A third dollar market (Kraken names newer assets without the X/Z prefixes): three live
    # runs on one key need three markets.
    PairSpec(
        "SOLUSD", "SOLUSD", "SOL/USD", "SOL", "ZUSD", 150.0, 2, 8, 5, "0.02", "0.5", 0.05, 400.0
    ),
    PairSpec(
        "XXBTZEUR",
        "XBTEUR",
        "XBT/EUR",
        "XXBT",
        "ZEUR",
        59000.0,
        1,
        8,
        5,
        "0.00005",
        "0.5",
        0.03,
        0.7,
    ),
    # Binance Spot's, also what its USDⓈ-M perpetuals follow. Filters as Binance lists these
    # markets: tick size 10^-pair_decimals, step size 10^-lot_decimals, ordermin the minimum
    # quantity and costmin the minimum notional.
    PairSpec(
        "BTCUSDT", "BTCUSDT", "BTC/USDT", "BTC", "USDT", 64000.0, 2, 5, 8, "0.00001", "5", 0.03,
        9.0, "binance",
    ),
    PairSpec(
        "ETHUSDT", "ETHUSDT", "ETH/USDT", "ETH", "USDT", 3200.0, 2, 4, 8, "0.0001", "5", 0.04,
        110.0, "binance",
    ),
    PairSpec(
        "BNBUSDT", "BNBUSDT", "BNB/USDT", "BNB", "USDT", 600.0, 2, 3, 8, "0.001", "5", 0.035,
        40.0, "binance",
    ),
)  # fmt: skip


class Trade(NamedTuple):
    time: float
    price: Decimal
    volume: Decimal
    side: str  # "b" or "s": the taker's side, as Kraken's Trades endpoint says
    ordertype: str  # "m" or "l"
    id: int


class Candle(NamedTuple):
    time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    vwap: Decimal
    volume: Decimal
    trade_count: int


def _gauss(prefix: bytes, number: int) -> float:
    """A standard normal that is a pure function of its arguments (Box-Muller on a hash)."""
    digest = hashlib.blake2b(
        prefix + number.to_bytes(8, "big", signed=True), digest_size=16
    ).digest()
    u1 = (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 1)
    u2 = int.from_bytes(digest[8:], "big") / 2**64
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _quantize(value: float | Decimal, places: int) -> Decimal:
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    return Decimal(f"{value:.{places}f}")


class Market:
    """Market data for the sandbox's pairs; every method is a pure function of (seed, time)."""

    def __init__(self, seed: str = "noon-barbari-sandbox", pairs: tuple[PairSpec, ...] = PAIRS):
        self.seed = seed
        self.pairs = {pair.id: pair for pair in pairs}
        self._by_altname = {(pair.exchange, pair.altname): pair for pair in pairs}
        # Caches live on the instance so two venues with different seeds never share entries.
        self.boundary_price = functools.lru_cache(maxsize=262_144)(self._boundary_price)
        self._knot = functools.lru_cache(maxsize=262_144)(self._knot_value)
        self.minute_trades = functools.lru_cache(maxsize=65_536)(self._minute_trades)
        self._closed_candle = functools.lru_cache(maxsize=65_536)(self._candle)

    def pair(self, name: str, exchange: str = "kraken") -> PairSpec | None:
        """The pair `exchange` lists under `name` (its id or its altname)."""
        pair = self.pairs.get(name)
        if pair is not None and pair.exchange == exchange:
            return pair
        return self._by_altname.get((exchange, name))

    def listed(self, exchange: str) -> list[PairSpec]:
        return [pair for pair in self.pairs.values() if pair.exchange == exchange]

    # --- the price path and the trades -------------------------------------------------------

    def _boundary_price(self, pair_id: str, minute: int) -> float:
        pair = self.pairs[pair_id]
        t = minute * 60
        log_move = 0.0
        for scale in SCALES:
            knot, frac = divmod(t, scale)
            left, right = self._knot(pair_id, scale, knot), self._knot(pair_id, scale, knot + 1)
            amplitude = pair.daily_volatility * math.sqrt(scale / 86400) / math.sqrt(2)
            log_move += amplitude * (left + (right - left) * frac / scale)
        return pair.start_price * math.exp(log_move)

    def _knot_value(self, pair_id: str, scale: int, knot: int) -> float:
        return _gauss(f"{self.seed}|{pair_id}|{scale}|".encode(), knot)

    def _minute_trades(self, pair_id: str, minute: int) -> tuple[Trade, ...]:
        pair = self.pairs[pair_id]
        # One hash gives every number this minute needs: much cheaper than seeding a generator.
        raw = hashlib.shake_256(f"{self.seed}|{pair_id}|trades|{minute}".encode()).digest(4 * 36)
        uniforms = [(n + 0.5) / 2**32 for n in struct.unpack(">36I", raw)]
        count = 1 + int(uniforms[0] * 8)
        offsets = sorted(round(u * 59.999, 4) for u in uniforms[1 : count + 1])
        start, end = self.boundary_price(pair_id, minute), self.boundary_price(pair_id, minute + 1)
        mean_size = pair.base_volume_per_minute / 4.5
        trades, previous = [], start
        for index, offset in enumerate(offsets):
            u1, u2, u3 = uniforms[9 + 3 * index : 12 + 3 * index]
            radius, angle = math.sqrt(-2.0 * math.log(u1)), 2.0 * math.pi * u2
            frac = offset / 60.0
            wiggle = radius * math.cos(angle) * math.sqrt(frac * (1 - frac)) * 0.0004
            price = (start + (end - start) * frac) * (1 + wiggle)
            size = mean_size * math.exp(radius * math.sin(angle) - 0.5)
            trades.append(
                Trade(
                    time=round(minute * 60 + offset, 4),
                    price=_quantize(price, pair.pair_decimals),
                    volume=_quantize(max(size, 10**-pair.lot_decimals), pair.lot_decimals),
                    side="b" if price >= previous else "s",
                    ordertype="m" if u3 < 0.7 else "l",
                    id=minute * 100 + index,
                )
            )
            previous = price
        return tuple(trades)

    def trades_between(self, pair_id: str, after: float, until: float) -> list[Trade]:
        """Trades with after < time <= until, oldest first."""
        found: list[Trade] = []
        for minute in range(int(after // 60), int(until // 60) + 1):
            found.extend(t for t in self.minute_trades(pair_id, minute) if after < t.time <= until)
        return found

    def last_trade(self, pair_id: str, now: float) -> Trade:
        minute = int(now // 60)
        while True:
            earlier = [t for t in self.minute_trades(pair_id, minute) if t.time <= now]
            if earlier:
                return earlier[-1]
            minute -= 1

    def recent_trades(self, pair_id: str, now: float, count: int) -> list[Trade]:
        minute, found = int(now // 60), list[Trade]()
        while len(found) < count:
            found[:0] = [t for t in self.minute_trades(pair_id, minute) if t.time <= now]
            minute -= 1
        return found[-count:]

    def price(self, pair_id: str, now: float) -> Decimal:
        return self.last_trade(pair_id, now).price

    # --- candles -------------------------------------------------------------------------------

    def candle(self, pair_id: str, minutes: int, start_minute: int, now: float) -> Candle:
        """The candle of `minutes` minutes starting at `start_minute`, as seen at `now`."""
        if (start_minute + minutes) * 60 <= now:
            return self._closed_candle(
                pair_id, minutes, start_minute, (start_minute + minutes) * 60
            )
        return self._candle(pair_id, minutes, start_minute, now)

    def _candle(self, pair_id: str, minutes: int, start_minute: int, now: float) -> Candle:
        last_minute = min(start_minute + minutes - 1, int(now // 60))
        chosen = self._sample(start_minute, last_minute, minutes)
        trades = [t for m in chosen for t in self.minute_trades(pair_id, m) if t.time <= now]
        closing = self.last_trade(pair_id, min(now, (start_minute + minutes) * 60 - 1e-4))
        if closing.time >= start_minute * 60 and (not trades or trades[-1] != closing):
            trades.append(closing)  # a sampled bucket still closes on its real last trade
        if not trades:
            flat = self.last_trade(pair_id, min(now, start_minute * 60 + 1e-4)).price
            return Candle(start_minute * 60, flat, flat, flat, flat, flat, Decimal(0), 0)
        pair = self.pairs[pair_id]
        scale = Decimal((last_minute - start_minute + 1) / len(chosen))
        volume = sum((t.volume for t in trades), Decimal(0))
        vwap = sum((t.price * t.volume for t in trades), Decimal(0)) / volume
        return Candle(
            time=start_minute * 60,
            open=trades[0].price,
            high=max(t.price for t in trades),
            low=min(t.price for t in trades),
            close=trades[-1].price,
            vwap=_quantize(vwap, pair.pair_decimals + 1),
            volume=_quantize(volume * scale, pair.lot_decimals),
            trade_count=round(len(trades) * scale),
        )

    @staticmethod
    def _sample(first: int, last: int, minutes: int) -> list[int]:
        if minutes <= EXACT_BUCKET_MINUTES or last - first < SAMPLED_MINUTES:
            return list(range(first, last + 1))
        step = (last - first) / (SAMPLED_MINUTES - 1)
        return sorted({first + round(i * step) for i in range(SAMPLED_MINUTES)})

    def candles(
        self, pair_id: str, minutes: int, now: float, since: float | None, limit: int
    ) -> list[Candle]:
        """Up to `limit` candles, oldest first: those after `since`, or the latest ones."""
        current = int(now // 60) // minutes * minutes
        if since is None:
            first = current - (limit - 1) * minutes
        else:
            first = (int(since // 60) // minutes + 1) * minutes
        last = min(current, first + (limit - 1) * minutes)
        return [self.candle(pair_id, minutes, m, now) for m in range(first, last + 1, minutes)]

    # --- the book and the 24-hour summary ------------------------------------------------------

    def book(self, pair_id: str, now: float, depth: int) -> tuple[list, list]:
        """(asks, bids) as [price, volume, time] rows around the last trade price."""
        pair = self.pairs[pair_id]
        last = self.price(pair_id, now)
        step = max(pair.tick, _quantize(last * Decimal("0.00005"), pair.pair_decimals))
        rng = random.Random(f"{self.seed}|{pair_id}|book|{int(now)}")  # noqa: S311 - market data
        asks, bids = [], []
        for level in range(depth):
            size = pair.base_volume_per_minute * rng.lognormvariate(-1.0, 0.8) * (1 + level / 4)
            stamp = int(now) - rng.randint(0, 30)
            asks.append([last + step * (level + 1), _quantize(size, pair.lot_decimals), stamp])
            size = pair.base_volume_per_minute * rng.lognormvariate(-1.0, 0.8) * (1 + level / 4)
            bids.append([last - step * (level + 1), _quantize(size, pair.lot_decimals), stamp])
        return asks, bids

    def summary(self, pair_id: str, since: float, now: float) -> Candle:
        """OHLCV of the trades in (since, now], from hourly candles (the 24-hour ticker fields)."""
        hours = [
            self.candle(pair_id, 60, m, now)
            for m in range(int(since // 3600) * 60, int(now // 60) + 1, 60)
        ]
        volume = sum((c.volume for c in hours), Decimal(0))
        traded = [c for c in hours if c.trade_count] or hours[-1:]
        vwap = (
            sum((c.vwap * c.volume for c in hours), Decimal(0)) / volume
            if volume
            else hours[-1].close
        )
        return Candle(
            time=int(since),
            open=traded[0].open,
            high=max(c.high for c in traded),
            low=min(c.low for c in traded),
            close=hours[-1].close,
            vwap=_quantize(vwap, self.pairs[pair_id].pair_decimals + 1),
            volume=volume,
            trade_count=sum(c.trade_count for c in hours),
        )
