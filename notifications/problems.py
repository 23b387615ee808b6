"""What a failed delivery's code means, said to the user in their language."""

from django.utils.translation import gettext_lazy as _

WORDS = {
    "unavailable": _("the service did not answer or was down; we try again"),
    "rate_limited": _("the service asked us to slow down; we try again"),
    "refused": _("the service refused this message"),
    "gone": _("the address answers that it no longer exists"),
    "blocked": _("you blocked the bot, or left Telegram"),
    "not_public": _("the address now leads into a private network"),
    "unknown_host": _("the address's host name did not resolve; we try again"),
    "switched_off": _("you switched this event off for this channel"),
    "our_error": _("an error on our side; it is logged and we try again"),
}


def problem_words(code: str) -> str:
    return str(WORDS.get(code, WORDS["our_error"]))
