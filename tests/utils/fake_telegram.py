"""A fake Telegram Bot API server on 127.0.0.1, for the real python-telegram-bot to talk to over HTTP.

It answers what the library calls (getMe, getUpdates with long polling and offsets, setWebhook,
deleteWebhook, getWebhookInfo, sendMessage, answerCallbackQuery, editMessageReplyMarkup…), accepts JSON
and form bodies, records every call, checks Telegram's limits (4096 characters a message, 64 bytes of
callback data), can answer the next sendMessage calls with 429, and delivers updates as Telegram does:
by POSTing them to the registered webhook with its secret token, or through getUpdates.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx

TOKEN = "123456789:TEST-token_for-the-fake-api"
# Parameters Telegram takes as plain strings; every other form value is JSON (as python-telegram-bot sends).
STRING_PARAMETERS = frozenset(
    {"text", "url", "secret_token", "callback_query_id", "parse_mode", "inline_message_id", "ip_address"}
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Call:
    """One Bot API request the fake received, and how it answered."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any
    at: float = field(default_factory=time.monotonic)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _error(status: int, description: str, **parameters: Any) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


class FakeTelegram:
    """The fake Bot API for one bot token."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "养老服务小助手（测试）",
            "username": "eldercare_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._queue: list[dict[str, Any]] = []  # updates waiting for getUpdates
        self._changed = threading.Condition()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._fail_sends = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- the server -----

    @property
    def url(self) -> str:
        """The Bot API address to give TELEGRAM_BASE_URL."""
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegram:
        """Listen on a free loopback port, in a thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._serve(self)

            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and wake any long poll."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._changed:
            self._changed.notify_all()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        prefix = f"/bot{self.token}/"
        params: dict[str, Any] = {}
        if "?" in request.path:
            params.update(_decode(dict(parse_qsl(request.path.split("?", 1)[1]))))
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        kind = request.headers.get("Content-Type", "")
        if raw and "json" in kind:
            params.update(json.loads(raw))
        elif raw:
            params.update(_decode(dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))))
        if not path.startswith(prefix):
            method = path.rsplit("/", 1)[-1]
            status, body = _error(401, "Unauthorized")
        else:
            method = path[len(prefix) :]
            status, body = self._answer(method, params)
        with self._changed:
            self.calls.append(Call(method, params, status, body.get("result")))
            self._changed.notify_all()
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a long poll cut short)
            pass

    # ----- the Bot API -----

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        handler: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]] | None = getattr(
            self, f"_api_{method.lower()}", None
        )
        if handler is None:
            return _error(404, "Not Found: method not found")
        return handler(params)

    @staticmethod
    def _ok(result: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": result}

    def _api_getme(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._ok(self.bot_user)

    def _api_getupdates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            if self.webhook_url:
                return _error(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset:
                self._queue = [u for u in self._queue if u["update_id"] >= offset]
            while not self._queue and self._server is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._ok(list(self._queue[:limit]))

    def _api_setwebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            self.webhook_url = str(params.get("url") or "")
            self.webhook_secret = params.get("secret_token") or None
            if params.get("drop_pending_updates"):
                self._queue.clear()
        return self._ok(True)

    def _api_deletewebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            self.webhook_url = ""
            self.webhook_secret = None
            if params.get("drop_pending_updates"):
                self._queue.clear()
        return self._ok(True)

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._ok(
            {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            }
        )

    def _api_sendmessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            if self._fail_sends > 0:
                self._fail_sends -= 1
                return _error(429, "Too Many Requests: retry after 1", retry_after=1)
        text = str(params.get("text") or "")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup is not None:
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if len(str(button.get("callback_data", "")).encode("utf-8")) > 64:
                        return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "测试用户"},
            "from": self.bot_user,
            "text": text,
        }
        if markup is not None:
            message["reply_markup"] = markup
        return self._ok(message)

    def _api_answercallbackquery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not params.get("callback_query_id"):
            return _error(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        return self._ok(True)

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._ok(True)

    def _api_close(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._ok(True)

    def _api_logout(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._ok(True)

    # ----- what tests do -----

    def fail_next_sends(self, count: int) -> None:
        """Answer the next `count` sendMessage calls with 429 (retry after 1 second)."""
        with self._changed:
            self._fail_sends = count

    def user_message(self, chat_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
        """An update: a user's text message (a leading /command gets its bot_command entity)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "测试用户"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "测试用户", "language_code": "zh-hans"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        return {
            "update_id": update_id if update_id is not None else next(self._update_ids),
            "message": message,
        }

    def user_photo(self, chat_id: int) -> dict[str, Any]:
        """An update: a photo without a caption."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "测试用户"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "测试用户"},
            "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}],
        }
        return {"update_id": next(self._update_ids), "message": message}

    def button_press(self, chat_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """An update: the user pressed a button (callback data `data`) under the bot's `message`."""
        update_id = next(self._update_ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cbq-{update_id}",
                "from": {"id": chat_id, "is_bot": False, "first_name": "测试用户"},
                "message": message,
                "chat_instance": f"ci-{chat_id}",
                "data": data,
            },
        }

    def deliver(self, update: dict[str, Any], timeout: float = 120) -> int | None:
        """Deliver an update as Telegram does: POST it to the webhook (its status back), or queue it."""
        with self._changed:
            url, secret = self.webhook_url, self.webhook_secret
            if not url:
                self._queue.append(update)
                self._changed.notify_all()
                return None
        return self.post_webhook(update, secret=secret, url=url, timeout=timeout)

    def post_webhook(
        self, update: dict[str, Any], secret: str | None, url: str | None = None, timeout: float = 120
    ) -> int:
        """POST an update to the webhook with a given secret token (None: no header); the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = httpx.post(
            url or self.webhook_url, json=update, headers=headers, timeout=timeout, trust_env=False
        )
        return response.status_code

    def queued(self) -> int:
        """How many updates wait for getUpdates."""
        with self._changed:
            return len(self._queue)

    # ----- looking at what the bot did -----

    def calls_of(self, method: str) -> list[Call]:
        """Every call of a method so far."""
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        """Messages delivered to a chat (successful sendMessage calls), from call number `since` on."""
        with self._changed:
            return [
                call.result
                for call in self.calls[since:]
                if call.method == "sendMessage"
                and call.status == 200
                and int(call.params["chat_id"]) == chat_id
            ]

    def mark(self) -> int:
        """The number of calls so far, to look only at later ones."""
        with self._changed:
            return len(self.calls)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        """Wait until a condition on the recorded calls holds (AssertionError after the timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [f"{c.method}:{c.status}" for c in self.calls[-20:]]
                    raise AssertionError(f"timed out; last calls: {methods}")
                self._changed.wait(min(left, 0.5))

    def wait_sent(
        self, chat_id: int, since: int, count: int = 1, timeout: float = 60
    ) -> list[dict[str, Any]]:
        """Wait until at least `count` messages reached the chat after call `since`; return them all."""
        self.wait_for(lambda: len(self.sent(chat_id, since)) >= count, timeout)
        return self.sent(chat_id, since)

    def quiet_for(self, seconds: float) -> None:
        """Wait until no call arrived for `seconds` (the bot has finished what it was doing)."""
        while True:
            before = self.mark()
            time.sleep(seconds)
            if self.mark() == before:
                return


def _decode(form: dict[str, str]) -> dict[str, Any]:
    """Form values as Telegram reads them: JSON, except the parameters that are plain strings."""
    decoded: dict[str, Any] = {}
    for key, value in form.items():
        if key in STRING_PARAMETERS:
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


def buttons_of(message: dict[str, Any]) -> list[dict[str, str]]:
    """The inline buttons of a sent message, row by row."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


@contextmanager
def fake_telegram(token: str = TOKEN) -> Iterator[FakeTelegram]:
    """A started fake Bot API, stopped afterwards."""
    fake = FakeTelegram(token).start()
    try:
        yield fake
    finally:
        fake.stop()
