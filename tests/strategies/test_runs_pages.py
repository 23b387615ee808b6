"""Runs as a user meets them: starting a paper run against the sandbox venue (a second factor
first), the fan-out fetching each market once per bar, the dashboard and the run's page in both
languages, the controls, another user's run, and the hooks that keep what active runs need."""

import pytest
from django.test import Client

from accounts import services as accounts_services
from accounts.models import User
from exchanges import retry
from strategies.candles.store import series_for
from strategies.engine.enums import Status
from strategies.models import (
    Backtest,
    CatalogEntry,
    RunBar,
    RunOrder,
    RunStatus,
    RunTrade,
    StrategyRun,
)
from strategies.services import run_ticks
from strategies.services.run_ticks import run_tick, runs_fan_out
from tests.accounts.helpers import enrol, make_user, verify_session
from tests.strategies.mine_helpers import page
from tests.strategies.run_helpers import kraken as kraken_exchange
from tests.strategies.run_helpers import paper_run, stored
from tests.strategies.test_runs_ticks import HAND, hand_candles

pytestmark = pytest.mark.django_db

HOUR_MS = 3_600_000

FORM = {
    "strategy": "catalog:ema-crossover",
    "exchange": "kraken",
    "symbol": "BTC/USD",
    "timeframe": "1h",
    "capital": "1000",
    "fee": "",
    "slippage_bps": "5",
    "max_volume_share": "10",
}


@pytest.fixture
def kraken(venue, settings, monkeypatch):
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    monkeypatch.setattr(retry, "RETRY_DELAYS", (0.0, 0.0))
    return venue


def verified(email: str) -> tuple[Client, User]:
    user = make_user(email)
    client = Client()
    client.force_login(user)
    verify_session(client, enrol(user))
    return client, user


def test_starting_a_paper_run_needs_a_second_factor():
    user = make_user("no2fa@example.com")
    client = Client()
    client.force_login(user)

    response = client.get("/en/runs/new/")

    assert response.status_code == 302
    assert "two-factor" in response["Location"] or "2fa" in response["Location"]
    assert not StrategyRun.objects.exists()


def test_a_paper_run_starts_loads_its_history_and_ticks_after_the_next_close(
    kraken, django_capture_on_commit_callbacks
):
    client, user = verified("paper@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/runs/new/", FORM)

    assert response.status_code == 302
    run = StrategyRun.objects.get(owner=user)
    # The history task ran (on the long cluster; here inline): the run now runs.
    assert run.status == RunStatus.RUNNING
    assert run.fee == pytest.approx(0.004)  # Kraken's entry-tier taker fee
    assert run.history_ms < run.start_ms
    assert (run.amount_step, run.min_amount) == (1e-8, 0.00005)
    text = page(client.get(response["Location"]))
    # Titled by the catalog's title in the reader's language, not the document's slug.
    assert "Run of EMA crossover" in text
    assert "Run of ema-crossover" not in text
    listing = page(client.get("/fr/runs/"))
    assert "Croisement d’EMA</a>" in listing
    assert "Waiting for the first candle to close." in text
    assert "Stop the run" in text


