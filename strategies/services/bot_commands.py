"""The Telegram bot's commands about runs (registered in StrategiesConfig.ready into
notifications.commands). Reading needs a linked chat; stopping, flattening and the kill
switch need a fresh authenticator code too, checked by notifications.bot before `run`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from notifications.commands import Command
from strategies.models import RunMode, StrategyRun
from strategies.services import run_messages
from strategies.services.amounts import amount
from strategies.services.runs import strategy_run_flatten, strategy_run_stop, strategy_runs_kill


def _active(user: User):
    return StrategyRun.objects.owned_by(user).active().select_related("exchange").order_by("pk")


def _line(run: StrategyRun) -> str:
    mode = _("live") if run.mode == RunMode.LIVE else _("paper")
    return _("#%(id)s %(mode)s · %(name)s · %(exchange)s %(symbol)s · %(status)s") % {
        "id": run.pk,
        "mode": mode,
        "name": run.strategy_name,
        "exchange": run.exchange.name,
        "symbol": run.symbol,
        "status": run.get_status_display(),
    }


def runs(user: User, words: list[str]) -> str:
    lines = [_line(run) for run in _active(user)]
    return "\n".join(lines) if lines else _("No run is active.")


def status(user: User, words: list[str]) -> str:
    active = list(_active(user))
    live = sum(run.mode == RunMode.LIVE for run in active)
    said = [
        ngettext("%(count)s live run active", "%(count)s live runs active", live) % {"count": live},
        ngettext("%(count)s paper run active", "%(count)s paper runs active", len(active) - live)
        % {"count": len(active) - live},
    ]
    alerts = [run for run in active if run.alert_code]
    for run in alerts:
        said.append(f"#{run.pk}: " + run_messages.stop_message(run.alert_code, run.alert_params))
    return "\n".join(said)


def equity(user: User, words: list[str]) -> str:
    live = [run for run in _active(user) if run.mode == RunMode.LIVE]
    if not live:
        return _("No live run is active.")
    lines = [
        _("#%(id)s %(symbol)s: equity %(equity)s, profit %(pnl)s (started with %(capital)s)")
        % {
            "id": run.pk,
            "symbol": run.symbol,
            "equity": amount(run.equity),
            "pnl": amount(run.pnl),
            "capital": amount(float(run.capital)),
        }
        for run in live
    ]
    return "\n".join(lines)


def _run_named(user: User, words: list[str]) -> StrategyRun | None:
    if len(words) != 1 or not words[0].lstrip("#").isdigit():
        return None
    return _active(user).filter(pk=int(words[0].lstrip("#"))).first()


def no_such_run(user: User, words: list[str]) -> str | None:
    """Checked before the code is: a mistyped number must not spend it."""
    if _run_named(user, words) is None:
        return _("No active run of yours has that number. Send /runs to see them.")
    return None


def stop(user: User, words: list[str]) -> str:
    run = _run_named(user, words)
    if run is None:
        return str(no_such_run(user, words))
    strategy_run_stop(run=run)
    if run.mode == RunMode.LIVE:
        return _(
            "Stopped run #%(id)s. Its orders at the exchange are being cancelled; its "
            "position stays open there, without its stop-loss. Next time, /flatten closes "
            "the position before it stops."
        ) % {"id": run.pk}
    return _("Stopped run #%(id)s.") % {"id": run.pk}


def flatten(user: User, words: list[str]) -> str:
    run = _run_named(user, words)
    if run is None:
        return str(no_such_run(user, words))
    strategy_run_flatten(run=run)
    return _("Run #%(id)s is closing its position, then it stops.") % {"id": run.pk}


def kill(user: User, words: list[str]) -> str:
    stopped = strategy_runs_kill(owner=user, code=run_messages.KILLED_BY_YOU)
    return ngettext(
        "Kill switch: %(count)s run stopped; its orders at the exchange are being cancelled.",
        "Kill switch: %(count)s runs stopped; their orders at the exchange are being cancelled.",
        stopped,
    ) % {"count": stopped}


COMMANDS = {
    "status": Command(gettext_lazy("what is running, and any alert"), status),
    "runs": Command(gettext_lazy("your active runs and their numbers"), runs),
    "equity": Command(gettext_lazy("your live runs' equity and profit"), equity),
    "stop": Command(
        gettext_lazy("<run> <code>: stop a run"),
        stop,
        needs_code=True,
        usage="/stop {run} 123456",
        check=no_such_run,
        arguments=1,
    ),
    "flatten": Command(
        gettext_lazy("<run> <code>: close a run's position, then stop it"),
        flatten,
        needs_code=True,
        usage="/flatten {run} 123456",
        check=no_such_run,
        arguments=1,
    ),
    "kill": Command(
        gettext_lazy("<code>: stop every run you have"), kill, needs_code=True, usage="/kill 123456"
    ),
}
