"""Going live: the gates a paper run must pass, and the live run started from it.

live_gates(*, paper, key, accepted, code_ok, code_unchecked) -> list[Gate]   each with what
                                                            is missing
key_choice(paper, keys) -> KeyChoice    the keys a live run may use, and the others with why
strategy_run_go_live(*, owner, paper, key, capital, notional_cap, accepted, code)
                                                            -> StrategyRun, or StartRefused
live_keys_recheck()     the daily schedule: a connection test of every live run's key
runs_stop_on_key_verdict(key, diagnosis)   a key verdict against the key stops its live runs
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import User
from accounts.two_factor import fresh_app_code_ok
from exchanges import trading
from exchanges.connection_tests import connection_test_start
from exchanges.diagnosis import Diagnosis, Verdict
from exchanges.diagnosis.verdicts import KEY_VERDICTS
from exchanges.models import ExchangeKey, KeyStatus
from exchanges.selectors import live_venues_text, tests_of
from strategies import rules
from strategies.models import RunMode, RunStatus, StrategyRun
from strategies.services import run_messages as messages
from strategies.services.governor import go_live_refusal
from strategies.services.run_end import end_run
from strategies.services.runs import (
    key_market_refusal,
    key_market_taken,
    run_window,
    strategy_run_create,
)
from strategies.services.start_checks import StartRefused

KEY_TEST_MAX_AGE = timedelta(hours=24)

VENUE_NOT_LIVE = _(
    "%(exchange)s does not trade live on Noon Barbari yet for %(kind)s markets: each exchange "
    "is verified against its own sandbox first. Live runs trade on %(venues)s; keep this "
    "strategy on paper here, or run it on one of those."
)
SEE = _("Which exchanges trade live, and how")
CHOOSE_KEY = _("Choose one of your %(exchange)s keys.")
NO_KEY = _(
    "None of your %(exchange)s keys can trade yet: add one on your keys page first, or fix one "
    "as its page says."
)
KEY_NOT_GREEN = _(
    "The key's last connection test is not green. Test it again on its page and fix what it says."
)
KEY_TEST_OLD = _(
    "The key's last green connection test is more than 24 hours old: test it again on its page."
)
KEY_WITHDRAWS = _(
    "The key can withdraw funds: Noon Barbari never trades with such a key. Create one without "
    "the withdrawal permission."
)
PAPER_TOO_SHORT = _(
    "Run this strategy on paper on %(exchange)s %(symbol)s for %(hours)d hours first: the "
    "longest paper run so far lasted %(done)s hours."
)
PAPER_TOO_SHORT_MINUTES = ngettext_lazy(
    "Run this strategy on paper on %(exchange)s %(symbol)s for %(hours)d hours first: the "
    "longest paper run so far lasted %(minutes)d minute.",
    "Run this strategy on paper on %(exchange)s %(symbol)s for %(hours)d hours first: the "
    "longest paper run so far lasted %(minutes)d minutes.",
    "minutes",
)
NOTICE = _("Read the risk notice and tick the box that says you accept it.")
CODE = _("Type a fresh code from your authenticator app (backup codes do not count here).")
CODE_UNCHECKED = _(
    "Your code was not checked: the code is checked last, once everything else is in order. "
    "Fix what else is missing, then type a fresh code as you send the form again."
)
CAP = _("The cap must be more than zero and at most %(limit)s.")
CAPITAL = _("The capital must be more than zero.")


# What each gate checks, as the page names it beside "Done" or what is missing.
GATE_TITLES = {
    "venue": _("Exchange trading live"),
    "paper": _("Time on paper"),
    "key": _("Key"),
    "notice": _("Risk notice"),
    "code": _("Authenticator code"),
}


@dataclass(frozen=True)
class Gate:
    """One condition for going live: its name, whether it holds, what is missing, and the
    page to fix it on with its link's words."""

    name: str
    passed: bool
    missing: str = ""
    link: str = ""
    link_text: str = ""

    @property
    def title(self) -> str:
        return str(GATE_TITLES[self.name])


