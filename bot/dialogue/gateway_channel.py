"""Rasa input channel for the gateway: the REST webhook, plus the parsed intent, and real errors.

Runs inside Rasa's Python 3.10 environment (imports only Rasa and the standard library). It differs
from Rasa's own REST channel in two ways the gateway needs: the answer carries the intent that NLU
gave the message, and a failure inside Rasa answers HTTP 500 instead of 200 with an empty list.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.masking import install_service_log_masking
from bot.dialogue import rasa_speedups

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000


class GatewayInput(InputChannel):  # type: ignore[misc]
    """POST /webhooks/gateway/webhook {"sender", "message", "metadata"} → {"messages", "intent"}.

    Also POST /webhooks/gateway/parse (the intent of a text, for agent assist) and GET
    /webhooks/gateway/slots/{sender_id} (a conversation's slots, for the operator console).
    """

    @classmethod
    def name(cls) -> str:
        """The channel's name in credentials.yml and in the webhook path."""
        return "gateway"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health and webhook routes."""
        rasa_speedups.install()
        install_service_log_masking()
        hook = Blueprint("gateway_webhook", __name__)

        @hook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent is not None and agent.is_ready())
            return response.json({"status": "ok" if ready else "loading"}, status=200 if ready else 503)

        @hook.route("/webhook", methods=["POST"])  # type: ignore[untyped-decorator]
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender_id = body.get("sender")
            text = body.get("message")
            raw_metadata = body.get("metadata")
            metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
            if not isinstance(sender_id, str) or not sender_id or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            channel = str(metadata.get("channel") or self.name())
            collector = CollectingOutputChannel()
            message = UserMessage(
                text[:MAX_TEXT_CHARS], collector, sender_id, input_channel=channel, metadata=metadata
            )
            agent = getattr(request.app.ctx, "agent", None)
            try:
                if _can_handle_directly(agent):
                    intent = await _handle(agent, message)
                else:
                    await on_new_message(message)
                    intent = await _latest_intent(request, sender_id)
            except Exception:  # the gateway turns this into an apology and a way to a person
                logger.exception("message from %s failed", sender_id)
                return response.json({"error": "internal error", "messages": collector.messages}, status=500)
            return response.json({"messages": collector.messages, "intent": intent})

        @hook.route("/parse", methods=["POST"])  # type: ignore[untyped-decorator]
        async def parse(request: Request) -> HTTPResponse:
            """NLU only, for agent assist: {"text"} → {"intent"} (no conversation is touched)."""
            body = request.json if isinstance(request.json, dict) else {}
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return response.json({"error": "text must be a non-empty string"}, status=400)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"error": "model not loaded"}, status=503)
            parsed = await agent.parse_message(text[:MAX_TEXT_CHARS])
            return response.json({"intent": _intent_of(parsed.get("intent"))})

        @hook.route("/slots/<sender_id>", methods=["GET"])  # type: ignore[untyped-decorator]
        async def slots(request: Request, sender_id: str) -> HTTPResponse:
            """The conversation's filled slots, for the operator console's profile panel."""
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return response.json({"error": "model not loaded"}, status=503)
            tracker = await agent.tracker_store.retrieve(sender_id)
            values = tracker.current_slot_values() if tracker is not None else {}
            return response.json({"slots": {k: v for k, v in values.items() if v is not None}})

        return hook


def _can_handle_directly(agent: Any) -> bool:
    """Whether the agent's processor has the steps `_handle` runs (Rasa 3.6)."""
    processor = getattr(agent, "processor", None)
    return bool(
        agent is not None
        and agent.is_ready()
        and all(
            hasattr(processor, step)
            for step in ("log_message", "run_action_extract_slots", "_run_prediction_loop", "save_tracker")
        )
    )


async def _handle(agent: Any, message: UserMessage) -> dict[str, Any] | None:
    """Agent.handle_message's steps, keeping the tracker to read the intent from.

    Rasa's own path saves the tracker and returns only the bot messages; reading the intent afterwards
    means deserialising the whole tracker again, which costs more the longer the conversation is.
    """
    async with agent.lock_store.lock(message.sender_id):
        processor = agent.processor
        tracker = await processor.log_message(message, should_save_tracker=False)
        tracker = await processor.run_action_extract_slots(message.output_channel, tracker)
        await processor._run_prediction_loop(message.output_channel, tracker)
        await processor.run_anonymization_pipeline(tracker)
        await processor.save_tracker(tracker)
    return _intent_of(tracker.latest_message.intent if tracker.latest_message else None)


def _intent_of(intent: dict[str, Any] | None) -> dict[str, Any] | None:
    if not intent or not intent.get("name"):
        return None
    return {"name": intent["name"], "confidence": float(intent.get("confidence") or 0.0)}


async def _latest_intent(request: Request, sender_id: str) -> dict[str, Any] | None:
    """The intent NLU gave the conversation's latest user message (read from its last user event)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return None
    event = tracker.get_last_event_for(UserUttered)
    return _intent_of(event.intent if event is not None else None)
