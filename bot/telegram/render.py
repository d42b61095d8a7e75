"""What a reply looks like on Telegram: messages under 4096 characters, buttons as an inline keyboard."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.schemas import Button

# Telegram's limit on a message's text, counted in UTF-16 code units.
MAX_MESSAGE = 4096
CHANNEL = "telegram"
SENDER_PREFIX = "tg-"
_CHAT = re.compile(r"tg-(-?[0-9]{1,20})")
# Where a sentence ends, Chinese or Latin (the break goes after the mark and any closing quote).
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*|\.(?=\s)")


class NotATelegramChat(ValueError):
    """A sender id that does not name a Telegram chat."""


def sender_id_for(chat_id: int) -> str:
    """The conversation id of a Telegram chat: tg-<chat id>."""
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(sender_id: str) -> int:
    """The chat of a tg-<chat id> conversation; NotATelegramChat for any other id."""
    match = _CHAT.fullmatch(sender_id)
    if match is None:
        raise NotATelegramChat(f"not a Telegram conversation: {sender_id!r}")
    return int(match.group(1))


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters of the longest prefix within `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _break_at(window: str) -> int:
    """Where to cut a too-long text within `window`: a paragraph, a line, a sentence, a space, or the end."""
    floor = len(window) // 4  # never leave a tiny first piece when a later break exists
    paragraph = window.rfind("\n\n")
    if paragraph > floor:
        return paragraph + 2
    line = window.rfind("\n")
    if line > floor:
        return line + 1
    sentences = [match.end() for match in _SENTENCE_END.finditer(window) if match.end() > floor]
    if sentences:
        return sentences[-1]
    space = max(window.rfind(" "), window.rfind("\u3000"))
    if space > floor:
        return space + 1
    return len(window)


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split a text into messages of at most `limit` UTF-16 units, at the most natural breaks."""
    if limit < 2:
        raise ValueError("limit must be at least 2")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            pieces.append(rest)
            break
        window = rest[: _fitting_prefix(rest, limit)]
        cut = _break_at(window)
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    return pieces


def keyboard(buttons: Sequence[Button], data: Sequence[str]) -> InlineKeyboardMarkup | None:
    """An inline keyboard with one button a row (big targets), each with its callback data."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.title, callback_data=item)]
            for button, item in zip(buttons, data, strict=True)
        ]
    )
