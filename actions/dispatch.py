"""Sending answers through rasa-sdk: text messages first, then the structured data for the gateway."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.core.answers.compose import Answer
from bot.core.answers.replies import meta_message


def send(dispatcher: CollectingDispatcher, answer: Answer, **meta: Any) -> None:
    """Utter every message of an answer, then one custom message with its citations."""
    for message in answer.messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None)
    dispatcher.utter_message(json_message=meta_message(answer.citations, **meta))


def latest_text(tracker: Tracker) -> str:
    """The text of the user's latest message."""
    return str(tracker.latest_message.get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the user's latest message."""
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def channel_of(tracker: Tracker) -> str:
    """The channel the latest message came through (web, telegram)."""
    return str(tracker.get_latest_input_channel() or "web")
