"""Reads for the notifications page."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.forms import AddressForm, EventsForm
from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus
from notifications.problems import problem_words

PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class ChannelRow:
    kind: str
    label: str
    channel: Channel | None
    form: EventsForm
    broken: str = ""  # why the channel stopped, worded
    address_form: AddressForm | None = None


def channel_rows(user: User, address_forms: dict[str, AddressForm]) -> list[ChannelRow]:
    """Each kind of channel in a fixed order, with the user's channel of that kind if any
    and, for the kinds with an address, its form."""
    channels = {c.kind: c for c in Channel.objects.filter(user=user)}
    rows = []
    for kind, label in ChannelKind.choices:
        channel = channels.get(kind)
        form = EventsForm(initial={"events": channel.events if channel else []}, prefix=kind)
        rows.append(
            ChannelRow(
                kind=kind,
                label=str(label),
                channel=channel,
                form=form,
                address_form=address_forms.get(kind),
                broken=problem_words(channel.broken_reason)
                if channel and channel.broken_reason
                else "",
            )
        )
    return rows


def has_channel(user: User, kind: str) -> bool:
    return Channel.objects.filter(user=user, kind=kind).exists()


# Given up, or waiting after a failed attempt (a delivery switched off is not a problem).
TROUBLED = Q(status=DeliveryStatus.FAILED) | (
    Q(status=DeliveryStatus.PENDING) & ~Q(error_code="") & ~Q(error_code="rate_limited")
)
# Problems older than this are history, not something to act on.
RECENT = timedelta(days=7)


def _troubled(user: User) -> QuerySet[Delivery]:
    since = timezone.now() - RECENT
    return Delivery.objects.filter(TROUBLED, channel__user=user, created_at__gte=since)


def recent_problems(user: User) -> list[Delivery]:
    """The last week's deliveries in trouble, newest first, each with its `problem` worded."""
    rows = list(
        _troubled(user)
        .select_related("notification", "channel")
        .order_by("-created_at", "-pk")[:PROBLEMS_SHOWN]
    )
    for row in rows:
        row.problem = problem_words(row.error_code)  # type: ignore[attr-defined]
    return rows


def problem_count(user: User) -> int:
    return _troubled(user).count()


def profile_section(user: User) -> tuple[str, dict]:
    """The profile page's section: how many messages failed, which channels stopped."""
    broken = Channel.objects.filter(user=user).exclude(broken_reason="").order_by("kind")
    return "notifications/_profile_section.html", {
        "problems": problem_count(user),
        "broken": [channel.get_kind_display() for channel in broken],
    }
