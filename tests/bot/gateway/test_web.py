"""The web chat page: GET /chat, its static files, and the redirect from /."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import bot.gateway
from bot.gateway.routes.web import STATIC_FILES

WEB_DIR = Path(bot.gateway.__file__).parent / "web"
DOMAIN = Path(bot.gateway.__file__).parent.parent / "dialogue" / "domain.yml"
QUICK_PAYLOADS = ["/ask_eligibility", "/ask_meal_service", "/ask_bath_service", "/request_human"]


@pytest.fixture
def page(client: TestClient) -> str:
    """The chat page's HTML as the gateway serves it."""
    response = client.get("/chat")
    assert response.status_code == 200
    return response.text


@pytest.fixture
def script(client: TestClient) -> str:
    """The chat page's script as the gateway serves it."""
    response = client.get("/chat/static/chat.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    return response.text


def test_chat_page_is_uncached_html(client: TestClient) -> None:
    response = client.get("/chat")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp


def test_chat_page_has_the_form_and_elder_friendly_frame(page: str) -> None:
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="zh-CN">' in page
    assert '<meta name="viewport"' in page
    assert "<title>养老服务小助手</title>" in page
    assert "养老服务小助手</h1>" in page
    assert "您可以问补贴、助餐、助浴、看病，也可以找人工。遇到紧急情况请直接拨打 120。" in page
    assert "回答来自政策文件，以当地民政部门解释为准。" in page
    assert re.search(r'<div id="messages"[^>]*aria-live="polite"', page)
    assert re.search(r'<form id="chat-form"', page)
    assert re.search(r'<textarea id="chat-input"[^>]*maxlength="2000"', page)
    assert '<label for="chat-input"' in page
    assert re.search(r'<button id="send-button"[^>]*type="submit"', page)
    assert '<script src="/chat/static/chat.js"' in page
    assert '<link rel="stylesheet" href="/chat/static/chat.css">' in page


def test_page_loads_nothing_from_elsewhere_and_runs_no_inline_script(client: TestClient, page: str) -> None:
    for name in ["chat.html", *STATIC_FILES]:
        text = (WEB_DIR / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
        assert "@import" not in text and "@font-face" not in text, name
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert " style=" not in page and " onclick=" not in page.lower()


def test_every_file_the_page_names_is_served(client: TestClient, page: str) -> None:
    paths = re.findall(r'(?:src|href)="(/[^"]*)"', page)
    assert sorted(paths) == ["/chat/static/chat.css", "/chat/static/chat.js"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-cache"
        assert response.text == (WEB_DIR / path.rsplit("/", 1)[1]).read_text(encoding="utf-8")
    assert client.get("/chat/static/chat.css").headers["content-type"] == "text/css; charset=utf-8"


def test_script_posts_the_chat_contract_to_api_chat(script: str) -> None:
    assert 'var API_CHAT = "/api/chat";' in script
    assert 'method: "POST"' in script
    assert '"Content-Type": "application/json"' in script
    assert "JSON.stringify({ sender_id: senderId, text: text, channel: CHANNEL })" in script
    assert 'var CHANNEL = "web";' in script
    assert "/messages?after=" in script  # the log, polled for a worker's replies during a handoff


def test_script_keeps_a_valid_sender_id_in_local_storage(script: str) -> None:
    assert "localStorage.getItem" in script and "localStorage.setItem" in script
    assert '"web-" + randomHex(16)' in script  # 4 + 32 characters
    assert "var SENDER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;" in script


def test_script_shows_the_agreed_texts(script: str) -> None:
    for text in [
        "正在输入…",
        "网络好像断了，请稍后再试。",
        "已为您转接工作人员（工单 ",
        "），请稍等",
        "出处",
        "bubble-emergency",
    ]:
        assert text in script, text
    for title, payload in zip(
        ["我能领哪些补贴", "吃饭（助餐）", "上门洗澡（助浴）", "找人工"], QUICK_PAYLOADS, strict=True
    ):
        assert f'{{ title: "{title}", payload: "{payload}" }}' in script


def test_script_never_inserts_server_text_as_html(script: str) -> None:
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]:
        assert sink not in script, sink
    assert "textContent" in script


def test_quick_button_payloads_are_intents_of_the_domain() -> None:
    intents = set(yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"])
    assert {payload.removeprefix("/") for payload in QUICK_PAYLOADS} <= intents


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_script_parses() -> None:
    result = subprocess.run(
        ["node", "--check", str(WEB_DIR / "chat.js")], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


def test_stylesheet_uses_large_text_and_tap_targets(client: TestClient) -> None:
    css = client.get("/chat/static/chat.css").text
    assert "font-size: max(20px, 1.25rem);" in css
    assert "line-height: 1.6;" in css
    assert css.count("min-height: max(56px, 2.8em);") == 2  # quick buttons and the send button


def test_unchanged_files_answer_304(client: TestClient) -> None:
    for path in ["/chat", "/chat/static/chat.js"]:
        first = client.get(path)
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_root_redirects_to_the_chat_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/chat"
    followed = client.get("/")
    assert followed.status_code == 200
    assert "养老服务小助手" in followed.text


@pytest.mark.parametrize(
    "name",
    ["chat.html", "app.py", "web.py", ".env", "chat.js.map", "CHAT.JS", "chat.css%00", "..%2Fapp.py"],
)
def test_static_serves_only_its_allow_list(client: TestClient, name: str) -> None:
    response = client.get(f"/chat/static/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "not_found"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_static_does_not_follow_dot_segments(client: TestClient) -> None:
    for path in ["/chat/static/../../app.py", "/chat/static/%2e%2e/%2e%2e/app.py", "/chat/static/"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
