"""Both encoder paths: the offline default and sentence-transformers with a locally built model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.encoders import SentenceTransformerEncoder, UniversalSentenceEncoder, make_encoder
from index.errors import EncoderError
from tests.utils.tiny_st_model import build_tiny_model


def test_default_encoder_is_offline_use_and_normalised() -> None:
    encoder = make_encoder()
    assert isinstance(encoder, UniversalSentenceEncoder)
    vectors = encoder.encode_documents(["低保家庭老年人增发保障金", "社区养老服务站建筑面积"])
    assert vectors.shape == (2, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_default_encoder_puts_related_text_closer() -> None:
    encoder = make_encoder("use-m3")
    query = encoder.encode_queries(["老人洗澡有人上门帮忙吗"])[0]
    docs = encoder.encode_documents(["上门为老年人提供助浴服务，帮助老人洗澡", "申报材料请邮寄至通信地址"])
    assert float(docs[0] @ query) > float(docs[1] @ query)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("st"), prompts={"query": "查询：", "document": "文档："})


def test_sentence_transformers_path_loads_a_local_model(tiny_model: Path) -> None:
    encoder = make_encoder(str(tiny_model))
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.name == f"st:{tiny_model}"
    assert encoder.dim == 32
    vectors = encoder.encode_documents(["养老服务补贴", "社区助餐"])
    assert vectors.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_sentence_transformers_uses_the_models_query_and_document_prompts(tiny_model: Path) -> None:
    encoder = make_encoder(f"st:{tiny_model}")
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert (encoder.query_prompt, encoder.document_prompt) == ("query", "document")
    as_query = encoder.encode_queries(["养老服务补贴"])[0]
    as_document = encoder.encode_documents(["养老服务补贴"])[0]
    assert not np.allclose(as_query, as_document)


def test_sentence_transformers_without_prompts_encodes_both_sides_alike(tmp_path: Path) -> None:
    encoder = make_encoder(str(build_tiny_model(tmp_path)))
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.query_prompt is None and encoder.document_prompt is None
    np.testing.assert_allclose(
        encoder.encode_queries(["社区助餐"]), encoder.encode_documents(["社区助餐"]), atol=1e-6
    )


def test_unloadable_model_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="无法加载模型"):
        make_encoder(str(tmp_path / "no-such-model"))
