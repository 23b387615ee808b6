"""How a run's events are worded when they are sent (strategies.notices records them): the
renderers registered in StrategiesConfig.ready, called in the owner's language."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.emails import absolute_url
from notifications.events import Event, Message, Renderer
from strategies.engine.enums import Action, Leg
from strategies.models import RiskBreach, RunFill, RunMode, RunStatus, StrategyRun
from strategies.services import run_messages
from strategies.services.amounts import amount
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
    Event.RUN_STARTED: render_run_started,
    Event.RUN_ENDED: render_run_ended,
    Event.FILL: render_fill,
}
