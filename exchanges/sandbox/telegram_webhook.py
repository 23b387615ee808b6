"""Webhook delivery: while a bot has a webhook, its updates are POSTed to it as JSON.

As Telegram does (Bot API, setWebhook): one update per request, in update_id order, one request
at a time per bot; the ``X-Telegram-Bot-Api-Secret-Token`` header carries the secret when one
was set; any answer but a 2xx (a redirect included) or a failed connection keeps the update
pending, is reported by getWebhookInfo (``last_error_date``, ``last_error_message``), and is
retried after a pause that grows. A 2xx answer whose JSON body names a ``method`` makes that
call, as Telegram lets a webhook answer with one (its result is not reported back).

Sandbox choices: pauses from 0.2 s doubling up to 3 s (Telegram's are longer and unstated); a
2 s timeout per request; no proxy, whatever the environment says. Each bot's thread starts
when there is something to deliver and ends when there is not, and never holds a lock while
it waits on the network: the receiver may call back into the sandbox before it answers.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from typing import Any

from exchanges.sandbox.telegram_records import BotState, Webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
TIMEOUT = 2.0
FIRST_PAUSE, LONGEST_PAUSE = 0.2, 3.0
MAX_ANSWER = 1 << 16


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a wrong answer, reported as such


class WebhookDeliverer:
    """The delivery threads of one TelegramState, one per bot at most: `cond` is its lock,
    `bots()` its current bots (a reset replaces them), `clock` the venue's."""

    def __init__(
        self,
        cond: threading.Condition,
        stopping: threading.Event,
        clock: Callable[[], float],
        bots: Callable[[], dict[str, BotState]],
    ) -> None:
        self.cond, self.stopping, self.clock, self.bots = cond, stopping, clock, bots
        self.threads: dict[str, threading.Thread] = {}  # token -> its running thread
        # Set by the dialect: makes a call a webhook answered with (token, {"method": ...}).
        self.reply: Callable[[str, dict[str, Any]], None] | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def kick(self, bot_state: BotState) -> None:
        """Start the bot's thread if it has something to deliver and none runs (under the
        state's lock, which also guards `threads`)."""
        token = bot_state.bot.token
        if (
            bot_state.webhook is None
            or not bot_state.updates
            or self.stopping.is_set()
            or token in self.threads
        ):
            return
        thread = threading.Thread(
            target=self._run,
            args=(token,),
            name=f"sandbox-telegram-webhook-{bot_state.bot.username}",
            daemon=True,
        )
        self.threads[token] = thread
        thread.start()

    def join(self, timeout: float) -> None:
        with self.cond:
            threads = list(self.threads.values())
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run(self, token: str) -> None:
        try:
            self._deliver(token)
        finally:
            with self.cond:
                self._forget(token)

    def _forget(self, token: str) -> None:
        if self.threads.get(token) is threading.current_thread():
            del self.threads[token]

    def _deliver(self, token: str) -> None:
        cond, pause = self.cond, FIRST_PAUSE
        while True:
            with cond:
                bot_state = self.bots().get(token)
                webhook = bot_state.webhook if bot_state else None
                if bot_state is None or webhook is None or not bot_state.updates:
                    self._forget(token)  # under the lock: a kick from now on starts a thread
                    return
                if self.stopping.is_set():
                    return
                update = bot_state.updates[0]
            answer, error = self._post(webhook, update)
            with cond:
                current = self.bots().get(token) is bot_state and bot_state.webhook is webhook
                if error is None:
                    if current and bot_state.updates and bot_state.updates[0] is update:
                        bot_state.updates.pop(0)
                    pause = FIRST_PAUSE
                elif current:
                    webhook.last_error_date = int(self.clock())
                    webhook.last_error_message = error
                    self._wait(bot_state, webhook, pause)
                    pause = min(pause * 2, LONGEST_PAUSE)
            if answer is not None and self.reply is not None:
                self.reply(token, answer)

    def _wait(self, bot_state: BotState, webhook: Webhook, pause: float) -> None:
        """Pause under the lock (waiting releases it) unless the venue stops, resets, or the
        webhook changes; a new update does not cut a back-off short."""
        deadline = time.monotonic() + pause
        while (
            not self.stopping.is_set()
            and self.bots().get(bot_state.bot.token) is bot_state
            and bot_state.webhook is webhook
        ):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.cond.wait(remaining)

    def _post(
        self, webhook: Webhook, update: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str | None]:
        """(a method call the receiver answered with, or None; an error message, or None)."""
        headers = {"Content-Type": "application/json"}
        if webhook.secret:
            headers[SECRET_HEADER] = webhook.secret
        request = urllib.request.Request(  # noqa: S310 - setWebhook accepts http(s) URLs only
            webhook.url, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                body = response.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:
            return None, f"Wrong response from the webhook: {error.code} {error.reason}"
        except urllib.error.URLError as error:
            return None, _reason(error.reason)
        except (OSError, HTTPException) as error:
            return None, _reason(error)
        return _method_call(body), None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(reason, TimeoutError):
        return "Read timeout expired"
    return str(reason) or type(reason).__name__


def _method_call(body: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(body) if body.strip() else None
    except ValueError:
        return None  # any body is a fine answer; only a JSON method call means more
    if isinstance(answer, dict) and isinstance(answer.get("method"), str):
        return answer
    return None
