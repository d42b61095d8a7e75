"""Agent assist (actions/assist.py) on the real knowledge base and index."""

from __future__ import annotations

import pytest

from actions.assist import MAX_SUGGESTIONS, assist_sync, place_for
from actions.context import Services, build_services
from actions.settings import ActionSettings
from bot.core.answers.replies import quote_is_verbatim
from index.engine import SearchEngine
from index.settings import IndexSettings


@pytest.fixture(scope="module")
def svc(
    engine: SearchEngine, index_settings: IndexSettings, tmp_path_factory: pytest.TempPathFactory
) -> Services:
    """Action services over the session's index and a fresh SQLite store."""
    store = tmp_path_factory.mktemp("assist") / "store.db"
    return build_services(ActionSettings(database_url=f"sqlite:///{store}"), index_settings)


def chunk_texts(svc: Services) -> dict[tuple[str, str], list[str]]:
    texts: dict[tuple[str, str], list[str]] = {}
    for chunk in svc.kb.chunks:
        texts.setdefault((chunk.doc_id, chunk.section_ref or chunk.section), []).append(chunk.text)
    return texts


def test_suggestions_quote_the_documents_verbatim_and_cite_them(svc: Services) -> None:
    result = assist_sync(svc, "高龄津贴怎么申请", None, None)
    assert 1 <= len(result.suggestions) <= MAX_SUGGESTIONS
    texts = chunk_texts(svc)
    for suggestion in result.suggestions:
        assert suggestion.citations
        for citation in suggestion.citations:
            assert citation["title"] in suggestion.text
            assert citation["quote"] in suggestion.text
            chunks = texts[(citation["doc_id"], citation["section"])]
            assert any(quote_is_verbatim(citation["quote"], text) for text in chunks)
        assert "民政部门" in suggestion.text  # never promises more than the document


def test_a_described_situation_gets_the_rules_answer_first(svc: Services) -> None:
    result = assist_sync(svc, "我妈82岁，低保，住在金台区，能领什么补贴", None, "ask_eligibility")
    assert result.region == "金台区"
    check = result.eligibility
    assert check is not None
    assert "82岁" in check.summary and "低保" in check.summary
    assert check.items and check.items[0].verdict == "eligible"
    assert any("低保" in item.benefit for item in check.items)
    first = result.suggestions[0]
    assert first.text.startswith("按您说的情况") and "符合条件" in first.text
    assert first.citations and all(c["quote"] for c in first.citations)
    assert not any(s.text.count("|") > 2 for s in result.suggestions)  # no table rows as answers


def test_without_age_or_status_there_is_no_quick_check(svc: Services) -> None:
    assert assist_sync(svc, "助餐服务怎么收费", "金台区", "ask_meal_service").eligibility is None


def test_a_status_word_in_a_benefit_name_is_not_a_person(svc: Services) -> None:
    assert assist_sync(svc, "高龄津贴怎么申请", None, None).eligibility is None
    described = assist_sync(svc, "家里有个失能老人，有什么补贴", None, None).eligibility
    assert described is not None and "失能" in described.summary


def test_the_catalog_card_is_the_service_asked_about(svc: Services) -> None:
    result = assist_sync(svc, "助餐服务怎么收费", "金台区", "ask_meal_service")
    assert result.region == "金台区"
    kinds = [(card.kind, card.id) for card in result.catalog]
    assert kinds[0] == ("service", "meal")
    assert all(card.summary for card in result.catalog)


def test_a_region_named_in_the_question_beats_the_one_given(svc: Services) -> None:
    result = assist_sync(svc, "利通区的老年人助餐有什么补贴", "金台区", None)
    assert result.region == "利通区"


def test_the_answer_is_plain_json(svc: Services) -> None:
    data = assist_sync(svc, "社区养老服务中心面积要多大", None, None).to_json()
    assert set(data) == {"region", "suggestions", "catalog", "eligibility"}
    assert any(card["kind"] == "facility" for card in data["catalog"])


def test_the_first_suggestion_is_the_answer_engine_s_reply(svc: Services) -> None:
    question = "台州适老化改造每年做多少户"
    place = place_for(svc, question, None)
    answer = svc.answers.answer(question, place)
    first = assist_sync(svc, question, None, None).suggestions[0]
    assert [c["quote"] for c in first.citations] == [c["quote"] for c in answer.citations]
    assert [c["role"] for c in first.citations] == [c["role"] for c in answer.citations]
    unanswered = assist_sync(svc, "金台区的老年食堂中午几点开饭", None, None)
    assert all(c["role"] == "related" for s in unanswered.suggestions for c in s.citations)
