"""The candle archives exchanges publish, read into Candles (pure: stdlib and candles_csv).

Kraken's OHLCVT files (one per pair and interval, named `XBTUSD_60.csv`, the interval in
minutes): no header, `time,open,high,low,close,volume,trades`, the time in seconds UTC at the
bar's open; a bar nobody traded in is left out. Binance's public kline files (named
`BTCUSDT-1h-2024-01.csv`): twelve columns, the open time in milliseconds (microseconds in Spot
files since 2025), a header line in some files. Each is turned, line for line, into the
project's own CSV (candles_csv), whose checks then apply with the archive's line numbers.

archive_facts(venue, name) -> (symbol or None, timeframe or None)   from the file's name
read_archive(venue, raw, timeframe) -> Candles                      or CandleFileError
"""

import re
from collections.abc import Iterator

from strategies.candles_csv import COLUMNS, CandleFileError, CandleProblem, read_candles
from strategies.series import Candles

VENUES = ("kraken", "binance", "binanceusdm")
# Kraken's intervals in minutes, as the project names its timeframes (720, 12 hours, has none).
KRAKEN_INTERVALS = {"1": "1m", "5": "5m", "15": "15m", "30": "30m", "60": "1h", "240": "4h"}
KRAKEN_INTERVALS["1440"] = "1d"
# Kraken's own names for some assets, and the quotes pair names end with, the commonest
# first: XBTUSD is XBT against USD, not XB against TUSD.
KRAKEN_ASSETS = {"XBT": "BTC", "XDG": "DOGE"}
QUOTES = (
    "USDT", "USDC", "FDUSD", "USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD", "TRY", "BRL",
    "XBT", "BTC", "ETH", "BNB", "DOT", "BUSD", "TUSD", "DAI",
)  # fmt: skip
KRAKEN_NAME = re.compile(r"^([A-Z0-9]+)_(\d+)\.csv$")
BINANCE_NAME = re.compile(r"^([A-Z0-9]+)-(\d+[mhdw])-\d{4}-\d{2}(?:-\d{2})?\.csv$")
MICROSECONDS_DIGITS = 16  # a Binance Spot time in microseconds (milliseconds have 13)


def archive_facts(venue: str, name: str) -> tuple[str | None, str | None]:
    """The market and timeframe a published file's name says (None where it says nothing)."""
    base = name.rsplit("/", 1)[-1]
    if venue == "kraken" and (found := KRAKEN_NAME.match(base)):
        return _symbol(found[1], KRAKEN_ASSETS), KRAKEN_INTERVALS.get(found[2])
    if venue != "kraken" and (found := BINANCE_NAME.match(base)):
        return _symbol(found[1], {}), found[2]
    return None, None


def _symbol(pair: str, renamed: dict[str, str]) -> str | None:
    for quote in QUOTES:
        if pair.endswith(quote) and len(pair) > len(quote):
            base = pair[: -len(quote)]
            return f"{renamed.get(base, base)}/{renamed.get(quote, quote)}"
    return None


def read_archive(venue: str, raw: bytes, timeframe: str | None) -> Candles:
    """The archive's bars; CandleFileError naming the archive's own lines."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return read_candles(raw)  # refused as not UTF-8, as a CSV of ours would be
    lines = text.splitlines()
    has_header = bool(lines) and not lines[0][:1].isdigit()
    converted = [",".join(COLUMNS)]
    converted.extend(_rows(venue, lines[1:] if has_header else lines))
    shift = 0 if has_header else 1  # our header stands where the archive had its own, or none
    ours = "\n".join(converted).encode()
    try:
        return read_candles(ours, timeframe=timeframe, max_bytes=len(ours))
    except CandleFileError as refused:
        raise CandleFileError([_moved(problem, shift) for problem in refused.problems]) from None


def _rows(venue: str, lines: list[str]) -> Iterator[str]:
    """Each archive line as a line of ours, in place: a line whose shape is wrong is kept as
    it is, so that the checks refuse it with its line."""
    for line in lines:
        parts = line.strip().split(",")
        if venue == "kraken" and len(parts) in (6, 7) and parts[0].isdigit():
            yield ",".join([parts[0] + "000", *parts[1:6]])  # seconds to milliseconds
        elif venue != "kraken" and len(parts) >= 6 and parts[0].isdigit():
            stamp = parts[0][:-3] if len(parts[0]) == MICROSECONDS_DIGITS else parts[0]
            yield ",".join([stamp, *parts[1:6]])
        else:
            yield line


def _moved(problem: CandleProblem, shift: int) -> CandleProblem:
    """The problem with the archive's line numbers (its own, and another line it names)."""
    if problem.line is None or not shift or not problem.code:
        return problem
    params = dict(problem.params)
    if isinstance(params.get("other"), int):
        params["other"] = int(params["other"]) - shift
    return CandleProblem.of(problem.line - shift, problem.code, **params)
