"""The web pages: the chat page (/chat), the operator console (/console, /console/assist), their files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import bot.gateway
from bot.core.handoffs import CLOSE_NOTE, RELEASE_NOTE
from bot.gateway.routes.web import CONSOLE_STATIC_FILES, CONTENT_SECURITY_POLICY, STATIC_FILES

WEB_DIR = Path(bot.gateway.__file__).parent / "web"
DOMAIN = Path(bot.gateway.__file__).parent.parent / "dialogue" / "domain.yml"
QUICK_PAYLOADS = ["/ask_eligibility", "/ask_meal_service", "/ask_bath_service", "/request_human"]
CONSOLE_PAGES = {"/console": "console.html", "/console/assist": "assist.html"}
HTML_SINKS = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]
LOGIN_IDS = ["login-form", "login-username", "login-password", "login-error"]
HELP_IDS = ["suggestions", "catalog", "eligibility"]
CONSOLE_IDS = [
    *LOGIN_IDS,
    *HELP_IDS,
    "queue",
    "active",
    "transcript",
    "profile",
    "reply-form",
    "reply-text",
    "reply-send",
    "release-button",
    "close-form",
    "resolution",
    "close-button",
    "bookings",
]
ASSIST_IDS = [*LOGIN_IDS, *HELP_IDS, "assist-form", "assist-text", "assist-region"]


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
        "来源（",
        "bubble-emergency",
    ]:
        assert text in script, text
    for title, payload in zip(
        ["我能领哪些补贴", "吃饭（助餐）", "上门洗澡（助浴）", "找人工"], QUICK_PAYLOADS, strict=True
    ):
        assert f'{{ title: "{title}", payload: "{payload}" }}' in script


def test_script_never_inserts_server_text_as_html(script: str) -> None:
    for sink in HTML_SINKS:
        assert sink not in script, sink
    assert "textContent" in script


def test_quick_button_payloads_are_intents_of_the_domain() -> None:
    intents = set(yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"])
    assert {payload.removeprefix("/") for payload in QUICK_PAYLOADS} <= intents


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("name", ["chat.js", "console.js"])
def test_script_parses(name: str) -> None:
    result = subprocess.run(
        ["node", "--check", str(WEB_DIR / name)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


def test_stylesheet_uses_large_text_and_tap_targets(client: TestClient) -> None:
    css = client.get("/chat/static/chat.css").text
    assert "font-size: max(20px, 1.25rem);" in css
    assert "line-height: 1.6;" in css
    assert css.count("min-height: max(56px, 2.8em);") == 3  # quick buttons, 发送 and 找人工


def test_stylesheet_never_makes_text_smaller_than_the_body() -> None:
    css = (WEB_DIR / "chat.css").read_text(encoding="utf-8")
    sizes = re.findall(r"font-size:\s*([^;]+);", css)
    assert sizes, css
    for size in sizes:
        px = re.fullmatch(r"(\d+(?:\.\d+)?)px", size)
        em = re.fullmatch(r"(\d+(?:\.\d+)?)(?:em|rem)", size)
        if px:
            assert float(px.group(1)) >= 20, size
        elif em:
            assert float(em.group(1)) >= 1, size
        else:
            assert size == "max(20px, 1.25rem)", size


def _luminance(color: str) -> float:
    """The relative luminance of a #rrggbb color (WCAG 2)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colors."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("--text", "--page"),
        ("--text-soft", "--page"),
        ("--text", "--bot"),
        ("--text", "--handoff-bg"),
        ("--user-text", "--user"),
        ("--accent", "--page"),
        ("#ffffff", "--accent"),
        ("#ffffff", "--danger"),
        ("--notice", "--notice-bg"),
        ("--handoff", "--handoff-bg"),
        ("--handoff", "--page"),
    ],
)
def test_stylesheet_colors_meet_wcag_aa(text: str, background: str) -> None:
    css = (WEB_DIR / "chat.css").read_text(encoding="utf-8")
    palette = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6});", css))

    def color(name: str) -> str:
        return name if name.startswith("#") else palette[name]

    assert _contrast(color(text), color(background)) >= 4.5, (text, background)


def test_the_way_to_a_person_is_always_in_the_composer(page: str, script: str) -> None:
    composer = page[page.index('<div class="composer">') : page.index("</form>")]
    assert re.search(r'<button id="human-button" class="human" type="button"[^>]*>找人工</button>', composer)
    assert 'var HUMAN_PAYLOAD = "/request_human";' in script
    assert 'humanEl.addEventListener("click"' in script


def test_script_keeps_reading_the_log_and_pauses_when_hidden(script: str) -> None:
    fast = re.search(r"var POLL_FAST_MS = (\d+);", script)
    slow = re.search(r"var POLL_SLOW_MS = (\d+);", script)
    assert fast and slow
    assert 2000 <= int(fast.group(1)) <= 3000
    assert 10000 <= int(slow.group(1)) <= 15000
    assert "document.hidden" in script and '"visibilitychange"' in script
    assert "window.setInterval(tick, POLL_TICK_MS);" in script


