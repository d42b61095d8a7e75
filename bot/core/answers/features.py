"""Features of a (question, candidate clause) pair for the answerability model."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.core.answers.analysis import (
    NEEDS,
    Clause,
    Kind,
    Question,
    reaches_age,
    share_of_kinds_stated,
    states_the_numbers,
    states_what_is_asked,
)
from bot.core.answers.memory import CLOSE, Recall
from index.engine import SearchHit
from index.grounding import GroundingCheck

FEATURES = (
    "score_ratio",
    "rank_inverse",
    "score",
    "coverage",
    "uncovered_words",
    "states_asked",
    "needs_specific",
    "specific_missing",
    "target",
    "target_not_asked",
    "heading",
    "status_match",
    "status_missing",
    "status_other",
    "government",
    "government_not_asked",
    "table",
    "age_ok",
    "age_conflict",
    "own_region",
    "national",
    "bm25_top",
    "dense_top",
    "length",
    "coverage_best",
    "coverage_gap",
    "score_gap_next",
    "asked_and_covered",
    "numbers_missing",
    "e5_sim",
    "e5_best",
    "e5_gap",
    "kinds_stated",
    "address_missing",
    "fee_missing",
    "sentence_coverage",
    "sentence_states_asked",
    "sentence_e5",
    "sentence_e5_best",
    # What the question asks, whatever the clause: some kinds the documents rarely answer.
    *(f"asks_{kind.value}" for kind in Kind),
    "worker",
    "asks_fee",
    "asks_exact",
    "gated",
    # The question names a level of government ("省里方案"): is this clause's document at it?
    "level_named",
    "level_other",
    # The answer memory: remembered questions close to this one, and whether this clause answered them.
    "memory_clause",
    "memory_clause_close",
    "memory_answered",
    "memory_unanswered",
    "memory_margin",
)


@dataclass(frozen=True)
class Candidate:
    """One retrieved clause with what the analysis found in it."""

    hit: SearchHit
    rank: int
    clause: Clause
    coverage: float
    bm25_rank: int | None = None
    dense_rank: int | None = None
    e5: float = 0.0  # multilingual-e5 similarity to the question (0 without the scorer)
    sentence_coverage: float = 0.0  # the share of topic words its best sentence covers
    sentence_clause: Clause | None = None  # what that sentence states
    sentence_e5: float = 0.0  # the e5 similarity of its sentence closest to the question
    level: str | None = None  # the level of government of its document (national, province …)


def features(
    question: Question,
    candidate: Candidate,
    top_score: float,
    region: str | None,
    best_coverage: float = 1.0,
    next_score: float = 0.0,
    best_e5: float = 0.0,
    best_sentence_e5: float = 0.0,
    recall: Recall | None = None,
) -> list[float]:
    """The feature vector, in the order of FEATURES (best_coverage, best_e5, best_sentence_e5: the
    best of the question's candidates; next_score: the fused score of the candidate ranked below
    this one; recall: what the answer memory says about the question)."""
    memory = recall or Recall()
    remembered = memory.of(candidate.hit.chunk_id)
    clause, hit = candidate.clause, candidate.hit
    asked = states_what_is_asked(question, clause)
    needs = NEEDS[question.kind] is not None
    target = "target" in clause.kinds
    target_asked = question.kind in (Kind.WHAT, Kind.EXISTS) and any(
        w in question.text for w in ("目标", "计划", "多少个", "建多少", "覆盖")
    )
    matched = question.statuses & clause.statuses
    reached = reaches_age(question.age, clause)
    age_ok, age_conflict = reached is True, reached is False
    return [
        hit.score / top_score if top_score > 0 else 0.0,
        1.0 / (1 + candidate.rank),
        hit.score,
        candidate.coverage,
        1.0 - candidate.coverage,
        float(asked),
        float(needs),
        float(needs and not asked),
        float(target),
        float(target and not target_asked),
        float(clause.heading),
        float(bool(matched)),
        float(bool(question.statuses) and not matched),
        float(bool(clause.statuses - question.statuses - {"困难", "高龄"}) and not matched),
        float("government" in clause.kinds),
        float("government" in clause.kinds and not question.worker),
        float("table" in clause.kinds),
        float(age_ok),
        float(age_conflict),
        float(region is not None and hit.region == region),
        float(hit.region == "全国"),
        float(candidate.bm25_rank == 0),
        float(candidate.dense_rank == 0),
        math.log1p(len(hit.text)) / 6.0,
        float(candidate.coverage >= best_coverage),
        best_coverage - candidate.coverage,
        (hit.score - next_score) / top_score if top_score > 0 else 0.0,
        float(asked) * candidate.coverage,
        float(not states_the_numbers(question, hit.text)),
        candidate.e5,
        float(best_e5 > 0 and candidate.e5 >= best_e5),
        best_e5 - candidate.e5,
        share_of_kinds_stated(question, clause),
        float(question.exact and "address" not in clause.kinds),
        float(question.fee and "fee" not in clause.kinds),
        candidate.sentence_coverage,
        float(states_what_is_asked(question, candidate.sentence_clause or clause)),
        candidate.sentence_e5,
        float(best_sentence_e5 > 0 and candidate.sentence_e5 >= best_sentence_e5),
        *(float(question.kind is kind) for kind in Kind),
        float(question.worker),
        float(question.fee),
        float(question.exact),
        float(bool(question.gates)),
        float(bool(question.levels) and candidate.level in question.levels),
        float(bool(question.levels) and candidate.level not in question.levels),
        remembered,
        float(remembered >= CLOSE),
        memory.answered,
        memory.unanswered,
        memory.answered - memory.unanswered,
    ]


def coverage_of(check: GroundingCheck, question: str, text: str) -> float:
    """The share of the question's topic words the clause covers."""
    return check.assess(question, [text]).coverage
