"""Runs the rasa-sdk action server (`python -m actions.server --actions actions --port 5055`).

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

from rasa_sdk.__main__ import main as sdk_main
from rasa_sdk.executor import ActionExecutor

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


# At import, not only in main(): Sanic's worker processes import this module again (as __mp_main__)
# without running main(), and they are the ones that execute actions.
allow_calls_without_domain()


def main() -> None:
    """Start the action server with the fix in place."""
    sdk_main()


if __name__ == "__main__":
    main()
