"""Query tokenization: jieba with the domain vocabulary, expansions, pinyin (index/tokenizer.py)."""

from __future__ import annotations

import pytest

from index.tokenizer import STOPWORDS, QueryTokenizer
from knowledge.base import load_knowledge


@pytest.fixture(scope="module")
def tok() -> QueryTokenizer:
    kb = load_knowledge()
    return QueryTokenizer(kb.vocabulary(), kb.expansions())


@pytest.mark.parametrize(
    ("query", "official"),
    [
        ("老人洗澡有补贴吗", "助浴"),
        ("能不能送饭到家", "助餐"),
        ("吃饭难怎么办", "助餐"),
        ("看病不方便", "助医"),
        ("我妈是低保户", "低保"),
    ],
)
def test_colloquial_words_expand_to_official_terms(tok: QueryTokenizer, query: str, official: str) -> None:
    assert official in tok.expansions_in(query)
    # the expansion adds the official term on top of the plain tokens (documents are not expanded)
    assert tok.tokenize_query(query).count(official) == tok.tokenize(query).count(official) + 1


def test_expansion_lists_each_term_once_in_order(tok: QueryTokenizer) -> None:
    assert tok.expansions_in("送饭") == ["助餐", "配送餐"]
    assert tok.expansions_in("送饭送饭") == ["助餐", "配送餐"]


def test_query_without_colloquial_words_has_no_expansion(tok: QueryTokenizer) -> None:
    assert tok.expansions_in("养老补贴") == []
    assert tok.tokenize_query("养老补贴") == tok.tokenize("养老补贴")


def test_short_alias_inside_longer_word_does_not_expand(tok: QueryTokenizer) -> None:
    # 建档 is an alias of the family-doctor service (健康档案),
    # but 建档立卡户 means a registered poor household.
    assert tok.expansions_in("建档") == ["家庭医生签约"]
    assert "家庭医生签约" in tok.tokenize_query("建档")
    assert tok.expansions_in("建档立卡户") == []
    tokens = tok.tokenize_query("建档立卡户有什么政策")
    assert "建档立卡" in tokens
    assert not {"家庭医生签约", "家庭医生", "签约"} & set(tokens)


def test_domain_terms_kept_whole(tok: QueryTokenizer) -> None:
    assert "适老化改造" in tok.tokenize("家里想做适老化改造")
    assert "长期护理保险" in tok.tokenize("长期护理保险怎么报销")


def test_traditional_and_simplified_give_same_tokens(tok: QueryTokenizer) -> None:
    assert tok.tokenize("養老補貼") == tok.tokenize("养老补贴") == ["养老", "补贴"]
    assert tok.tokenize_query("老人洗澡難") == tok.tokenize_query("老人洗澡难")


def test_full_width_and_case_normalised(tok: QueryTokenizer) -> None:
    assert tok.tokenize("ＡＰＰ下单") == tok.tokenize("app下单")
    assert "app" in tok.tokenize("APP下单")


def test_chinese_numerals_become_digits(tok: QueryTokenizer) -> None:
    assert "85" in tok.tokenize("我家老人八十五岁")
    assert QueryTokenizer.prepare("七十多岁") == "70多岁"


def test_stopwords_dropped(tok: QueryTokenizer) -> None:
    tokens = tok.tokenize("我想问问老人的养老补贴")
    assert tokens == ["养老", "补贴"]
    assert not STOPWORDS & set(tok.tokenize_query("请问我家老人能不能申请助餐服务呢"))


def test_punctuation_only_text_gives_no_tokens(tok: QueryTokenizer) -> None:
    assert tok.tokenize("，。？！ ") == []


@pytest.mark.parametrize(("typo", "correct"), [("不贴", "补贴"), ("穿息", "喘息"), ("养老不贴", "养老补贴")])
def test_pinyin_bigrams_match_for_pinyin_input_typos(typo: str, correct: str) -> None:
    assert QueryTokenizer.pinyin_bigrams(typo) == QueryTokenizer.pinyin_bigrams(correct)
    assert QueryTokenizer.pinyin_bigrams(typo)


def test_pinyin_bigrams_differ_for_different_words() -> None:
    assert QueryTokenizer.pinyin_bigrams("补贴") == ["bu_tie"]
    assert QueryTokenizer.pinyin_bigrams("补贴") != QueryTokenizer.pinyin_bigrams("补助")


def test_pinyin_bigrams_skip_function_characters_and_split_runs() -> None:
    assert QueryTokenizer.pinyin_bigrams("养老的补贴") == ["yang_lao", "lao_bu", "bu_tie"]
    assert QueryTokenizer.pinyin_bigrams("养老, 补贴") == ["yang_lao", "bu_tie"]
