"""Telegram rendering: messages split under the limit at natural breaks, keyboards, chat ids."""

from __future__ import annotations

import pytest

from bot.core.schemas import Button
from bot.telegram.render import (
    MAX_MESSAGE,
    NotATelegramChat,
    chat_id_of,
    keyboard,
    sender_id_for,
    split_text,
    utf16_len,
)


def squeeze(text: str) -> str:
    """The text without whitespace, to compare contents across splits."""
    return "".join(text.split())


def test_a_short_text_is_one_message() -> None:
    assert split_text("您好，请问有什么可以帮您？") == ["您好，请问有什么可以帮您？"]
    assert split_text("   ") == []


def test_every_piece_is_within_the_limit_and_nothing_is_lost() -> None:
    sentence = "宝鸡市规定：低保家庭中70周岁及以上的老年人，每人每月按不低于当地低保标准的20%增发保障金。"
    text = "\n\n".join(sentence * 12 for _ in range(40))
    assert utf16_len(text) > 3 * MAX_MESSAGE
    pieces = split_text(text)
    assert len(pieces) >= 4
    assert all(0 < utf16_len(piece) <= MAX_MESSAGE for piece in pieces)
    assert squeeze("".join(pieces)) == squeeze(text)


def test_paragraphs_are_preferred_to_lines_and_lines_to_sentences() -> None:
    first, second = "甲" * 60, "乙" * 60
    assert split_text(f"{first}\n\n{second}", limit=100) == [first, second]
    assert split_text(f"{first}\n{second}", limit=100) == [first, second]
    pieces = split_text(f"{'丙' * 50}。{'丁' * 50}。", limit=80)
    assert pieces == [f"{'丙' * 50}。", f"{'丁' * 50}。"]


def test_a_sentence_keeps_its_closing_quote() -> None:
    pieces = split_text(f"他说：“{'好' * 50}。”{'后' * 40}", limit=70)
    assert pieces[0].endswith("。”")


def test_text_without_any_break_is_cut_hard() -> None:
    pieces = split_text("字" * 250, limit=100)
    assert [len(piece) for piece in pieces] == [100, 100, 50]


def test_length_is_counted_in_utf16_units_as_telegram_does() -> None:
    text = "😀" * 3000  # two UTF-16 units each
    pieces = split_text(text)
    assert all(utf16_len(piece) <= MAX_MESSAGE for piece in pieces)
    assert "".join(pieces) == text
    assert len(pieces) == 2


def test_keyboard_has_one_button_a_row_with_its_callback_data() -> None:
    buttons = [Button(title="金台区", payload="金台区"), Button(title="找人工", payload="/request_human")]
    markup = keyboard(buttons, ["金台区", "/request_human"])
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["金台区"], ["找人工"]]
    assert [row[0].callback_data for row in rows] == ["金台区", "/request_human"]
    assert keyboard([], []) is None
    with pytest.raises(ValueError):
        keyboard(buttons, ["only one"])


def test_sender_ids_name_the_chat() -> None:
    assert sender_id_for(42) == "tg-42"
    assert chat_id_of("tg-42") == 42
    assert chat_id_of(sender_id_for(-1001234567890)) == -1001234567890
    for other in ("web-42", "tg-", "tg-abc", "tg-42x"):
        with pytest.raises(NotATelegramChat):
            chat_id_of(other)
