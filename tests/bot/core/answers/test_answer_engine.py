"""The answer engine without Rasa: modes, verbatim quotes with sources, honesty, other regions."""

from __future__ import annotations

import pytest

from bot.core.answers.analysis import Kind, analyse
from bot.core.answers.engine import AnswerEngine, without_table_rules
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
    first = answer.messages[0].text
    assert first.startswith("我查到的文件里没有写") and "怎么申请" in first and "材料" in first
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


def test_an_amount_question_is_never_answered_by_a_clause_without_an_amount(answers: AnswerEngine) -> None:
    question = "宝鸡的高龄津贴一个月给多少钱"
    answer = answers.answer(question, place_of(answers, question))
    money = answers.rules.gates["money"]
    for citation in answer.citations:
        if citation["role"] == "answer":
            assert money.stated_by(citation["quote"])
    if answer.mode == "partial":
        assert "没有写具体的金额" in answer.messages[0].text


def test_a_question_with_nothing_to_look_up_gets_no_clause_as_its_answer(answers: AnswerEngine) -> None:
    answer = answers.answer("这个俺能申请不", Place())
    assert not [c for c in answer.citations if c["role"] == "answer"]
    assert answer.offered_human


def test_key_mashing_with_a_word_in_it_is_not_looked_up(answers: AnswerEngine) -> None:
    answer = answers.answer("jjjkk 康养 1111", Place())
    assert answer.mode == "none:nonsense" and not answer.citations


def test_a_half_answer_says_what_it_leaves_out(answers: AnswerEngine) -> None:
    asked = analyse(answers.rules, "适老化改造补多少钱，去哪里申请")
    amount_only = answers.unstated(asked, ["对特困老年人家庭适老化改造每户补助3000元。"])
    assert amount_only and answers.rules.missing_words[Kind.HOW_MUCH] not in amount_only
    assert answers.unstated(analyse(answers.rules, "有没有老年食堂"), ["社区建老年食堂。"]) == []


def test_a_table_row_is_quoted_without_its_pipes() -> None:
    row = "| 服务基础 | 所辖街道数量 | | 所辖乡镇数量 | |\n|------|--|--|\n以上数据据实填写。"
    assert without_table_rules(row) == "服务基础 所辖街道数量 所辖乡镇数量\n以上数据据实填写。"
    assert without_table_rules("没有表格的条文。") == "没有表格的条文。"


def test_a_gated_fact_counts_only_beside_the_question_s_topic(answers: AnswerEngine) -> None:
    question = analyse(answers.rules, "高龄津贴一个月能领多少钱")
    money = answers.rules.gates["money"]
    assert answers.states_fact(question, money, "高龄津贴每人每月发放100元。")
    other = "完善高龄津贴制度。对低保家庭重病患者按低保标准的50%增发保障金。"
    assert not answers.states_fact(question, money, other)


def test_a_date_or_phone_number_counts_anywhere_in_the_quote(answers: AnswerEngine) -> None:
    # Only an amount must stand beside its benefit; a clause about the grant's transfer answers
    # "how long" with the period in its last sentence, a list of contacts with the number after
    # the name.
    question = analyse(answers.rules, "省里钱拨到市里以后 市里多长时间内得给县里")
    time = answers.rules.gates["time"]
    clause = "省财政厅向试点单位所在市一次性下拨省补资金。市财政局要在1个月内将省补资金下拨到试点县。"
    assert answers.states_fact(question, time, clause)
    assert not answers.states_fact(question, time, "省财政厅向试点单位所在市一次性下拨省补资金。")
    phone = analyse(answers.rules, "省民政厅管这个试点的是谁 电话多少")
    contacts = "省民政厅联系人：苏敏；联系电话：024-23941568。"
    assert answers.states_fact(phone, answers.rules.gates["phone"], contacts)


def test_a_long_clause_is_quoted_from_the_sentence_that_answers_not_its_lead(answers: AnswerEngine) -> None:
    chunk = next(c for c in answers.search.chunks if "大力推广城乡互助养老。" in c.text)
    quote = answers.quote(analyse(answers.rules, "村里互助养老能给老人提供哪些服务"), chunk.text)
    assert not quote.startswith("大力推广城乡互助养老")
    assert "邻里互助" in quote
    assert quote.removesuffix("……") in without_table_rules(chunk.text)


def test_a_sentence_too_long_to_quote_is_quoted_from_the_piece_that_answers(answers: AnswerEngine) -> None:
    filler = "，".join(f"推进第{n}项工作任务落实到位" for n in range(1, 17))
    text = f"{filler}，对80周岁以上老年人每月发放高龄津贴100元，{filler}。"
    quote = answers.quote(analyse(answers.rules, "高龄津贴每月发多少钱"), text)
    assert quote.startswith("对80周岁以上老年人每月发放高龄津贴100元")
    assert quote.endswith("……") and quote.removesuffix("……") in text
    assert len(quote.removesuffix("……")) <= answers.quote_max_chars


def test_the_engine_s_related_clauses_cover_the_topic(answers: AnswerEngine) -> None:
    question = "台州适老化改造每年做多少户"
    related = answers.related(question, place_of(answers, question))
    assert related and any("600户" in quote for _, quote in related)
    assert answers.related("jjjkk 康养 1111", Place()) == []  # refused: nothing to check beside it


