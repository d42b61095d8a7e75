"""Dense side of retrieval: a FAISS inner-product index over normalised vectors."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import faiss
import numpy as np

from index.encoders import Vectors


class DenseKind(str, Enum):
    """Which FAISS index to build."""

    AUTO = "auto"  # exact for small corpora, HNSW above the threshold
    FLAT = "flat"
    HNSW = "hnsw"
    IVF = "ivf"


EXACT_UP_TO = 20_000


def build_dense_index(
    vectors: Vectors, kind: DenseKind = DenseKind.AUTO, hnsw_m: int = 32, ivf_nlist: int = 0
) -> faiss.Index:
    """Build a FAISS index for L2-normalised vectors (inner product = cosine)."""
    n, dim = vectors.shape
    if kind is DenseKind.AUTO:
        kind = DenseKind.FLAT if n <= EXACT_UP_TO else DenseKind.HNSW
    index: faiss.Index
    if kind is DenseKind.FLAT:
        index = faiss.IndexFlatIP(dim)
    elif kind is DenseKind.HNSW:
        hnsw = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efSearch = max(64, hnsw_m * 2)
        index = hnsw
    else:
        nlist = ivf_nlist or max(1, min(4096, int(np.sqrt(n))))
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(vectors)
        ivf.nprobe = max(1, nlist // 8)
        index = ivf
    index.add(vectors)
    return index


def search_dense(index: faiss.Index, query: Vectors, k: int) -> dict[int, float]:
    """Top-k passage positions and cosine scores for one query vector."""
    k = min(k, index.ntotal)
    if k <= 0:
        return {}
    scores, ids = index.search(query, k)
    return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}


def write_index(index: faiss.Index, path: Path) -> None:
    """Save a FAISS index in its native format."""
    faiss.write_index(index, str(path))


def read_index(path: Path) -> faiss.Index:
    """Load a FAISS index saved by write_index."""
    return faiss.read_index(str(path))
