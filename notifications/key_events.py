"""An exchange key refused by its exchange, or about to expire, told on the user's channels.
exchanges offers the hooks (a connection test's verdict, the weekly reminder); notifications
registers these in its AppConfig.ready(): exchanges never imports us."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import absolute_url
from exchanges.diagnosis import Diagnosis
from exchanges.diagnosis.verdicts import ADVICE, Verdict
from exchanges.models import ExchangeKey
from notifications.events import Event, Message
from notifications.services.outbox import notify


def key_verdict_told(key: ExchangeKey, diagnosis: Diagnosis) -> None:
    """A verdict against the key itself (not the exchange being down): told once a day per
    verdict, however many tests find it."""
    if not diagnosis.about_the_key and not diagnosis.refused_permissions:
        return
    verdict = str(diagnosis.verdict)
    today = timezone.localdate().isoformat()
    notify(
        user=key.user,
        event=Event.KEY,
        key=f"key_refused:{key.pk}:{verdict}:{today}",
        params={"key": str(key.pk), "verdict": verdict},
    )


def keys_expiring_told(keys: list[ExchangeKey]) -> None:
    """The weekly reminder's keys that expire soon, each told once for its expiry date."""
    soon = timezone.localdate() + timedelta(days=ExchangeKey.EXPIRY_WARNING_DAYS)
    for key in keys:
        if key.expires_on is None or key.expires_on > soon:
            continue
        notify(
            user=key.user,
            event=Event.KEY,
            key=f"key_expiring:{key.pk}:{key.expires_on.isoformat()}",
            params={"key": str(key.pk), "expires_on": key.expires_on.isoformat()},
        )


def render_key(params: dict) -> Message:
    key = ExchangeKey.objects.select_related("exchange").get(pk=params["key"])
    words = {"label": key.label, "exchange": key.exchange.name}
    url = absolute_url(reverse("exchanges:key_detail", kwargs={"key_id": key.pk}))
    if "expires_on" in params:
        when = date_format(key.expires_on, "DATE_FORMAT") if key.expires_on else ""
        title = _("Your key “%(label)s” on %(exchange)s expires on %(date)s") % {
            **words,
            "date": when,
        }
        said = _(
            "Live runs trading with it stop when it expires. Create a new key on the exchange "
            "and replace this one on its page: the runs keep going with the new one."
        )
        return Message(title=title, paragraphs=(said,), url=url, data={"key": str(key.pk)})
    verdict = Verdict(params["verdict"])
    title = _("%(exchange)s refused your key “%(label)s”: %(verdict)s") % {
        **words,
        "verdict": verdict.label,
    }
    data: dict[str, object] = {"key": str(key.pk), "verdict": verdict.value}
    return Message(title=title, paragraphs=(str(ADVICE[verdict]),), url=url, data=data)
