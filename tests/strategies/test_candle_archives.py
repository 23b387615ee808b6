"""Exchanges' published candle archives: names read as markets and intervals, rows read with
the archive's own line numbers, a malformed file refused whole, and a merge into the shared
store that never holds a bar twice nor touches what the store held."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exchanges.models import Exchange
from strategies.candle_archives import archive_facts, read_archive
from strategies.candles.store import candles_read, candles_write, series_for
from strategies.candles_csv import CandleFileError
from strategies.models import CandleSeries
from strategies.series import Candles

pytestmark = pytest.mark.django_db

HOUR_S = 3600
T0 = 1_704_067_200  # 2024-01-01 00:00 UTC, in seconds as Kraken's files write it
# Kraken's OHLCVT: time (s), open, high, low, close, volume, trades; hour 3 nobody traded.
KRAKEN = "\n".join(
    [
        f"{T0},42000.0,42100.5,41900.0,42050.0,12.5,310",
        f"{T0 + HOUR_S},42050.0,42300.0,42000.0,42250.0,8.25,220",
        f"{T0 + 2 * HOUR_S},42250.0,42260.0,41800.0,41850.0,20.0,500",
        f"{T0 + 4 * HOUR_S},41850.0,41900.0,41700.0,41720.0,5.0,90",
    ]
)


@pytest.mark.parametrize(
    ("venue", "name", "facts"),
    [
        ("kraken", "XBTUSD_60.csv", ("BTC/USD", "1h")),
        ("kraken", "Kraken_OHLCVT/XDGEUR_1440.csv", ("DOGE/EUR", "1d")),
        ("kraken", "ETHXBT_5.csv", ("ETH/BTC", "5m")),
        ("kraken", "XBTUSD_720.csv", ("BTC/USD", None)),  # 12 hours: no such timeframe here
        ("binance", "BTCUSDT-1h-2024-01.csv", ("BTC/USDT", "1h")),
        ("binanceusdm", "ETHUSDT-4h-2024-01-15.csv", ("ETH/USDT", "4h")),
        ("binance", "notes.csv", (None, None)),
    ],
)
def test_a_published_file_s_name_says_its_market_and_interval(venue, name, facts):
    assert archive_facts(venue, name) == facts


def test_kraken_rows_are_read_in_milliseconds_a_bar_nobody_traded_stays_a_gap():
    candles = read_archive("kraken", KRAKEN.encode(), "1h")

    assert candles.time.tolist() == [
        T0 * 1000,
        (T0 + HOUR_S) * 1000,
        (T0 + 2 * HOUR_S) * 1000,
        (T0 + 4 * HOUR_S) * 1000,
    ]
    assert candles.close.tolist() == [42050.0, 42250.0, 41850.0, 41720.0]
    assert candles.volume.tolist() == [12.5, 8.25, 20.0, 5.0]


def test_binance_rows_with_a_header_and_microseconds_are_read():
    start_us = T0 * 1_000_000
    rows = [
        "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
        "taker_buy_quote_volume,ignore",
        f"{start_us},100.0,101.0,99.0,100.5,3.0,{start_us + 3_599_999_999},301.0,12,1.0,100.0,0",
        f"{start_us + 3_600_000_000},100.5,102.0,100.0,101.5,4.0,0,0,0,0,0,0",
    ]

    candles = read_archive("binance", "\n".join(rows).encode(), "1h")

    assert candles.time.tolist() == [T0 * 1000, (T0 + HOUR_S) * 1000]
    assert candles.open.tolist() == [100.0, 100.5]


def test_a_malformed_archive_is_refused_with_the_archive_s_own_line_numbers():
    rows = KRAKEN.splitlines()
    rows[2] = f"{T0 + 2 * HOUR_S},42250.0,41000.0,41800.0,41850.0,20.0,500"  # high below low
    rows.append(f"{T0 + HOUR_S},1,1,1,1,1,1")  # line 5 repeats line 2's hour

    with pytest.raises(CandleFileError) as refused:
        read_archive("kraken", "\n".join(rows).encode(), "1h")

    found = [(problem.line, problem.message) for problem in refused.value.problems]
    assert found == [
        (3, "The high is below the low."),
        (3, "The open and the close must lie between the low and the high."),
        (5, "This timestamp is earlier than the one on line 4: sort the file, oldest first."),
    ]


def _zip(tmp_path, members: dict[str, str]):
    path = tmp_path / "Kraken_OHLCVT.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path


def test_the_command_merges_an_archive_around_what_the_store_holds_and_never_twice(
    sandbox, tmp_path
):
    kraken = Exchange.objects.get(slug="kraken")
    series = series_for(exchange=kraken, symbol="BTC/USD", timeframe="1h")
    # The store holds hour 1 already, fetched from the exchange, with its own values.
    held = Candles.from_rows("1h", [((T0 + HOUR_S) * 1000, 1.0, 2.0, 0.5, 1.5, 9.0)])
    hour_1 = ((T0 + HOUR_S) * 1000, (T0 + 2 * HOUR_S) * 1000)
    candles_write(series=series, candles=held, covered=hour_1, source="exchange")
    bad = KRAKEN.replace("42300.0,42000.0", "41000.0,42000.0")  # line 2: high below low
    path = _zip(tmp_path, {"XBTUSD_60.csv": KRAKEN, "ETHUSD_60.csv": bad})
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import_candle_archive", str(path), "--exchange", "kraken", stdout=out, stderr=err
        )

    assert (
        "ETHUSD_60.csv: refused, nothing of it merged:\n  line 2: The high is below the low."
        in err.getvalue()
    )
    assert not CandleSeries.objects.filter(symbol="ETH/USD").exists()
    series.refresh_from_db()
    assert series.coverage == [[T0 * 1000, (T0 + 5 * HOUR_S) * 1000]]
    stored = candles_read(series)
    assert stored.time.tolist() == [T0 * 1000 + h * HOUR_S * 1000 for h in (0, 1, 2, 4)]
    assert stored.close.tolist() == [42050.0, 1.5, 41850.0, 41720.0]  # hour 1 as it was held
    assert {source for _a, _b, source in series.provenance} == {"exchange", "archive"}
    assert "3 bars added" in out.getvalue()
    assert "1 bars already held" in out.getvalue()

    again = io.StringIO()
    call_command(
        "import_candle_archive", str(path), "--exchange", "kraken", "--only", "XBT*", stdout=again
    )

    assert "0 bars added" in again.getvalue()
    assert len(candles_read(CandleSeries.objects.get(pk=series.pk))) == 4


def test_the_command_refuses_a_market_the_exchange_does_not_have(sandbox, tmp_path):
    path = tmp_path / "FOOBARUSD_60.csv"
    path.write_text(KRAKEN)

    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import_candle_archive", str(path), "--exchange", "kraken", stderr=io.StringIO()
        )

    assert not CandleSeries.objects.exists()
