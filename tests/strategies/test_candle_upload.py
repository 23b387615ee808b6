"""My candles: the upload form sends a user's own CSV candles to be imported (by a task, run
inline here), lists them, shows a bad file's problems line by line (nothing written, never a
500) and stops a too-large upload while it arrives."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from strategies.models import CandleSeries
from strategies.models.candle_imports import CandleImport
from strategies.views.candle_uploads import UploadSizeLimit
from tests.accounts.helpers import make_user
from tests.strategies.mine_helpers import signed_in

pytestmark = pytest.mark.django_db

HEADER = "timestamp,open,high,low,close,volume\n"
# 1704067200000 ms is 2024-01-01 00:00 UTC (1704067200 s = 19723 days * 86400 s since 1970):
# hourly bars at 00:00, 01:00 and 03:00 (02:00 is a gap); the held range ends at 04:00.
GOOD = (
    HEADER
    + "1704067200000,100,110,95,105,12.5\n"
    + "1704070800000,105,106,101,102,3\n"
    + "1704078000000,102,103,99,100,0\n"
)
MEGABYTE = 1024 * 1024


def _url(language: str = "en") -> str:
    return f"/{language}/strategies/candles/"


def _csv(content: str | bytes, name: str = "candles.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _post(client: Client, content: str | bytes, language: str = "en", **fields: str):
    # The file last, as the page's form sends it: the fields before it are read even when
    # the upload is stopped.
    data = {"symbol": "BTC/USD", "timeframe": "", **fields, "file": _csv(content)}
    return client.post(_url(language), data)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """_post, then what its transaction queued: the import task (run inline by the tests'
    django-q2 settings), as a worker would run it once the request committed."""

    def send(client: Client, content: str | bytes, language: str = "en", **fields: str):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, content, language, **fields)

    return send


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Imported into BTC/USD 1h.", "2024-01-01 00:00 to 2024-01-01 04:00"]),
        ("fr", ["Importé dans BTC/USD 1h.", "du 2024-01-01 00:00 au 2024-01-01 04:00"]),
    ],
)
def test_a_good_file_is_imported_and_listed(post, language, expected):
    client, user = signed_in("trader@example.com")

    response = post(client, GOOD, language)

    assert response.status_code == 302
    assert response["Location"] == _url(language)
    series = CandleSeries.objects.get(owner=user, exchange=None)
    assert (series.symbol, series.timeframe) == ("BTC/USD", "1h")
    page = _text(client.get(response["Location"]))
    for text in expected:
        assert text in page
    assert "<td>3</td>" in page  # three bars held
    assert CandleImport.objects.get(owner=user).status == "done"


def test_the_timeframe_given_wins_over_the_guess(post):
    client, user = signed_in("trader@example.com")
    # Steps of 1 h and 2 h: a 30m series with gaps, as asked.
    post(client, GOOD, timeframe="30m")

    assert CandleSeries.objects.get(owner=user).timeframe == "30m"


BAD_FILES = [
    pytest.param(
        HEADER + "1704070800000,1,2,1,1,1\n1704067200000,1,2,1,1,1\n",
        ["line 3: This timestamp is earlier than the one on line 2: sort the file, oldest first."],
        id="unsorted",
    ),
    pytest.param(
        HEADER + "1704067200000,1,2,1,1,1\n1704067200000,1,2,1,1,1\n",
        ["line 3: This timestamp already appears on line 2."],
        id="duplicate",
    ),
    pytest.param(
        HEADER + "1704067200000,100,90,95,105,1\n1704070800000,100,110,95,105,-2\n",
        ["line 2: The high is below the low.", "line 3: The volume is negative."],
        id="high-below-low-and-negative-volume",
    ),
    pytest.param(
        "time,o,h,l,c,v\n1704067200000,1,2,1,1,1\n",
        [
            "line 1: The columns must be timestamp,open,high,low,close,volume "
            "(this file has: time,o,h,l,c,v)."
        ],
        id="wrong-columns",
    ),
    pytest.param(
        HEADER.encode() + b"1704067200000,1,2,1,1,\xff\n",
        ["The file is not UTF-8 text."],
        id="utf8",
    ),
    pytest.param(HEADER, ["The file has a header but no candles."], id="no-rows"),
]


@pytest.mark.parametrize(("content", "expected"), BAD_FILES)
def test_a_bad_file_shows_every_problem_with_its_line_and_writes_nothing(post, content, expected):
    client, user = signed_in("trader@example.com")

    response = post(client, content)

    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "Nothing was imported: the file has these problems." in page
    assert expected
    for problem in expected:
        assert problem in page
    assert "<dd>BTC/USD</dd>" in page  # which file it was
    assert not CandleSeries.objects.exists()
    refused = CandleImport.objects.get(owner=user)
    assert (refused.status, refused.data) == ("failed", None)  # the file is not kept


def test_an_empty_file_is_refused_by_the_form_and_nothing_is_kept(post):
    client, _user = signed_in("trader@example.com")

    response = post(client, "")

    assert response.status_code == 200
    page = _text(response)
    assert "The submitted file is empty." in page
    assert 'value="BTC/USD"' in page  # what was typed is kept
    assert not CandleImport.objects.exists()


def test_problems_are_in_french_on_the_french_page(post):
    client, _user = signed_in("trader@example.com")

    response = post(client, HEADER + "1704067200000,100,90,95,105,1\n", "fr")

    page = _text(client.get(response["Location"]))
    assert "ligne 2\u00a0: Le plus haut est inférieur au plus bas." in page
    assert "Rien n\u2019a été importé" in page


def test_problems_are_worded_in_the_language_of_the_page_that_shows_them(post):
    # Found while an English page sent the file, read later on a French page.
    client, _user = signed_in("trader@example.com")
    post(client, HEADER + "1704067200000,100,90,95,105,1\n", "en")

    page = _text(client.get(_url("fr")))

    assert "ligne 2\u00a0: Le plus haut est inférieur au plus bas." in page
    assert "The high is below the low." not in page


def test_an_upload_past_the_limit_is_stopped_and_said_too_large(settings):
    settings.CANDLE_IMPORTS_MAX_MB = 1
    client, _user = signed_in("trader@example.com")
    # Past the limit but within the envelope allowed around it: the upload handler stops it.
    content = GOOD + "#" * (MEGABYTE + 10_000)

    response = _post(client, content)

    assert response.status_code == 200
    page = _text(response)
    assert "The file is larger than 1 MB: split it or keep a shorter period." in page
    assert 'value="BTC/USD"' in page
    assert "This field is required." not in page
    assert not CandleSeries.objects.exists()
    assert not CandleImport.objects.exists()


def test_a_body_announced_past_the_limit_is_refused_before_it_is_read(settings):
    settings.CANDLE_IMPORTS_MAX_MB = 1
    client, _user = signed_in("trader@example.com")

    response = _post(client, GOOD + "#" * (2 * MEGABYTE), "fr")

    assert response.status_code == 413
    assert "Le fichier dépasse 1 Mo" in _text(response)
    assert not CandleSeries.objects.exists()
    assert not CandleImport.objects.exists()


class _CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_the_upload_handler_stops_reading_the_body_at_the_limit():
    limit = 256 * 1024
    body = encode_multipart(BOUNDARY, {"symbol": "X", "file": _csv(b"1" * (20 * limit))})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    request = RequestFactory().post("/")
    guard = UploadSizeLimit(request, limit)
    spooled = TemporaryFileUploadHandler(request)
    stream = _CountingStream(body)

    post, files = MultiPartParser(meta, stream, [guard, spooled], "utf-8").parse()

    assert guard.exceeded
    assert post["symbol"] == "X"
    assert "file" not in files
    # Read up to the limit and at most a few of the parser's 64 KB chunks more, of 5 MB.
    assert limit < stream.bytes_read < limit + 4 * 64 * 1024


def test_csrf_is_still_checked(django_capture_on_commit_callbacks):
    user = make_user("trader@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    refused = _post(client, GOOD)
    assert refused.status_code == 403
    assert not CandleImport.objects.exists()

    client.get(_url())
    token = client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            _url(), {"csrfmiddlewaretoken": token, "symbol": "BTC/USD", "file": _csv(GOOD)}
        )
    assert accepted.status_code == 302
    assert CandleSeries.objects.filter(owner=user).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_visitors_are_sent_to_log_in(method):
    response = getattr(Client(), method)(_url())

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert not CandleSeries.objects.exists()


def test_another_users_series_and_imports_are_never_shown(post):
    other_client, _other = signed_in("other@example.com")
    post(other_client, GOOD, symbol="SECRET/USD")
    post(other_client, HEADER, symbol="HIDDEN/USD")  # refused: its problems are theirs
    client, _user = signed_in("trader@example.com")

    for url in (_url(), _url() + "imports/"):
        page = _text(client.get(url))

        assert "SECRET/USD" not in page
        assert "HIDDEN/USD" not in page
        assert "You have not imported any candles yet." in page


def test_the_list_reads_every_series_and_import_in_one_query_each(post, django_assert_num_queries):
    client, _user = signed_in("trader@example.com")
    for symbol in ("BTC/USD", "ETH/USD", "SOL/USD"):
        post(client, GOOD, symbol=symbol)
    post(client, HEADER, symbol="BAD/USD")

    # The user, the imports, the series with their bar counts, the keys to replace (banner);
    # the session is read from the cache.
    with django_assert_num_queries(4):
        page = _text(client.get(_url()))

    assert page.count("<td>3</td>") == 3
    assert page.count("Imported into") == 3
    assert page.count("Nothing was imported") == 1


def test_a_malformed_multipart_body_gets_the_400_page():
    client, _user = signed_in("trader@example.com")

    response = client.post(_url(), b"--x\r\n", content_type="multipart/form-data")  # no boundary

    assert response.status_code == 400


def test_my_strategies_links_to_my_candles():
    client, _user = signed_in("trader@example.com")

    page = _text(client.get("/en/strategies/mine/"))

    assert f'href="{_url()}"' in page
