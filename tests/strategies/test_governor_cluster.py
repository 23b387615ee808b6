"""The risk governor in real `manage.py qcluster` processes: three live runs on one key at the
sandbox venue (BTC/USD, ETH/USD, SOL/USD), a combined drawdown limit on the key. The second
run's entry takes the combined drawdown past the limit, and the worker is killed in that very
tick (its stop-loss sent, the answer held back by the venue). After the restart the tick
finishes, the breach is found and committed, and at the next bar the third run's entry is
held back: no order reaches the venue after the breach bar. One notification of the breach
reaches each channel: email, Telegram (the sandbox's bot) and a signed webhook.

Real: the clusters, their broker and the database (PostgreSQL in CI's second pass), ccxt and
the sandbox venue. The only help: the venue slows one lookup so that the kill lands in the
same window every time."""

import math
import os
import signal
import time
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django_q.conf import Conf
from django_q.tasks import async_task

from exchanges.sandbox import Fault
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from notifications.services.channels import channel_address_set
from strategies.models import RiskBreach, RiskLimits, RunMode, RunOrder, StrategyRun
from strategies.series import Candles
from strategies.services import live_ticks
from tests.accounts.helpers import make_user
from tests.notifications.receiver import Receiver
from tests.strategies.run_helpers import paper_run, sandbox_key, stored, venue_orders
from tests.strategies.test_runs_live_cluster import CLUSTER, cluster_logs
from tests.strategies.test_runs_ticks import hand_candles

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]
NOW = 1_790_000_000.0
CHAT = 5151
DOCUMENT = """
name: governed {name}
indicators: {{}}
entry: {{lhs: {{bar: close}}, op: gt, rhs: {{value: {above}}}}}
risk: {{stop_loss_pct: 0.05}}
sizing: {{kind: fixed_quote, amount: {amount}}}
"""


def governed_run(venue, owner, key, *, symbol, pair, amount, capital, rise_at=None):
    """A prepared live run on flat candles at the venue's price (its entry rule true at every
    close), or, with `rise_at`, candles that rise 1 % at that bar only (its entry rule true
    there only)."""
    price = float(venue.state.market.price(pair, venue.state.clock()))
    closes = [price * (1.01 if bar == rise_at else 1.0) for bar in range(4)]
    table = np.array([(c, c, c, c, 100.0) for c in closes])
    candles = Candles("1h", hand_candles().time[:4], *(table[:, i].copy() for i in range(5)))
    stored(candles, symbol=symbol)
    above = 0 if rise_at is None else round(price * 1.005, 2)
    text = DOCUMENT.format(name=symbol, above=above, amount=amount)
    run = paper_run(owner, text, candles, start=1, capital=capital, symbol=symbol)
    run.mode, run.key, run.notional_cap = RunMode.LIVE, key, capital
    run.save()
    assert live_ticks.live_prepare(run)
    return run, candles.time.tolist()


def tick_and_wait(runs, bar_ms, tmp_path, seconds=60):
    for run in runs:
        async_task("strategies.tasks.tick_run", run.pk, bar_ms)
    deadline = time.monotonic() + seconds
    pks = [run.pk for run in runs]
    while time.monotonic() < deadline:
        if all((r.last_bar_ms or 0) >= bar_ms for r in StrategyRun.objects.filter(pk__in=pks)):
            return
        time.sleep(0.1)
    raise AssertionError(cluster_logs(tmp_path))