BAOJI_ITEMS = (
    "对失独家庭老年人依据个人意愿由县区政府安置在当地公办养老机构。"
    "对低保家庭中70周岁及以上老年人，按每人每月不低于当地低保标准的20%增发保障金；"
    "对低保家庭中重度残疾老年人，按每人每月不低于当地低保标准的50%或30%增发保障金；"
    "对低保家庭中重病患者老年人，按每人每月不低于当地低保标准的50%增发保障金。"
    "进一步完善高龄津贴制度，确保老年人高龄补助及时足额发放到位。"
)


def test_parallel_items_are_quoted_from_the_one_for_the_person_asked_about(answers: AnswerEngine) -> None:
    import numpy as np

    from index.rescoring import PassageScorer

    answers = AnswerEngine(
        answers.search, answers.check, model=answers.model,
        scorer=PassageScorer([], np.zeros((0, 384), dtype="float32")),
    )  # fmt: skip
    old = answers.quote(analyse(answers.rules, "宝鸡低保家庭的高龄老人每月能多领多少？"), BAOJI_ITEMS)
    assert "70周岁及以上老年人，按每人每月不低于当地低保标准的20%" in old
    ill = answers.quote(analyse(answers.rules, "低保家庭里得了重病的老人每月增发多少"), BAOJI_ITEMS)
    assert ill.startswith("对低保家庭中重病患者老年人")
    for quote in (old, ill):
        assert quote.removesuffix("……") in BAOJI_ITEMS


def test_a_row_of_figures_is_read_out_with_the_headers_the_question_asks_about(answers: AnswerEngine) -> None:
    from bot.core.answers.engine import numeric_row

    rows = [c for c in answers.search.chunks if c.id in answers.table_rows and "金台区" in c.text]
    row = next(c for c in rows if numeric_row(c.text))
    reading = answers.table_reading(analyse(answers.rules, "金台区要新建几个日间照料中心"), row.id)
    assert reading is not None and "县区：金台区" in reading and "需新建的日间照料中心数：" in reading
    assert answers.row_asked(analyse(answers.rules, "金台区要新建几个日间照料中心"), row.id)
    assert not answers.row_asked(analyse(answers.rules, "金台区的老年食堂中午几点开饭"), row.id)
    assert numeric_row("| 1 | 金台区 | 8 | 7 | 1 |") and not numeric_row(
        "| 路桥区、温岭市探索设立家庭照护床位 | 路桥区 |"
    )


def test_a_row_of_figures_no_column_of_which_is_asked_about_is_never_shown_as_related(
    answers: AnswerEngine,
) -> None:
    question = "金台区的老年食堂中午几点开饭？"
    answer = answers.answer(question, place_of(answers, question))
    quotes = [c["quote"] for c in answer.citations]
    assert not any(numeric_row_text(q) for q in quotes)
    assert "没有" in texts(answer) and "找人工" in texts(answer)


def numeric_row_text(quote: str) -> bool:
    parts = quote.split()
    return len(parts) > 4 and sum(p.isdigit() for p in parts) * 2 >= len(parts)


def test_a_question_for_a_phone_number_is_not_told_an_amount_is_missing(answers: AnswerEngine) -> None:
    quote = "通过12349养老服务热线，为老年人提供紧急呼叫、生活帮助等服务。"
    assert answers.unstated(analyse(answers.rules, "养老服务热线电话是多少"), [quote]) == []
    assert answers.unstated(analyse(answers.rules, "高龄津贴每月发多少"), ["进一步完善高龄津贴制度。"])


def test_a_row_of_figures_is_judged_by_what_its_cells_say(answers: AnswerEngine) -> None:
    from bot.core.answers.engine import numeric_row

    _, cands = answers.candidates("渭滨区要新建几个养老服务站？", "宝鸡市")
    rows = [c for c in cands if c.hit.chunk_id in answers.table_rows and numeric_row(c.hit.text)]
    row = next(c for c in rows if "渭滨区" in c.hit.text)
    assert row.coverage >= answers.check.min_coverage  # its digits alone cover none of the words


def test_a_partial_answer_names_what_is_missing_once(answers: AnswerEngine) -> None:
    question = "高龄津贴去哪里办？"
    answer = answers.answer(question, place_of(answers, question, "金台区"))
    assert answer.mode == "partial"
    first = answer.messages[0].text
    assert "怎么申请、到哪里办" in first and "具体在什么地方" not in first


def test_a_question_about_the_province_s_plan_is_answered_from_it_not_the_national_notice(
    answers: AnswerEngine,
) -> None:
    text = "护理员培训 考证这块 省里方案有安排吗"
    _, local = answers.candidates(text, "辽宁省")
    assert local and all(answers.levels[c.hit.doc_id] != "national" for c in local)
    assert all(c.level == "province" for c in local)  # the level each candidate's document is at
    _, anywhere = answers.candidates("护理员培训 考证这块 有安排吗", "辽宁省")
    assert any(answers.levels[c.hit.doc_id] == "national" for c in anywhere)
    _, national = answers.candidates("护理员培训 国家试点有安排吗", "辽宁省")
    assert any(answers.levels[c.hit.doc_id] == "national" for c in national)
