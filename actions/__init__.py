"""Rasa-SDK actions: thin adapters from dialogue to the knowledge base, the index and the store.

The action server registers every Action subclass found in these modules
(`python -m actions.server --actions actions`, which is rasa-sdk's server with one fix).
"""

from actions import (
    booking,
    booking_form,
    catalog_answers,
    conversation,
    eligibility,
    emergency,
    handoff,
    policy,
)

__all__ = [
    "booking",
    "booking_form",
    "catalog_answers",
    "conversation",
    "eligibility",
    "emergency",
    "handoff",
    "policy",
]
