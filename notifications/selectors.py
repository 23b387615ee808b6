"""Reads for the notifications page."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from notifications.forms import AddressForm, EventsForm
from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus

PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class ChannelRow:
    kind: str
    label: str
    channel: Channel | None
    form: EventsForm
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
            )
        )
    return rows


def has_channel(user: User, kind: str) -> bool:
    return Channel.objects.filter(user=user, kind=kind).exists()


def recent_problems(user: User) -> QuerySet[Delivery]:
    """Deliveries given up, or waiting after a failed attempt: newest first."""
    troubled = Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)
    return (
        Delivery.objects.filter(troubled, channel__user=user)
        .select_related("notification", "channel")
        .order_by("-created_at", "-pk")[:PROBLEMS_SHOWN]
    )


def problem_count(user: User) -> int:
    troubled = Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)
    return Delivery.objects.filter(troubled, channel__user=user).count()


def profile_section(user: User) -> tuple[str, dict]:
    """The profile page's section: how many messages failed, which channels stopped."""
    broken = Channel.objects.filter(user=user).exclude(broken_reason="")
    return "notifications/_profile_section.html", {
        "problems": problem_count(user),
        "broken": [channel.get_kind_display() for channel in broken],
    }
