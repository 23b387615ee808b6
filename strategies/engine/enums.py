"""The orders' vocabulary, once: every value the fill model, the brokers and the pages use for
an order's leg, side, action, kind, status and reason, and a decision's event.

Each is a `StrEnum`, so its members are the strings stored in the database and compared
anywhere a plain string is. The models take their choices and column lengths from here
(`strategies.models.vocabulary`): a new value can never outgrow its column, which is how a
'target' leg once fit SQLite and not PostgreSQL's varchar(5). Labels are the pages' words.
"""

from enum import StrEnum

from strategies.i18n import Promise
from strategies.i18n import gettext_lazy as _


class Labelled(StrEnum):
    """A vocabulary whose members each have a label (`LABELS`, filled below each class)."""

    @property
    def label(self) -> Promise:
        return type(self).labels()[self]

    @classmethod
    def labels(cls) -> dict:
        return _LABELS[cls]

    @classmethod
    def longest(cls) -> int:
        return max(len(member.value) for member in cls)


class Side(Labelled):
    """The side of the position an order opens or closes."""

    LONG = "long"
    SHORT = "short"

    @property
    def sign(self) -> int:
        return 1 if self is Side.LONG else -1


class Action(Labelled):
    """What an order does at the exchange."""

    BUY = "buy"
    SELL = "sell"


class Leg(Labelled):
    """What an order is for. The fill model sends entries and exits; a live run also keeps a
    stop and (on a derivatives market) a target resting at the exchange, and closes at its
    owner's request with a market order of its own."""

    ENTRY = "entry"
    EXIT = "exit"
    STOP = "stop"
    TARGET = "target"
    CLOSE = "close"
    SAFETY = "safety"  # a scale-in's limit order, resting below a long's first fill

    @property
    def closes(self) -> bool:
        """Whether it reduces the position (reduce-only on a derivatives market)."""
        return self not in (Leg.ENTRY, Leg.SAFETY)


class Kind(Labelled):
    """How the order executes: at the market, or resting until its trigger price is
    reached, then at the market (a stop-market or a take-profit-market order), or resting at
    its price (a safety order's limit order)."""

    MARKET = "market"
    STOP_MARKET = "stop_market"
    TAKE_PROFIT_MARKET = "take_profit_market"
    LIMIT = "limit"

    @property
    def triggered(self) -> bool:
        return self in (Kind.STOP_MARKET, Kind.TAKE_PROFIT_MARKET)


class Status(Labelled):
    """An order's state. The fill model's: working, filled, partial, cancelled, skipped; a
    live order's also: in flight (sent, its outcome not known yet), open (resting at the
    exchange), rejected, not sent (the exchange never received it)."""

    WORKING = "working"  # still filling (the volume limit), or a safety order resting, at the end
    FILLED = "filled"
    PARTIAL = "partial"  # filled in part, the remainder cancelled (a stop, an exit rule, no cash)
    CANCELLED = "cancelled"  # cancelled before any fill
    SKIPPED = "skipped"  # below the market's minimum: never sent
    IN_FLIGHT = "in_flight"
    OPEN = "open"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"


class Reason(Labelled):
    """Why an order was sent: a rule, a level reached, the other direction's entry (a
    stop-and-reverse document), or the owner's request."""

    SIGNAL = "signal"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"
    MANUAL = "manual"
    REVERSAL = "reversal"
    SAFETY_ORDER = "safety_order"  # the base order filled: the ladder rests


