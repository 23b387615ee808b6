"""Candle imports off the request path: the request keeps the file and puts it in the line of
long work, which hands its task to the long cluster; the task reads and imports it once
(idempotent), noting its progress; each user has a limit on the files waiting at once; the
page follows the progress through a fragment."""

import html
import time
import zlib
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.exceptions import TimeoutException
from django_q.models import OrmQ

from strategies import candles_parse
from strategies.candles.store import candles_read
from strategies.models import CandleSeries, LongJob
from strategies.models.candle_imports import CandleImport
from strategies.services import candle_imports
from tests.strategies.mine_helpers import signed_in
from tests.strategies.test_candle_upload import GOOD, HEADER

pytestmark = pytest.mark.django_db

URL = "/en/strategies/candles/"
STATUS_URL = "/en/strategies/candles/imports/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _post(client: Client, content: str = GOOD, symbol: str = "BTC/USD", language: str = "en"):
    upload = SimpleUploadedFile("btc.csv", content.encode(), content_type="text/csv")
    data = {"symbol": symbol, "timeframe": "", "file": upload}
    return client.post(f"/{language}/strategies/candles/", data)


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """Posting with django-q2's sync mode off, as in production: the request's transaction
    commits and its task waits in the broker for a worker."""
    monkeypatch.setattr(Conf, "SYNC", False)

    def send(client: Client, content: str = GOOD, symbol: str = "BTC/USD", language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, content, symbol, language)

    return send


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    """Posting with the tests' sync mode: the task runs once the request committed."""

    def send(client: Client, content: str = GOOD, symbol: str = "BTC/USD", language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(client, content, symbol, language)

    return send


def run_candle_import(import_id: int) -> None:
    """What a worker does with the import's turn."""
    candle_imports.candle_import_run(import_id=import_id)


def _waiting_tasks() -> list[dict]:
    """The tasks waiting in the long cluster's queue (the ORM broker's rows), oldest first."""
    return [row.task for row in OrmQ.objects.filter(key=django_settings.LONG_TASKS).order_by("pk")]


def test_the_request_only_queues_the_file_and_a_worker_of_the_long_cluster_imports_it(
    queued, monkeypatch
):
    reads = []
    real_read = candle_imports.read_candles

    def counted_read(*args, **kwargs):
        reads.append(1)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(candle_imports, "read_candles", counted_read)
    client, user = signed_in("trader@example.com")

    response = queued(client)

    # The request returned before anything was read: the file waits in its row, compressed.
    assert response.status_code == 302
    assert reads == []
    record = CandleImport.objects.get(owner=user)
    assert record.status == "queued"
    assert record.size == len(GOOD.encode())
    assert zlib.decompress(record.data) == GOOD.encode()
    assert not CandleSeries.objects.exists()
    page = _text(client.get(URL))
    assert "File received: it is being imported in the background" in page
    assert "Waiting for a worker to read the file." in page
    assert f'hx-get="{STATUS_URL}"' in page  # the page follows it

    [task] = _waiting_tasks()
    [job] = LongJob.objects.all()
    assert (job.kind, job.target_id, job.owner_id) == ("candle_import", record.pk, user.pk)
    assert task["func"] == "strategies.tasks.run_long_job"
    assert task["args"] == (job.pk, 1)  # the job's first turn
    assert task["cluster"] == "long"
    import_string(task["func"])(*task["args"])  # what the worker does with it
    assert not LongJob.objects.exists()  # out of the line once it has ended

    assert reads == [1]
    record.refresh_from_db()
    assert (record.status, record.timeframe, record.bars, record.data) == ("done", "1h", 3, None)
    series = CandleSeries.objects.get(owner=user, symbol="BTC/USD", timeframe="1h")
    assert candles_read(series).close.tolist() == [105, 102, 100]
    assert series.coverage == [[1704067200000, 1704081600000]]


def test_a_task_run_again_imports_nothing_twice(inline, monkeypatch):
    client, user = signed_in("trader@example.com")
    inline(client)
    record = CandleImport.objects.get(owner=user)
    finished_at = record.finished_at
    stores = []
    monkeypatch.setattr(candle_imports, "candles_store", lambda **kw: stores.append(kw))

    run_candle_import(record.pk)  # handed out again, after the first run ended
    run_candle_import(record.pk + 1000)  # an import deleted since

    assert stores == []
    record.refresh_from_db()
    assert (record.status, record.finished_at) == ("done", finished_at)
    series = CandleSeries.objects.get(owner=user)
    assert series.provenance == [[1704067200000, 1704081600000, "upload"]]


@pytest.mark.parametrize("status", ["parsing", "writing"])
def test_an_import_whose_worker_was_killed_is_read_again_when_handed_out_again(queued, status):
    client, user = signed_in("trader@example.com")
    queued(client)
    record = CandleImport.objects.get(owner=user)
    # A worker took it, then died (the write is one transaction: nothing of it was kept).
    CandleImport.objects.filter(pk=record.pk).update(
        status=status, progress=40, started_at=timezone.now()
    )

    run_candle_import(record.pk)

    record.refresh_from_db()
    assert (record.status, record.bars, record.progress) == ("done", 3, 100)
    assert CandleSeries.objects.get(owner=user).coverage == [[1704067200000, 1704081600000]]


def test_a_file_that_fails_on_our_side_is_a_sentence_and_nothing_is_written(inline, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(candle_imports, "candles_store", broken)
    client, user = signed_in("trader@example.com")

    response = inline(client)

    assert response.status_code == 302
    page = _text(client.get(URL))
    assert "Nothing was imported: the import failed because of a fault on our side" in page
    assert "the file has these problems" not in page
    assert "a bug of ours" not in page
    assert not CandleSeries.objects.exists()
    assert CandleImport.objects.get(owner=user).data is None


def test_an_import_past_the_time_limit_says_so_at_once(queued, settings, monkeypatch):
    """django-q2 stops a task past the long cluster's timeout with a SystemExit of its own:
    the import ends as failed then, with the limit, not when the stale check finds it."""

    def past_the_limit(*args, **kwargs):
        raise TimeoutException("Task exceeded maximum timeout value (1800 seconds)")

    monkeypatch.setattr(candle_imports, "read_candles", past_the_limit)
    client, user = signed_in("slow-file@example.com")
    queued(client)
    record = CandleImport.objects.get(owner=user)

    with pytest.raises(TimeoutException):  # still raised: django-q2 records the task failed
        candle_imports.candle_import_run(import_id=record.pk)

    record.refresh_from_db()
    assert record.status == "failed"
    page = _text(client.get(URL))
    assert "reading the file went past the 30-minute limit for long work" in page
    assert not CandleSeries.objects.exists()


def test_progress_is_written_while_the_file_is_read(queued, monkeypatch):
    # Five candles of 24 bytes read in chunks of two rows (the chunk ends at the first line end
    # 40 bytes on): 2, 4 and 5 of 5 rows read are 40 %, 80 % and all (kept at 99 % until the
    # candles are stored), then 100 % while they are stored.
    monkeypatch.setattr(candles_parse, "CHUNK_BYTES", 40)
    monkeypatch.setattr(candle_imports, "PROGRESS_EVERY_S", 0)
    rows = [f"{1704067200000 + i * 3_600_000},1,2,1,1,1\n" for i in range(5)]
    client, user = signed_in("trader@example.com")
    queued(client, HEADER + "".join(rows))
    record = CandleImport.objects.get(owner=user)
    seen = []
    real_advance = candle_imports._advance

    def advance(import_record, **fields):
        seen.append((CandleImport.objects.get(pk=record.pk).status, fields.get("progress")))
        real_advance(import_record, **fields)

    monkeypatch.setattr(candle_imports, "_advance", advance)

    run_candle_import(record.pk)

    assert seen == [("parsing", 40), ("parsing", 80), ("parsing", 99), ("parsing", 100)]
    record.refresh_from_db()
    assert (record.status, record.bars) == ("done", 5)


def test_the_fragment_follows_an_import_until_it_ends(queued):
    client, user = signed_in("trader@example.com")
    queued(client)
    record = CandleImport.objects.get(owner=user)
    CandleImport.objects.filter(pk=record.pk).update(
        status="parsing", progress=40, started_at=timezone.now()
    )

    reading = client.get(STATUS_URL, headers={"HX-Request": "true"})

    fragment = _text(reading)
    assert reading.status_code == 200
    assert "<html" not in fragment  # the fragment alone
    assert f'hx-get="{STATUS_URL}"' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="40"' in fragment
    assert "40 % of the file read." in fragment
    assert "You have not imported any candles yet." in fragment

    run_candle_import(record.pk)
    done = _text(client.get(STATUS_URL, headers={"HX-Request": "true"}))

    assert "hx-get" not in done  # nothing left to follow: the polling stops
    assert "Imported into BTC/USD 1h." in done
    assert "3 candles, from 2024-01-01 00:00 to 2024-01-01 04:00 UTC." in done
    assert "<td>3</td>" in done  # the series, now held, in the same fragment


def test_the_page_does_not_poll_when_nothing_is_being_imported(inline):
    client, _user = signed_in("trader@example.com")
    inline(client)

    page = _text(client.get(URL))

    assert "Imported into BTC/USD 1h." in page
    assert "hx-get" not in page
    assert "htmx" not in page  # not even loaded


def test_the_fragment_is_for_signed_in_users_only():
    response = Client().get(STATUS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_a_file_past_the_users_count_limit_is_refused_and_nothing_is_kept(queued, settings):
    settings.CANDLE_IMPORTS_MAX_ACTIVE = 2
    client, _user = signed_in("trader@example.com")
    queued(client, symbol="FIRST/USD")
    queued(client, symbol="SECOND/USD")

    refused = queued(client, symbol="THIRD/USD")

    assert refused.status_code == 429
    page = _text(refused)
    assert (
        "You already have 2 files waiting or being imported: wait for one of them to finish "
        "before sending another." in page
    )
    assert "THIRD/USD" not in page
    assert list(CandleImport.objects.values_list("symbol", flat=True).order_by("pk")) == [
        "FIRST/USD",
        "SECOND/USD",
    ]
    assert LongJob.objects.count() == 2  # both in the line
    assert len(_waiting_tasks()) == 1  # one at a time for one user (LONG_JOBS_PER_USER)


def test_the_count_limit_is_per_user_and_counts_only_files_still_waiting(queued, settings):
    settings.CANDLE_IMPORTS_MAX_ACTIVE = 1
    other, _other_user = signed_in("other@example.com")
    queued(other, symbol="THEIRS/USD")
    client, user = signed_in("trader@example.com")

    first = queued(client, symbol="A/USD")  # another user's waiting file does not count
    refused = queued(client, symbol="B/USD")
    run_candle_import(CandleImport.objects.get(owner=user).pk)
    again = queued(client, symbol="B/USD")  # A is imported now: room for one more

    assert (first.status_code, refused.status_code, again.status_code) == (302, 429, 302)
    assert "You already have 1 file waiting or being imported: wait for it to finish" in (
        _text(refused)
    )
    assert CandleImport.objects.filter(owner=user).count() == 2


def test_the_size_limit_is_checked_by_the_service_too(settings):
    # The upload handler stops a larger body first; the service holds its own contract.
    settings.CANDLE_IMPORTS_MAX_MB = 1
    _client, user = signed_in("trader@example.com")

    with pytest.raises(candle_imports.ImportRefused) as refused:
        candle_imports.candle_import_start(
            owner=user,
            symbol="BTC/USD",
            timeframe=None,
            file_name="big.csv",
            chunks=[b"1" * 700_000, b"1" * 700_000],  # 1.4 MB in all
        )

    assert refused.value.status == 413
    assert "The file is larger than 1 MB" in refused.value.message
    assert not CandleImport.objects.exists()


def test_an_import_left_out_of_the_line_ends_as_failed(queued, settings):
    settings.CANDLE_IMPORTS_MAX_ACTIVE = 1
    client, user = signed_in("trader@example.com")
    queued(client, symbol="A/USD")
    # Sent two hours ago, and no longer in the line (as a row restored from a backup would
    # be): nothing will ever read it.
    CandleImport.objects.filter(owner=user).update(
        status="parsing",
        started_at=timezone.now() - timedelta(hours=2),
        created_at=timezone.now() - timedelta(hours=2),
    )
    LongJob.objects.all().delete()

    accepted = queued(client, symbol="B/USD")  # the dead one no longer counts

    assert accepted.status_code == 302
    dead = CandleImport.objects.get(owner=user, symbol="A/USD")
    assert (dead.status, dead.data) == ("failed", None)
    page = _text(client.get(URL))
    assert "Nothing was imported: the import was interrupted before it finished." in page


def test_only_the_latest_finished_imports_are_kept(inline, monkeypatch):
    monkeypatch.setattr(candle_imports, "KEPT", 2)
    client, user = signed_in("trader@example.com")
    for symbol in ("A/USD", "B/USD", "C/USD", "D/USD"):
        inline(client, symbol=symbol)

    kept = CandleImport.objects.filter(owner=user).values_list("symbol", flat=True)

    # Each new file drops the finished ones past the two latest, before it is imported.
    assert sorted(kept) == ["B/USD", "C/USD", "D/USD"]
    assert CandleSeries.objects.filter(owner=user).count() == 4  # the candles stay


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True)
def test_a_real_long_cluster_imports_the_file_sent_through_the_page(
    start_qcluster, monkeypatch, settings
):
    monkeypatch.setattr(Conf, "SYNC", False)
    # Only the long cluster runs: a task sent to the default one would never be read.
    start_qcluster(Q_CLUSTER_NAME=settings.LONG_TASKS)
    client, user = signed_in("cluster-import@example.com")

    assert _post(client).status_code == 302

    deadline = time.monotonic() + 60
    record = CandleImport.objects.get(owner=user)
    while record.active and time.monotonic() < deadline:
        time.sleep(0.2)
        record.refresh_from_db()
    assert (record.status, record.bars, record.data) == ("done", 3, None)
    series = CandleSeries.objects.get(owner=user, symbol="BTC/USD", timeframe="1h")
    assert candles_read(series).time.tolist() == [1704067200000, 1704070800000, 1704078000000]
