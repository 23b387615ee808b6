"""Long work in sentences, from rates measured on this site (strategies/selectors/long_jobs.py):
what a backtest's period will cost before it is submitted, and a submitted job's place in the
line with when it should start and end."""

import math
from datetime import UTC, date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from strategies.selectors.long_jobs import PeriodCost, Place
from strategies.views.backtest_display import duration_text

DAY_MS = 86_400_000


def wait_text(seconds: float) -> str:
    """Rounded up, to what a person waiting cares about: seconds, minutes, hours."""
    if seconds < 60:
        return _("%(count)d s") % {"count": max(1, math.ceil(seconds))}
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return _("%(count)d min") % {"count": minutes}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def place_sentences(place: Place | None, *, fetching: bool) -> list[str]:
    """What the progress fragment says of the wait (nothing when the backtest is not waiting)."""
    if place is None:
        return []
    sentences = [_position(place, fetching)]
    if place.ends_in is None:
        sentences.append(
            _("No estimate yet: work like this has not been measured on this site so far.")
        )
        return sentences
    if place.position and place.starts_in is not None:
        sentences.append(_starts(place))
    sentences.append(_ends(place))
    return sentences


def _position(place: Place, fetching: bool) -> str:
    ahead = place.position - 1
    if place.position == 0:
        return _("A worker is on it now.")
    if fetching:
        return ngettext(
            "Its candles wait for their next turn, behind %(count)d job in the line (turns "
            "alternate between users).",
            "Its candles wait for their next turn, behind %(count)d jobs in the line (turns "
            "alternate between users).",
            ahead,
        ) % {"count": ahead}
    if ahead == 0:
        return _("Next in the line for a worker.")
    return ngettext(
        "Waiting for a worker: %(count)d job is ahead of it in the line.",
        "Waiting for a worker: %(count)d jobs are ahead of it in the line.",
        ahead,
    ) % {"count": ahead}


def _starts(place: Place) -> str:
    duration = wait_text(place.starts_in or 0.0)
    if place.lower_bound:
        return _("It should start in %(duration)s at the earliest.") % {"duration": duration}
    return _("It should start in about %(duration)s.") % {"duration": duration}


def _ends(place: Place) -> str:
    duration = wait_text(place.ends_in or 0.0)
    if place.lower_bound:
        return _(
            "Its report should be ready in %(duration)s at the earliest (some of the work "
            "ahead has not been measured on this site yet)."
        ) % {"duration": duration}
    return _(
        "Its report should be ready in about %(duration)s (from the rates measured on this site)."
    ) % {"duration": duration}


def cost_sentences(cost: PeriodCost) -> list[str]:
    """What the form says, before submitting, of the period chosen."""
    fill = cost.fill
    if fill.nothing_to_do:
        sentences = [_("The whole period is already held: nothing to fetch.")]
    else:
        sentences = [_parts(fill)]
    if cost.seconds is None:
        sentences.append(
            _("No time estimate yet: this work has not been measured on this site so far.")
        )
    else:
        sentences.append(
            _("About %(duration)s of work in all, from the rates measured on this site.")
            % {"duration": wait_text(cost.seconds)}
        )
    return sentences


def _parts(fill) -> str:
    parts = []
    if fill.held_ms:
        parts.append(_("%(span)s already held (no wait)") % {"span": duration_text(fill.held_ms)})
    if fill.candles_ms:
        parts.append(
            _("%(span)s to fetch from the exchange's candles")
            % {"span": duration_text(fill.candles_ms)}
        )
    if fill.trades_ms:
        parts.append(
            _("%(span)s to rebuild from the exchange's trade history, the slow part")
            % {"span": duration_text(fill.trades_ms)}
        )
    if fill.aggregated_ms:
        parts.append(
            _("%(span)s to build from shorter candles already held")
            % {"span": duration_text(fill.aggregated_ms)}
        )
    return _("This period: %(parts)s.") % {"parts": "; ".join(parts)}


def held_days(held: list) -> tuple[date, date] | None:
    """The whole UTC days of the latest range held, as the form's fields take them: the first
    day, and the last one included; None when the range holds no whole day."""
    if not held:
        return None
    first_ms, end_ms = -(-int(held[-1][0]) // DAY_MS) * DAY_MS, int(held[-1][1]) // DAY_MS * DAY_MS
    if end_ms <= first_ms:
        return None
    return _utc_day(first_ms), _utc_day(end_ms - DAY_MS)


def _utc_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, UTC).date()
