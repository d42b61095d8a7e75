"""Speed-ups for two of Rasa 3.6's hot paths, applied when Rasa sets up the gateway channel.

Measured with py-spy on a conversation of a few hundred events (the cost of both grows with it):

- Every time Rasa reads a conversation back from its tracker store it turns each stored event into an
  Event object, and for each one `Event.resolve_by_type` walks every subclass of Event afresh: about a
  third of Rasa's time per message. The classes never change after import; the lookup is cached.
- Every answer of the action server is checked with `jsonschema.validate`, which first checks the
  schema itself against the JSON Schema meta-schema, every time: a quarter of the time that was left.
  The schema is fixed; its validator is built once. The check itself is the same.

Only the standard library, jsonschema and Rasa are imported here (this runs in Rasa's environment).
"""

from __future__ import annotations

import logging
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)

_cache: dict[str, Any] = {}
_original = Event.resolve_by_type


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    """Event.resolve_by_type, remembering each known type name's class."""
    found = _cache.get(type_name)
    if found is None:
        found = next((c for c in all_subclasses(Event) if c.type_name == type_name), None)
        if found is None:  # unknown or the legacy "topic": Rasa's own answer (default, None or ValueError)
            return _original(type_name, default)
        _cache[type_name] = found
    return found


_validator: Any = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the response schema's validator built once."""
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        _validator = validator_for(schema)(schema)
    try:
        _validator.validate(result)
    except ValidationError as exc:
        exc.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            "Action endpoint is valid."
        )
        raise
    return True


def install() -> None:
    """Put the cached lookups in place (idempotent)."""
    if Event.resolve_by_type is not _resolve_by_type:
        Event.resolve_by_type = staticmethod(_resolve_by_type)
    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
    logger.debug("Rasa speed-ups installed")
