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


# What a new channel carries until the user says otherwise. Email keeps what it always sent.
DEFAULT_EVENTS = {
    "email": [Event.RUN_ENDED, Event.RISK],
    "telegram": [Event.FILL, Event.RUN_STARTED, Event.RUN_ENDED, Event.RISK],
    "discord": [Event.FILL, Event.RUN_STARTED, Event.RUN_ENDED, Event.RISK],
    "webhook": [Event.FILL, Event.RUN_STARTED, Event.RUN_ENDED, Event.RISK],
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
