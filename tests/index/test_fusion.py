"""Fusion of dense and BM25 scores (index/fusion.py)."""

from __future__ import annotations

import pytest

from index.fusion import FusionMethod, fuse, minmax


def ranking(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda k: scores[k], reverse=True)


def test_minmax_scales_to_unit_interval() -> None:
    assert minmax({1: 2.0, 2: 4.0, 3: 3.0}) == {1: 0.0, 2: 1.0, 3: 0.5}
    assert minmax({7: -1.0, 8: 1.0}) == {7: 0.0, 8: 1.0}


def test_minmax_all_equal_gives_ones() -> None:
    assert minmax({1: 0.3, 2: 0.3}) == {1: 1.0, 2: 1.0}
    assert minmax({5: -2.0}) == {5: 1.0}


def test_minmax_empty() -> None:
    assert minmax({}) == {}


DENSE = {1: 0.9, 2: 0.6, 3: 0.3, 4: 0.1}
SPARSE = {1: 1.0, 2: 4.0, 3: 9.0, 4: 12.0}


def test_weight_one_reproduces_dense_order() -> None:
    fused = fuse(DENSE, SPARSE, dense_weight=1.0)
    assert ranking(fused) == [1, 2, 3, 4]
    assert fused == pytest.approx(minmax(DENSE))


def test_weight_zero_reproduces_sparse_order() -> None:
    fused = fuse(DENSE, SPARSE, dense_weight=0.0)
    assert ranking(fused) == [4, 3, 2, 1]
    assert fused == pytest.approx(minmax(SPARSE))


def test_weighted_sum_of_normalised_scores() -> None:
    fused = fuse({1: 10.0, 2: 0.0}, {1: 0.0, 2: 5.0}, dense_weight=0.7)
    assert fused == pytest.approx({1: 0.7, 2: 0.3})


def test_passage_found_by_both_outranks_passages_found_by_one() -> None:
    dense = {1: 0.8, 2: 0.8, 5: 0.2}
    sparse = {1: 7.0, 3: 7.0, 6: 1.0}
    fused = fuse(dense, sparse, dense_weight=0.5)
    assert set(fused) == {1, 2, 3, 5, 6}
    assert fused[1] == pytest.approx(1.0)
    assert fused[2] == pytest.approx(0.5)
    assert fused[3] == pytest.approx(0.5)
    assert ranking(fused)[0] == 1


def test_rrf_ranks_by_reciprocal_ranks() -> None:
    dense = {1: 0.9, 2: 0.8, 3: 0.7}
    sparse = {3: 10.0, 2: 9.0, 1: 1.0}
    fused = fuse(dense, sparse, dense_weight=0.5, method=FusionMethod.RRF, rrf_k=60)
    assert fused[1] == pytest.approx(0.5 / 61 + 0.5 / 63)
    assert fused[2] == pytest.approx(0.5 / 62 + 0.5 / 62)
    assert fused[3] == pytest.approx(0.5 / 63 + 0.5 / 61)


def test_rrf_ignores_score_magnitudes() -> None:
    dense = {1: 0.9, 2: 0.8, 3: 0.1}
    sparse = {2: 3.0, 1: 2.0, 4: 1.0}
    scaled = fuse({k: v * 1000 for k, v in dense.items()}, sparse, method=FusionMethod.RRF)
    assert scaled == pytest.approx(fuse(dense, sparse, method=FusionMethod.RRF))


def test_rrf_rewards_agreement() -> None:
    dense = {1: 0.9, 2: 0.8}
    sparse = {1: 5.0, 3: 4.0}
    fused = fuse(dense, sparse, method=FusionMethod.RRF, rrf_k=1)
    assert ranking(fused)[0] == 1
    assert fused[1] == pytest.approx(0.5 / 2 + 0.5 / 2)
    assert fused[2] == pytest.approx(0.5 / 3)
    assert fused[3] == pytest.approx(0.5 / 3)


def test_rrf_dense_weight() -> None:
    dense = {1: 0.9, 2: 0.1}
    sparse = {2: 5.0, 1: 1.0}
    assert ranking(fuse(dense, sparse, dense_weight=0.9, method=FusionMethod.RRF)) == [1, 2]
    assert ranking(fuse(dense, sparse, dense_weight=0.1, method=FusionMethod.RRF)) == [2, 1]


def test_empty_inputs() -> None:
    assert fuse({}, {}) == {}
    assert fuse({}, {}, method=FusionMethod.RRF) == {}
    assert fuse({1: 0.5}, {}, dense_weight=0.5) == {1: 0.5}
