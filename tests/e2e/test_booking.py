"""Home-visit bookings end to end: the form, my bookings, moving and cancelling, bad input, a crash."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli.stack import Service, read_pid
from bot.core.store import (
    Booking,
    BookingEvent,
    BookingStatus,
    VisitSlot,
    make_engine,
    session_factory,
    transaction,
)
from tests.e2e.conftest import Stack, buttons, new_sender, texts

pytestmark = pytest.mark.integration
REFERENCE = re.compile(r"\d{8}-\d{4,}")


def sender() -> str:
    return new_sender("e2e-book")


def stored(stack: Stack, user: str) -> list[Booking]:
    """The user's bookings as the database has them."""
    engine = make_engine(stack.database_url)
    try:
        with transaction(session_factory(engine), write=False) as session:
            return list(
                session.scalars(select(Booking).where(Booking.sender_id == user).order_by(Booking.id))
            )
    finally:
        engine.dispose()


def book_through_the_form(stack: Stack, user: str) -> tuple[str, dict[str, Any]]:
    """Book a bath in 金台区 by answering every question; return the reference and the confirmation."""
    body = stack.reply(user, "我想约人上门给我妈洗洗澡")
    assert body["intent"]["name"] == "book_home_visit"
    assert "哪个区县" in texts(body)
    assert "金台区" in [b["title"] for b in buttons(body)]
    body = stack.reply(user, "金台区")
    assert "详细地址" in texts(body)
    body = stack.reply(user, "东风路12号3单元502")
    assert "哪天" in texts(body)
    offered = buttons(body)
    assert offered and all(re.search(r"[上下]午$", b["title"]) for b in offered)
    body = stack.reply(user, offered[0]["payload"])
    assert "怎么称呼" in texts(body)
    body = stack.reply(user, "王秀兰")
    assert "联系电话" in texts(body)
    body = stack.reply(user, "13912345678")
    summary = texts(body)
    assert "请您核对" in summary and "上门助浴" in summary and "东风路12号3单元502" in summary
    assert "13912345678" in summary and offered[0]["title"] in summary
    assert [b["title"] for b in buttons(body)][:2] == ["确认预约", "改时间"]
    body = stack.reply(user, "确认预约")
    confirmation = texts(body)
    match = REFERENCE.search(confirmation)
    assert match, confirmation
    assert (
        "上门助浴" in confirmation
        and offered[0]["title"] in confirmation
        and "东风路12号3单元502" in confirmation
    )
    return match.group(0), body


def test_booking_form_books_a_visit_with_a_reference(stack: Stack) -> None:
    user = sender()
    reference, _ = book_through_the_form(stack, user)
    bookings = stored(stack, user)
    assert [b.reference for b in bookings] == [reference]
    booking = bookings[0]
    assert (booking.status, booking.contact_name, booking.phone) == (
        BookingStatus.PENDING,
        "王秀兰",
        "13912345678",
    )
    assert booking.region == "金台区" and booking.channel == "web"
    logs = {
        p.name: p.read_text(encoding="utf-8", errors="replace") for p in stack.settings.log_dir.glob("*.log")
    }
    assert set(logs) >= {"actions.log", "rasa.log", "gateway.log"}
    assert all("13912345678" not in text for text in logs.values())  # phone numbers are masked in every log


def test_a_first_message_with_everything_skips_to_the_contact(stack: Stack) -> None:
    user = sender()
    body = stack.reply(user, "帮我约下周三上午来金台区东风路8号打扫卫生")
    assert "怎么称呼" in texts(body), texts(body)
    body = stack.reply(user, "我叫李明")
    body = stack.reply(user, "我的电话是 139-1234-5678")
    assert "助洁" in texts(body) and "上午" in texts(body) and "李明" in texts(body)


