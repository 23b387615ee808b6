"""Reads for the risk limits page, the runs dashboard and the go-live page."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import User
from exchanges.models import ExchangeKey
from strategies.models import BreachKind, RiskBreach, RiskLimits


@dataclass
class LimitSection:
    scope: str  # "account" or the key's id
    key: ExchangeKey | None
    limits: RiskLimits | None
    initial: dict
    breaches: list[RiskBreach] = field(default_factory=list)
    form: object = None  # the view's form for this section

    @property
    def measured(self) -> list[tuple[str, float]]:
        if self.limits is None or self.limits.checked_at is None:
            return []
        labels = dict(BreachKind.choices)
        return [(str(labels[kind]), value) for kind, value in self.limits.measures.items()]


def limit_sections(user: User) -> list[LimitSection]:
    """The account's section, then one per key, each with its form filled from its limits."""
    rows = {row.key_id: row for row in RiskLimits.objects.filter(owner=user)}
    breaches = open_breaches(user)
    keys = [None, *ExchangeKey.objects.owned_by(user).select_related("exchange").order_by("label")]
    sections = []
    for key in keys:
        row = rows.get(key.pk if key else None)
        scope = "account" if key is None else str(key.pk)
        initial = {name: getattr(row, name) for name in RiskLimits.FIELDS} if row else {}
        sections.append(
            LimitSection(
                scope=scope,
                key=key,
                limits=row,
                initial=initial,
                breaches=[b for b in breaches if row is not None and b.limits_id == row.pk],
            )
        )
    return sections


def open_breaches(user: User) -> list[RiskBreach]:
    return list(
        RiskBreach.objects.open()
        .filter(limits__owner=user)
        .select_related("limits__key")
        .order_by("at", "pk")
    )


def limits_for_go_live(user: User, key: ExchangeKey | None) -> QuerySet[RiskLimits]:
    """The limits a live run with `key` would be under."""
    return RiskLimits.objects.over(user.pk, key and key.pk).select_related("key")


def profile_section(user: User) -> tuple[str, dict]:
    """The profile page's section: a link, and how many breaches hold entries back."""
    count = RiskBreach.objects.open().filter(limits__owner=user).count()
    return "strategies/governor/_profile_section.html", {"breaches": count}
