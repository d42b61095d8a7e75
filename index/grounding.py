"""Whether retrieved passages really answer a question: an absolute check after relative ranking.

Fused scores only rank passages against each other; a question the documents do not cover still
gets a "best" passage. Two checks decide whether an answer may be given:

- coverage: the share of the question's topic words (after dropping generic words of this domain)
  that the passage contains, directly or through an official term the word expands to;
- the kind of fact asked for: a question about a price, a phone number, a time or a date needs a
  passage that states one. The assistant must never fill such a gap with a likely value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum

from index.tokenizer import QueryTokenizer

# Words that say nothing about the topic in questions to this assistant.
GENERIC = frozenset(
    [
        "老人",
        "老年人",
        "老年",
        "老人家",
        "父母",
        "我妈",
        "我爸",
        "爸爸",
        "妈妈",
        "母亲",
        "父亲",
        "家里",
        "家人",
        "我们",
        "咱们",
        "你们",
        "请问",
        "问问",
        "想问",
        "问一下",
        "知道",
        "告诉",
        "一下",
        "现在",
        "今年",
        "政策",
        "规定",
        "文件",
        "国家",
        "这个",
        "那个",
        "哪些",
        "哪个",
        "什么",
        "怎么",
        "怎么样",
        "如何",
        "多少",
        "能不能",
        "可不可以",
        "可以",
        "能够",
        "需要",
        "应该",
        "是否",
        "有没有",
        "是不是",
        "情况",
        "方面",
        "相关",
        "具体",
        "一些",
        "东西",
        "事情",
        "问题",
        "办法",
        "地方",
        "这边",
        "那边",
        "里面",
        "关于",
        "养老",
        "服务",
        "养老服务",
        "居家",
        "社区",
        "帮助",
        "享受",
        "办理",
        "申请",
        "领取",
        "能领",
        "领到",
        "给予",
        "补贴",
        "待遇",
        "条件",
        "标准",
        "要求",
        "时候",
        "吗",
        "呢",
        "啊",
    ]
)


class FactKind(str, Enum):
    """A kind of fact that a question asks for and a passage must state."""

    PRICE = "price"
    PHONE = "phone"
    HOURS = "hours"
    DATE = "date"


ASKS: dict[FactKind, re.Pattern[str]] = {
    FactKind.PRICE: re.compile(
        r"多少钱|收费|收多少|交多少|几块钱|价格|价钱|费用多少|花多少|要钱吗|贵不贵|免费吗|工资|涨多少|报销多少|报销比例"
    ),
    FactKind.PHONE: re.compile(r"电话|号码|热线|联系方式|怎么联系"),
    FactKind.HOURS: re.compile(r"几点|开门|关门|营业时间|开放时间|上班时间"),
    FactKind.DATE: re.compile(r"什么时候截止|截止(日期|时间)?|哪天|几号|什么时候(开始|报名|申报)|申报时间"),
}
STATES: dict[FactKind, re.Pattern[str]] = {
    FactKind.PRICE: re.compile(r"\d[\d.，,]*\s*(万?元|块)|免费|无偿|低偿|收费|费用由|\d+%"),
    FactKind.PHONE: re.compile(r"\d{3,4}-?\d{7,8}|1[3-9]\d{9}|\b\d{5}\b|12345|12349"),
    FactKind.HOURS: re.compile(r"\d{1,2}\s*[:：点时]\s*\d{0,2}|全天|24小时|\d+小时"),
    FactKind.DATE: re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|月底前|日前|截止"),
}


@dataclass(frozen=True)
class Grounding:
    """How well a passage answers a question, and why not when it does not."""

    grounded: bool
    coverage: float
    topic_words: tuple[str, ...]
    missing_fact: FactKind | None = None


class GroundingCheck:
    """Decides whether passages are a basis for answering a question."""

    def __init__(
        self,
        tokenizer: QueryTokenizer,
        expansions: dict[str, list[str]],
        corpus_words: Collection[str],
        place_names: Collection[str] = (),
        min_coverage: float = 0.4,
    ):
        self._tokenizer = tokenizer
        self._places = frozenset(QueryTokenizer.prepare(p) for p in place_names)
        self._corpus_words = frozenset(corpus_words)
        self._expansions = {
            QueryTokenizer.prepare(k): [QueryTokenizer.prepare(t) for t in v] for k, v in expansions.items()
        }
        self.min_coverage = min_coverage

    def topic_words(self, question: str) -> list[str]:
        """The question's words that carry its topic: words the documents use (or that expand to
        official terms), longest first, generic ones dropped."""
        words: list[str] = []
        for word in self._tokenizer.tokenize(question):
            if word in GENERIC or len(word) < 2 or word in words or word.isdigit():
                continue
            if word in self._places or any(p in word for p in self._places if len(p) >= 2):
                continue  # a place picks the documents (region filter), not the clause
            if word not in self._corpus_words and word not in self._expansions:
                continue
            if any(word != w and word in w for w in words):
                continue
            words = [w for w in words if w not in word]
            words.append(word)
        return words

    @staticmethod
    def asked_fact(question: str) -> FactKind | None:
        """The kind of fact a question asks for, if it asks for a price, phone number, time or date."""
        text = QueryTokenizer.prepare(question)
        return next((kind for kind, pattern in ASKS.items() if pattern.search(text)), None)

    def assess(self, question: str, passages: Sequence[str]) -> Grounding:
        """The best passage's coverage of the question's topic, and whether it states an asked-for fact.

        Each passage is judged alone: a topic found in one passage and a number found in another
        are no answer."""
        words = self.topic_words(question)
        kind = self.asked_fact(question)
        best = Grounding(False, 0.0, tuple(words), kind)
        for passage in passages:
            text = QueryTokenizer.prepare(passage)
            coverage = sum(1 for w in words if self._covers(w, text)) / len(words) if words else 0.0
            stated = kind is None or bool(STATES[kind].search(text))
            grounded = coverage >= self.min_coverage and stated
            candidate = Grounding(grounded, round(coverage, 3), tuple(words), None if stated else kind)
            if (candidate.grounded, candidate.coverage) > (best.grounded, best.coverage):
                best = candidate
        return best

    def _covers(self, word: str, text: str) -> bool:
        if word in text:
            return True
        if any(t in text for t in self._expansions.get(word, ())):
            return True
        # a long word whose two halves both appear (e.g. 日间照料中心 vs 日间照料 ... 中心)
        return len(word) >= 4 and word[: len(word) // 2] in text and word[len(word) // 2 :] in text
