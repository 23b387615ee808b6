"""The events a user can be told of, and how each is worded.

An app that raises an event registers its renderer here (`renderers[event] = render`) in its
`AppConfig.ready()`: notifications never imports the apps above it. A renderer turns a
notification's `params` into a `Message`, and is called inside the user's language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    FILL = "fill", _("Fills: entries, exits, stops and targets hit")
    RUN_STARTED = "run_started", _("A run started")
    RUN_ENDED = "run_ended", _("A run stopped, failed or was killed")
    RISK = "risk", _("A risk limit breached")
    RECONCILIATION = (
        "reconciliation",
        _("The account does not match a run, or another program trades"),
    )
    KEY = "key", _("An exchange key refused, or about to expire")
    DRIFT = "drift", _("A live fill drifting from its paper twin beyond your threshold")
    DAILY = "daily", _("A daily summary of your runs")


# What a new channel carries until the user says otherwise. Email keeps what it always sent.
DEFAULT_EVENTS = {
    "email": [Event.RUN_ENDED, Event.RISK, Event.RECONCILIATION, Event.KEY],
    "telegram": list(Event),
    "discord": list(Event),
    "webhook": list(Event),
}


@dataclass(frozen=True)
class Message:
    """A notification worded for people: a title, paragraphs, and the page that tells more.
    `data` is what a webhook receiver gets as fields (ids, amounts as strings)."""

    title: str
    paragraphs: tuple[str, ...] = ()
    url: str = ""
    data: dict[str, object] = field(default_factory=dict)


Renderer = Callable[[dict], Message]
renderers: dict[str, Renderer] = {}
