"""A deterministic safety net: messages that describe an emergency are classified as `emergency`.

A statistical classifier can miss an emergency phrased in an unusual way; this component runs after
it and, when one of the configured patterns matches, sets the intent to `emergency` with full
confidence and keeps the model's own prediction in the ranking. Patterns are data (nlu/config.yml).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyOverride(GraphComponent, IntentClassifier):
    """Sets the intent to the emergency intent when an emergency pattern matches the text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default settings: the intent to set and no patterns."""
        return {"intent": "emergency", "patterns": []}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Every pattern must be a valid regular expression."""
        if not isinstance(config.get("intent"), str) or not config["intent"]:
            raise InvalidConfigException(f"{cls.__name__}: 'intent' must be a non-empty string")
        for pattern in config.get("patterns", []):
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise InvalidConfigException(f"{cls.__name__}: bad pattern {pattern!r}: {exc}") from exc

    def __init__(self, config: dict[str, Any]) -> None:
        self.validate_config(config)
        self._intent: str = config["intent"]
        patterns = config.get("patterns", [])
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyOverride:
        """Create the component from its config."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of messages that describe an emergency."""
        if self._pattern is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if not self._pattern.search(text):
                continue
            previous = message.get(INTENT) or {}
            if previous.get(INTENT_NAME_KEY) == self._intent:
                continue
            override = {INTENT_NAME_KEY: self._intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != self._intent
            ]
            message.set(INTENT, override, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
        return messages
