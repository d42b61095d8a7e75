"""`eldercare chat`: a chat with the running gateway in the terminal, buttons as numbers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx


class ChatError(Exception):
    """The gateway could not be reached or answered with an error."""


def send(client: httpx.Client, url: str, sender_id: str, text: str) -> dict[str, Any]:
    """Send one message; the gateway's JSON answer (503 answers carry an apology too)."""
    try:
        resp = client.post(f"{url}/api/chat", json={"sender_id": sender_id, "text": text, "channel": "web"})
    except httpx.HTTPError as exc:
        raise ChatError(
            f"连不上服务（{url}），请先运行 `eldercare up`。 / cannot reach the gateway: {exc}"
        ) from exc
    body: dict[str, Any] = resp.json()
    if resp.status_code >= 400 and not body.get("replies"):
        message = body.get("error", {}).get("message", resp.text)
        raise ChatError(f"{resp.status_code}: {message}")
    return body


def render(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Lines to show for an answer, and the payloads of its numbered buttons."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in body.get("replies", []):
        lines.append(f"助手：{reply.get('text', '')}")
        for button in reply.get("buttons") or []:
            payloads.append(button["payload"])
            lines.append(f"   [{len(payloads)}] {button['title']}")
    if body.get("emergency"):
        lines.append("（已通知值班人员 / operators alerted）")
    handoff = body.get("handoff") or {}
    if handoff.get("status") in ("waiting", "active"):
        lines.append(f"（转人工：{handoff['status']}，工单 {handoff.get('ticket_id')}）")
    return lines, payloads


def run(url: str, read: Callable[[str], str], write: Callable[[str], None]) -> int:
    """Chat until the user types 退出/exit or ends input."""
    sender_id = f"terminal-{uuid.uuid4().hex[:12]}"
    payloads: list[str] = []
    write(
        "输入消息后回车；数字选择按钮；输入“退出”结束。\n"
        "Type a message; a number picks a button; 'exit' quits."
    )
    with httpx.Client(timeout=60.0) as client:
        while True:
            try:
                text = read("您：").strip()
            except (EOFError, KeyboardInterrupt):
                write("")
                return 0
            if text in ("退出", "exit", "quit"):
                return 0
            if not text:
                continue
            if text.isdigit() and 1 <= int(text) <= len(payloads):
                text = payloads[int(text) - 1]
            try:
                lines, payloads = render(send(client, url, sender_id, text))
            except ChatError as exc:
                write(str(exc))
                continue
            for line in lines:
                write(line)
