"""Runs the rasa-sdk action server (`python -m actions.server --actions actions --port 5055`).

It adds one route to rasa-sdk's app: POST /assist, the suggestions the operator console and hotline
operators read (actions.assist), answered from the same index and catalog as the actions.

One compatibility fix for Rasa 3.6 talking to rasa-sdk 3.21: Rasa is told (endpoints.yml, selective
domain) to send the domain only to the form validation actions, which read their forms' slots from
it; every other action ignores it, and sending the whole domain with every call cost more than the
rest of Rasa's work on a message. rasa-sdk 3.21 expects newer Rasa's domain digest instead and
answers 449 to a call without a domain; with this fix such a call gets the last domain seen (or an
empty one), which is all those actions need.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import endpoint
from rasa_sdk.__main__ import main as sdk_main
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.assist import assist
from actions.context import services

logger = logging.getLogger(__name__)


def _domain_of(self: ActionExecutor, payload: dict[str, Any], action_name: str) -> dict[str, Any] | None:
    """The payload's domain (remembered), or the last one seen when Rasa sent none."""
    domain = payload.get("domain")
    if domain:
        self.domain = domain
        self.domain_digest = payload.get("domain_digest")
        return domain  # type: ignore[no-any-return]
    return self.domain if self.domain is not None else {}


def allow_calls_without_domain() -> None:
    """Let actions that do not need the domain run without one (idempotent)."""
    ActionExecutor.update_and_return_domain = _domain_of


MAX_ASSIST_CHARS = 2000
# This module may be imported twice (as __main__ and as actions.server): keep rasa-sdk's own factory.
_sdk_create_app = getattr(endpoint, "sdk_create_app", endpoint.create_app)


def _text_field(body: dict[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise ValueError(f"{name} is required")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ASSIST_CHARS:
        raise ValueError(f"{name} must be a non-empty string of at most {MAX_ASSIST_CHARS} characters")
    return value.strip()


async def assist_route(request: Request) -> HTTPResponse:
    """POST /assist {"text", "region"?, "intent"?} → suggestions, catalog cards, quick check."""
    body = request.json if isinstance(request.json, dict) else None
    if body is None:
        return response.json({"error": "the body must be a JSON object"}, status=400)
    try:
        text = _text_field(body, "text", required=True)
        region = _text_field(body, "region", required=False)
        intent = _text_field(body, "intent", required=False)
    except ValueError as exc:
        return response.json({"error": str(exc)}, status=400)
    assert text is not None
    result = await assist(services(), text, region, intent)
    return response.json(result.to_json())


def create_app(*args: Any, **kwargs: Any) -> Sanic[Any, Any]:
    """rasa-sdk's app with the /assist route."""
    app: Sanic[Any, Any] = _sdk_create_app(*args, **kwargs)
    app.add_route(assist_route, "/assist", methods=["POST"])
    return app


# At import, not only in main(): Sanic's worker processes import this module again (as __mp_main__)
# without running main(), and they are the ones that execute actions.
allow_calls_without_domain()
endpoint.sdk_create_app = _sdk_create_app
endpoint.create_app = create_app


def main() -> None:
    """Start the action server with the fix in place."""
    sdk_main()


if __name__ == "__main__":
    main()