def test_bad_answers_get_a_reason_and_nothing_is_stored(stack: Stack) -> None:
    user = sender()
    today = stack.today
    body = stack.reply(user, "我想预约上门服务")
    assert "做什么" in texts(body)
    body = stack.reply(user, "帮我修一下水管")
    assert "可以预约上门的有" in texts(body)
    body = stack.reply(user, "洗澡")
    body = stack.reply(user, "北京市朝阳区")
    assert "暂时还没有可以预约的上门服务" in texts(body)
    body = stack.reply(user, "渭滨区")
    body = stack.reply(user, "渭滨区" + "很长的地址" * 45)
    assert "200" in texts(body)
    body = stack.reply(user, "经二路5号")
    past = today - timedelta(days=3)
    body = stack.reply(user, f"{past.month}月{past.day}号上午")
    assert "已经过去了" in texts(body) and buttons(body)
    far = today + timedelta(days=75)
    body = stack.reply(user, f"{far.year}年{far.month}月{far.day}日上午")
    assert "60天以内" in texts(body)
    body = stack.reply(user, buttons(body)[0]["payload"])
    body = stack.reply(user, "王秀兰")
    body = stack.reply(user, "12345")
    assert "11 位" in texts(body)
    body = stack.reply(user, "87654321")
    assert "区号" in texts(body)
    body = stack.reply(user, "不约了")
    assert "先不约了" in texts(body)
    assert stored(stack, user) == []


def test_my_bookings_reschedule_and_cancel_only_for_the_owner(stack: Stack) -> None:
    user = sender()
    reference, _ = book_through_the_form(stack, user)
    body = stack.reply(user, "我的预约")
    assert reference in texts(body)
    move = next(b for b in buttons(body) if b["title"].startswith("改时间"))
    body = stack.reply(user, move["payload"])
    assert "哪天" in texts(body)
    choice = buttons(body)[-1]
    body = stack.reply(user, choice["payload"])
    assert f"预约 {reference} 已改到{choice['title']}" in texts(body), texts(body)
    [booking] = stored(stack, user)
    assert booking.status is BookingStatus.PENDING

    stranger = sender()
    body = stack.reply(stranger, f"取消预约 {reference}")
    assert "没有找到您的这个预约" in texts(body)
    assert stored(stack, user)[0].status is BookingStatus.PENDING

    body = stack.reply(user, "我的预约")
    cancel = next(b for b in buttons(body) if b["title"].startswith("取消"))
    body = stack.reply(user, cancel["payload"])
    assert "确定要取消" in texts(body)
    body = stack.reply(user, buttons(body)[0]["payload"])
    assert f"已经取消了预约 {reference}" in texts(body)
    assert stored(stack, user)[0].status is BookingStatus.CANCELLED


def test_a_crash_before_the_commit_leaves_no_half_booking(stack: Stack) -> None:
    """Kills the action server inside the booking transaction; the usual one runs again afterwards."""
    user = sender()
    for text in ("我想约人上门打扫卫生", "金台区", "东风路12号3单元502"):
        body = stack.reply(user, text)
    body = stack.reply(user, buttons(body)[0]["payload"])
    stack.reply(user, "王秀兰")
    stack.reply(user, "13912345678")
    engine = make_engine(stack.database_url)
    sessions = session_factory(engine)
    try:
        with transaction(sessions, write=False) as session:
            booked_before = session.scalar(select(func.sum(VisitSlot.booked))) or 0
            events_before = session.scalar(select(func.count(BookingEvent.id))) or 0
        with stack.actions_restarted(ELDERCARE_FAULT_PAUSE_BEFORE_COMMIT_S="60") as actions:
            status = confirm_and_kill_inside_the_transaction(stack, actions, user)
        # the usual action server runs again
        assert status == 503  # the user got the apology, not silence
        assert stored(stack, user) == []
        with transaction(sessions, write=False) as session:
            assert (session.scalar(select(func.sum(VisitSlot.booked))) or 0) == booked_before
            assert (session.scalar(select(func.count(BookingEvent.id))) or 0) == events_before
        body = stack.reply(user, "我想约人上门打扫卫生")  # the answers were kept: straight to the summary
        assert "请您核对" in texts(body), texts(body)
        body = stack.reply(user, "确认预约")
        assert REFERENCE.search(texts(body)), texts(body)
        assert len(stored(stack, user)) == 1
    finally:
        engine.dispose()


def confirm_and_kill_inside_the_transaction(stack: Stack, actions: Service, user: str) -> int | None:
    """Confirm the booking, SIGKILL the action server while it pauses before the commit; the HTTP status."""
    log = actions.log_file(stack.settings)
    answers: list[int] = []
    confirm = threading.Thread(target=lambda: answers.append(stack.chat(user, "确认预约").status_code))
    confirm.start()
    deadline = time.monotonic() + 120
    while "fault injection: pausing" not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, "the action server never reached the pause"
        time.sleep(0.2)
    crashed = read_pid(actions.pid_file(stack.settings))
    assert crashed is not None
    os.killpg(crashed, signal.SIGKILL)
    confirm.join(120)
    return answers[0] if answers else None
