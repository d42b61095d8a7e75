"""Client of the Rasa server's gateway input channel, and the assembly of its answer into chat replies."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from bot.core.errors import EmptyReply, RasaUnavailable
from bot.core.schemas import Button, Citation, IntentInfo, Reply

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/gateway/webhook"
PARSE_PATH = "/webhooks/gateway/parse"
# One connection pool for the calls to Rasa (and the action server) of one process.
HTTP_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
SLOTS_PATH = "/webhooks/gateway/slots/"
CUSTOM_KEY = "eldercare"


@dataclass
class AssembledReply:
    """What one turn of the assistant said and the metadata its actions attached."""

    replies: list[Reply]
    intent: IntentInfo | None = None
    citations: list[Citation] = field(default_factory=list)
    emergency: bool = False
    handoff_ticket_id: int | None = None


def _buttons(raw: Any) -> list[Button]:
    """Read the buttons of a message, skipping any without a string title and payload."""
    if not isinstance(raw, list):
        return []
    buttons = []
    for item in raw:
        if (
            isinstance(item, dict)
            and isinstance(item.get("title"), str)
            and isinstance(item.get("payload"), str)
        ):
            buttons.append(Button(title=item["title"], payload=item["payload"]))
        else:
            logger.warning("skipping a malformed button from Rasa")
    return buttons


def _intent(raw: Any) -> IntentInfo | None:
    """Read the channel's intent field, or None when absent or malformed."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        return None
    confidence = raw.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
        confidence = 0.0
    return IntentInfo(name=raw["name"], confidence=float(confidence))


def _ticket_id(raw: Any) -> int | None:
    """Read the ticket id of a handoff announced by an action."""
    if isinstance(raw, dict):
        ticket_id = raw.get("ticket_id")
        if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):
            return ticket_id
    return None


def assemble_reply(data: Any) -> AssembledReply:
    """Turn the gateway channel's JSON into replies plus metadata; raise when there is nothing to show."""
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise RasaUnavailable("Rasa's answer has no list of messages")
    result = AssembledReply(replies=[], intent=_intent(data.get("intent")))
    seen: set[tuple[str, str, str]] = set()
    for message in data["messages"]:
        if not isinstance(message, dict):
            logger.warning("skipping a message from Rasa that is not an object")
            continue
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            result.replies.append(Reply(text=text, buttons=_buttons(message.get("buttons"))))
        custom = message.get("custom")
        meta = custom.get(CUSTOM_KEY) if isinstance(custom, dict) else None
        if not isinstance(meta, dict):
            continue
        citations = meta.get("citations")
        for raw in citations if isinstance(citations, list) else []:
            try:
                citation = Citation.model_validate(raw)
            except ValidationError:
                logger.warning("skipping a malformed citation from the actions")
                continue
            key = (citation.doc_id, citation.section, citation.quote)
            if key not in seen:
                seen.add(key)
                result.citations.append(citation)
        if meta.get("emergency") is True:
            result.emergency = True
        ticket_id = _ticket_id(meta.get("handoff"))
        if ticket_id is not None:
            result.handoff_ticket_id = ticket_id
    if not result.replies:
        raise EmptyReply("Rasa answered without any text reply")
    return result


class RasaClient:
    """Sends user messages to Rasa's gateway channel over a shared connection pool."""

    def __init__(self, http: httpx.AsyncClient, rasa_url: str, timeout_s: float) -> None:
        """Use an already open HTTP client."""
        self._http = http
        self._base = rasa_url.rstrip("/")
        self._url = self._base + WEBHOOK_PATH
        self._timeout = httpx.Timeout(timeout_s, connect=min(5.0, timeout_s))

    async def send(self, sender_id: str, text: str, channel: str) -> AssembledReply:
        """Send one user message and return the assembled answer; raise RasaUnavailable or EmptyReply."""
        body = {"sender": sender_id, "message": text, "metadata": {"channel": channel}}
        try:
            response = await self._http.post(self._url, json=body, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"cannot reach Rasa at {self._url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with invalid JSON") from exc
        return assemble_reply(data)

    async def _get_json(self, method: str, path: str, timeout_s: float, **kwargs: Any) -> Any:
        """One request to a side route of the channel; RasaUnavailable when it fails."""
        try:
            response = await self._http.request(method, self._base + path, timeout=timeout_s, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"cannot reach Rasa at {self._base}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code} to {path}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered with invalid JSON") from exc

    async def parse(self, text: str, timeout_s: float = 5.0) -> IntentInfo | None:
        """The intent NLU gives a text, without touching any conversation."""
        data = await self._get_json("POST", PARSE_PATH, timeout_s, json={"text": text})
        return _intent(data.get("intent")) if isinstance(data, dict) else None

    async def slots(self, sender_id: str, timeout_s: float = 5.0) -> dict[str, Any]:
        """A conversation's filled slots (empty when Rasa has no such conversation)."""
        data = await self._get_json("GET", SLOTS_PATH + quote(sender_id, safe=""), timeout_s)
        values = data.get("slots") if isinstance(data, dict) else None
        return values if isinstance(values, dict) else {}