def test_the_fan_out_fetches_each_market_once_per_bar_for_all_its_runs(
    kraken, django_capture_on_commit_callbacks, monkeypatch
):
    client, user = verified("many@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.post("/en/runs/new/", FORM).status_code == 302
    runs = list(StrategyRun.objects.filter(owner=user))
    assert {run.status for run in runs} == {RunStatus.RUNNING}
    # An hour later: the runs' first bar has closed, and the store lacks it (cut it off).
    bar_ms = 3_600_000
    closed = runs[0].start_ms - bar_ms
    StrategyRun.objects.filter(owner=user).update(start_ms=closed)
    series = series_for(exchange=runs[0].exchange, symbol="BTC/USD", timeframe="1h")
    series.coverage = [[start, min(end, closed)] for start, end in series.coverage]
    series.save()
    requests = []
    real_fill = run_ticks.candles_fill

    def counted_fill(**kwargs):
        report = real_fill(**kwargs)
        requests.append(report.requests)
        return report

    monkeypatch.setattr(run_ticks, "candles_fill", counted_fill)

    with django_capture_on_commit_callbacks(execute=True):
        assert runs_fan_out() == 1  # one market
        assert runs_fan_out() == 0  # queued already: not twice in the same bar

    assert requests == [1]  # one candle request for the three runs
    for run in runs:
        run.refresh_from_db()
        assert run.last_bar_ms == closed
        assert run.ticked_at is not None
    assert RunBar.objects.filter(run__owner=user, bar_ms=closed).count() == 3


def test_the_dashboard_and_the_run_page_in_french_with_a_decision_in_the_strategys_words():
    client, user = verified("tableau@example.com")
    user.preferred_language = "fr"
    user.save()
    candles = hand_candles()
    stored(candles)
    run = paper_run(
        user, HAND, candles, start=1, capital=1000.0, fee=0, slippage_bps=0, max_volume_share=0.5
    )
    for bar_ms in candles.time[1:4].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)

    listing = page(client.get("/fr/runs/"))
    detail = page(client.get(f"/fr/runs/{run.pk}/"))
    live = page(client.get(f"/fr/runs/{run.pk}/live/"))

    assert "Mes sessions" in listing
    assert "Arrêter toutes mes sessions" in listing
    assert "hand-worked" in listing
    assert "Journal des décisions" in detail
    assert "Entrée longue déclenchée le" in detail
    assert "\u00a0: la clôture dépasse 100 → Achat 5,45454545 (Exécuté)" in detail
    # The fill model's costs in percent, in the backtest report's words (fee 0, share 0.5).
    assert "frais taker de 0\u00a0% par jambe" in detail
    assert "au plus 50\u00a0% du volume d\u2019une bougie par ordre" in detail
    assert 'hx-trigger="every 10s"' in live
    assert "Fermer la position et arrêter" in live


def test_controls_stop_flatten_and_stop_all(django_capture_on_commit_callbacks, mailoutbox):
    client, user = verified("controls@example.com")
    candles = hand_candles()
    stored(candles)
    runs = [
        paper_run(user, HAND, candles, start=1, capital=1000.0, max_volume_share=0.5)
        for _ in range(3)
    ]
    for bar_ms in candles.time[1:3].tolist():
        run_tick(run_id=runs[1].pk, bar_ms=bar_ms)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/runs/{runs[0].pk}/stop/")
        client.post(f"/en/runs/{runs[1].pk}/flatten/")
        client.post("/en/runs/stop-all/")

    statuses = [StrategyRun.objects.get(pk=run.pk) for run in runs]
    assert [(r.status, r.stop_code) for r in statuses] == [
        (RunStatus.STOPPED, "stopped_by_you"),
        (RunStatus.STOPPED, "killed_by_you"),  # stopping to flatten, then stop all
        (RunStatus.STOPPED, "killed_by_you"),
    ]
    assert len(mailoutbox) == 3


def test_another_users_run_is_a_404_everywhere():
    owner = make_user("owner@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(owner, HAND, candles, start=1)
    client, _user = verified("other@example.com")

    for path in ("", "live/"):
        assert client.get(f"/en/runs/{run.pk}/{path}").status_code == 404
    for path in ("stop/", "flatten/"):
        assert client.post(f"/en/runs/{run.pk}/{path}").status_code == 404
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_active_runs_block_turning_off_two_factor_and_deleting_the_account():
    user = make_user("blocked@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(user, HAND, candles, start=1)

    with pytest.raises(accounts_services.TwoFactorRemovalRefused) as refused:
        accounts_services.refuse_if_blocked(
            accounts_services.two_factor_removal_blockers,
            user,
            accounts_services.TwoFactorRemovalRefused,
        )
    assert "You have 1 active run: stop it first." in str(refused.value.reasons)
    assert any(
        "active run" in (blocker(user) or "")
        for blocker in accounts_services.account_deletion_blockers
    )

    run.status = RunStatus.STOPPED
    run.save()
    assert not any(blocker(user) for blocker in accounts_services.two_factor_removal_blockers)


def test_staff_kill_switches_per_user_and_for_everyone(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    candles = hand_candles()
    stored(candles)
    alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
    alices = [paper_run(alice, HAND, candles, start=1) for _ in range(2)]
    bobs = paper_run(bob, HAND, candles, start=1)
    changelist = "/en/admin/strategies/strategyrun/"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {"action": "stop_all_of_their_owners", "_selected_action": [alices[0].pk]},
        )
    assert response.status_code == 302
    assert set(StrategyRun.objects.filter(owner=alice).values_list("status", "stop_code")) == {
        (RunStatus.STOPPED, "killed_by_staff")
    }
    assert StrategyRun.objects.get(pk=bobs.pk).status == RunStatus.RUNNING

    confirm = admin_client.get(changelist + "kill-all/")
    assert "1 run is active." in page(confirm)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist + "kill-all/")
    bobs.refresh_from_db()
    assert (bobs.status, bobs.stop_code) == (RunStatus.STOPPED, "killed_for_all")
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "alice@example.com",
        "alice@example.com",
        "bob@example.com",
    ]


