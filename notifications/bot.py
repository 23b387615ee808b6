"""What the bot does with an update Telegram sends: `/start <token>` links the chat, a linked
chat's commands run for its account, anything else from a chat nobody linked is answered
with how to link it, and nothing more.

An update is recorded in the same transaction as what its command did: if the command fails
(a database that is busy), nothing is kept, the code typed is not spent, and the user is told
to try again. The reply goes back in the answer to Telegram's own request (the Bot API lets a
webhook answer with a method call): no second request that could fail after the deed.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.two_factor import fresh_app_code
from notifications.commands import Command, commands
from notifications.models import Channel, ChannelKind, TelegramUpdate
from notifications.services.channels import LinkRefused, telegram_link_complete

logger = logging.getLogger(__name__)
MAX_REPLY = 4096


class Seen(Exception):
    """The update was acted on already."""


def handle_update(update: dict) -> tuple[int, str] | None:
    """Act on one update, once; the chat to answer and what to say, if anything."""
    message = update.get("message") or {}
    chat = message.get("chat") or {}
    text = message.get("text")
    if not isinstance(update.get("update_id"), int) or not isinstance(text, str):
        return None
    if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
        return None  # groups and channels could let others read a linked account's replies
    sender = message.get("from") or {}
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    TelegramUpdate.objects.create(update_id=update["update_id"])
            except IntegrityError:
                raise Seen from None
            reply = _answer(chat["id"], text.strip(), sender)
    except Seen:
        return None
    except Exception:
        logger.exception("Telegram update %s: the command failed", update["update_id"])
        with translation.override(_language(sender)):
            reply = _("Something went wrong on our side: nothing was done. Try again in a minute.")
    return (chat["id"], reply[:MAX_REPLY]) if reply else None


def _answer(chat_id: int, text: str, sender: dict) -> str:
    name, *words = text.split()
    name = name.split("@", 1)[0].lower()  # "/stop@NoonBarbariBot" in a menu
    channel = (
        Channel.objects.select_related("user")
        .filter(kind=ChannelKind.TELEGRAM, telegram_chat_id=chat_id)
        .first()
    )
    if name == "/start" and words:
        return _link(chat_id, words[0], sender)
    if channel is None:
        with translation.override(_language(sender)):
            return how_to_link()
    if channel.broken_reason:  # the user unblocked the bot and writes again: send again
        Channel.objects.filter(pk=channel.pk).update(broken_reason="")
    with translation.override(channel.user.preferred_language):
        return _command(channel, name, words)


def _link(chat_id: int, token: str, sender: dict) -> str:
    shown = (sender.get("username") and f"@{sender['username']}") or sender.get("first_name", "")
    try:
        channel = telegram_link_complete(token=token, chat_id=chat_id, name=str(shown))
    except LinkRefused as refused:
        with translation.override(_language(sender)):
            if refused.code == "other_account":
                return _(
                    "This chat is linked to another Noon Barbari account. Unlink it there "
                    "first, then link it again from your notifications page."
                )
            return _(
                "This link has expired or was used already. Open your notifications page on "
                "Noon Barbari and press “Link Telegram” again."
            )
    with translation.override(channel.user.preferred_language):
        return _(
            "Linked. This chat now gets your Noon Barbari notifications, and answers your "
            "commands. Send /help to see them."
        )


def how_to_link() -> str:
    return _(
        "This chat is not linked to a Noon Barbari account. To link it, sign in on Noon "
        "Barbari, open your notifications page and press “Link Telegram”."
    )


def _language(sender: dict) -> str:
    return "fr" if str(sender.get("language_code", "")).startswith("fr") else "en"


def _command(channel: Channel, name: str, words: list[str]) -> str:
    command = commands.get(name.removeprefix("/"))
    if command is None:
        return command_list()
    if not command.needs_code:
        return command.run(channel.user, words)
    words, code = split_code(words, command.arguments)
    if command.check is not None and (problem := command.check(channel.user, words)):
        return problem
    checked = fresh_app_code(channel.user, code)
    if checked.ok:
        return command.run(channel.user, words)
    refused = _needs_code(command, words)
    if checked.locked_until is not None:  # each wrong code doubles the wait, as on the site
        seconds = checked.wait_seconds
        refused += " " + ngettext(
            "After a wrong code, wait %(seconds)d second before the next one.",
            "After a wrong code, wait %(seconds)d seconds before the next one.",
            seconds,
        ) % {"seconds": seconds}
    return refused


def split_code(words: list[str], arguments: int) -> tuple[list[str], str]:
    """The command's own words, and the code after them (written "123 456", as some apps
    show it, it is one code)."""
    return words[:arguments], "".join(words[arguments:])


def _needs_code(command: Command, words: list[str]) -> str:
    run = words[0].lstrip("#") if words and words[0].lstrip("#").isdigit() else "12"
    return _(
        "This command needs a fresh code from your authenticator app as its last word, for "
        "example: %(usage)s. Each code works once; backup codes are not accepted here."
    ) % {"usage": command.usage.format(run=run)}


def command_list() -> str:
    lines = [_("Commands:")]
    lines += [f"/{name} {command.help}" for name, command in sorted(commands.items())]
    return "\n".join(lines)
