"""Agent assist for operators: the intent from Rasa's NLU and the suggestions from the action server.

The action server answers POST /assist from the same index, catalog and rules the assistant uses
(actions/assist.py); Rasa's gateway channel answers POST /webhooks/gateway/parse with the intent. The
two calls run one after the other because the catalog cards use the intent.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import ValidationError

from bot.core.errors import ApiError, RasaUnavailable
from bot.core.rasa_client import RasaClient
from bot.gateway.schemas import ProfileSlot, Suggestions, UserProfile

logger = logging.getLogger(__name__)

ASSIST_PATH = "/assist"
MSG_ASSIST_UNAVAILABLE = (
    "建议答案暂时查不到，请稍后再试。 / Suggestions are unavailable right now; please try again shortly."
)
# The slots shown in the console's profile panel, in order, with their Chinese labels.
PROFILE_SLOTS = {
    "region": "地区",
    "age": "年龄",
    "person_status": "身份",
    "economic_status": "经济情况",
    "care_level": "身体情况",
    "living_situation": "居住情况",
    "service_type": "想问的服务",
    "visit_service": "预约的服务",
    "visit_region": "上门地区",
    "visit_address": "上门地址",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "booking_reference": "预约编号",
}


def profile_from_slots(slots: dict[str, Any]) -> UserProfile:
    """The console's profile: the known slots with labels (lists joined, unknown slots left out)."""
    shown = []
    for name, label in PROFILE_SLOTS.items():
        value = slots.get(name)
        if value is None or value == "" or isinstance(value, bool):
            continue
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(ProfileSlot(name=name, label=label, value=text))
    region = slots.get("region") if isinstance(slots.get("region"), str) else None
    return UserProfile(region=region, slots=shown)


class AssistClient:
    """Asks Rasa for the intent and the action server for suggestions."""

    def __init__(
        self, http: httpx.AsyncClient, rasa: RasaClient, action_server_url: str, timeout_s: float
    ) -> None:
        """Use the gateway's shared HTTP client."""
        self._http = http
        self._rasa = rasa
        self._url = action_server_url.rstrip("/") + ASSIST_PATH
        self._timeout = timeout_s

    async def suggest(self, text: str, region: str | None) -> Suggestions:
        """Suggestions for a question; ApiError 503 when the action server cannot answer."""
        try:
            intent = await self._rasa.parse(text, self._timeout)
        except RasaUnavailable as exc:  # suggestions without an intent are still useful
            logger.warning("no intent for agent assist: %s", exc)
            intent = None
        body = {"text": text, "region": region, "intent": intent.name if intent else None}
        try:
            response = await self._http.post(self._url, json=body, timeout=self._timeout)
            response.raise_for_status()
            data = response.json()
            data["intent"] = intent.model_dump() if intent else None
            return Suggestions.model_validate(data)
        except (httpx.HTTPError, ValueError, ValidationError, TypeError) as exc:
            logger.warning("agent assist failed: %s: %s", type(exc).__name__, exc)
            raise ApiError(503, "assist_unavailable", MSG_ASSIST_UNAVAILABLE) from exc
