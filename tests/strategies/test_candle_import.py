"""manage.py import_candles: a user's own candles into the store; bad files refused by line."""

import pytest
from django.core.management import CommandError, call_command

from strategies.candles.store import candles_read
from strategies.models import CandleSeries
from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db

HEADER = "timestamp,open,high,low,close,volume\n"


def test_a_file_is_imported_into_the_users_own_series(tmp_path, capsys):
    owner = make_user("importer@example.com")
    path = tmp_path / "btc.csv"
    # Three hourly bars with a gap at 02:00 (nobody traded): it stays a gap.
    path.write_text(
        HEADER
        + "1704067200000,100,110,95,105,12.5\n"
        + "1704070800000,105,106,101,102,3\n"
        + "1704078000000,102,103,99,100,0\n"
    )

    call_command("import_candles", str(path), user="IMPORTER@example.com", symbol="BTC/USD")

    series = CandleSeries.objects.get(owner=owner, symbol="BTC/USD")
    assert series.timeframe == "1h"
    assert series.coverage == [[1704067200000, 1704081600000]]
    stored = candles_read(series)
    assert stored.time.tolist() == [1704067200000, 1704070800000, 1704078000000]
    assert stored.close.tolist() == [105, 102, 100]
    assert "Imported into BTC/USD 1h for importer@example.com" in capsys.readouterr().out


def test_a_bad_file_is_refused_with_its_lines_and_nothing_is_written(tmp_path):
    make_user("importer@example.com")
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "1704067200000,100,90,95,105,1\n" + "1704067200000,100,110,95,105,-2\n"
    )

    with pytest.raises(CommandError) as refused:
        call_command("import_candles", str(path), user="importer@example.com", symbol="BTC/USD")

    message = str(refused.value)
    assert "line 2: The high is below the low." in message
    assert "line 3:" in message
    assert not CandleSeries.objects.exists()


def test_an_unknown_user_or_file_is_a_clear_error(tmp_path):
    with pytest.raises(
        CommandError, match=r"No account with the email address nobody@example\.com"
    ):
        call_command(
            "import_candles", str(tmp_path / "x.csv"), user="nobody@example.com", symbol="X"
        )
    make_user("importer@example.com")
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "import_candles", str(tmp_path / "x.csv"), user="importer@example.com", symbol="X"
        )
