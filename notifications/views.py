"""The notifications page (channels, their events, what failed) and Telegram's webhook."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import two_factor_required
from accounts.http import AuthenticatedRequest
from notifications import bot, selectors
from notifications.forms import AddressForm, EventsForm
from notifications.models import ChannelKind
from notifications.senders import telegram
from notifications.services.channels import (
    channel_address_set,
    channel_events_set,
    channel_unlink,
    email_channel,
    telegram_link_start,
)

ADDRESS_KINDS: tuple[str, ...] = (ChannelKind.DISCORD, ChannelKind.WEBHOOK)


def _page(
    request: AuthenticatedRequest, *, invalid: AddressForm | None = None, **extra: object
) -> HttpResponse:
    email_channel(request.user)
    forms: dict[str, AddressForm] = {k: AddressForm(kind=k, prefix=k) for k in ADDRESS_KINDS}
    if invalid is not None:
        forms[invalid.kind] = invalid
    context = {
        "channels": selectors.channel_rows(request.user, forms),
        "problems": selectors.recent_problems(request.user),
        "telegram_ready": telegram.configured(),
        **extra,
    }
    return render(request, "notifications/settings.html", context)


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("notifications:settings"))


@login_required
@never_cache
@require_http_methods(["GET"])
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request)


@two_factor_required
@require_POST
def events_save(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    form = EventsForm(request.POST, prefix=kind)
    if not selectors.has_channel(request.user, kind):
        return _back()
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: tick events from the list."))
        return _back()
    channel_events_set(user=request.user, kind=kind, events=form.cleaned_data["events"])
    messages.success(request, _("Saved: the events this channel carries."))
    return _back()


@two_factor_required
@require_POST
def telegram_link(request: AuthenticatedRequest) -> HttpResponse:
    if not telegram.configured():
        return _back()
    link = telegram_link_start(user=request.user)
    return _page(request, telegram_link=link)


@two_factor_required
@require_POST
def unlink(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind in ChannelKind.values:
        channel_unlink(user=request.user, kind=kind)
        messages.success(request, _("Done: that channel gets nothing more."))
    return _back()


@two_factor_required
@sensitive_post_parameters("discord-url", "webhook-url")
@require_POST
def address_save(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    if kind not in ADDRESS_KINDS:
        return _back()
    form = AddressForm(request.POST, kind=kind, prefix=kind)
    if not form.is_valid():
        return _page(request, invalid=form)
    secret = channel_address_set(user=request.user, kind=kind, url=form.cleaned_data["url"])
    messages.success(request, _("Saved: this channel gets the events ticked below."))
    if secret is None:
        return _back()
    return _page(request, signing_secret=secret)


@csrf_exempt  # Telegram's POST carries our secret in a header instead of a CSRF token
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not telegram.configured() or not constant_time_compare(given, telegram.webhook_secret()):
        return HttpResponse(status=403)
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if isinstance(update, dict):
        bot.handle_update(update)
    # Answered 200 whatever the update held: Telegram would only send a refused one again.
    return JsonResponse({}, status=200)