def test_a_backtest_report_offers_a_paper_run_with_its_settings():
    client, user = verified("from-backtest@example.com")
    entry = CatalogEntry.objects.get(slug="ema-crossover")
    backtest = Backtest.objects.create(
        owner=user,
        catalog_entry=entry,
        strategy_name=entry.slug,
        document=entry.document,
        exchange=kraken_exchange(),
        symbol="ETH/USD",
        timeframe="4h",
        start_ms=0,
        end_ms=HOUR_MS,
        capital=2500,
        fee=0.0026,
        slippage_bps=7.5,
        max_volume_share=0.05,
        tie="stop_first",
        status="done",
        stats={},
        bars=1,
        gaps=0,
    )

    report = page(client.get(f"/en/strategies/backtests/{backtest.pk}/"))
    form = page(client.get(f"/en/runs/new/?backtest={backtest.pk}"))

    assert f'href="/en/runs/new/?backtest={backtest.pk}"' in report
    assert 'value="ETH/USD"' in form
    assert '<option value="4h" selected>' in form
    assert '<option value="catalog:ema-crossover" selected>' in form
    assert 'value="2500.00"' in form or 'value="2500"' in form
    assert 'value="0.26"' in form or 'value="0.2600"' in form
    assert 'value="7.5"' in form
    assert 'value="5"' in form  # 0.05 of a candle's volume, shown in percent


def test_the_run_pages_kept_tables_follow_a_write_that_bypasses_save():
    client, user = verified("kept@example.com")
    candles = hand_candles()
    stored(candles)
    run = paper_run(
        user, HAND, candles, start=1, capital=1000.0, fee=0, slippage_bps=0, max_volume_share=0.5
    )
    for bar_ms in candles.time[1:].tolist():
        run_tick(run_id=run.pk, bar_ms=bar_ms)
    before = page(client.get(f"/en/runs/{run.pk}/live/"))
    trade = RunTrade.objects.get(run=run)

    # As a broker records an exchange's answer, and as a correction would: update(), no
    # save(), no signal; the tables were kept rendered by the request before.
    RunOrder.objects.filter(run=run, bar_ms=int(candles.time[2])).update(status=Status.REJECTED)
    RunTrade.objects.filter(pk=trade.pk).update(pnl=trade.pnl + 1234.5)
    after = page(client.get(f"/en/runs/{run.pk}/live/"))

    assert "Buy 5.45454545 (Filled)" in before
    assert "Buy 5.45454545 (Refused by the exchange)" in after
    assert "1,234.5" not in before
    assert f"{trade.pnl + 1234.5:,.2f}" in after


def test_a_run_on_a_timeframe_its_catalog_strategy_is_not_meant_for_says_so():
    client, user = verified("timeframe@example.com")
    candles = hand_candles()
    stored(candles)
    entry = CatalogEntry.objects.get(slug="ema-crossover")  # suggested on 1h, 4h and 1d
    runs = [paper_run(user, HAND, candles, start=1) for _ in range(2)]
    StrategyRun.objects.filter(pk=runs[0].pk).update(catalog_entry=entry, timeframe="5m")
    StrategyRun.objects.filter(pk=runs[1].pk).update(catalog_entry=entry, timeframe="4h")

    warned = page(client.get(f"/en/runs/{runs[0].pk}/"))
    french = page(client.get(f"/fr/runs/{runs[0].pk}/"))
    calm = page(client.get(f"/en/runs/{runs[1].pk}/"))

    assert "The catalog suggests this strategy on 1h, 4h, 1d; this run trades on 5m." in warned
    assert "cette session trade en 5m" in french
    assert "this run trades on" not in calm
