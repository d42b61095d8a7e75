"""Training the answerability model from labelled questions: candidates from the engine's own
search, a pair labelled positive when the clause holds a gold quote (or restates it in the same
document), logistic regression with grouped cross-validation, and the threshold chosen for
precision on the out-of-fold probabilities.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.answers.analysis import Question
from bot.core.answers.engine import AnswerEngine
from bot.core.answers.features import FEATURES, Candidate
from bot.core.answers.memory import GoldClauses, QuestionMemory, Recall, Remembered
from bot.core.answers.model import AnswerabilityModel

logger = logging.getLogger(__name__)

# The threshold maximises, out of fold, the questions answered with a clause that answers them minus
# WRONG_COST times those answered with one that does not: a confident wrong answer is worse than an
# honest "the documents don't say".
WRONG_COST = 2.0


@dataclass(frozen=True)
class Labelled:
    """One question with its region and gold quotes (none: the documents do not answer it)."""

    question: str
    region: str | None
    gold: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingReport:
    """How the model did out of fold at the chosen threshold."""

    pairs: int
    positives: int
    questions: int
    answerable: int
    threshold: float
    grounded: float  # answerable questions whose best candidate above the threshold holds a gold quote
    honesty: float  # unanswerable questions with no candidate above the threshold
    recall_at_k: float  # answerable questions with a gold clause among the candidates at all


@dataclass
class Pairs:
    """Every (question, candidate) pair: feature vector, label, question index, and whether the
    engine's rules let the clause answer at all (whatever the model says)."""

    xs: list[list[float]]
    ys: list[int]
    groups: list[int]
    allowed: list[bool]


@dataclass
class Prepared:
    """Each item's analysis and candidates (searched once), with the answer memory of all items."""

    items: Sequence[Labelled]
    judged: list[tuple[Question, list[Candidate]]]
    memory: QuestionMemory | None
    answering: list[frozenset[str]]  # each item's chunks that answer it (its gold, verbatim or restated)

    def pairs(self, engine: AnswerEngine, rows: Sequence[int], remembered: Sequence[int] | None) -> Pairs:
        """The pairs of the items at rows, their memory features drawn from the items at remembered
        (all of them when None), never from the item itself."""
        keep = list(range(len(self.items))) if remembered is None else list(remembered)
        memory = self.memory.subset(keep) if self.memory is not None else None
        position = {item: n for n, item in enumerate(keep)}
        pairs = Pairs([], [], [], [])
        for row in rows:
            item = self.items[row]
            question, cands = self.judged[row]
            recall = (
                memory.recall(self.memory.vectors[row], position.get(row))
                if memory is not None and self.memory is not None
                else Recall()
            )
            vectors = engine.vectors(question, cands, item.region, recall)
            for vector, cand in zip(vectors, cands, strict=True):
                pairs.xs.append(vector)
                pairs.ys.append(int(cand.hit.chunk_id in self.answering[row]))
                pairs.groups.append(row)
                pairs.allowed.append(engine.may_answer(question, cand))
        return pairs


def prepare(
    engine: AnswerEngine, items: Sequence[Labelled], progress: Callable[[int, int], None] | None = None
) -> Prepared:
    """Search every item once and remember all of them."""
    judged = []
    for n, item in enumerate(items):
        judged.append(engine.candidates(item.question, item.region))
        if progress is not None:
            progress(n + 1, len(items))
    memory = engine.remember([Remembered(it.question, it.gold) for it in items])
    if memory is not None:  # the memory has resolved each item's gold to its chunks already
        answering = list(memory.chunks)
    else:
        gold = GoldClauses(engine.search.chunks)
        answering = [gold.of(it.gold) for it in items]
    return Prepared(items, judged, memory, answering)


def pairs_of(
    engine: AnswerEngine, items: Sequence[Labelled], progress: Callable[[int, int], None] | None = None
) -> Pairs:
    """The pairs of every item's candidates, each item's memory features drawn from the others."""
    prepared = prepare(engine, items, progress)
    return prepared.pairs(engine, range(len(items)), None)


@dataclass(frozen=True)
class Outcomes:
    """What the engine would do with the labelled questions at one threshold."""

    grounded: float  # share of answerable questions answered with a gold clause
    honesty: float  # share of unanswerable questions given no clause as the answer
    right: int  # questions answered with a gold clause
    wrong: int  # questions answered with a clause that does not answer them


