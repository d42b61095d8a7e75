"""Bad input to POST /api/chat: 4xx with one error body, never a stack trace, never sent to Rasa."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.core.store import make_engine, messages_after, session_factory, transaction
from bot.core.turns import clean_text, has_words, strip_controls
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings

SENDER = "contract-0123456789abcdef"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


BAD_BODIES: list[tuple[str, bytes, str, int, str]] = [
    # label, raw body, content type, status, error code
    ("invalid JSON", b"{not json", "application/json", 400, "invalid_json"),
    ("empty body", b"", "application/json", 422, "invalid_body"),
    ("JSON array", _json(["你好"]), "application/json", 422, "invalid_body"),
    ("plain text body", "你好".encode(), "text/plain", 422, "invalid_body"),
    ("missing text", _json({"sender_id": SENDER}), "application/json", 422, "missing_field"),
    ("missing sender_id", _json({"text": "你好"}), "application/json", 422, "missing_field"),
    ("text not a string", _json({"sender_id": SENDER, "text": 5}), "application/json", 422, "invalid_field"),
    ("text is null", _json({"sender_id": SENDER, "text": None}), "application/json", 422, "invalid_field"),
    ("sender_id a number", _json({"sender_id": 7, "text": "你好"}), "application/json", 422, "invalid_field"),
    ("empty text", _json({"sender_id": SENDER, "text": ""}), "application/json", 422, "empty_text"),
    (
        "whitespace text",
        _json({"sender_id": SENDER, "text": "   \n\t "}),
        "application/json",
        422,
        "empty_text",
    ),
    (
        "control characters",
        _json({"sender_id": SENDER, "text": "\u0000\u0007"}),
        "application/json",
        422,
        "empty_text",
    ),
    (
        "controls and spaces",
        _json({"sender_id": SENDER, "text": " \u001b\r\n\u0000 "}),
        "application/json",
        422,
        "empty_text",
    ),
    ("emoji only", _json({"sender_id": SENDER, "text": "😀👍🙏"}), "application/json", 422, "no_words"),
    (
        "punctuation only",
        _json({"sender_id": SENDER, "text": "？？！。..."}),
        "application/json",
        422,
        "no_words",
    ),
    ("symbols only", _json({"sender_id": SENDER, "text": "★ ♥ →"}), "application/json", 422, "no_words"),
    (
        "invisible only",
        _json({"sender_id": SENDER, "text": "\u200b\u200b"}),
        "application/json",
        422,
        "no_words",
    ),
    (
        "text too long",
        _json({"sender_id": SENDER, "text": "养" * 2001}),
        "application/json",
        422,
        "text_too_long",
    ),
    (
        "10,000 characters",
        _json({"sender_id": SENDER, "text": "养" * 10000}),
        "application/json",
        422,
        "text_too_long",
    ),
    (
        "body too large",
        _json({"sender_id": SENDER, "text": "x" * 70000}),
        "application/json",
        413,
        "request_too_large",
    ),
    (
        "empty sender_id",
        _json({"sender_id": "", "text": "你好"}),
        "application/json",
        422,
        "invalid_sender_id",
    ),
    (
        "sender_id too long",
        _json({"sender_id": "x" * 65, "text": "你好"}),
        "application/json",
        422,
        "invalid_sender_id",
    ),
    (
        "sender_id with a slash",
        _json({"sender_id": "a/b", "text": "你好"}),
        "application/json",
        422,
        "invalid_sender_id",
    ),
    (
        "sender_id with spaces",
        _json({"sender_id": "a b", "text": "你好"}),
        "application/json",
        422,
        "invalid_sender_id",
    ),
    (
        "unknown channel",
        _json({"sender_id": SENDER, "text": "你好", "channel": "fax"}),
        "application/json",
        422,
        "invalid_channel",
    ),
    (
        "channel not a string",
        _json({"sender_id": SENDER, "text": "你好", "channel": 1}),
        "application/json",
        422,
        "invalid_channel",
    ),
]


def assert_error_body(body: dict[str, Any], code: str) -> None:
    """Check the one error body shape and its code."""
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message = body["error"]["message"]
    assert isinstance(message, str)
    assert " / " in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.parametrize(
    ("label", "raw", "ctype", "status", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
def test_bad_input_is_refused_cleanly_and_never_reaches_rasa(
    client: TestClient,
    settings: GatewaySettings,
    label: str,
    raw: bytes,
    ctype: str,
    status: int,
    code: str,
) -> None:
    response = client.post("/api/chat", content=raw, headers={"Content-Type": ctype})
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_error_body(response.json(), code)
    engine = make_engine(settings.database_url)
    with transaction(session_factory(engine)) as session:
        assert messages_after(session, SENDER) == []
    engine.dispose()


def test_unknown_path_and_method_use_the_error_body(client: TestClient) -> None:
    missing = client.get("/api/nothing")
    assert missing.status_code == 404
    assert_error_body(missing.json(), "not_found")
    wrong = client.get("/api/chat")
    assert wrong.status_code == 405
    assert_error_body(wrong.json(), "method_not_allowed")


def test_unexpected_errors_answer_500_without_details(settings: GatewaySettings) -> None:
    app: FastAPI = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert_error_body(response.json(), "internal_error")


def test_control_characters_are_removed_from_text_with_content() -> None:
    assert strip_controls("你\u0000好\u0007\r\n再见\t!") == "你好\n再见\t!"
    assert clean_text("  \u0007我妈洗澡不方便\u0000  ", 2000) == "我妈洗澡不方便"


def test_has_words_accepts_letters_digits_and_cjk_only() -> None:
    assert has_words("低保")
    assert has_words("ok")
    assert has_words("120")
    assert has_words("/request_human")
    assert not has_words("🙏？！…")


def test_chunked_body_over_the_limit_is_refused_while_streaming(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"sender_id": "a", "text": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413
    assert_error_body(response.json(), "request_too_large")
