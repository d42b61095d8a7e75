"""Okapi BM25 scoring (index/bm25.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from index.bm25 import BM25


def test_passage_with_query_term_outranks_one_without() -> None:
    bm25 = BM25([["养老", "补贴"], ["助餐", "服务"], ["助浴", "服务"]])
    scores = bm25.scores(["助餐"])
    assert scores.shape == (3,)
    assert scores.dtype == np.float32
    assert int(np.argmax(scores)) == 1
    assert scores[1] > 0
    assert scores[0] == 0
    assert scores[2] == 0


def test_rarer_term_weighs_more() -> None:
    # 助餐 is in one passage, 服务 in three; all passages have the same length.
    bm25 = BM25([["助餐", "服务"], ["助浴", "服务"], ["助医", "服务"], ["养老", "补贴"]])
    rare = bm25.scores(["助餐"])[0]
    common = bm25.scores(["服务"])[0]
    assert rare > common > 0


def test_idf_formula() -> None:
    bm25 = BM25([["a", "x"], ["b", "x"], ["c", "x"]], k1=1.2, b=0.75)
    # every passage has length 2 = average length, so the tf part is tf*(k1+1)/(tf+k1) = 1 for tf=1
    assert bm25.scores(["a"])[0] == pytest.approx(math.log(1 + (3 - 1 + 0.5) / (1 + 0.5)))
    assert bm25.scores(["x"])[0] == pytest.approx(math.log(1 + (3 - 3 + 0.5) / (3 + 0.5)))


def test_repeated_query_tokens_count_once() -> None:
    bm25 = BM25([["低保", "补贴"], ["助餐", "服务"]])
    np.testing.assert_array_equal(bm25.scores(["低保", "低保", "低保"]), bm25.scores(["低保"]))


def test_several_query_terms_add_up() -> None:
    bm25 = BM25([["低保", "补贴"], ["助餐", "服务"], ["低保", "标准"]])
    both = bm25.scores(["低保", "补贴"])
    assert both[0] == pytest.approx(bm25.scores(["低保"])[0] + bm25.scores(["补贴"])[0])
    assert both[0] > both[2] > both[1] == 0


def test_unknown_terms_score_zero() -> None:
    bm25 = BM25([["低保", "补贴"], ["助餐", "服务"]])
    np.testing.assert_array_equal(bm25.scores(["火星", "宇航"]), np.zeros(2, dtype=np.float32))
    np.testing.assert_array_equal(bm25.scores(["低保", "火星"]), bm25.scores(["低保"]))
    np.testing.assert_array_equal(bm25.scores([]), np.zeros(2, dtype=np.float32))


def test_shorter_passage_scores_higher_at_same_tf() -> None:
    corpus = [["助餐", "服务"], ["助餐", "服务", "社区", "老年", "食堂", "配送", "上门", "评估"], ["养老"]]
    scores = BM25(corpus).scores(["助餐"])
    assert scores[0] > scores[1] > 0


def test_no_length_normalisation_when_b_is_zero() -> None:
    corpus = [["助餐", "服务"], ["助餐", "服务", "社区", "老年", "食堂", "配送", "上门", "评估"], ["养老"]]
    scores = BM25(corpus, b=0.0).scores(["助餐"])
    assert scores[0] == pytest.approx(scores[1])


def test_term_frequency_saturates() -> None:
    corpus = [["助餐"] + ["x"] * 9, ["助餐"] * 2 + ["x"] * 8, ["助餐"] * 9 + ["x"], ["y"] * 10]
    scores = BM25(corpus).scores(["助餐"])
    assert scores[0] < scores[1] < scores[2]
    assert scores[2] < scores[0] * (1.2 + 1)  # bounded by idf*(k1+1)


def test_empty_corpus() -> None:
    bm25 = BM25([])
    assert bm25.size == 0
    assert bm25.scores(["助餐"]).shape == (0,)


def test_empty_passages_do_not_break_scoring() -> None:
    scores = BM25([[], ["助餐"]]).scores(["助餐"])
    assert scores[0] == 0
    assert scores[1] > 0
