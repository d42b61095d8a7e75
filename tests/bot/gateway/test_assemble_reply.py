"""Turning the gateway channel's JSON into chat replies, citations and flags."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.errors import EmptyReply, RasaUnavailable
from bot.core.rasa_client import assemble_reply

CITATION = {
    "doc_id": "baoji-2019-111",
    "title": "宝鸡市居家和社区养老服务改革试点工作实施方案",
    "doc_number": "宝办字〔2019〕111号",
    "section": "二、（八）23",
    "quote": "低保家庭中70周岁及以上的老年人，每人每月按不低于当地低保标准的20%增发保障金",
}


def _meta(**eldercare: Any) -> dict[str, Any]:
    return {"recipient_id": "u", "custom": {"eldercare": eldercare}}


def test_text_and_buttons_become_replies_with_intent() -> None:
    data = {
        "messages": [
            {"recipient_id": "u", "text": "您想约哪天？"},
            {
                "recipient_id": "u",
                "text": "请选一个时间。",
                "buttons": [
                    {"title": "明天上午", "payload": '/inform{"time": "明天上午"}'},
                    {"title": "找人工", "payload": "/request_human"},
                ],
            },
        ],
        "intent": {"name": "book_home_visit", "confidence": 0.97},
    }
    result = assemble_reply(data)
    assert [r.text for r in result.replies] == ["您想约哪天？", "请选一个时间。"]
    assert result.replies[0].buttons == []
    assert [(b.title, b.payload) for b in result.replies[1].buttons] == [
        ("明天上午", '/inform{"time": "明天上午"}'),
        ("找人工", "/request_human"),
    ]
    assert result.intent is not None
    assert (result.intent.name, result.intent.confidence) == ("book_home_visit", pytest.approx(0.97))
    assert result.citations == []
    assert result.emergency is False
    assert result.handoff_ticket_id is None


def test_custom_eldercare_message_carries_citations_and_is_not_a_reply() -> None:
    data = {"messages": [{"recipient_id": "u", "text": "可以。宝鸡市规定……"}, _meta(citations=[CITATION])]}
    result = assemble_reply(data)
    assert [r.text for r in result.replies] == ["可以。宝鸡市规定……"]
    assert [c.model_dump() for c in result.citations] == [CITATION | {"role": "answer"}]
    assert result.intent is None


def test_unknown_custom_keys_are_ignored() -> None:
    data = {
        "messages": [
            {"recipient_id": "u", "custom": {"something_else": {"emergency": True, "citations": [CITATION]}}},
            {"recipient_id": "u", "custom": "not a dict"},
            {"recipient_id": "u", "text": "您好，我是养老服务小助手。"},
            _meta(unknown_field=1),
        ]
    }
    result = assemble_reply(data)
    assert [r.text for r in result.replies] == ["您好，我是养老服务小助手。"]
    assert result.citations == []
    assert result.emergency is False


def test_several_custom_messages_concatenate_dedupe_and_or_the_emergency_flag() -> None:
    other = dict(CITATION, section="二、（八）24", quote="另一条")
    data = {
        "messages": [
            {"recipient_id": "u", "text": "请马上拨打 120 急救电话。"},
            _meta(citations=[CITATION], emergency=False),
            _meta(
                citations=[CITATION, other], emergency=True, handoff={"ticket_id": 42, "status": "waiting"}
            ),
            _meta(citations=[{"doc_id": "x"}], emergency=False),  # malformed citation: skipped
        ],
        "intent": {"name": "emergency", "confidence": 1.0},
    }
    result = assemble_reply(data)
    assert [(c.section, c.quote) for c in result.citations] == [
        (CITATION["section"], CITATION["quote"]),
        ("二、（八）24", "另一条"),
    ]
    assert result.emergency is True
    assert result.handoff_ticket_id == 42


def test_malformed_buttons_are_skipped() -> None:
    data = {
        "messages": [
            {
                "recipient_id": "u",
                "text": "请选择",
                "buttons": [{"title": "好"}, "x", {"title": "找人工", "payload": "/request_human"}],
            }
        ]
    }
    assert [b.title for b in assemble_reply(data).replies[0].buttons] == ["找人工"]


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [_meta(citations=[CITATION], emergency=True)],
        [{"recipient_id": "u", "text": "   "}],
        [{"recipient_id": "u", "image": "https://example.invalid/x.png"}],
    ],
    ids=["empty list", "metadata only", "blank text", "image only"],
)
def test_no_text_reply_is_an_empty_reply(messages: list[Any]) -> None:
    with pytest.raises(EmptyReply):
        assemble_reply({"messages": messages, "intent": {"name": "greet", "confidence": 0.9}})


@pytest.mark.parametrize("data", [None, [], {"intent": None}, {"messages": "hi"}], ids=repr)
def test_malformed_channel_json_means_rasa_unavailable(data: Any) -> None:
    with pytest.raises(RasaUnavailable):
        assemble_reply(data)


@pytest.mark.parametrize(
    "intent",
    [None, {}, {"name": ""}, {"confidence": 0.5}, "greet"],
    ids=repr,
)
def test_missing_or_malformed_intent_is_null(intent: Any) -> None:
    result = assemble_reply({"messages": [{"recipient_id": "u", "text": "您好"}], "intent": intent})
    assert result.intent is None
