"""The answer engine without Rasa: modes, verbatim quotes with sources, honesty, other regions."""

from __future__ import annotations

import pytest

from bot.core.answers.engine import AnswerEngine
from bot.core.answers.model import AnswerabilityModel
from bot.core.answers.places import Place, place_in_text, resolve
from index.engine import SearchEngine
from index.grounding import GroundingCheck


@pytest.fixture(scope="module")
def answers(engine: SearchEngine) -> AnswerEngine:
    words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    check = GroundingCheck(engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names, 0.4)
    return AnswerEngine(engine, check, model=AnswerabilityModel.default())


def place_of(answers: AnswerEngine, text: str, region: str | None = None) -> Place:
    gazetteer = answers.search.kb.gazetteer
    return place_in_text(gazetteer, text) or resolve(gazetteer, region)


def texts(answer: object) -> str:
    return "\n".join(m.text for m in answer.messages)  # type: ignore[attr-defined]


def test_a_direct_answer_quotes_a_clause_verbatim_with_its_source(answers: AnswerEngine) -> None:
    question = "台州适老化改造每年做多少户"
    answer = answers.answer(question, place_of(answers, question))
    assert answer.mode == "direct"
    chunks = {c.id: c.text for c in answers.search.chunks}
    first = answer.citations[0]
    assert first["role"] == "answer"
    assert any(first["quote"].removesuffix("……") in text for text in chunks.values())
    assert "600户" in first["quote"]
    assert "依据：《" in texts(answer)
    assert answer.offered_human


def test_a_question_the_documents_do_not_answer_gets_no_clause_as_its_answer(answers: AnswerEngine) -> None:
    question = "金台区的老年食堂中午几点开饭？"
    answer = answers.answer(question, place_of(answers, question))
    assert answer.mode in ("partial", "none")
    assert not [c for c in answer.citations if c["role"] == "answer"]
    assert "没有" in texts(answer) and "找人工" in texts(answer)


def test_a_partial_answer_says_what_is_missing_and_shows_the_related_clause(answers: AnswerEngine) -> None:
    question = "台州市困难老人家庭适老化改造怎么申请，要带什么材料"
    answer = answers.answer(question, place_of(answers, question))
    if answer.mode == "direct":  # a clause answering how to apply would have to state a procedure
        assert any(w in answer.citations[0]["quote"] for w in ("申请", "审核", "材料", "办理"))
        return
    assert answer.mode == "partial"
    assert answer.messages[0].text.startswith("我查到的文件里没有写怎么申请")
    assert [c["role"] for c in answer.citations] == ["related"]


def test_a_place_the_documents_do_not_cover_is_said_first(answers: AnswerEngine) -> None:
    question = "北京市的高龄补贴每月多少钱"
    answer = answers.answer(question, place_of(answers, question))
    assert answer.mode == "other_region"
    assert "没有北京" in answer.messages[0].text
    assert not answer.citations or "国家" in texts(answer)


@pytest.mark.parametrize("noise", ["？？？", "😀😀😀", "asdkjh qwe", "的的的的的"])
def test_noise_is_never_answered_with_a_quote(answers: AnswerEngine, noise: str) -> None:
    answer = answers.answer(noise, Place())
    assert not [c for c in answer.citations if c["role"] == "answer"]
    assert answer.offered_human


def test_the_best_sentence_of_a_clause_is_the_one_with_the_topic_words(answers: AnswerEngine) -> None:
    clause = "加强养老服务队伍建设。对失能老年人家庭照护者开展护理技能培训，每年培训不少于500人次。"
    sentence, coverage = answers.best_sentence("家里照顾失能老人的人有没有培训", clause)
    assert "培训" in sentence and "队伍建设" not in sentence
    assert coverage >= answers.best_sentence("家里照顾失能老人的人有没有培训", "加强养老服务队伍建设。")[1]


def test_candidates_carry_what_their_best_sentence_states(answers: AnswerEngine) -> None:
    _, candidates = answers.candidates("台州适老化改造每年做多少户", "台州市")
    assert candidates and all(0.0 <= c.sentence_coverage <= 1.0 for c in candidates)
    assert any(c.sentence_clause is not None and "amount" in c.sentence_clause.kinds for c in candidates)
