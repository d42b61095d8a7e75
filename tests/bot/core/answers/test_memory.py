"""The answer memory: remembered questions, the clauses that answered them, and what a new question
close to one of them is told."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.core.answers.analysis import analyse, describe_clause, load_rules
from bot.core.answers.features import FEATURES, Candidate, features
from bot.core.answers.memory import CLOSE, GoldClauses, QuestionMemory, Recall, Remembered, restates
from bot.core.answers.model import AnswerabilityModel
from index.engine import SearchHit
from knowledge.chunking import Chunk, ChunkKind

SUBSIDY = "对低保家庭中70周岁及以上老年人，按每人每月不低于当地低保标准的20%增发保障金。"
BEDS = "路桥区、温岭市探索设立“家庭照护床位”，提升家庭照护功能和水平。"


def chunk(chunk_id: str, text: str, doc_id: str = "d") -> Chunk:
    return Chunk(
        id=chunk_id, doc_id=doc_id, kind=ChunkKind.CLAUSE, section_path=[], section_ref="一", text=text,
        start=0, end=len(text),
    )  # fmt: skip


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


# Three remembered questions in a plane: two answered (by the subsidy and the beds clause), one not.
VECTORS = {
    "低保老人多领多少": unit(1, 0, 0),
    "温岭有家庭照护床位吗": unit(0, 1, 0),
    "老年食堂几点开饭": unit(0, 0, 1),
}


def encode(texts: Sequence[str]) -> np.ndarray:
    return np.stack([VECTORS[t] for t in texts])


@pytest.fixture
def memory() -> QuestionMemory:
    entries = [
        Remembered("低保老人多领多少", ("低保标准的２０％增发保障金",)),  # full-width: still found
        Remembered("温岭有家庭照护床位吗", ("探索设立家庭照护床位",)),  # without the quotation marks
        Remembered("老年食堂几点开饭"),
    ]
    corpus = [chunk("a", SUBSIDY), chunk("b", BEDS), chunk("c", "其他。")]
    return QuestionMemory.build(entries, corpus, encode)


def test_gold_quotes_are_found_in_their_clauses_whatever_the_punctuation_and_width(
    memory: QuestionMemory,
) -> None:
    assert memory.chunks == (frozenset({"a"}), frozenset({"b"}), frozenset())
    assert restates(BEDS, "探索设立家庭照护床位") and not restates(SUBSIDY, "家庭照护床位")


BODY = (
    "落实城乡社区居家养老服务照料中心专业托管运营经费每年每家平均不少于3万元，"
    "乡镇（街道）居家养老服务中心专业托管运营经费每年每家平均不少于8万元。"
)
ANNEX = (
    "| 7 | 深化养老服务设施专业化托管。 | "
    "乡镇（街道）居家养老服务中心专业托管运营经费每年每家不少于8万元。 | 市民政局 |"
)
GOLD = "乡镇（街道）居家养老服务中心专业托管运营经费每年每家平均不少于8万元"


def test_a_provision_restated_in_the_same_document_answers_as_the_gold_quote_does() -> None:
    assert restates(ANNEX, GOLD)  # the annexed table drops 平均: the same provision
    assert not restates(ANNEX.replace("8万", "5万"), GOLD)  # another number: another provision
    assert not restates(ANNEX, "乡镇（街道）居家养老服务中心实现专业服务组织全托管")
    assert not restates("每年每家不少于8万", "每年每家平均不少于8万")  # too short to be restated
    corpus = [chunk("body", BODY), chunk("annex", ANNEX), chunk("elsewhere", ANNEX, doc_id="other")]
    gold = GoldClauses(corpus)
    assert gold.of([GOLD]) == frozenset({"body", "annex"})  # not another document's
    assert gold.of([]) == frozenset()
    assert gold.documents(GOLD) == frozenset({"d"})


def test_a_question_close_to_a_remembered_one_is_told_which_clause_answered_it(
    memory: QuestionMemory,
) -> None:
    recall = memory.recall(unit(0.95, 0.1, 0.05))
    assert recall.of("a") > CLOSE > recall.of("b") > 0
    assert recall.of("c") == 0.0  # answered no remembered question
    assert recall.answered == pytest.approx(recall.of("a"))
    assert 0 < recall.unanswered < 0.2


def test_a_question_close_to_one_the_documents_do_not_answer_is_told_so(memory: QuestionMemory) -> None:
    recall = memory.recall(unit(0.1, 0, 1))
    assert recall.unanswered > CLOSE > recall.answered


def test_a_question_is_never_its_own_evidence(memory: QuestionMemory) -> None:
    itself = memory.vectors[0]
    assert memory.recall(itself).of("a") == pytest.approx(1.0)
    assert memory.recall(itself, exclude=0).of("a") == 0.0
    alone = memory.subset([1, 2])
    assert len(alone) == 2 and alone.recall(itself).of("a") == 0.0


def test_an_empty_memory_says_nothing() -> None:
    empty = QuestionMemory.build([], [chunk("a", SUBSIDY)], encode)
    assert len(empty) == 0 and empty.recall(unit(1, 0, 0)) == Recall()


def test_the_memory_features_follow_the_recall() -> None:
    rules = load_rules()
    question = analyse(rules, "低保老人每月多领多少钱")
    hit = SearchHit(
        chunk_id="a", doc_id="d", title="t", doc_number=None, section="一", section_ref="一", text=SUBSIDY,
        score=1.0, region="宝鸡市", status="in_force",
    )  # fmt: skip
    candidate = Candidate(hit, 0, describe_clause(rules, SUBSIDY), 1.0)
    recall = Recall(0.95, 0.4, {"a": 0.95})
    named = dict(zip(FEATURES, features(question, candidate, 1.0, "宝鸡市", recall=recall), strict=True))
    assert named["memory_clause"] == pytest.approx(0.95) and named["memory_clause_close"] == 1.0
    assert named["memory_margin"] == pytest.approx(0.55)
    assert named["asks_how_much"] == 1.0 and named["asks_where"] == 0.0
    unknown = dict(zip(FEATURES, features(question, candidate, 1.0, "宝鸡市"), strict=True))
    assert unknown["memory_clause"] == unknown["memory_answered"] == 0.0


def test_the_model_file_keeps_the_questions_it_learnt_from(tmp_path: Path) -> None:
    n = len(FEATURES)
    model = AnswerabilityModel(
        (0.0,) * n, 0.0, (0.0,) * n, (1.0,) * n, 0.8, 10,
        (Remembered("低保老人多领多少", ("低保标准的20%",)), Remembered("食堂几点开饭")),
    )  # fmt: skip
    path = tmp_path / "answerability.json"
    model.save(path)
    assert AnswerabilityModel.load(path) == model
