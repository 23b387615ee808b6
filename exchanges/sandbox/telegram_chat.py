"""The chat page's HTML: one user's side of a conversation with a sandbox bot, in a browser.

``GET /_sandbox/telegram/chat?chat_id=42[&start=<payload>][&bot=<username>]`` (telegram_admin.py)
shows the conversation, oldest first, and a form that writes to the bot as that user. With
``start`` and no message yet, a prominent "Start" button sends ``/start <payload>``, as
Telegram's deep link ``https://t.me/<bot>?start=<payload>`` does (a payload outside Telegram's
64 characters of A-Za-z0-9_- is dropped, leaving a bare ``/start``).

Self-contained (inline style and script under a per-response CSP nonce, nothing external),
``lang="en"``, usable at 390 px wide. A user's text is always escaped; a bot's HTML message is
rendered by telegram_html.render_html (supported tags only). A tiny script fetches the page
every 3 seconds and appends new messages, so replies appear; without script, a meta refresh.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from exchanges.sandbox.telegram_bots import TelegramBot
from exchanges.sandbox.telegram_html import render_html
from exchanges.sandbox.telegram_state import Said

PATH = "/_sandbox/telegram/chat"
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")

STYLE = """
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
.note { margin: 0 0 1rem; font-size: .9rem; }
.conversation { list-style: none; margin: 0 0 1rem; padding: 0; display: flex;
  flex-direction: column; gap: .5rem; }
.msg { max-width: 85%; padding: .5rem .75rem; border-radius: .75rem; color: #111; }
.from-user { align-self: flex-end; background: #d7efff; }
.from-bot { align-self: flex-start; background: #ececec; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.text pre { white-space: pre-wrap; margin: .25rem 0; }
.msg a { color: #0b4f94; }
.msg time { display: block; font-size: .75rem; color: #4a4a4a; }
.spoiler { background: #4a4a4a; color: transparent; border-radius: .25rem; }
.spoiler:hover, .spoiler:focus { background: none; color: inherit; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
form.send { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
form.send label { flex-basis: 100%; font-weight: 600; }
input[type=text] { flex: 1; min-width: 0; font-size: 1rem; padding: .6rem; }
button { font-size: 1rem; min-height: 2.75rem; padding: .5rem 1rem; cursor: pointer; }
.start button { width: 100%; font-size: 1.2rem; font-weight: 600; color: #fff;
  background: #0b5cab; border: 0; border-radius: .5rem; margin-bottom: 1rem; }
:focus-visible { outline: 3px solid #0b5cab; outline-offset: 2px; }
"""

# Appends messages the page does not show yet (aria-live announces only those).
SCRIPT = """
setInterval(async () => {
  if (document.hidden) return;
  try {
    const answer = await fetch(location.href, {cache: "no-store"});
    if (!answer.ok) return;
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    const list = document.getElementById("conversation");
    const shown = new Set([...list.children].map((item) => item.dataset.id));
    for (const item of fresh.querySelectorAll("#conversation > li")) {
      if (shown.has(item.dataset.id)) continue;
      const added = list.appendChild(document.importNode(item, true));
      document.getElementById("empty")?.remove();
      added.scrollIntoView({block: "nearest"});
    }
  } catch (error) { /* the sandbox is restarting: try again in 3 s */ }
}, 3000);
"""


def content_security_policy(nonce: str) -> str:
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def chat_page(
    bot: TelegramBot, chat_id: int, history: list[Said], blocked: bool, start: str, nonce: str
) -> str:
    who = f"{bot.first_name} (@{bot.username})"
    hidden = _hidden(chat_id=str(chat_id), bot=bot.username)
    parts = [
        f"<h1>Chat with {_e(who)}</h1>",
        f'<p class="note">Sandbox Telegram: you are user {chat_id}. '
        "Nothing on this page reaches Telegram.</p>",
    ]
    if blocked:
        parts.append(
            f'<p role="status">You have blocked @{_e(bot.username)}. '
            "Sending a message unblocks it.</p>"
        )
    if start and not history:
        command = f"/start {start}" if START_PAYLOAD.fullmatch(start) else "/start"
        parts.append(
            f'<form class="start" method="post" action="{PATH}">{hidden}'
            f'{_hidden(text=command)}<button type="submit">Start</button></form>'
        )
    items = "".join(_message(said, bot) for said in history)
    parts.append(
        '<ol id="conversation" class="conversation" aria-live="polite" '
        f'aria-label="Conversation">{items}</ol>'
    )
    if not history:
        parts.append('<p id="empty">No messages yet.</p>')
    parts.append(
        f'<form class="send" method="post" action="{PATH}">{hidden}'
        f'<label for="text">Message to @{_e(bot.username)}</label>'
        '<input type="text" id="text" name="text" required maxlength="4096" '
        'autocomplete="off"><button type="submit">Send</button></form>'
    )
    return _page(f"Chat with {who}", "".join(parts), nonce, refresh=True)


def pick_page(bot: TelegramBot, start: str, nonce: str, error: str = "") -> str:
    """Which user to be: asked when the page is opened without a chat_id."""
    alert = f'<p role="alert">{_e(error)}</p>' if error else ""
    body = (
        f"<h1>Chat with {_e(bot.first_name)} (@{_e(bot.username)})</h1>{alert}"
        f'<form method="get" action="{PATH}">{_hidden(start=start, bot=bot.username)}'
        '<p><label for="chat_id">Your Telegram user id (a number)</label></p>'
        '<p><input type="text" id="chat_id" name="chat_id" inputmode="numeric" '
        'pattern="[0-9]{1,15}" required> <button type="submit">Open chat</button></p></form>'
    )
    return _page("Sandbox Telegram chat", body, nonce, refresh=False)


def page_url(chat_id: int, bot: str) -> str:
    return f"{PATH}?{urlencode({'chat_id': chat_id, 'bot': bot})}"


def _page(title: str, body: str, nonce: str, refresh: bool) -> str:
    script = (
        f'<script nonce="{nonce}">{SCRIPT}</script>'
        '<noscript><meta http-equiv="refresh" content="5"></noscript>'
        if refresh
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)}</title><style nonce="{nonce}">{STYLE}</style>{script}</head>'
        f"<body><main>{body}</main></body></html>"
    )


def _message(said: Said, bot: TelegramBot) -> str:
    side, name = ("from-bot", bot.first_name) if said.from_bot else ("from-user", "You")
    text = render_html(said.text) if said.parse_mode == "HTML" else _e(said.text)
    moment = datetime.fromtimestamp(said.date, UTC)
    return (
        f'<li class="msg {side}" data-id="{said.message_id}">'
        f'<span class="visually-hidden">{_e(name)}:</span><div class="text">{text}</div>'
        f'<time datetime="{moment.isoformat()}">{moment:%H:%M} UTC</time></li>'
    )


def _hidden(**fields: str) -> str:
    return "".join(
        f'<input type="hidden" name="{name}" value="{_e(value)}">'
        for name, value in fields.items()
        if value
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