def test_a_breach_found_in_a_killed_tick_holds_every_later_entry_and_is_told_once(
    venue, settings, start_qcluster, monkeypatch, tmp_path
):
    call_command("load_guides", verbosity=0)  # a transactional test starts empty
    settings.EXCHANGE_API_OVERRIDES = {"kraken": venue.url}
    settings.EXCHANGE_RATE_LIMIT = False
    settings.RUNS_MIN_MARKET_VOLUME = 1000
    settings.NOTIFICATION_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(Conf, "SYNC", False)
    venue.freeze_time(NOW)
    receiver = Receiver().start()
    bot = venue.telegram_bot
    telegram = {
        "TELEGRAM_BOT_TOKEN": bot.token,
        "TELEGRAM_BOT_USERNAME": bot.username,
        "TELEGRAM_API_URL": venue.url,
        "NOTIFICATION_PRIVATE_ADDRESSES": "true",
        "EMAIL_URL": "consolemail://",
    }
    variables = {"EXCHANGE_API_OVERRIDES": f"kraken={venue.url}", **CLUSTER}

    owner = make_user("governed-cluster@example.com")
    key = sandbox_key(venue, owner, "spot-full")
    small, times = governed_run(
        venue, owner, key, symbol="BTC/USD", pair="XXBTZUSD", amount=100, capital=100
    )
    large, _times = governed_run(
        venue, owner, key, symbol="ETH/USD", pair="XETHZUSD", amount=900, capital=900
    )
    later, _times = governed_run(
        venue, owner, key, symbol="SOL/USD", pair="SOLUSD", amount=100, capital=100, rise_at=2
    )
    # Every channel: email (there from the start), Telegram, a signed webhook.
    venue.telegram_user_says(CHAT, "/start")
    Channel.objects.create(
        user=owner, kind="telegram", telegram_chat_id=CHAT, events=["risk"], telegram_name="x"
    )
    channel_address_set(user=owner, kind="webhook", url=receiver.url + "/hook")
    Channel.objects.filter(user=owner, kind="webhook").update(events=["risk"])
    limits = RiskLimits.objects.create(owner=owner, key=key)

    cluster = start_qcluster(**variables)
    start_qcluster(Q_CLUSTER_NAME="notify", **telegram)
    tick_and_wait([small], times[1], tmp_path)  # the small run's entry costs a little
    limits.refresh_from_db()
    after_small = limits.measures["drawdown"]
    assert 0 < after_small < 0.05, limits.measures
    # A limit between what the small run's entry cost and what the large one's will.
    limit = math.ceil(after_small * 150) / 100
    RiskLimits.objects.filter(pk=limits.pk).update(max_drawdown_pct=Decimal(str(limit)))

    # The large run's tick: its lookup slowed, then its stop-loss placed and its answer held
    # back; the worker dies there, before the tick is recorded.
    venue.inject(Fault("slow", endpoint="QueryOrders", seconds=3, count=1))
    async_task("strategies.tasks.tick_run", large.pk, times[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(venue_orders(venue)) < 3:
        time.sleep(0.02)
    venue.inject(Fault("lost_answer", endpoint="AddOrder", seconds=20))
    while time.monotonic() < deadline and len(venue_orders(venue)) < 4:
        time.sleep(0.02)
    assert len(venue_orders(venue)) == 4, cluster_logs(tmp_path)  # 2 entries, 2 stop-losses
    os.killpg(cluster.pid, signal.SIGKILL)
    cluster.wait()
    assert not RiskBreach.objects.exists()  # the tick that crosses it was not recorded

    start_qcluster(**variables)  # the task handed out again finishes the tick
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not RiskBreach.objects.exists():
        time.sleep(0.2)
    (breach,) = RiskBreach.objects.all()
    assert breach.kind == "drawdown"
    assert breach.measured >= limit > after_small
    # Found by whichever came first after the restart: the starting worker's check (no bar),
    # once the reconciliation it queued brought the large run's account up to date, or the
    # large run's tick finishing (acting at bar 2's open).
    assert breach.bar_ms in (None, times[2])

    tick_and_wait([small, large, later], times[2], tmp_path)
    before = len(venue_orders(venue))
    assert before == 4, cluster_logs(tmp_path)  # nothing sent after the breach bar
    assert not RunOrder.objects.filter(run=later).exists()  # its entry signal held back
    later.refresh_from_db()
    assert later.alert_code == "governor_held"

    # Told once on each channel.
    (notice,) = Notification.objects.filter(event="risk")
    deadline = time.monotonic() + 60
    sent = Delivery.objects.filter(notification=notice, status=DeliveryStatus.SENT)
    while time.monotonic() < deadline and sent.count() < 3:
        time.sleep(0.2)
    assert sorted(sent.values_list("channel__kind", flat=True)) == [
        "email",
        "telegram",
        "webhook",
    ], cluster_logs(tmp_path)
    risk_posts = [r for r in receiver.received if r.json()["event"] == "risk"]
    assert len(risk_posts) == 1
    told = [m for m in venue.telegram_messages(CHAT) if "Risk limit reached" in m["text"]]
    assert len(told) == 1
    receiver.stop()
