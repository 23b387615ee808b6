"""How a run's events are worded when they are sent (strategies.notices records them): the
renderers registered in StrategiesConfig.ready, called in the owner's language."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.emails import absolute_url
from accounts.models import User
from notifications.events import Event, Message, Renderer
from notifications.services.channels import preferences_of
from strategies.engine.enums import Action, Leg
from strategies.models import RiskBreach, RunFill, RunMode, RunOrder, RunStatus, StrategyRun
from strategies.services import run_messages
from strategies.services.amounts import amount
from strategies.services.daily_summaries import day_runs
from strategies.services.governor_words import breach_sentence


def _run_url(run: StrategyRun) -> str:
    return absolute_url(reverse("runs:detail", kwargs={"run_id": run.pk}))


def _what(run: StrategyRun) -> dict[str, str]:
    return {"name": run.strategy_name, "exchange": run.exchange.name, "symbol": run.symbol}


def render_run_started(params: dict) -> Message:
    run = StrategyRun.objects.select_related("exchange").get(pk=params["run"])
    if run.mode == RunMode.LIVE:
        title = _("Live run of %(name)s on %(exchange)s (%(symbol)s) started") % _what(run)
    else:
        title = _("Paper run of %(name)s on %(exchange)s (%(symbol)s) started") % _what(run)
    return Message(title=title, url=_run_url(run), data={"run": run.pk, "mode": run.mode})


def render_run_ended(params: dict) -> Message:
    run = StrategyRun.objects.select_related("exchange").get(pk=params["run"])
    if run.status == RunStatus.FAILED:
        title = _("Your run of %(name)s on %(symbol)s failed") % _what(run)
    else:
        title = _("Your run of %(name)s on %(symbol)s stopped") % _what(run)
    if run.mode == RunMode.LIVE:
        first = _(
            "Your live run of %(name)s on %(exchange)s (%(symbol)s) has stopped. It sends no "
            "more orders."
        )
    else:
        first = _("Your paper run of %(name)s on %(exchange)s (%(symbol)s) has stopped.")
    reason = run_messages.stop_message(run.stop_code, run.stop_params)
    if run.mode == RunMode.LIVE and run.held and run.stop_code != run_messages.FLATTENED:
        # A stop cancels the resting stop-loss with the rest: say it while it matters.
        reason += " " + _(
            "Its position stays open at %(exchange)s, no longer protected by its stop-loss: "
            "close it there if you do not want to keep it."
        ) % {"exchange": run.exchange.name}
    if run.stop_code in run_messages.CHOSEN:
        follow = _("Its history stays on the run's page:")
    else:
        follow = _("If you did not expect this, open the run to see its last decisions and orders:")
    return Message(
        title=title,
        paragraphs=(first % _what(run), reason, follow),
        url=_run_url(run),
        data={"run": run.pk, "status": run.status, "code": run.stop_code},
    )


def render_fill(params: dict) -> Message:
    fill = RunFill.objects.select_related("order", "run__exchange").get(pk=params["fill"])
    run, order = fill.run, fill.order
    base, _slash, quote = run.symbol.partition("/")
    quote = quote.split(":", 1)[0]
    words = {
        **_what(run),
        "amount": amount(fill.amount),
        "base": base,
        "price": amount(fill.price),
        "quote": quote,
        "leg": Leg(order.leg).label,
    }
    if order.action == Action.BUY:
        title = _("Bought %(amount)s %(base)s at %(price)s %(quote)s (%(leg)s)") % words
    else:
        title = _("Sold %(amount)s %(base)s at %(price)s %(quote)s (%(leg)s)") % words
    detail = _("Live run of %(name)s on %(exchange)s (%(symbol)s); fee %(fee)s %(quote)s.") % {
        **words,
        "fee": amount(fill.fee),
    }
    data = {
        "run": run.pk,
        "leg": order.leg,
        "action": order.action,
        "amount": repr(fill.amount),
        "price": repr(fill.price),
        "fee": repr(fill.fee),
    }
    return Message(title=title, paragraphs=(detail,), url=_run_url(run), data=data)


def render_reconciliation(params: dict) -> Message:
    run = StrategyRun.objects.select_related("exchange").get(pk=params["run"])
    if params["what"] == "foreign":
        title = _("Another program trades with the key of %(name)s (%(symbol)s)") % _what(run)
        said = run_messages.stop_message(run_messages.FOREIGN_TRADES, {"count": params["count"]})
    else:
        title = _("%(name)s (%(symbol)s) stopped: the account does not match it") % _what(run)
        said = run_messages.stop_message(run.stop_code, run.stop_params)
    data = {"run": run.pk, "what": params["what"]}
    return Message(title=title, paragraphs=(said,), url=_run_url(run), data=data)


def render_drift(params: dict) -> Message:
    order = RunOrder.objects.select_related("run__exchange").get(pk=params["order"])
    run, fill = order.run, order.fills.first()
    words = {
        **_what(run),
        "pct": amount(round(params["cost_pct"], 2)),
        "live": amount(fill.price if fill else 0.0),
        "paper": amount(order.paper_price or 0.0),
    }
    title = _("Live drifted %(pct)s %% from paper on %(name)s (%(symbol)s)") % words
    said = (
        _(
            "The live fill was at %(live)s where its paper twin filled at %(paper)s. The run's "
            "page compares every live order with its twin."
        )
        % words
    )
    data = {"run": run.pk, "order": order.pk, "cost_pct": repr(params["cost_pct"])}
    return Message(title=title, paragraphs=(said,), url=_run_url(run), data=data)


def render_daily(params: dict) -> Message:
    """The 24 hours up to the user's summary hour on `day`: each run's equity then and now,
    and its fills."""
    user = User.objects.get(pk=params["user"])
    preferences = preferences_of(user)
    zone = ZoneInfo(preferences.time_zone)
    end = datetime.combine(date.fromisoformat(params["day"]), time(preferences.summary_hour), zone)
    lines = []
    for run, opening, fills in day_runs(user, end - timedelta(days=1)):
        words = {
            "id": run.pk,
            "name": run.strategy_name,
            "symbol": run.symbol,
            "equity": amount(run.equity),
        }
        if opening is None:
            line = _("#%(id)s %(name)s (%(symbol)s): equity %(equity)s") % words
        else:
            words["change"] = amount(run.equity - opening)
            line = _("#%(id)s %(name)s (%(symbol)s): equity %(equity)s (%(change)s today)") % words
        counted = ngettext("%(count)s fill", "%(count)s fills", fills) % {"count": fills}
        lines.append(f"{line}; {counted}")
    title = _("Your runs on %(day)s") % {"day": date_format(end, "DATE_FORMAT")}
    url = absolute_url(reverse("runs:list"))
    return Message(title=title, paragraphs=tuple(lines), url=url, data={"day": params["day"]})


def render_risk(params: dict) -> Message:
    breach = RiskBreach.objects.select_related("limits__key").get(pk=params["breach"])
    title = _("Risk limit reached: %(limit)s") % {"limit": breach.get_kind_display()}
    url = absolute_url(reverse("runs:limits"))
    data: dict[str, object] = {
        "kind": breach.kind,
        "measured": repr(breach.measured),
        "limit": repr(breach.limit),
    }
    return Message(title=title, paragraphs=(breach_sentence(breach),), url=url, data=data)


RENDERERS: dict[str, Renderer] = {
    Event.RISK: render_risk,
    Event.RECONCILIATION: render_reconciliation,
    Event.DRIFT: render_drift,
    Event.DAILY: render_daily,
    Event.RUN_STARTED: render_run_started,
    Event.RUN_ENDED: render_run_ended,
    Event.FILL: render_fill,
}
