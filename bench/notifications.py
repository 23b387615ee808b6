"""From a notification recorded to its delivery, through a real notify cluster, on every
channel: a burst of risk-limit notices (as a tick recording many events at once would make)
to one Telegram chat at the sandbox venue (Telegram's pace: one message a second per chat), a
signed webhook on loopback and email (to the console). Prints, per channel, the delay from
the notification's commit to the delivery's `sent_at`: p50, p95 and the slowest. Target:
every one within 60 s of the tick that caused it.

    .venv/bin/python bench/notifications.py [--burst 20] [--database-url URL]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CHAT = 9001
TARGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    sys.path.insert(0, str(PROJECT))

    from bench.site import environment, running_worker
    from exchanges.sandbox import SandboxVenue
    from tests.notifications.receiver import Receiver

    venue, receiver = SandboxVenue(), Receiver()
    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp, venue:
        receiver.start()
        env = environment(
            tmp,
            options.database_url,
            TELEGRAM_BOT_TOKEN=venue.telegram_bot.token,
            TELEGRAM_BOT_USERNAME=venue.telegram_bot.username,
            TELEGRAM_API_URL=venue.url,
            NOTIFICATION_PRIVATE_ADDRESSES="true",
            EMAIL_URL="consolemail://",
        )
        venue.telegram_user_says(CHAT, "/start")
        with running_worker(env, clusters=("", "notify")):
            delays = measure(options.burst, receiver.url)
        receiver.stop()

    print(f"burst: {options.burst} notifications at once, each to email, Telegram and a webhook")
    print("workers: the notify cluster, 2 workers; Telegram paced at 1 message a second a chat")
    slowest = 0.0
    for kind, values in sorted(delays.items()):
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        slowest = max(slowest, ordered[-1])
        print(
            f"{kind:9} p50 {statistics.median(ordered):6.2f} s  p95 {p95:6.2f} s  "
            f"slowest {ordered[-1]:6.2f} s  ({len(ordered)} sent)"
        )
    verdict = "within" if slowest <= TARGET_S else "BEYOND"
    print(f"slowest delivery {slowest:.2f} s: {verdict} the {TARGET_S:.0f} s target")


def measure(burst: int, receiver_url: str) -> dict[str, list[float]]:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from notifications.events import Event
    from notifications.models import Channel, Delivery
    from notifications.services.channels import channel_address_set
    from notifications.services.outbox import notify
    from strategies.models import BreachKind, RiskBreach, RiskLimits

    user = User.objects.create_user("bench-notify@example.com", "not used here")
    Channel.objects.create(user=user, kind="telegram", telegram_chat_id=CHAT, events=list(Event))
    channel_address_set(user=user, kind="webhook", url=receiver_url + "/hook")
    limits = RiskLimits.objects.create(owner=user, max_drawdown_pct=10)
    breaches = [
        RiskBreach.objects.create(
            limits=limits,
            kind=BreachKind.DRAWDOWN,
            measured=11.0,
            limit=10.0,
            cleared_at=timezone.now(),
        )
        for _ in range(burst)
    ]
    with transaction.atomic():  # one tick's commit
        for breach in breaches:
            notify(
                user=user, event=Event.RISK, key=f"risk:{breach.pk}", params={"breach": breach.pk}
            )
    deliveries = Delivery.objects.filter(notification__user=user)
    deadline = time.monotonic() + 5 * TARGET_S
    while time.monotonic() < deadline and deliveries.filter(sent_at__isnull=True).exists():
        time.sleep(0.2)
    delays: dict[str, list[float]] = {}
    for delivery in deliveries.select_related("notification", "channel"):
        if delivery.sent_at is None:
            raise SystemExit(f"delivery {delivery.pk} ({delivery.channel.kind}) never sent")
        waited = (delivery.sent_at - delivery.notification.created_at).total_seconds()
        delays.setdefault(delivery.channel.kind, []).append(waited)
    return delays


if __name__ == "__main__":
    main()
