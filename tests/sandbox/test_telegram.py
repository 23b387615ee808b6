"""The sandbox's Telegram Bot API dialect, over real HTTP, held to what Telegram documents
(core.telegram.org/bots/api and the bots FAQ): the answer envelope, sendMessage's checks,
getUpdates' offsets and long polling, webhooks, flood limits, and the user's side."""

import contextlib
import http.server
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from exchanges.sandbox import Fault, SandboxVenue
from exchanges.sandbox.telegram_bots import TelegramBot, load_bots

# No proxy, whatever the environment says: everything here is on 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
UNKNOWN_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def fetch(
    url: str,
    *,
    json_body: Any = None,
    form: dict | None = None,
    body: bytes | None = None,
    headers: dict | None = None,
    method: str | None = None,
    opener: urllib.request.OpenerDirector = OPENER,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    headers = dict(headers or {})
    if json_body is not None:
        body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class BotApi:
    """A minimal Bot API client: POSTs JSON to ``{venue}/bot<token>/<method>``."""

    def __init__(self, venue: SandboxVenue, token: str | None = None) -> None:
        self.base = venue.telegram_api_url(token)

    def __call__(self, method: str, /, **params: Any) -> tuple[int, dict]:
        status, _, body = fetch(f"{self.base}/{method}", json_body=params, timeout=40)
        return status, json.loads(body)

    def ok(self, method: str, /, **params: Any) -> Any:
        status, answer = self(method, **params)
        assert (status, answer["ok"]) == (200, True), answer
        return answer["result"]


def assert_refused(answer: tuple[int, dict], status: int, description: str) -> dict:
    """Telegram's error envelope: HTTP status = error_code, ok false, the description."""
    code, payload = answer
    assert code == status, payload
    assert payload["ok"] is False
    assert payload["error_code"] == status
    assert payload["description"].startswith(description), payload["description"]
    return payload


def refused_url() -> str:
    """An http URL nothing listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/hook"


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


@pytest.fixture
def bot(venue: SandboxVenue) -> BotApi:
    return BotApi(venue)


# --- the basics -------------------------------------------------------------------------------


def test_get_me_answers_the_bot_as_a_user(venue, bot):
    me = bot.ok("getMe")
    assert me["is_bot"] is True
    assert me["username"] == venue.telegram_bot.username
    # A token is "<bot id>:<secret>": the bot's user id is the part before the colon.
    assert me["id"] == int(venue.telegram_bot.token.split(":")[0])
    # Method names are case-insensitive; GET with no parameters is fine.
    status, _, body = fetch(f"{venue.telegram_api_url()}/getme")
    assert (status, json.loads(body)["result"]) == (200, me)


def test_an_unknown_token_is_unauthorized_and_an_unknown_method_not_found(venue, bot):
    assert BotApi(venue, UNKNOWN_TOKEN)("getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert bot("sendCarrierPigeon") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


# --- sendMessage ------------------------------------------------------------------------------


def test_send_message_answers_the_message_sent(venue, bot):
    venue.telegram_user_says(42, "/start", first_name="Ada", username="ada")
    message = bot.ok("sendMessage", chat_id=42, text="Your BTC grid bought 0.01 BTC")
    assert message["text"] == "Your BTC grid bought 0.01 BTC"
    assert message["chat"]["id"] == 42
    assert message["chat"]["type"] == "private"
    assert message["from"]["is_bot"] is True
    assert message["from"]["username"] == venue.telegram_bot.username
    assert isinstance(message["message_id"], int)
    assert isinstance(message["date"], int)
    # A form body (as many clients send) and a string chat_id work as well.
    status, _, body = fetch(
        f"{venue.telegram_api_url()}/sendMessage", form={"chat_id": "42", "text": "second"}
    )
    second = json.loads(body)["result"]
    assert status == 200
    assert second["message_id"] > message["message_id"]
    sent = venue.telegram_messages(42)
    assert [m["text"] for m in sent] == ["Your BTC grid bought 0.01 BTC", "second"]
    assert [m["message_id"] for m in sent] == [message["message_id"], second["message_id"]]


def test_send_message_takes_multipart_form_data(venue):
    venue.telegram_user_says(42, "hi")
    boundary = "sandboxboundary"
    parts = [("chat_id", "42"), ("text", "from a multipart client")]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in parts
        )
        + f"--{boundary}--\r\n"
    )
    status, _, answer = fetch(
        f"{venue.telegram_api_url()}/sendMessage",
        body=body.encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200
    assert json.loads(answer)["result"]["text"] == "from a multipart client"


def test_send_message_refusals(venue, bot):
    assert_refused(bot("sendMessage", chat_id=42, text="hi"), 400, "Bad Request: chat not found")
    venue.telegram_user_says(42, "hi")
    assert_refused(
        bot("sendMessage", chat_id=42, text=""), 400, "Bad Request: message text is empty"
    )
    assert_refused(
        bot("sendMessage", chat_id=42, text="x" * 4097), 400, "Bad Request: message is too long"
    )
    assert bot.ok("sendMessage", chat_id=42, text="x" * 4096)["text"] == "x" * 4096
    assert venue.telegram_messages(42)[-1]["text"] == "x" * 4096


@pytest.mark.parametrize(
    "text",
    [
        "<b>never closed",
        "<b>crossed <i>tags</b></i>",
        "<script>alert(1)</script>",
        "<div>not a Telegram tag</div>",
        "1 < 2",  # a literal "<" must be written &lt;
        "closing </b> nothing",
    ],
)
def test_send_message_refuses_html_telegram_cannot_parse(venue, bot, text):
    venue.telegram_user_says(42, "hi")
    assert_refused(
        bot("sendMessage", chat_id=42, text=text, parse_mode="HTML"),
        400,
        "Bad Request: can't parse entities: ",
    )
    assert venue.telegram_messages(42) == []


def test_send_message_html_becomes_text_and_entities(venue, bot):
    venue.telegram_user_says(42, "hi")
    text = (
        '<b>Bought</b> 0.01 BTC at &lt;67 000&gt; <a href="https://example.com/o/1">order</a> '
        "<tg-spoiler>+3%</tg-spoiler>"
    )
    message = bot.ok("sendMessage", chat_id=42, text=text, parse_mode="HTML")
    assert message["text"] == "Bought 0.01 BTC at <67 000> order +3%"
    assert message["entities"] == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 28, "length": 5, "url": "https://example.com/o/1"},
        {"type": "spoiler", "offset": 34, "length": 3},
    ]
    # What the bot sent is kept as sent, with its parse mode, for the chat page.
    assert venue.telegram_messages(42)[-1] == {
        "message_id": message["message_id"],
        "date": message["date"],
        "text": text,
        "parse_mode": "HTML",
    }


def test_a_user_who_blocked_the_bot_cannot_be_messaged(venue, bot):
    venue.telegram_user_says(42, "/start")
    bot.ok("getUpdates", offset=-1)  # read: only what follows matters
    venue.telegram_block(42)
    assert_refused(
        bot("sendMessage", chat_id=42, text="hi"), 403, "Forbidden: bot was blocked by the user"
    )
    # Telegram tells the bot: in a private chat, my_chat_member comes on block and unblock.
    (update,) = [u for u in bot.ok("getUpdates") if "my_chat_member" in u]
    change = update["my_chat_member"]
    assert change["chat"]["id"] == 42
    assert change["new_chat_member"]["status"] == "kicked"
    assert change["new_chat_member"]["user"]["username"] == venue.telegram_bot.username
    status, _, body = fetch(
        f"{venue.url}/_sandbox/telegram/block", json_body={"chat_id": 42, "blocked": False}
    )
    assert (status, json.loads(body)) == (200, {"chat_id": 42, "blocked": False})
    assert bot.ok("sendMessage", chat_id=42, text="welcome back")["text"] == "welcome back"


# --- getUpdates -------------------------------------------------------------------------------


def test_get_updates_offsets_confirm_and_forget(venue, bot):
    status, _, body = fetch(
        f"{venue.url}/_sandbox/telegram/messages",
        json_body={
            "chat_id": 42,
            "text": "/start abc",
            "first_name": "Ada",
            "username": "ada",
            "language_code": "en",
        },
    )
    assert status == 201
    first = json.loads(body)
    venue.telegram_user_says(42, "hello")
    updates = bot.ok("getUpdates")
    assert [u["update_id"] for u in updates] == [first["update_id"], first["update_id"] + 1]
    message = updates[0]["message"]
    assert message["text"] == "/start abc"
    assert message["from"] == {
        "id": 42,
        "is_bot": False,
        "first_name": "Ada",
        "username": "ada",
        "language_code": "en",
    }
    assert message["chat"] == {"id": 42, "type": "private", "first_name": "Ada", "username": "ada"}
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in updates[1]["message"]
    # Unconfirmed updates come again; limit caps how many.
    assert bot.ok("getUpdates") == updates
    assert bot.ok("getUpdates", limit=1) == updates[:1]
    # An offset above an update_id confirms it: it is never answered again.
    assert bot.ok("getUpdates", offset=updates[0]["update_id"] + 1) == updates[1:]
    assert bot.ok("getUpdates") == updates[1:]
    assert bot.ok("getUpdates", offset=updates[1]["update_id"] + 1) == []
    assert bot.ok("getUpdates") == []


def test_a_long_poll_returns_as_soon_as_an_update_arrives(venue, bot):
    def user_writes() -> None:
        time.sleep(0.3)
        fetch(f"{venue.url}/_sandbox/telegram/messages", json_body={"chat_id": 7, "text": "hi"})

    writer = threading.Thread(target=user_writes)
    started = time.monotonic()
    writer.start()
    updates = bot.ok("getUpdates", timeout=5)
    elapsed = time.monotonic() - started
    writer.join()
    assert [u["message"]["text"] for u in updates] == ["hi"]
    assert 0.25 < elapsed < 2.5
    # With nothing to answer, the poll lasts its timeout.
    started = time.monotonic()
    assert bot.ok("getUpdates", offset=updates[0]["update_id"] + 1, timeout=1) == []
    assert time.monotonic() - started >= 0.9


def test_get_updates_conflicts_with_a_webhook(venue, bot):
    assert bot.ok("setWebhook", url=refused_url()) is True
    assert_refused(
        bot("getUpdates"),
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first",
    )
    assert bot.ok("deleteWebhook") is True
    assert bot.ok("getUpdates") == []


# --- webhooks ---------------------------------------------------------------------------------


class Receiver:
    """A bot's webhook endpoint on 127.0.0.1: records each delivery, answers `statuses` in
    turn (then 200), and may call back into the sandbox before answering."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], dict, int]] = []
        self.statuses: list[int] = []
        self.on_update: Callable[[dict], None] | None = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                update = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200 and receiver.on_update is not None:
                    receiver.on_update(update)
                receiver.deliveries.append((dict(self.headers), update, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/telegram/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self) -> list[dict]:
        return [update for _, update, status in self.deliveries if status == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_webhook_delivers_updates_in_order_with_the_secret_and_retries(venue, bot, receiver):
    receiver.statuses = [500]  # the first attempt fails: Telegram keeps the update, retries
    # The receiver answers /start by calling sendMessage before it answers the delivery.
    receiver.on_update = lambda update: bot.ok(
        "sendMessage", chat_id=update["message"]["chat"]["id"], text="Welcome!"
    )
    assert bot.ok("setWebhook", url=receiver.url, secret_token="s3cret_-Token") is True
    info = bot.ok("getWebhookInfo")
    assert (info["url"], info["pending_update_count"]) == (receiver.url, 0)
    first = venue.telegram_user_says(42, "/start")
    second = venue.telegram_user_says(42, "/status")

    wait_for(lambda: len(receiver.delivered()) == 2)
    assert [u["update_id"] for _, u, _ in receiver.deliveries] == [
        first["update_id"],
        first["update_id"],
        second["update_id"],
    ]
    assert receiver.delivered() == [first, second]
    for headers, _, _ in receiver.deliveries:
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_-Token"
        assert headers["Content-Type"].startswith("application/json")
    assert [m["text"] for m in venue.telegram_messages(42)] == ["Welcome!", "Welcome!"]
    info = wait_for(lambda: (i := bot.ok("getWebhookInfo"))["pending_update_count"] == 0 and i)
    assert isinstance(info["last_error_date"], int)
    assert "500" in info["last_error_message"]


def test_webhook_refuses_a_bad_secret_token_or_url(venue, bot):
    for secret in ("has space", "colon:not-allowed", "x" * 257, "é"):
        assert_refused(
            bot("setWebhook", url="https://example.com/hook", secret_token=secret),
            400,
            "Bad Request: ",
        )
    assert_refused(bot("setWebhook", url="ftp://example.com/hook"), 400, "Bad Request: ")
    assert bot.ok("getWebhookInfo")["url"] == ""
    assert bot.ok("setWebhook", url="https://example.com/hook", secret_token="A" * 256) is True
    assert bot.ok("getWebhookInfo")["url"] == "https://example.com/hook"


def test_delete_webhook_hands_pending_updates_back_to_get_updates(venue, bot):
    nowhere = refused_url()
    bot.ok("setWebhook", url=nowhere)
    update = venue.telegram_user_says(42, "/start")
    wait_for(lambda: "last_error_message" in bot.ok("getWebhookInfo"))
    assert bot.ok("getWebhookInfo")["pending_update_count"] == 1
    bot.ok("deleteWebhook")
    assert bot.ok("getUpdates") == [update]
    bot.ok("setWebhook", url=nowhere)
    bot.ok("deleteWebhook", drop_pending_updates=True)
    assert bot.ok("getUpdates") == []


# --- flood limits and faults ------------------------------------------------------------------


def test_too_many_messages_to_one_chat_answer_429_with_retry_after(venue, bot):
    venue.telegram_user_says(42, "hi")
    venue.telegram_user_says(43, "hi")
    answers = [bot("sendMessage", chat_id=42, text=f"tick {n}") for n in range(10)]
    refused = [payload for status, payload in answers if status == 429]
    assert answers[0][0] == 200
    assert refused, "ten messages at once to one chat must hit the ~1 per second limit"
    retry_after = refused[0]["parameters"]["retry_after"]
    assert isinstance(retry_after, int)
    assert retry_after >= 1
    assert refused[0]["description"] == f"Too Many Requests: retry after {retry_after}"
    assert bot.ok("sendMessage", chat_id=43, text="another chat is not held back")
    time.sleep(retry_after)
    assert bot.ok("sendMessage", chat_id=42, text="after waiting as told")


def test_more_than_30_messages_a_second_overall_answer_429(venue, bot):
    for chat in range(1, 41):
        venue.telegram_user_says(chat, "hi")
    started = time.monotonic()
    statuses = [bot("sendMessage", chat_id=chat, text="news")[0] for chat in range(1, 41)]
    if time.monotonic() - started >= 1.0:
        pytest.skip("this machine cannot send 40 messages within a second")
    assert statuses.count(200) <= 30
    assert 429 in statuses


def test_injected_telegram_faults(venue, bot, raw):
    venue.inject(Fault(kind="rate_limit", venue="telegram", seconds=7))
    assert raw.request("GET", "/0/public/Time")[0] == 200  # only Telegram's calls
    payload = assert_refused(bot("getMe"), 429, "Too Many Requests: retry after 7")
    assert payload["parameters"] == {"retry_after": 7}
    assert bot.ok("getMe")["is_bot"] is True  # one use only
    venue.inject(Fault(kind="rate_limit", venue="telegram", key=venue.telegram_bot.token))
    assert bot("getMe")[1]["parameters"] == {"retry_after": 1}
    venue.inject(Fault(kind="unavailable", venue="telegram"))
    assert bot("getMe") == (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    venue.inject(Fault(kind="http_error", venue="telegram", status=504, endpoint="sendMessage"))
    assert bot.ok("getMe")  # another method: untouched
    status, _, body = fetch(f"{venue.telegram_api_url()}/sendMessage", json_body={})
    assert status == 504
    assert b"<html" in body


# --- the user's side --------------------------------------------------------------------------


def test_reset_forgets_chats_updates_and_webhooks_but_keeps_the_bot(venue, bot):
    venue.telegram_user_says(42, "/start")
    bot.ok("sendMessage", chat_id=42, text="hello")
    bot.ok("setWebhook", url=refused_url())  # its delivery fails and waits to retry
    status, _, _ = fetch(f"{venue.url}/_sandbox/reset", method="POST")
    assert status == 200
    assert bot.ok("getMe")["username"] == venue.telegram_bot.username
    assert bot.ok("getWebhookInfo")["url"] == ""
    assert bot.ok("getUpdates") == []
    assert venue.telegram_messages(42) == []
    assert_refused(bot("sendMessage", chat_id=42, text="hi"), 400, "Bad Request: chat not found")
    venue.telegram_user_says(42, "/start")
    venue.reset()
    assert bot.ok("getUpdates") == []


def test_admin_endpoints_list_what_the_bot_sent(venue, bot):
    venue.telegram_user_says(42, "/start")
    bot.ok("sendMessage", chat_id=42, text="<b>one</b>", parse_mode="HTML")
    bot.ok("sendMessage", chat_id=42, text="two")
    status, _, body = fetch(f"{venue.url}/_sandbox/telegram/messages?chat_id=42")
    sent = json.loads(body)
    assert status == 200
    assert [(m["text"], m["parse_mode"]) for m in sent] == [("<b>one</b>", "HTML"), ("two", None)]
    assert sent == venue.telegram_messages(42)
    status, _, body = fetch(f"{venue.url}/_sandbox/telegram/block", json_body={"chat_id": 999})
    assert status == 404  # that user never wrote to the bot
    status, _, _ = fetch(f"{venue.url}/_sandbox/telegram/messages", json_body={"chat_id": "x"})
    assert status == 400


def test_the_chat_page_shows_the_conversation_safely_and_posts_as_the_user(venue, bot):
    venue.telegram_user_says(42, "<script>alert(1)</script>")
    bot.ok("sendMessage", chat_id=42, text="<b>Hello</b> &lt;i&gt;", parse_mode="HTML")
    page_url = f"{venue.url}/_sandbox/telegram/chat?chat_id=42"
    status, headers, body = fetch(page_url)
    page = body.decode()
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page
    assert 'name="viewport"' in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<strong>Hello</strong> &lt;i&gt;" in page  # the bot's HTML, rendered
    assert page.index("alert(1)") < page.index("Hello")  # oldest first
    assert '<label for="text"' in page
    assert 'id="text" name="text"' in page
    assert '<button type="submit">Send</button>' in page
    assert "src=" not in page
    assert "<link" not in page  # self-contained
    assert 'http-equiv="refresh"' in page or "setInterval" in page

    status, headers, _ = fetch(
        f"{venue.url}/_sandbox/telegram/chat",
        form={"chat_id": "42", "text": "hello bot", "bot": venue.telegram_bot.username},
        opener=NO_REDIRECT,
    )
    assert status == 303
    location = urllib.parse.urljoin(venue.url, headers["Location"])
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["chat_id"] == ["42"]
    assert "hello bot" in fetch(location)[2].decode()
    assert bot.ok("getUpdates")[-1]["message"]["text"] == "hello bot"


def test_the_chat_page_start_button_sends_the_deep_link_payload(venue, bot):
    page_url = f"{venue.url}/_sandbox/telegram/chat?chat_id=77&start=link-abc_1"
    page = fetch(page_url)[2].decode()
    assert ">Start</button>" in page
    assert 'value="/start link-abc_1"' in page
    status, _, _ = fetch(
        f"{venue.url}/_sandbox/telegram/chat",
        form={"chat_id": "77", "text": "/start link-abc_1"},
        opener=NO_REDIRECT,
    )
    assert status == 303
    (update,) = bot.ok("getUpdates")
    assert update["message"]["text"] == "/start link-abc_1"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert ">Start</button>" not in fetch(page_url)[2].decode()  # the chat has begun


# --- lifecycle --------------------------------------------------------------------------------


def test_stop_is_not_held_up_by_a_long_poll_or_a_failing_webhook():
    before = set(threading.enumerate())
    second = TelegramBot("1234567:SANDBOXsecondBotForTheStopTest_0000", "SecondSandboxBot", "2")
    venue = SandboxVenue(bots=[*load_bots(), second]).start()
    assert venue.telegram_bot.username == "NoonBarbariSandboxBot"
    # The second bot's webhook answers nothing: its delivery thread is in a back-off ...
    BotApi(venue, second.token).ok("setWebhook", url=refused_url())
    venue.telegram_user_says(42, "/start", bot=second.username)
    wait_for(lambda: "last_error_message" in BotApi(venue, second.token).ok("getWebhookInfo"))
    # ... while the first bot's long poll waits.
    poll_ended = threading.Event()

    def poll() -> None:
        with contextlib.suppress(OSError):  # the server went away: also an end
            BotApi(venue)("getUpdates", timeout=30)
        poll_ended.set()

    threading.Thread(target=poll, daemon=True).start()
    time.sleep(0.3)
    started = time.monotonic()
    venue.stop()
    assert time.monotonic() - started < 2.0
    assert poll_ended.wait(5)
    assert not [
        t
        for t in set(threading.enumerate()) - before
        if t.name.startswith("sandbox-telegram") and t.is_alive()
    ]
