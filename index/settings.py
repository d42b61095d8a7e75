"""Settings of the retrieval service (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.dense import DenseKind
from index.encoders import DEFAULT_ENCODER
from index.fusion import FusionMethod
from knowledge.base import PACKAGE_DIR


class IndexSettings(BaseSettings):
    """Where the knowledge and the index live, which encoder, and how results are fused."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore")

    knowledge_dir: Path = PACKAGE_DIR
    index_dir: Path = Path("var/index")
    encoder: str = Field(DEFAULT_ENCODER, description="'use-m3' or a sentence-transformers name or path")
    encoder_threads: int = Field(2, ge=1, le=64)
    dense_kind: DenseKind = DenseKind.AUTO
    hnsw_m: int = Field(32, ge=4, le=128)
    ivf_nlist: int = Field(0, ge=0)
    chunk_max_chars: int = Field(320, ge=80, le=2000)
    fusion: FusionMethod = FusionMethod.WEIGHTED
    dense_weight: float = Field(0.4, ge=0.0, le=1.0)
    pinyin_weight: float = Field(0.4, ge=0.0, le=2.0)
    candidates: int = Field(100, ge=10)
    region_boost: float = Field(0.3, ge=0.0, le=1.0)
    mentioned_region_filter: bool = True
    max_query_chars: int = Field(512, ge=16)