class Event(Labelled):
    """A decision that sent an order: a rule firing at a close, a level reached inside a bar,
    the other direction's entry firing while a position is held (a reversal), or the owner's
    request to close; or one that sent none: an entry signal whose trigger did not come."""

    ENTER_LONG = "enter_long"
    ENTER_SHORT = "enter_short"
    EXIT_LONG = "exit_long"
    EXIT_SHORT = "exit_short"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"
    MANUAL = "manual"
    REVERSAL = "reversal"
    EXPIRED_LONG = "expired_long"
    EXPIRED_SHORT = "expired_short"
    SAFETY_ORDER = "safety_order"

    @classmethod
    def of_rule(cls, leg: str, side: str) -> "Event":
        """The event of a rule that sent an order of `leg` for `side`."""
        return cls(f"{'enter' if leg == Leg.ENTRY else 'exit'}_{side}")

    @classmethod
    def of_expiry(cls, side: str) -> "Event":
        """The event of an entry signal for `side` that expired without its trigger."""
        return cls(f"expired_{side}")


def other_side(side: str) -> "Side":
    """The side a reversal turns `side` into."""
    return Side.SHORT if side == Side.LONG else Side.LONG


def action_of(leg: str, side: str) -> Action:
    """What an order does at the exchange: a long's entry buys, a short's sells."""
    adds = leg in (Leg.ENTRY, Leg.SAFETY)
    return Action.BUY if adds == (side == Side.LONG) else Action.SELL


def kind_of(leg: str) -> Kind:
    """The kind of order a leg rests as at the exchange (a market order for the others)."""
    kinds = {
        Leg.STOP: Kind.STOP_MARKET,
        Leg.TARGET: Kind.TAKE_PROFIT_MARKET,
        Leg.SAFETY: Kind.LIMIT,
    }
    return kinds.get(Leg(leg), Kind.MARKET)


_LABELS: dict[type, dict] = {
    Side: {Side.LONG: _("long"), Side.SHORT: _("short")},
    Action: {Action.BUY: _("Buy"), Action.SELL: _("Sell")},
    Leg: {
        Leg.ENTRY: _("entry"),
        Leg.EXIT: _("exit"),
        Leg.STOP: _("stop"),
        Leg.TARGET: _("take-profit"),
        Leg.CLOSE: _("close at your request"),
        Leg.SAFETY: _("safety order"),
    },
    Kind: {
        Kind.MARKET: _("market"),
        Kind.STOP_MARKET: _("stop-market"),
        Kind.TAKE_PROFIT_MARKET: _("take-profit-market"),
        Kind.LIMIT: _("limit"),
    },
    Status: {
        Status.FILLED: _("Filled"),
        Status.PARTIAL: _("Partly filled, the rest cancelled"),
        Status.CANCELLED: _("Cancelled"),
        Status.SKIPPED: _("Not sent: below the market's minimum"),
        Status.WORKING: _("Working: resting, or filling under the volume limit"),
        Status.OPEN: _("Resting at the exchange"),
        Status.IN_FLIGHT: _("Sent, its answer awaited"),
        Status.REJECTED: _("Refused by the exchange"),
        Status.NOT_SENT: _("Never reached the exchange"),
    },
    Reason: {
        Reason.SIGNAL: _("exit rule"),
        Reason.STOP_LOSS: _("stop-loss"),
        Reason.TAKE_PROFIT: _("take-profit"),
        Reason.TRAILING_STOP: _("trailing stop"),
        Reason.MANUAL: _("closed at your request"),
        Reason.REVERSAL: _("reversal"),
        Reason.SAFETY_ORDER: _("safety order"),
    },
    Event: {
        Event.ENTER_LONG: _("Entry long fired"),
        Event.ENTER_SHORT: _("Entry short fired"),
        Event.EXIT_LONG: _("Exit long fired"),
        Event.EXIT_SHORT: _("Exit short fired"),
        Event.STOP_LOSS: _("Stop-loss reached"),
        Event.TAKE_PROFIT: _("Take-profit reached"),
        Event.TRAILING_STOP: _("Trailing stop reached"),
        Event.MANUAL: _("You asked to close the position"),
        Event.REVERSAL: _("Entry in the other direction fired: reversal"),
        Event.EXPIRED_LONG: _("Long entry signal expired"),
        Event.EXPIRED_SHORT: _("Short entry signal expired"),
        Event.SAFETY_ORDER: _("Base order filled: safety orders placed"),
    },
}