def paper_hours(paper: StrategyRun) -> float:
    """The longest paper run of the same document, exchange and market, in hours."""
    longest = (
        StrategyRun.objects.filter(
            owner=paper.owner,
            mode=RunMode.PAPER,
            document=paper.document,
            exchange=paper.exchange,
            symbol=paper.symbol,
            started_at__isnull=False,
        )
        .annotate(lasted=Coalesce(F("stopped_at"), Now()) - F("started_at"))
        .aggregate(longest=Max("lasted"))["longest"]
    )
    return longest.total_seconds() / 3600 if longest else 0.0


@dataclass(frozen=True)
class KeyChoice:
    """The keys a live run of the paper run may trade with (every key check passes), and
    the others, each with why it is left out."""

    offered: list[ExchangeKey]
    left_out: list[tuple[ExchangeKey, Gate]]


def key_choice(paper: StrategyRun, keys: Iterable[ExchangeKey]) -> KeyChoice:
    offered, left_out = [], []
    for key in keys:
        gate = _key_gate(paper, key, None)
        if gate.passed:
            offered.append(key)
        else:
            left_out.append((key, gate))
    return KeyChoice(offered, left_out)


def _key_gate(paper: StrategyRun, key: ExchangeKey | None, choice: KeyChoice | None) -> Gate:
    if key is None or key.exchange_id != paper.exchange_id or key.user_id != paper.owner_id:
        # "Add one first" only to a user with no key fit for trading: one who has one is
        # asked to choose it.
        if choice is None:  # the page passes the choice it offered: no second round of tests
            owned = ExchangeKey.objects.filter(user=paper.owner_id, exchange=paper.exchange_id)
            choice = key_choice(paper, owned)
        shown = {"exchange": paper.exchange.name}
        if choice.offered:
            return Gate("key", False, str(CHOOSE_KEY) % shown)
        missing = str(NO_KEY) % shown
        return Gate("key", False, missing, reverse("exchanges:keys"), str(_("Open your keys")))
    test = tests_of(key).filter(finished_at__isnull=False).first()
    diagnosis = test.diagnosis if test is not None else None
    if diagnosis is not None and diagnosis.refused_permissions:
        missing = str(KEY_WITHDRAWS)
    elif diagnosis is None or diagnosis.verdict != Verdict.OK or key.status != KeyStatus.OK:
        missing = str(KEY_NOT_GREEN)
    elif (
        test is None
        or test.finished_at is None
        or (timezone.now() - test.finished_at > KEY_TEST_MAX_AGE)
    ):
        missing = str(KEY_TEST_OLD)
    elif (other := key_market_taken(key=key, symbol=paper.symbol)) is not None:
        refusal = key_market_refusal(key, other)
        return Gate("key", False, refusal, other.get_absolute_url(), str(_("Open that run")))
    else:
        return Gate("key", True)
    key_url = reverse("exchanges:key_detail", kwargs={"key_id": key.pk})
    key_page = str(_("Open the page of the key %(label)s")) % {"label": key.label}
    return Gate("key", False, missing, key_url, key_page)


def _venue_gate(paper: StrategyRun) -> Gate:
    """Whether the paper run's exchange trades live for its kind of market (the trading
    table verifies each venue against its sandbox dialect first)."""
    exchange = paper.exchange
    if trading.trades_live(exchange.ccxt_id, derivative=paper.allows_shorts):
        return Gate("venue", True)
    kind = trading.DERIVATIVES if paper.allows_shorts else trading.SPOT
    shown = {"exchange": exchange.name, "kind": kind, "venues": live_venues_text()}
    return Gate("venue", False, str(VENUE_NOT_LIVE) % shown, reverse("live_exchanges"), str(SEE))