def _outcomes(
    probs: Sequence[float],
    ys: Sequence[int],
    groups: Sequence[int],
    items: Sequence[Labelled],
    t: float,
    allowed: Sequence[bool] | None = None,
) -> Outcomes:
    """Grounded rate on answerable and honesty on unanswerable questions at threshold t, counting
    only the pairs the engine's rules allow to answer (all when not given)."""
    best: dict[int, tuple[float, int]] = {}
    ok = allowed if allowed is not None else [True] * len(ys)
    for p, y, g, a in zip(probs, ys, groups, ok, strict=True):
        if not a:
            continue
        if g not in best or p > best[g][0]:
            best[g] = (p, y)
    answered = {g: y for g, (p, y) in best.items() if p >= t}
    answerable = sum(1 for it in items if it.gold)
    unanswerable = len(items) - answerable
    right = sum(1 for y in answered.values() if y)
    dishonest = sum(1 for g in answered if not items[g].gold)
    return Outcomes(
        right / max(1, answerable),
        1 - dishonest / max(1, unanswerable),
        right,
        len(answered) - right,
    )


def choose_threshold(
    probs: Sequence[float],
    ys: Sequence[int],
    groups: Sequence[int],
    items: Sequence[Labelled],
    allowed: Sequence[bool] | None = None,
) -> tuple[float, float, float]:
    """The threshold that maximises the questions answered rightly minus WRONG_COST times those
    answered with a clause that does not answer them (an unanswerable question answered, or an
    answerable one with the wrong clause); the lowest on a tie. Returns it with the grounded and
    honesty rates there."""
    options = []
    for step in range(10, 100):
        t = step / 100
        out = _outcomes(probs, ys, groups, items, t, allowed)
        options.append((out.right - WRONG_COST * out.wrong, -t, out.grounded, out.honesty))
    _, neg_t, grounded, honest = max(options)
    return -neg_t, grounded, honest


def train(
    engine: AnswerEngine,
    items: Sequence[Labelled],
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[AnswerabilityModel, TrainingReport]:
    """Fit the model on every pair; the threshold comes from grouped out-of-fold probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    # What the rules answer before the model (refusals) teaches it nothing.
    items = [it for it in items if engine.refusal(it.question) is None]
    prepared = prepare(engine, items, progress)
    everyone = list(range(len(items)))
    pairs = prepared.pairs(engine, everyone, None)
    xs, ys, groups = pairs.xs, pairs.ys, pairs.groups
    if not xs or len(set(ys)) < 2:
        raise ValueError("需要既有能回答、也有不能回答的问题 / need both answerable and unanswerable items")
    x, y, g = np.asarray(xs, dtype=float), np.asarray(ys), np.asarray(groups)

    def fit(xa: np.ndarray, ya: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
        scaler = StandardScaler().fit(xa)
        model = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000, random_state=seed)
        model.fit(scaler.transform(xa), ya)
        return scaler, model

    # Out of fold, a fold's questions are scored by a model of the other folds, and the memory
    # features of both come from the other folds' questions only.
    oof = np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=min(folds, len(set(groups)))).split(x, y, g):
        if len(set(y[train_idx])) < 2:
            continue
        known = sorted({int(n) for n in g[train_idx]})
        fold_train = prepared.pairs(engine, known, known)
        fold_test = prepared.pairs(engine, sorted({int(n) for n in g[test_idx]}), known)
        scaler, model = fit(np.asarray(fold_train.xs, dtype=float), np.asarray(fold_train.ys))
        scored = model.predict_proba(scaler.transform(np.asarray(fold_test.xs, dtype=float)))[:, 1]
        oof[test_idx] = scored  # the same items in the same order as in the pairs of all
    # The threshold is chosen as the engine answers: among the pairs its rules allow.
    threshold, grounded, honest = choose_threshold(oof.tolist(), ys, groups, items, pairs.allowed)
    scaler, model = fit(x, y)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    answerable = [n for n, it in enumerate(items) if it.gold]
    found = {grp for grp, label in zip(groups, ys, strict=True) if label}
    trained = AnswerabilityModel(
        tuple(float(w) for w in model.coef_[0]),
        float(model.intercept_[0]),
        tuple(float(m) for m in scaler.mean_),
        tuple(float(s) for s in scale),
        threshold,
        len(ys),
        tuple(Remembered(it.question, it.gold) for it in items),
    )
    report = TrainingReport(
        pairs=len(ys),
        positives=int(sum(ys)),
        questions=len(items),
        answerable=len(answerable),
        threshold=threshold,
        grounded=round(grounded, 3),
        honesty=round(honest, 3),
        recall_at_k=round(len(found) / max(1, len(answerable)), 3),
    )
    logger.info("answerability trained on %d pairs (%s)", len(ys), ", ".join(FEATURES))
    return trained, report
