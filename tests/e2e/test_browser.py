"""The chat page and the operator console in a real browser (Playwright driving Debian's Chromium).

Runs against the real stack of tests/e2e/conftest.py. Without Chromium the tests are skipped, or fail
when ELDERCARE_REQUIRE_BROWSER=1 (as in CI, where scripts/install_browser.sh installs it).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from bot.core.store import Direction, log_message, make_engine, session_factory, transaction
from knowledge.base import KnowledgeBase
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pw-123456"
PHONE: ViewportSize = {"width": 360, "height": 740}
DESK: ViewportSize = {"width": 1400, "height": 1000}
POLICY_QUESTION = "宝鸡低保家庭的高龄老人每月能多领多少？"
ANSWER_TIMEOUT_MS = 60_000
# The chat page reads the log every 12 s without a handoff and every 2.5 s during one.
LOG_TIMEOUT_MS = 30_000
XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skip (or fail, when the browser is required) if it is missing."""
    path = os.environ.get("ELDERCARE_CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        problem = f"no Chromium at {path} (run scripts/install_browser.sh or set ELDERCARE_CHROMIUM)"
        if os.environ.get("ELDERCARE_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    return path


@pytest.fixture(scope="module")
def browser(chromium: str, stack: Stack) -> Iterator[Browser]:
    """A headless Chromium for this module (the stack is started first, the check for it before)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def operator(chromium: str, stack: Stack) -> str:
    """An operator account made with the real CLI on the stack's database; returns its name."""
    name = f"op{secrets.token_hex(3)}"
    stack.add_operator(name, PASSWORD)
    return name


class Tabs:
    """Pages a test opens, each in a fresh context (its own storage), with their script errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.errors: dict[int, list[str]] = {}

    def open(self, path: str, viewport: ViewportSize) -> Page:
        """Open a path of the gateway in a new context."""
        context = self.browser.new_context(viewport=viewport, locale="zh-CN")
        self.contexts.append(context)
        page = context.new_page()
        errors = self.errors.setdefault(id(page), [])
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(self.base_url + path)
        return page

    def errors_of(self, page: Page) -> list[str]:
        """The uncaught script errors of a page."""
        return self.errors[id(page)]

    def close(self) -> None:
        """Close every context."""
        for context in self.contexts:
            context.close()


@pytest.fixture
def tabs(browser: Browser, stack: Stack) -> Iterator[Tabs]:
    """Opens pages of the running gateway; closes them after the test."""
    opened = Tabs(browser, stack.url)
    try:
        yield opened
    finally:
        opened.close()


def bot_messages(page: Page) -> Locator:
    """The chat page's messages from the assistant or a worker (not the typing indicator)."""
    return page.locator("#messages .msg-bot:not(.typing)")


def wait_answer(page: Page, before: int) -> Locator:
    """Wait until the answer to what was just sent is shown; return its first message."""
    first = bot_messages(page).nth(before)
    first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#send-button")).to_be_enabled(timeout=ANSWER_TIMEOUT_MS)
    return first


def say(page: Page, text: str) -> Locator:
    """Type a message on the chat page, send it, and wait for the answer."""
    before = bot_messages(page).count()
    page.fill("#chat-input", text)
    page.click("#send-button")
    return wait_answer(page, before)


def press(page: Page, button: Locator) -> Locator:
    """Press a button on the chat page and wait for the answer."""
    before = bot_messages(page).count()
    button.click()
    return wait_answer(page, before)


def sender_id(page: Page) -> str:
    """The chat page's sender id (kept in localStorage)."""
    value = page.evaluate("() => localStorage.getItem('eldercare.web.sender_id')")
    assert isinstance(value, str)
    return value


def texts_of(locator: Locator) -> list[str]:
    """The text of each element a locator finds."""
    return [str(text) for text in locator.all_text_contents()]


def small_text(page: Page, scope: str, min_px: float) -> Any:
    """The visible elements under `scope` whose own text is set smaller than min_px."""
    return page.evaluate(
        """([scope, minPx]) => Array.from(document.querySelectorAll(scope))
            .filter((e) => e.offsetParent !== null && e.getClientRects().length)
            .filter((e) => Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim()))
            .filter((e) => !e.closest('.sr-only'))
            .map((e) => [e.tagName + '.' + e.className, parseFloat(getComputedStyle(e).fontSize)])
            .filter((pair) => pair[1] < minPx)""",
        [scope, min_px],
    )


def assert_phone_friendly(page: Page) -> None:
    """No sideways scrolling at phone width, text of 20px and more, tap targets of 48px and more."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    small = small_text(page, "#messages *, .composer *, .top *, .footer *", 20)
    assert small == [], small
    input_size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.getElementById('chat-input')).fontSize)"
    )
    assert input_size >= 20
    low: Any = page.evaluate(
        """() => Array.from(document.querySelectorAll('button, summary'))
            .filter((e) => e.offsetParent !== null)
            .map((e) => [e.textContent, e.getBoundingClientRect().height])
            .filter((pair) => pair[1] < 48)"""
    )
    assert low == [], low


def log_reminder(stack: Stack, sender: str, text: str) -> None:
    """Write an outgoing message to a web conversation's log, as the reminder job does."""
    engine = make_engine(stack.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            log_message(
                session,
                sender_id=sender,
                channel="web",
                direction=Direction.OUT,
                text=text,
                intent="booking_reminder",
                payload={"buttons": []},
            )
    finally:
        engine.dispose()


def login(page: Page, username: str) -> None:
    """Log in on the console or the assist page."""
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("#workspace")).to_be_visible(timeout=15_000)


def ticket_of(page: Page) -> str:
    """The ticket number the chat page shows once a person has been asked for."""
    banner = page.locator("#handoff")
    expect(banner).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    match = re.search(r"工单 (\d+)", banner.text_content() or "")
    assert match, banner.text_content()
    return match.group(1)


def test_chat_page_answers_with_folded_sources_and_fits_a_phone(tabs: Tabs, kb: KnowledgeBase) -> None:
    page = tabs.open("/chat", PHONE)
    expect(page.locator("#human-button")).to_be_visible()
    assert re.fullmatch(r"web-[0-9a-f]{32}", sender_id(page))

    say(page, "你好")
    reply = bot_messages(page).last
    choices = reply.locator("button.choice")
    assert choices.count() >= 2, texts_of(reply)
    press(page, reply.locator("button.choice", has_text="助餐"))

    answer = say(page, POLICY_QUESTION)
    sources = page.locator("#messages details.sources").last
    expect(sources).to_be_visible()
    assert sources.get_attribute("open") is None  # folded
    expect(sources.locator("summary")).to_contain_text("来源")
    sources.locator("summary").click()
    titles = " ".join(texts_of(sources.locator(".source-title")))
    assert any(doc.meta.title in titles for doc in kb.documents), titles
    expect(sources.locator(".source-quote").first).to_be_visible()
    assert answer.is_visible()

    assert_phone_friendly(page)
    expect(page.locator("#human-button")).to_be_in_viewport()
    assert tabs.errors_of(page) == []


def test_chat_page_shows_logged_messages_without_reload_and_only_once(tabs: Tabs, stack: Stack) -> None:
    page = tabs.open("/chat", PHONE)
    say(page, "你好")
    shown = texts_of(bot_messages(page))
    sender = sender_id(page)

    first = f"提醒您：明天上午有上门助浴（{secrets.token_hex(2)}）。"
    log_reminder(stack, sender, first)
    page.locator("#messages .msg-bot", has_text=first).wait_for(timeout=LOG_TIMEOUT_MS)
    page.wait_for_timeout(13_000)  # one more slow read of the log: nothing comes twice
    after = texts_of(bot_messages(page))
    assert after[:-1] == shown and first in after[-1], after

    # Closed and opened again: what came meanwhile is shown, what was seen is not.
    page.goto("about:blank")
    second = f"提醒您：后天下午有送餐上门（{secrets.token_hex(2)}）。"
    log_reminder(stack, sender, second)
    page.goto(f"{stack.url}/chat")
    page.locator("#messages .msg-bot", has_text=second).wait_for(timeout=LOG_TIMEOUT_MS)
    assert sender_id(page) == sender
    assert not any(first in text for text in texts_of(bot_messages(page)))
    assert tabs.errors_of(page) == []


def test_user_and_operator_meet_in_the_browser(tabs: Tabs, operator: str) -> None:
    user = tabs.open("/chat", PHONE)
    say(user, "你好")
    press(user, bot_messages(user).last.locator("button.choice", has_text="助餐"))
    say(user, "高龄津贴怎么申请")

    console = tabs.open("/console", DESK)
    expect(console.locator("#login-form")).to_be_visible()
    console.fill("#login-username", operator)
    console.fill("#login-password", "not-the-password")
    console.click("#login-button")
    expect(console.locator("#login-error")).to_be_visible(timeout=15_000)
    login(console, operator)
    expect(console.locator("#stream-status")).to_have_text("实时更新中", timeout=15_000)

    press(user, user.locator("#human-button"))
    ticket = ticket_of(user)
    item = console.locator(f"#queue li.ticket[data-ticket-id='{ticket}']")
    item.wait_for(timeout=15_000)  # arrives over the stream, no reload
    expect(item.locator(".reason")).to_have_text("用户要求找人工")
    expect(item.locator(".waited")).to_contain_text("已等")

    item.locator("button.claim").click()
    mine = console.locator(f"#active li.ticket[data-ticket-id='{ticket}']")
    mine.wait_for(timeout=15_000)
    expect(console.locator("#transcript .msg.in", has_text="高龄津贴怎么申请")).to_be_visible(timeout=15_000)
    expect(console.locator("#transcript .msg.out").first).to_be_visible()
    expect(console.locator("#profile")).to_contain_text("地区")

    help_shown = console.locator("#suggestions .suggestion, #suggestions .empty")
    help_shown.first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    suggestions = console.locator("#suggestions .suggestion")
    if suggestions.count():
        first = suggestions.first
        expect(first.locator(".citations .cite-title").first).not_to_be_empty()
        suggested = first.locator(".suggestion-text").text_content() or ""
        first.locator("button.insert").click()
        expect(console.locator("#reply-text")).to_have_value(suggested)
        reply = suggested.rstrip() + "\n我是工作人员，您还有什么要问的吗？"
    else:
        reply = "您好，我是工作人员，高龄津贴一般到社区或镇（街道）民政办申请。"
    assert small_text(console, "body *", 16) == []  # operators read it for hours: 16px and more
    console.fill("#reply-text", reply)
    console.click("#reply-send")
    last_line = reply.splitlines()[-1]
    expect(console.locator("#transcript .msg.operator", has_text=last_line)).to_be_visible(timeout=15_000)
    expect(console.locator("#reply-text")).to_have_value("")
    from_worker = user.locator("#messages .msg-operator", has_text=last_line)
    from_worker.wait_for(timeout=LOG_TIMEOUT_MS)  # the chat page reads the log; no reload
    user.wait_for_timeout(3_000)
    assert user.locator("#messages .msg-operator", has_text=last_line).count() == 1

    console.click("#release-button")
    expect(console.locator("#release-button")).to_be_disabled(timeout=15_000)
    expect(mine).to_have_count(0, timeout=15_000)
    user.locator("#messages .msg-operator", has_text="结束了这次对话").wait_for(timeout=LOG_TIMEOUT_MS)
    expect(user.locator("#handoff")).to_be_hidden()
    assert tabs.errors_of(user) == [] and tabs.errors_of(console) == []


def test_user_text_is_shown_as_text_on_both_pages(tabs: Tabs, operator: str) -> None:
    user = tabs.open("/chat", PHONE)
    say(user, f"请帮我 {XSS_SCRIPT} {XSS_IMG}")
    press(user, user.locator("#human-button"))
    ticket = ticket_of(user)

    console = tabs.open("/console", DESK)
    login(console, operator)
    item = console.locator(f"#queue li.ticket[data-ticket-id='{ticket}']")
    item.wait_for(timeout=15_000)
    item.locator("button.claim").click()
    said = console.locator("#transcript .msg.in", has_text=XSS_SCRIPT)
    expect(said).to_be_visible(timeout=15_000)
    expect(said).to_contain_text(XSS_IMG)

    console.fill("#reply-text", f"收到：{XSS_IMG}")
    console.click("#reply-send")
    expect(console.locator("#transcript .msg.operator", has_text=XSS_IMG)).to_be_visible(timeout=15_000)
    user.locator("#messages .msg-operator", has_text=XSS_IMG).wait_for(timeout=LOG_TIMEOUT_MS)

    expect(user.locator("#messages .msg-user", has_text=XSS_SCRIPT)).to_be_visible()
    for page, area in ((user, "#messages"), (console, "#transcript")):
        assert page.locator(f"{area} img, {area} script").count() == 0
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert console.locator("#queue img, #queue script, #active img, #active script").count() == 0
    console.click("#release-button")
    expect(console.locator("#release-button")).to_be_disabled(timeout=15_000)


def test_hotline_assist_page_shows_cited_suggestions(tabs: Tabs, operator: str) -> None:
    page = tabs.open("/console/assist", DESK)
    login(page, operator)
    page.fill("#assist-text", "我母亲八十二岁，低保户，能领什么补贴")
    page.fill("#assist-region", "金台区")
    page.click("#assist-submit")
    page.locator("#suggestions .suggestion").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#suggestions .suggestion .citations .cite-title").first).not_to_be_empty()
    expect(page.locator("#eligibility .eligibility-item").first).to_be_visible()
    expect(page.locator("#eligibility .verdict").first).not_to_be_empty()
    page.reload()  # the token stays for this tab
    expect(page.locator("#workspace")).to_be_visible(timeout=15_000)
    expect(page.locator("#login-section")).to_be_hidden()
    assert tabs.errors_of(page) == []
