"""What `manage.py backtest` does once its options are parsed: read the candles and the
strategy, run the engine, and word the outcome (a summary, or JSON); every refusal a
CommandError with a translated message."""

import json
import re
from pathlib import Path

from django.core.management.base import CommandError

from strategies.candles_csv import CandleFileError, read_candles
from strategies.content_dir import CONTENT_DIR
from strategies.engine import (
    STATEMENT,
    FillModel,
    IncompatibleTimeframe,
    Market,
    ShortsNotAllowed,
    backtest,
    trade_json,
)
from strategies.engine.fills.model import TIE_STOP_FIRST, TIE_TARGET_FIRST
from strategies.i18n import gettext_lazy as _
from strategies.management.summary import summary_lines
from strategies.rules import DocumentError, parse
from strategies.series import Candles

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
# The file is mapped, not read into memory (an upload's limit is candles_csv.MAX_BYTES): five
# million one-minute candles are about 300 MB; this is some fifty million.
MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024

NO_STRATEGY = _("No catalog strategy or file is named “%(name)s”.")
NO_CANDLES = _("The candle file “%(path)s” does not exist.")
TOO_BIG = _("The candle file is larger than %(limit)s MB: split it or keep a shorter period.")
BAD_CANDLES = _("The candle file cannot be used:")
BAD_DOCUMENT = _("The strategy document cannot be used:")
AT_LINE = _("line %(line)s: %(problem)s")
NO_TIMEFRAME = _("The strategy needs %(timeframe)s candles, which %(base)s candles cannot build.")
BAD_NUMBER = _("%(option)s must be %(rule)s.")


def run_backtest(options: dict) -> str:
    """The command's output for its parsed `options`."""
    model, market = _fill_model(options), _market(options)
    candles = _candles(options["candles"], options["timeframe"])
    document = _document(options["strategy"], candles.timeframe)
    try:
        result = backtest(document, candles, capital=options["capital"], model=model, market=market)
    except ShortsNotAllowed as refused:
        raise CommandError(str(refused.message)) from None
    except IncompatibleTimeframe as refused:
        values = {"timeframe": refused.timeframe, "base": refused.base}
        raise CommandError(str(NO_TIMEFRAME % values)) from None
    if options["json"]:
        return json_text(_as_json(result))
    lines = summary_lines(document.name, candles, result, options["capital"])
    return "\n".join([*lines, *_statement()])


def json_text(shown: dict) -> str:
    """`shown` as JSON, one key a line and one list item a line: readable and greppable, and
    written by the C encoder (`indent` makes json use its pure-Python one, which took three
    times as long as the whole backtest for a million candles' trades)."""
    lines = []
    for key, value in shown.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def _fill_model(options: dict) -> FillModel:
    checks = [
        ("--capital", options["capital"] > 0, _("greater than 0")),
        ("--fee", 0 <= options["fee"] < 1, _("at least 0 and below 1")),
        ("--slippage-bps", 0 <= options["slippage_bps"] < 10_000, _("between 0 and 10000")),
        ("--max-volume-share", 0 <= options["max_volume_share"] <= 1, _("between 0 and 1")),
    ]
    for option, holds, rule in checks:
        if not holds:
            raise CommandError(str(BAD_NUMBER % {"option": option, "rule": rule}))
    return FillModel(
        fee=options["fee"],
        slippage_bps=options["slippage_bps"],
        max_volume_share=options["max_volume_share"],
        tie=TIE_TARGET_FIRST if options["take_profit_first"] else TIE_STOP_FIRST,
    )


def _market(options: dict) -> Market:
    step = options["amount_step"]
    if (step is not None and step <= 0) or options["min_amount"] < 0 or options["min_cost"] < 0:
        rule = _("greater than 0 (minimums: at least 0)")
        raise CommandError(str(BAD_NUMBER % {"option": "--amount-step", "rule": rule}))
    return Market(
        amount_step=step,
        min_amount=options["min_amount"],
        min_cost=options["min_cost"],
        allows_shorts=options["market"] == "futures",
    )


def _candles(name: str, timeframe: str | None) -> Candles:
    path = Path(name)
    if not path.is_file():
        raise CommandError(str(NO_CANDLES % {"path": name}))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CommandError(str(TOO_BIG % {"limit": MAX_FILE_BYTES // (1024 * 1024)}))
    try:
        with path.open("rb") as source:
            return read_candles(source, timeframe=timeframe, max_bytes=MAX_FILE_BYTES)
    except CandleFileError as refused:
        problems = [_located(problem.line, problem.message) for problem in refused.problems]
        raise CommandError("\n".join([str(BAD_CANDLES), *problems])) from None


def _document(name: str, timeframe: str):
    path = Path(name)
    if not path.is_file() and SLUG.match(name):
        path = CONTENT_DIR / name / "strategy.yaml"
    if not path.is_file():
        raise CommandError(str(NO_STRATEGY % {"name": name}))
    try:
        return parse(path.read_bytes(), base_timeframe=timeframe)
    except DocumentError as refused:
        problems = [_located(problem.line, str(problem)) for problem in refused.errors]
        raise CommandError("\n".join([str(BAD_DOCUMENT), *problems])) from None


def _located(line: int | None, message) -> str:
    return f"  {AT_LINE % {'line': line, 'problem': message}}" if line else f"  {message}"


def _statement() -> list[str]:
    heading = str(_("The fill model:"))
    return ["", heading, *(f"{number}. {point}" for number, point in enumerate(STATEMENT, 1))]


def _as_json(result) -> dict:
    model = result.model
    return {
        "trades": [trade_json(trade) for trade in result.trades],
        "open_trades": [trade_json(trade) for trade in result.open_trades],
        "stats": result.stats.as_dict(),
        "fill_model": {
            "fee": model.fee,
            "slippage_bps": model.slippage_bps,
            "max_volume_share": model.max_volume_share,
            "tie": model.tie,
        },
    }