def test_script_recognises_the_release_note(script: str) -> None:
    mark = re.search(r'var RELEASE_MARK = "([^"]+)";', script)
    assert mark and mark.group(1) in RELEASE_NOTE and mark.group(1) in CLOSE_NOTE


def test_sender_id_comes_from_the_cryptographic_generator(script: str) -> None:
    assert "window.crypto.getRandomValues(bytes);" in script
    assert "Math.random" not in script


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


# ----- the operator console and the hotline assist page -----


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_pages_are_served_with_the_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "noindex" in response.headers["x-robots-tag"]
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_pages_run_no_inline_script_or_style(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="zh-CN">' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html.lower()
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html.lower()) == []
    assert "javascript:" not in html.lower()


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_every_file_a_console_page_names_is_served(client: TestClient, path: str) -> None:
    html = client.get(path).text
    files = re.findall(r'(?:src|href)="(/console/static/[^"]*)"', html)
    assert sorted(files) == ["/console/static/console.css", "/console/static/console.js"]
    for file in files:
        response = client.get(file)
        assert response.status_code == 200, file
        assert response.headers["cache-control"] == "no-cache"
        name = file.rsplit("/", 1)[1]
        assert response.headers["content-type"] == CONSOLE_STATIC_FILES[name]
        assert response.text == (WEB_DIR / name).read_text(encoding="utf-8")


def test_console_files_load_nothing_from_elsewhere() -> None:
    for name in ["console.html", "assist.html", *CONSOLE_STATIC_FILES]:
        text = (WEB_DIR / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
        assert "@import" not in text and "@font-face" not in text and "url(" not in text, name


@pytest.mark.parametrize(("name", "ids"), [("console.html", CONSOLE_IDS), ("assist.html", ASSIST_IDS)])
def test_console_pages_have_the_stable_ids(name: str, ids: list[str]) -> None:
    html = (WEB_DIR / name).read_text(encoding="utf-8")
    found = re.findall(r'\sid="([^"]+)"', html)
    assert len(found) == len(set(found)), "an id is used twice"
    assert set(ids) <= set(found), sorted(set(ids) - set(found))
    assert re.search(r'<input id="login-password"[^>]*type="password"', html)


def test_console_and_assist_page_link_to_each_other() -> None:
    console = (WEB_DIR / "console.html").read_text(encoding="utf-8")
    assist = (WEB_DIR / "assist.html").read_text(encoding="utf-8")
    assert 'href="/console/assist"' in console and 'href="/console"' in assist
    assert 'data-page="console"' in console and 'data-page="assist"' in assist


def test_console_script_follows_the_contract(client: TestClient) -> None:
    script = client.get("/console/static/console.js").text
    for text in [
        '"/api/operator/login"',
        '"/api/handoffs/stream"',
        '"/api/handoffs"',
        '"/api/conversations/"',
        '"/api/suggestions"',
        '"/api/bookings"',
        '"/claim"',
        '"/messages"',
        '"/release"',
        '"/close"',
        '"Bearer "',
        "sessionStorage",
        "getReader()",
        '"text/event-stream"',
        'type !== "queue"',
        "scheduleReconnect",
        "response.status === 401",
    ]:
        assert text in script, text
    assert "localStorage" not in script  # the token lives only as long as the tab
    assert "new EventSource" not in script  # it cannot send the token


def test_console_script_never_inserts_text_as_html(client: TestClient) -> None:
    script = client.get("/console/static/console.js").text
    for sink in HTML_SINKS:
        assert sink not in script, sink
    assert "textContent" in script and "createTextNode" in script


def test_console_stylesheet_is_readable(client: TestClient) -> None:
    css = client.get("/console/static/console.css").text
    assert "font-size: max(17px, 1.0625rem);" in css
    for size in re.findall(r"font-size:\s*(\d+(?:\.\d+)?)em;", css):
        assert float(size) * 17 >= 16, size  # small print (times, counts) stays 16px or more


@pytest.mark.parametrize(
    "name", ["console.html", "assist.html", "chat.js", "chat.css", "web.py", "console.js.map", "CONSOLE.JS"]
)
def test_console_static_serves_only_its_allow_list(client: TestClient, name: str) -> None:
    response = client.get(f"/console/static/{name}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_chat_static_does_not_serve_the_console_files(client: TestClient) -> None:
    for name in CONSOLE_STATIC_FILES:
        assert client.get(f"/chat/static/{name}").status_code == 404, name


def test_console_pages_answer_304_when_unchanged(client: TestClient) -> None:
    for path in [*CONSOLE_PAGES, "/console/static/console.js"]:
        etag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, path
