"""The terminal chat: rendering answers with numbered buttons, and a clear error without a gateway."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.cli.terminal_chat import ChatError, render, run, send


def test_render_numbers_buttons_and_shows_emergency_and_handoff() -> None:
    body = {
        "replies": [
            {"text": "请马上拨打 120 急救电话。", "buttons": []},
            {"text": "需要转人工吗？", "buttons": [{"title": "找人工", "payload": "/request_human"}]},
        ],
        "emergency": True,
        "handoff": {"status": "waiting", "ticket_id": 7},
    }
    lines, payloads = render(body)
    assert lines[0] == "助手：请马上拨打 120 急救电话。"
    assert "   [1] 找人工" in lines
    assert payloads == ["/request_human"]
    assert any("工单 7" in line for line in lines)


def test_no_gateway_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with httpx.Client() as client, pytest.raises(ChatError, match="eldercare up"):
        send(client, f"http://127.0.0.1:{port}", "t-1", "你好")


def test_run_quits_on_exit_and_reports_errors() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inputs = iter(["你好", "退出"])
    written: list[str] = []
    assert run(f"http://127.0.0.1:{port}", lambda _: next(inputs), written.append) == 0
    assert any("连不上服务" in line for line in written)
