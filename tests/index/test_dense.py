"""FAISS dense index: exact, HNSW and IVF kinds, and native persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.dense import DenseKind, build_dense_index, read_index, search_dense, write_index


def _vectors(n: int = 400, dim: int = 16) -> np.ndarray:
    rng = np.random.default_rng(7)
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", [DenseKind.FLAT, DenseKind.HNSW, DenseKind.IVF, DenseKind.AUTO])
def test_each_kind_finds_a_vector_itself_first(kind: DenseKind) -> None:
    vectors = _vectors()
    index = build_dense_index(vectors, kind, hnsw_m=16, ivf_nlist=8)
    for i in (0, 57, 399):
        hits = search_dense(index, vectors[i : i + 1], 5)
        assert max(hits, key=lambda j: hits[j]) == i
        assert hits[i] == pytest.approx(1.0, abs=1e-5)


def test_k_larger_than_the_index_returns_everything() -> None:
    index = build_dense_index(_vectors(n=3), DenseKind.FLAT)
    assert len(search_dense(index, _vectors(n=1), 50)) == 3


def test_native_file_round_trip(tmp_path: Path) -> None:
    vectors = _vectors()
    index = build_dense_index(vectors, DenseKind.FLAT)
    write_index(index, tmp_path / "dense.faiss")
    loaded = read_index(tmp_path / "dense.faiss")
    assert loaded.ntotal == 400
    assert search_dense(loaded, vectors[:1], 3) == search_dense(index, vectors[:1], 3)
