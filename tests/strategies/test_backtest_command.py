"""manage.py backtest: a catalog slug or a YAML file over a CSV, JSON or a summary, no database.

No test here has database access: pytest-django fails any query, so none is made.
"""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tests.strategies.test_indicators_properties import random_walk


@pytest.fixture
def candles_file(tmp_path):
    candles = random_walk(1500, seed=3)
    lines = ["timestamp,open,high,low,close,volume"]
    for row in zip(
        candles.time.tolist(),
        *(getattr(candles, name).tolist() for name in ("open", "high", "low", "close")),
        candles.volume.tolist(),
        strict=True,
    ):
        lines.append(",".join(repr(value) for value in row))
    path = tmp_path / "candles.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("backtest", *args, stdout=out)
    return out.getvalue()


def test_json_lists_trades_open_trades_and_stats(candles_file):
    printed = run(
        "--strategy",
        "ema-crossover",
        "--candles",
        str(candles_file),
        "--json",
        "--capital",
        "10000",
        "--fee",
        "0.001",
        "--slippage-bps",
        "2",
        "--max-volume-share",
        "0",
    )
    result = json.loads(printed)

    assert set(result) >= {"trades", "open_trades", "stats"}
    assert len(result["trades"]) >= 3
    for trade in result["trades"]:
        assert set(trade) == {
            "side",
            "entry_time",
            "entry_price",
            "exit_time",
            "exit_price",
            "size",
            "pnl",
            "fees",
            "funding",
            "exit_reason",
        }
        assert trade["exit_reason"] in ("signal", "stop_loss", "take_profit", "trailing_stop")
        assert trade["exit_time"] >= trade["entry_time"]
    assert result["stats"]["trades"] == len(result["trades"])
    assert np.isfinite(result["stats"]["final_equity"])


def test_a_yaml_file_and_a_summary_in_words(candles_file, tmp_path):
    document = tmp_path / "mine.yaml"
    document.write_text(
        "name: mine\nentry: {lhs: {bar: close}, op: crosses_up, rhs: {value: 100}}\n"
        "risk: {stop_loss_pct: 0.02, take_profit_pct: 0.02}\n"
    )

    printed = run("--strategy", str(document), "--candles", str(candles_file))

    assert printed.startswith("mine on 1500 candles of 1h")
    assert "Sharpe ratio (daily, annualised with √365): " in printed
    assert "The fill model:" in printed
    assert "\n8. A position still open" in printed


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("timestamp,open,high,low,close,volume\n1704067200000,1,2,3,1,1\n", "line 2: The high"),
        ("time,o,h,l,c,v\n", "line 1: The columns must be"),
    ],
)
def test_a_bad_csv_is_an_error_with_its_line_never_a_traceback(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)

    with pytest.raises(CommandError, match=expected):
        run("--strategy", "ema-crossover", "--candles", str(path))


def test_a_short_strategy_on_spot_is_refused_and_runs_on_futures(candles_file, tmp_path):
    document = tmp_path / "short.yaml"
    document.write_text(
        "name: short\nlong_only: false\n"
        "entry: {lhs: {bar: close}, op: crosses_down, rhs: {value: 100}, direction: short}\n"
        "risk: {stop_loss_pct: 0.02, take_profit_pct: 0.02}\n"
    )

    with pytest.raises(CommandError, match="does not allow"):
        run("--strategy", str(document), "--candles", str(candles_file))
    trades = json.loads(
        run(
            "--strategy",
            str(document),
            "--candles",
            str(candles_file),
            "--market",
            "futures",
            "--json",
        )
    )["trades"]
    assert trades
    assert {trade["side"] for trade in trades} == {"short"}


def test_unknown_strategy_bad_document_and_bad_numbers_are_errors(candles_file, tmp_path):
    with pytest.raises(CommandError, match="No catalog strategy or file"):
        run("--strategy", "no-such-thing", "--candles", str(candles_file))
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nentry: {lhs: {bar: close}, op: sideways, rhs: {value: 1}}\n")
    with pytest.raises(CommandError, match="line 2"):
        run("--strategy", str(broken), "--candles", str(candles_file))
    with pytest.raises(CommandError, match="--fee"):
        run("--strategy", "ema-crossover", "--candles", str(candles_file), "--fee", "2")
    with pytest.raises(CommandError, match="does not exist"):
        run("--strategy", "ema-crossover", "--candles", str(tmp_path / "none.csv"))
