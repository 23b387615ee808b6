"""What a candle import accepts besides the file's shape: a market written as ccxt writes it
(BASE/QUOTE, or BASE/QUOTE:SETTLE), and prices and volumes within the bound a strategy
document puts on its numbers (1e+15)."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from strategies.candles_csv import CandleFileError, read_candles
from strategies.forms.candles import CandleImportForm
from strategies.models.candle_imports import CandleImport
from tests.strategies.mine_helpers import signed_in

HEADER = "timestamp,open,high,low,close,volume\n"
T0 = 1_704_067_200_000  # 2024-01-01 00:00 UTC
HOUR = 3_600_000
GOOD = HEADER + f"{T0},100,110,95,105,12.5\n{T0 + HOUR},105,106,101,102,3\n"
LIMIT = "prices and volumes stay at or below 1e+15."
BAD_SYMBOL = (
    "Write the market as BASE/QUOTE in letters and digits, as ccxt spells it: BTC/USD for "
    "spot, BTC/USDT:USDT (BASE/QUOTE:SETTLE) for a perpetual."
)


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(CandleFileError) as refused:
        read_candles(text.encode())
    return [(problem.line, problem.message) for problem in refused.value.problems]


@pytest.mark.parametrize(
    ("row", "shown", "column"),
    [
        (f"{T0 + HOUR},1e308,1e308,1,1,1", "1e+308", "open"),  # the first column past it
        (f"{T0 + HOUR},1,1e16,1,1,1", "1e+16", "high"),
        (f"{T0 + HOUR},1,2,1,1,2000000000000000", "2e+15", "volume"),
    ],
)
def test_a_price_or_volume_past_the_bound_is_refused_at_its_line(row, shown, column):
    found = problems(f"{HEADER}{T0},1,1,1,1,1\n{row}\n")

    assert found == [(3, f"“{shown}” in the {column} column is too large: {LIMIT}")]


def test_the_bound_itself_is_accepted():
    candles = read_candles(f"{HEADER}{T0},1,1e15,1,1,1e15\n{T0 + HOUR},1,1,1,1,0\n".encode())

    assert (candles.high[0], candles.volume[0]) == (1e15, 1e15)


def test_an_infinite_price_keeps_its_own_problem_only():
    found = problems(f"{HEADER}{T0},1,inf,1,1,1\n{T0 + HOUR},1,1,1,1,1\n")

    assert found == [(2, "Prices must be positive numbers.")]


def _form(symbol: str) -> CandleImportForm:
    upload = SimpleUploadedFile("c.csv", GOOD.encode(), content_type="text/csv")
    return CandleImportForm({"symbol": symbol, "timeframe": ""}, {"file": upload})


@pytest.mark.parametrize("symbol", ["BTC/USD", "ETH/USDT:USDT", "1000SHIB/USDT", " BTC/EUR "])
def test_a_market_as_ccxt_writes_it_is_accepted(symbol):
    form = _form(symbol)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["symbol"] == symbol.strip()


@pytest.mark.parametrize(
    "symbol",
    [
        "BTCUSD",  # no slash
        "BTC/",
        "/USD",
        "BTC/USD/EUR",
        "BTC USD",
        "BTC-USD",
        "BTC/USD:",
        "BTC/USD:BTC-240628",  # a dated future
        "<script>/USD",
        "BTC/ÜSD",
        "anything at all",
    ],
)
def test_any_other_market_is_a_field_error(symbol):
    form = _form(symbol)

    assert not form.is_valid()
    assert form.errors == {"symbol": [BAD_SYMBOL]}


@pytest.mark.django_db
def test_the_page_shows_the_market_error_and_keeps_nothing():
    client, _user = signed_in("trader@example.com")
    upload = SimpleUploadedFile("c.csv", GOOD.encode(), content_type="text/csv")

    response = client.post(
        "/en/strategies/candles/", {"symbol": "my data", "timeframe": "", "file": upload}
    )

    assert response.status_code == 200
    assert BAD_SYMBOL in html.unescape(response.content.decode())
    assert not CandleImport.objects.exists()


@pytest.mark.django_db
def test_a_price_past_the_bound_is_listed_with_its_line_after_the_import(
    django_capture_on_commit_callbacks,
):
    client, _user = signed_in("trader@example.com")
    content = HEADER + f"{T0},1,1,1,1,1\n{T0 + HOUR},1,1e308,1,1,1\n"
    upload = SimpleUploadedFile("c.csv", content.encode(), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/strategies/candles/", {"symbol": "BTC/USD", "file": upload})

    page = html.unescape(client.get("/en/strategies/candles/").content.decode())
    assert f"line 3: “1e+308” in the high column is too large: {LIMIT}" in page
    assert CandleImport.objects.get().status == "failed"
