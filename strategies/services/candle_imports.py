"""Candle imports from the site: the request only keeps the file (compressed, in the row, where
a worker on any machine can read it) and puts it in the line of long work
(strategies/services/long_jobs.py); a worker of the long cluster reads it, noting its
progress on the row, and writes it into the candle store.

candle_import_check(*, owner)      ImportRefused if the owner has as many imports waiting or
                                   in progress as allowed
candle_import_start(*, owner, symbol, timeframe, file_name, chunks) -> CandleImport
                                   or ImportRefused (too big, or too many); nothing kept then
candle_import_run(*, import_id)    idempotent: a finished import is left alone, a retried one
                                   reads the file again, and its candles are written in the
                                   transaction that marks it imported, so never twice
candle_import_lost(import_id)      its workers kept being lost: it ends as failed
candle_imports_settle(*, owner)    an import left out of the line ends as failed
problems_shown(record)             its problems in the active language
"""

import contextlib
import logging
import time
import zlib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_q.exceptions import TimeoutException

from accounts.models import User
from strategies.candles_csv import (
    TOO_BIG,
    CandleFileError,
    CandleProblem,
    problem_text,
    read_candles,
)
from strategies.models.candle_imports import ACTIVE_IMPORT, CandleImport
from strategies.models.candle_imports import CandleImportStatus as Status
from strategies.models.long_jobs import LongJob, LongJobKind
from strategies.selectors.long_job_line import time_limit_minutes
from strategies.series import Candles
from strategies.services.candles import candles_store
from strategies.services.long_jobs import long_job_beat, long_job_queue
from strategies.services.measured_rates import rate_record

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
KEPT = 10  # finished imports kept (and listed) per user: older ones are deleted
PROGRESS_EVERY_S = 1.0
# An import that is not in the line (where a lost worker's turn is handed out again) is left
# behind: past this, it ends as failed.
ORPHAN_AFTER = timedelta(minutes=10)
# Fast rather than small, since the request compresses while the user waits: about 0.1 s per
# 10 MB of CSV candles, which shrink to about 40 % (level 6 takes five times longer for 35 %).
COMPRESSION_LEVEL = 1

TOO_MANY = ngettext_lazy(
    "You already have %(count)s file waiting or being imported: wait for it to finish "
    "before sending another.",
    "You already have %(count)s files waiting or being imported: wait for one of them to "
    "finish before sending another.",
    "count",
)
INTERRUPTED = _(
    "Nothing was imported: the import was interrupted before it finished. Send the file again."
)
OURS = _(
    "Nothing was imported: the import failed because of a fault on our side, not in your "
    "file. Try again later."
)
TIME_LIMIT = _(
    "Nothing was imported: reading the file went past the %(minutes)s-minute limit for long "
    "work. Send it again in smaller files (each a shorter period)."
)
# Failures that are not the file's, stored as its problems are: a code, no line.
FAILURES = {"interrupted": INTERRUPTED, "ours": OURS, "time_limit": TIME_LIMIT}


