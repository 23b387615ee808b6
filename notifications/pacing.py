"""Each channel's published rate limits, kept on our side so that a burst of fills is spread out
instead of refused: Telegram lets a bot send about one message a second to a chat and 30 a
second in all; a Discord webhook takes 30 messages a minute. A 429 the channel sends anyway
holds the channel for the pause it asks (`hold`)."""

from datetime import datetime, timedelta

from django.core.cache import cache

from notifications.models import Channel, ChannelKind

INTERVAL = {
    ChannelKind.TELEGRAM: timedelta(seconds=1),
    ChannelKind.DISCORD: timedelta(seconds=2),
}
# Below Telegram's 30 a second: command replies share the bot's budget. The count is kept in
# the shared cache, whose increment is atomic with Redis or the database cache and close to it
# with the file cache (a 429 is honoured anyway).
TELEGRAM_PER_SECOND = 25
GLOBAL_KEY = "notifications:telegram:{second}"


def next_slot(channel: Channel, now: datetime, within: timedelta) -> tuple[datetime, bool]:
    """When the channel's next message may leave, and whether that slot was taken: it is
    taken only when it comes `within` the given time (a message that waits for the sweep
    instead must not hold a slot it will not use). Call inside a transaction: the channel's
    row is locked, so two workers never take the same slot."""
    locked = Channel.objects.select_for_update().only("next_send_at").get(pk=channel.pk)
    start = max(now, locked.next_send_at or now)
    interval = INTERVAL.get(ChannelKind(channel.kind))
    if start - now > within:
        return start, False
    if channel.kind == ChannelKind.TELEGRAM:
        start = _global_telegram_slot(start)
    if interval is not None or start > now:
        Channel.objects.filter(pk=channel.pk).update(next_send_at=start + (interval or timedelta()))
    return start, True


def _global_telegram_slot(start: datetime) -> datetime:
    """The first second from `start` with room left in the bot's whole budget."""
    for _attempt in range(60):
        key = GLOBAL_KEY.format(second=int(start.timestamp()))
        cache.add(key, 0, timeout=5)
        try:
            taken = cache.incr(key)
        except ValueError:  # expired between add and incr: the second is over anyway
            taken = 1
        if taken <= TELEGRAM_PER_SECOND:
            return start
        start = datetime.fromtimestamp(int(start.timestamp()) + 1, tz=start.tzinfo)
    return start


def hold(channel: Channel, until: datetime) -> None:
    """Nothing more leaves on this channel before `until` (the pause a 429 asked for)."""
    Channel.objects.filter(pk=channel.pk).exclude(next_send_at__gt=until).update(next_send_at=until)
