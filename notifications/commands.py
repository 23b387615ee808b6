"""The bot's commands, registered by the apps that carry them out (`commands[name] =
Command(...)` in their `AppConfig.ready()`), so that notifications imports nothing above it.

A command that changes something (`needs_code`) takes a fresh code from the authenticator app
as its last word: accepted once, a backup code refused (anyone who reads the chat, or holds
the unlocked phone, must not be able to stop, flatten or kill without the second factor).
Its words are checked first (`check`): a mistyped run number does not spend the code.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from accounts.models import User

# The command's words after its name (the code taken off), the user; the reply.
Handler = Callable[[User, list[str]], str]
# Why the words cannot be acted on, before the code is looked at; None when they can.
Check = Callable[[User, list[str]], str | None]


@dataclass(frozen=True)
class Command:
    help: Promise | str
    run: Handler
    needs_code: bool = False
    # How the command is typed, shown in replies; {run} is the run number the user typed.
    usage: str = ""
    check: Check | None = None
    # How many words come before the code ("/stop <run> <code>": one).
    arguments: int = 0


commands: dict[str, Command] = {}
