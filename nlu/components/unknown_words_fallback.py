"""A fallback for messages made mostly of words the assistant never saw in training.

A neural classifier gives some intent a high confidence even for babble ("啊吧啊吧 咕噜咕噜"). This
component learns the training vocabulary (tokens of every example, lookup tables and synonyms) and,
when the share of a message's content words that it knows is below a threshold, replaces the
intent with `nlu_fallback`, so the dialogue treats the message as not understood.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
NOT_CONTENT = re.compile(r"^[\d\W_]+$")  # numbers and punctuation say nothing about being understood
FILE_NAME = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(GraphComponent, IntentClassifier):
    """Sets nlu_fallback when too few of a message's content words are known from training."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default settings: fall back below a third known, judge messages with two content words or more."""
        return {"min_known_ratio": 0.34, "min_content_tokens": 2}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """The ratio must be in [0, 1] and the token count positive."""
        ratio = config.get("min_known_ratio")
        if not isinstance(ratio, (int, float)) or not 0 <= ratio <= 1:
            raise InvalidConfigException(f"{cls.__name__}: min_known_ratio must be between 0 and 1")
        count = config.get("min_content_tokens")
        if not isinstance(count, int) or count < 1:
            raise InvalidConfigException(f"{cls.__name__}: min_content_tokens must be a positive integer")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: set[str] | None = None,
    ) -> None:
        self.validate_config(config)
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary: set[str] = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        """A new, untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        """The component with the vocabulary learnt in training."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / FILE_NAME).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            logger.warning("%s: no vocabulary in the model; the fallback is off", cls.__name__)
            words = []
        return cls(config, model_storage, resource, set(words))

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the vocabulary: example tokens, lookup-table entries and synonyms."""
        words: set[str] = set()
        for example in training_data.training_examples:
            words.update(t.text.lower() for t in example.get(TOKENS_NAMES[TEXT]) or [])
        for table in training_data.lookup_tables:
            elements = table.get("elements")
            if isinstance(elements, list):
                words.update(str(e).lower() for e in elements)
        for synonym, value in training_data.entity_synonyms.items():
            words.update((str(synonym).lower(), str(value).lower()))
        self.vocabulary = words
        with self._model_storage.write_to(self._resource) as directory:
            (directory / FILE_NAME).write_text(
                json.dumps(sorted(words), ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def known_ratio(self, message: Message) -> float | None:
        """Share of the message's content tokens that are known; None when it has too few to judge."""
        tokens = [t.text.lower() for t in message.get(TOKENS_NAMES[TEXT]) or []]
        content = [t for t in tokens if len(t) >= 2 and not NOT_CONTENT.match(t)]
        if len(content) < self._config["min_content_tokens"] or not self.vocabulary:
            return None
        return sum(1 for t in content if t in self.vocabulary) / len(content)

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the intent of messages made mostly of unknown words with nlu_fallback."""
        for message in messages:
            ratio = self.known_ratio(message)
            if ratio is None or ratio >= self._config["min_known_ratio"]:
                continue
            fallback = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: round(1.0 - ratio, 4)}
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages
