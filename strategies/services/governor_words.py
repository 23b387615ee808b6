"""The risk governor said in words, in the active language: a breach (the runs dashboard, a
run's alert, the notification) and the limits that apply (the go-live page)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from strategies.models import BreachKind, RiskBreach, RiskLimits
from strategies.services.amounts import amount


def scope(limits: RiskLimits) -> str:
    if limits.key is None:
        return _("all your live runs")
    return _("your live runs on the key “%(label)s”") % {"label": limits.key.label}


def _until(breach: RiskBreach) -> str:
    if breach.kind == BreachKind.DRAWDOWN:
        return _("until you re-arm the limit on your risk limits page")
    if breach.kind == BreachKind.DAILY_LOSS and breach.ends_at is not None:
        local = timezone.localtime(breach.ends_at, timezone=_zone(breach.limits))
        return _("until %(when)s (%(zone)s)") % {
            "when": date_format(local, "SHORT_DATETIME_FORMAT"),
            "zone": breach.limits.time_zone,
        }
    if breach.kind == BreachKind.EXPOSURE:
        return _("until they hold less")
    return _("until you stop one")


def _zone(limits: RiskLimits):
    from zoneinfo import ZoneInfo

    return ZoneInfo(limits.time_zone)


def breach_sentence(breach: RiskBreach) -> str:
    limits = breach.limits
    words = {
        "scope": scope(limits),
        "measured": amount(breach.measured),
        "limit": amount(breach.limit),
        "currency": limits.currency,
        "until": _until(breach),
    }
    if breach.kind == BreachKind.DRAWDOWN:
        said = _(
            "The drawdown of %(scope)s reached %(measured)s %% (your limit: %(limit)s %%). "
            "None of them enters a new position %(until)s."
        )
    elif breach.kind == BreachKind.DAILY_LOSS:
        said = _(
            "%(scope)s lost %(measured)s %(currency)s today (your daily limit: %(limit)s "
            "%(currency)s). None of them enters a new position %(until)s."
        )
    elif breach.kind == BreachKind.EXPOSURE:
        said = _(
            "%(scope)s hold %(measured)s %(currency)s, beyond your maximum exposure of "
            "%(limit)s %(currency)s. None of them enters a new position %(until)s."
        )
    else:
        said = _(
            "%(scope)s: %(measured)s active live runs, beyond your limit of %(limit)s. None of "
            "them enters a new position %(until)s."
        )
    text = said % words
    text = text[0].upper() + text[1:]
    if breach.flattened:
        text += " " + _("Their positions are being closed, as you chose.")
    return text


def limits_lines(limits: RiskLimits) -> list[str]:
    """Each limit set, as a line of the go-live page."""
    words = {"scope": scope(limits), "currency": limits.currency}
    lines = []
    if limits.max_drawdown_pct is not None:
        lines.append(
            _("Maximum drawdown of %(scope)s: %(value)s %%")
            % {**words, "value": amount(float(limits.max_drawdown_pct))}
        )
    if limits.daily_loss_limit is not None:
        lines.append(
            _(
                "Daily loss limit of %(scope)s: %(value)s %(currency)s, the day starting at "
                "%(hour)02d:00 (%(zone)s)"
            )
            % {
                **words,
                "value": amount(float(limits.daily_loss_limit)),
                "hour": limits.day_starts_at,
                "zone": limits.time_zone,
            }
        )
    if limits.max_exposure is not None:
        lines.append(
            _("Maximum exposure of %(scope)s: %(value)s %(currency)s")
            % {**words, "value": amount(float(limits.max_exposure))}
        )
    if limits.max_live_runs is not None:
        lines.append(
            _("Maximum active live runs for %(scope)s: %(value)s")
            % {**words, "value": limits.max_live_runs}
        )
    if lines and limits.flatten_on_breach:
        lines.append(_("On a drawdown or daily loss breach, the positions are closed."))
    return lines


def with_sentences(breaches: list[RiskBreach]) -> list[RiskBreach]:
    """The breaches, each with its `sentence` for a template."""
    for breach in breaches:
        breach.sentence = breach_sentence(breach)  # type: ignore[attr-defined]
    return breaches