class ImportRefused(Exception):
    """The file was not taken, and nothing of it kept; `message` says why, `status` is the
    HTTP status that fits (413: too large, 429: too many imports at once)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


class Stale(Exception):
    """The import ended elsewhere meanwhile (another attempt, or settled as interrupted)."""


def candle_import_check(*, owner: User) -> None:
    """ImportRefused if the owner has as many imports waiting or in progress as allowed
    (imports whose worker died are settled first, and stop counting)."""
    candle_imports_settle(owner=owner)
    active = CandleImport.objects.owned_by(owner).active().count()
    if active >= settings.CANDLE_IMPORTS_MAX_ACTIVE:
        raise ImportRefused(str(TOO_MANY % {"count": active}), status=429)


def candle_import_start(
    *,
    owner: User,
    symbol: str,
    timeframe: str | None,
    file_name: str,
    chunks: Iterable[bytes],
) -> CandleImport:
    """Keep the file and queue its import on the long cluster; ImportRefused (nothing kept)
    past CANDLE_IMPORTS_MAX_MB or CANDLE_IMPORTS_MAX_ACTIVE."""
    # Compressed before the transaction: SQLite's writers wait for nobody's CPU.
    data, size = _compressed(chunks, settings.CANDLE_IMPORTS_MAX_MB)
    return _queue(
        owner=owner,
        symbol=symbol,
        timeframe=timeframe or "",
        file_name=file_name[-255:],
        size=size,
        data=data,
    )


def _compressed(chunks: Iterable[bytes], limit_mb: int) -> tuple[bytes, int]:
    compressor = zlib.compressobj(COMPRESSION_LEVEL)
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit_mb * MEGABYTE:
            raise ImportRefused(str(TOO_BIG % {"limit": limit_mb}), status=413)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts), size


@transaction.atomic
def _queue(*, owner: User, **fields: object) -> CandleImport:
    # Lock the owner's row: two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).exists()
    candle_import_check(owner=owner)
    record = CandleImport.objects.create(owner=owner, **fields)
    old = CandleImport.objects.owned_by(owner).finished().values_list("pk", flat=True)[KEPT:]
    CandleImport.objects.filter(pk__in=list(old)).delete()
    # A broker that fails after the commit must not turn the kept file into a 500: the line
    # hands the import out again at the next minute's sweep.
    long_job_queue(kind=LongJobKind.CANDLE_IMPORT, target_id=record.pk, owner_id=owner.pk)
    return record


def candle_import_run(*, import_id: int) -> None:
    """Read the file and import it (see the module docstring). Failures end as problems."""
    record = _claim(import_id)
    if record is None:
        return
    began = time.monotonic()
    try:
        raw = zlib.decompress(record.data or b"")
        record.data = None  # only `raw` is needed now: not both in memory
        candles = read_candles(
            raw,
            timeframe=record.timeframe or None,
            max_bytes=len(raw),  # its size was limited when it was sent
            progress=ProgressWriter(record),
        )
        del raw
        _advance(record, status=Status.WRITING, progress=100)
        _finish(record, candles)
        rate_record("import", record.size, time.monotonic() - began)
    except Stale:
        return
    except TimeoutException:
        # django-q2's SystemExit past the long cluster's timeout: said now, not an hour later.
        _fail(record, [_failure("time_limit", minutes=time_limit_minutes())])
        raise
    except CandleFileError as refused:
        _fail(record, [problem.as_json() for problem in refused.problems])
    except Exception:  # a bug of ours: the user gets a sentence, the log the traceback
        logger.exception("Candle import %s failed in our code", record.pk)
        _fail(record, [_failure("ours")])


@transaction.atomic
def _claim(import_id: int) -> CandleImport | None:
    """The import, now being read; None when it has ended (a task run twice)."""
    record = (
        CandleImport.objects.select_for_update()
        .filter(pk=import_id, status__in=ACTIVE_IMPORT)
        .first()
    )
    if record is None:
        return None
    fields = {
        "status": Status.PARSING,
        "progress": 0,
        "started_at": record.started_at or timezone.now(),
    }
    CandleImport.objects.filter(pk=record.pk).update(**fields)
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def _advance(record: CandleImport, **fields: object) -> None:
    """Write to an import still in progress, or raise Stale."""
    if not CandleImport.objects.filter(pk=record.pk, status__in=ACTIVE_IMPORT).update(**fields):
        raise Stale()


class ProgressWriter:
    """read_candles' progress, written to the row at most once a second; raises Stale as soon
    as the import ended elsewhere."""

    def __init__(self, record: CandleImport) -> None:
        self.record, self.written_at = record, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_S:
            return
        self.written_at = now
        _advance(self.record, progress=min(99, 100 * done // total))
        long_job_beat(kind=LongJobKind.CANDLE_IMPORT, target_id=self.record.pk)


@transaction.atomic
def _finish(record: CandleImport, candles: Candles) -> None:
    """Write the candles and mark the import done, together: a retry finds it done."""
    mine = CandleImport.objects.select_for_update().filter(pk=record.pk, status=Status.WRITING)
    if not mine.exists():
        raise Stale()
    series = candles_store(owner=record.owner, symbol=record.symbol, candles=candles)
    CandleImport.objects.filter(pk=record.pk).update(
        status=Status.DONE,
        data=None,
        problems=[],
        series=series,
        timeframe=candles.timeframe,
        bars=len(candles),
        first_ms=int(candles.time[0]),
        end_ms=int(candles.time[-1]) + candles.bar_ms,
        progress=100,
        finished_at=timezone.now(),
    )


def _fail(record: CandleImport, problems: list[dict[str, object]]) -> None:
    with contextlib.suppress(Stale):
        _advance(
            record,
            status=Status.FAILED,
            problems=problems,
            data=None,
            finished_at=timezone.now(),
        )


def _failure(code: str, **params: object) -> dict[str, object]:
    return {"line": None, "code": code, "params": params}


def candle_import_lost(import_id: int) -> None:
    record = CandleImport.objects.filter(pk=import_id).first()
    if record is not None:
        _fail(record, [_failure("interrupted")])


@transaction.atomic
def candle_imports_settle(*, owner: User) -> int:
    """End as failed the owner's imports that nothing will run any more (out of the line);
    how many there were."""
    in_line = LongJob.objects.filter(kind=LongJobKind.CANDLE_IMPORT).values("target_id")
    stale = (
        CandleImport.objects.owned_by(owner)
        .active()
        .filter(created_at__lt=timezone.now() - ORPHAN_AFTER)
        .exclude(pk__in=in_line)
    )
    return stale.update(
        status=Status.FAILED,
        problems=[_failure("interrupted")],
        data=None,
        finished_at=timezone.now(),
    )


def problems_shown(record: CandleImport) -> list[CandleProblem]:
    """The import's problems, worded in the active language (codes kept)."""
    return [
        CandleProblem(found.get("line"), _text(found), found.get("code", ""))
        for found in record.problems
    ]


def failed_on_our_side(record: CandleImport) -> bool:
    """Whether the import failed for a reason that is not in the file."""
    return any(found.get("code") in FAILURES for found in record.problems)


def _text(found: dict) -> str:
    code, params = found.get("code", ""), found.get("params") or {}
    if code in FAILURES:
        return str(FAILURES[code]) % params if params else str(FAILURES[code])
    try:
        return problem_text(code, params)
    except (KeyError, TypeError, ValueError):  # stored by a version whose messages differ
        return str(OURS)
