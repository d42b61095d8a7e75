"""Fusion of dense and BM25 scores into one ranking."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum


class FusionMethod(str, Enum):
    """How the two rankings are combined."""

    WEIGHTED = "weighted"  # weighted sum of per-query min-max normalised scores
    RRF = "rrf"  # reciprocal rank fusion


def minmax(scores: Mapping[int, float]) -> dict[int, float]:
    """Scale scores to [0, 1] within one query (all equal -> all 1)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def fuse(
    dense: Mapping[int, float],
    sparse: Mapping[int, float],
    dense_weight: float = 0.5,
    method: FusionMethod = FusionMethod.WEIGHTED,
    rrf_k: int = 60,
) -> dict[int, float]:
    """Combine dense and sparse scores of candidate passages; higher is better."""
    if method is FusionMethod.RRF:
        fused: dict[int, float] = {}
        for weight, scores in ((dense_weight, dense), (1 - dense_weight, sparse)):
            ranked = sorted(scores, key=lambda i: scores[i], reverse=True)
            for rank, item in enumerate(ranked):
                fused[item] = fused.get(item, 0.0) + weight / (rrf_k + rank + 1)
        return fused
    d, s = minmax(dense), minmax(sparse)
    return {i: dense_weight * d.get(i, 0.0) + (1 - dense_weight) * s.get(i, 0.0) for i in set(d) | set(s)}
