"""What the bot does with an update Telegram sends: `/start <token>` links the chat, a linked
chat's commands run for its account, anything else from a chat nobody linked is answered
with how to link it, and nothing more. Replies go straight back (they answer the user who
is typing; the outbox is for what happens while nobody is looking)."""

import logging
import time

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.two_factor import fresh_app_code_ok
from notifications.commands import commands
from notifications.models import Channel, ChannelKind, TelegramUpdate
from notifications.senders import telegram
from notifications.senders.errors import RateLimited, SendFailed
from notifications.services.channels import LinkRefused, telegram_link_complete

logger = logging.getLogger(__name__)
# The longest pause Telegram may ask for that a reply waits out (the user is typing).
REPLY_WAIT_S = 5.0


def handle_update(update: dict) -> None:
    """Act on one update, once (a redelivered update_id does nothing)."""
    message = update.get("message") or {}
    chat = message.get("chat") or {}
    text = message.get("text")
    if not isinstance(update.get("update_id"), int) or not isinstance(text, str):
        return
    if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
        return  # groups and channels could let others read a linked account's replies
    try:
        with transaction.atomic():
            TelegramUpdate.objects.create(update_id=update["update_id"])
    except IntegrityError:
        return
    sender = message.get("from") or {}
    reply = _answer(chat["id"], text.strip(), sender)
    if reply:
        _reply(chat["id"], reply)


def _answer(chat_id: int, text: str, sender: dict) -> str:
    name, _space, rest = text.partition(" ")
    name = name.split("@", 1)[0].lower()  # "/stop@NoonBarbariBot" in a menu
    channel = (
        Channel.objects.select_related("user")
        .filter(kind=ChannelKind.TELEGRAM, telegram_chat_id=chat_id)
        .first()
    )
    if name == "/start" and rest:
        return _link(chat_id, rest.strip(), sender)
    if channel is None:
        with translation.override(_language(sender)):
            return how_to_link()
    with translation.override(channel.user.preferred_language):
        return _command(channel, name, rest.split())


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
    if command.needs_code:
        if not words or not fresh_app_code_ok(channel.user, words[-1]):
            return _(
                "This command needs a fresh code from your authenticator app as its last "
                "word, for example: %(usage)s. Each code works once; backup codes are not "
                "accepted here."
            ) % {"usage": command.usage}
        words = words[:-1]
    return command.run(channel.user, words)


def command_list() -> str:
    lines = [_("Commands:")]
    lines += [f"/{name} {command.help}" for name, command in sorted(commands.items())]
    return "\n".join(lines)


def _reply(chat_id: int, text: str) -> None:
    for _attempt in range(2):
        try:
            telegram.call("sendMessage", chat_id=chat_id, text=text[: telegram.MAX_TEXT])
            return
        except RateLimited as limited:  # the chat's pace: a reply is worth a short wait
            if limited.seconds > REPLY_WAIT_S:
                break
            time.sleep(limited.seconds)
        except SendFailed as error:  # the command's effect stands; the user can ask /status
            logger.warning("Telegram reply to an update not sent: %s", error.reason)
            return
    logger.warning("Telegram reply to an update not sent: rate limited")
