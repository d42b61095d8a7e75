"""Chinese tokenization for BM25: jieba with a domain dictionary, official-term expansion, pinyin."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from itertools import pairwise

import jieba
from pypinyin import lazy_pinyin

from knowledge.numerals import arabic_numerals
from knowledge.textnorm import normalize

logger = logging.getLogger(__name__)

TOKEN = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+(?:\.[0-9]+)?%?", re.I)
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "是",
        "有",
        "为",
        "对",
        "把",
        "被",
        "将",
        "要",
        "就",
        "都",
        "也",
        "还",
        "又",
        "而",
        "并",
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "哪",
        "哪些",
        "什么",
        "怎么",
        "怎么样",
        "怎样",
        "如何",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "嘛",
        "哦",
        "么",
        "啥",
        "咋",
        "能",
        "可以",
        "会",
        "想",
        "请问",
        "一下",
        "一个",
        "个",
        "些",
        "没有",
        "不",
        "上",
        "下",
        "中",
        "里",
        "从",
        "到",
        "给",
        "让",
        "跟",
        "向",
        "按",
        "以",
        "之",
        "其",
        "该",
        "各",
        "每",
        "多少",
        "几",
        "谁",
        "老人",
        "老年人",
        "我家",
        "我妈",
        "我爸",
        "家里",
        "现在",
        "知道",
        "问问",
        "问",
        "请",
        "谢谢",
        "帮",
        "帮忙",
        "一些",
        "需要",
        "应该",
        "能不能",
        "是不是",
        "有没有",
    ]
)
# Function characters that carry no topic in pinyin bigrams.
PINYIN_SKIP = frozenset("的了和与及或等在是有为对把被将要就都也还又而并我你您他她它这那吗呢吧啊呀嘛哦么啥咋")


class QueryTokenizer:
    """Tokenizes documents and queries the same way; queries also get official-term expansion."""

    def __init__(self, vocabulary: Iterable[str] = (), expansions: Mapping[str, list[str]] | None = None):
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in vocabulary:
            self._jieba.add_word(normalize(word), freq=20000)
        self._expansions = {normalize(k): v for k, v in (expansions or {}).items()}
        for word in self._expansions:
            self._jieba.add_word(word, freq=20000)

    @staticmethod
    def prepare(text: str) -> str:
        """Normalise text for tokenizing: simplified, half-width, lower case, Arabic numerals."""
        return arabic_numerals(normalize(text)).lower()

    def tokenize(self, text: str) -> list[str]:
        """Tokens of a text: jieba search-mode words without stopwords."""
        return self._words(self._jieba.cut_for_search(self.prepare(text)))

    def tokenize_query(self, text: str) -> list[str]:
        """Query tokens plus the official terms of any colloquial words it contains."""
        prepared = self.prepare(text)
        tokens = self._words(self._jieba.cut_for_search(prepared))
        for word in set(self._jieba.cut(prepared)):
            for target in self._expansions.get(word, ()):
                tokens.extend(self.tokenize(target))
        return tokens

    def expansions_in(self, text: str) -> list[str]:
        """The official terms a query expands to (for explanations and tests)."""
        found: list[str] = []
        for word in self._jieba.cut(self.prepare(text)):
            for target in self._expansions.get(word, ()):
                if target not in found:
                    found.append(target)
        return found

    @staticmethod
    def pinyin_bigrams(text: str) -> list[str]:
        """Toneless pinyin bigrams of each run of Chinese characters: robust to pinyin-input typos."""
        grams: list[str] = []
        for run in HAN_RUN.findall(QueryTokenizer.prepare(text)):
            chars = [c for c in run if c not in PINYIN_SKIP]
            syllables = lazy_pinyin("".join(chars))
            grams.extend(f"{a}_{b}" for a, b in pairwise(syllables))
        return grams

    @staticmethod
    def _words(words: Iterable[str]) -> list[str]:
        tokens = []
        for word in words:
            word = word.strip()
            if word and word not in STOPWORDS and TOKEN.search(word):
                tokens.append(word)
        return tokens