def live_gates(
    *,
    paper: StrategyRun,
    key: ExchangeKey | None,
    accepted: bool,
    code_ok: bool,
    code_unchecked: bool = False,
    choice: KeyChoice | None = None,
) -> list[Gate]:
    """Every gate, passed or not, in the order the page lists them. `code_unchecked`: a
    code was typed, but something else was refused before it was checked; `choice`: the
    keys the page offered (key_choice), when it has them."""
    needed = settings.RUNS_PAPER_HOURS_BEFORE_LIVE
    done = paper_hours(paper)
    shown = {
        "exchange": paper.exchange.name,
        "symbol": paper.symbol,
        "hours": needed,
        "done": number_format(done, 1),
    }
    # Under an hour, minutes: "0.1 hours" after 6 minutes reads as nothing done.
    too_short = PAPER_TOO_SHORT if done >= 1 else PAPER_TOO_SHORT_MINUTES
    shown["minutes"] = int(done * 60 + 1e-6)  # whole minutes, float noise aside
    code_missing = CODE_UNCHECKED if code_unchecked else CODE
    return [
        _venue_gate(paper),
        Gate("paper", done >= needed, "" if done >= needed else too_short % shown),
        _key_gate(paper, key, choice),
        Gate("notice", accepted, "" if accepted else str(NOTICE)),
        Gate("code", code_ok, "" if code_ok else str(code_missing)),
    ]


def strategy_run_go_live(
    *,
    owner: User,
    paper: StrategyRun,
    key: ExchangeKey | None,
    capital: Decimal,
    notional_cap: float,
    accepted: bool,
    code: str,
) -> StrategyRun:
    """A live run of the paper run's strategy and market, once every gate passes (the code
    is checked, and used up, only when all the others do)."""
    document = rules.parse(paper.document, base_timeframe=paper.timeframe)
    # No check of shorts here: they go live where their paper run could take them (a futures
    # market); a spot paper run of a strategy that sells short is refused when it starts.
    if capital <= 0:
        raise StartRefused("capital", str(CAPITAL))
    limit = settings.RUNS_LIVE_MAX_NOTIONAL
    if not 0 < notional_cap <= limit:
        raise StartRefused("notional_cap", str(CAP) % {"limit": limit})
    gates = live_gates(paper=paper, key=key, accepted=accepted, code_ok=True)
    if missing := [gate for gate in gates if not gate.passed]:
        raise StartRefused("", missing[0].missing)
    # Before the code is used up: a refusal here must not spend it.
    if limited := go_live_refusal(owner_id=owner.pk, key_id=key and key.pk, symbol=paper.symbol):
        raise StartRefused("", limited)
    if not fresh_app_code_ok(owner, code):
        raise StartRefused("code", str(CODE))
    return strategy_run_create(
        owner,
        source=paper.strategy_version or paper.catalog_entry,
        **{name: getattr(paper, name) for name in COPIED},
        mode=RunMode.LIVE,
        key=key,
        capital=capital,
        notional_cap=notional_cap,
        **run_window(document, paper.timeframe),
    )


# What a live run takes from the paper run it graduates from: the strategy, the market, and
# the fill model and market rules its twin decides with.
COPIED = (
    "strategy_name",
    "document",
    "exchange",
    "symbol",
    "timeframe",
    *StrategyRun.FILL_MODEL_FIELDS,
    "fee_source",
    *StrategyRun.MARKET_FIELDS,
)


def live_keys_recheck() -> int:
    """Test again the key of every active live run (the verdict listener acts on it)."""
    keys = ExchangeKey.objects.filter(
        runs__mode=RunMode.LIVE, runs__status__in=(RunStatus.RUNNING, RunStatus.STARTING)
    ).distinct()
    for key in keys:
        connection_test_start(key=key)
    return len(keys)


def runs_stop_on_key_verdict(key: ExchangeKey, diagnosis: Diagnosis) -> None:
    """A verdict against the key itself (it withdraws, is wrong, expired, lacks a permission)
    stops every active live run trading with it."""
    if diagnosis.verdict not in KEY_VERDICTS and not diagnosis.refused_permissions:
        return
    verdict = diagnosis.verdict
    for run in StrategyRun.objects.active().filter(key=key, mode=RunMode.LIVE):
        end_run(run, RunStatus.FAILED, messages.KEY_REFUSED, verdict=str(verdict))
