"""Training the answerability model from labelled questions: candidates from the engine's own
search, a pair labelled positive when the clause holds a gold quote, logistic regression with
grouped cross-validation, and the threshold chosen for precision on the out-of-fold probabilities.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.answers.engine import AnswerEngine
from bot.core.answers.features import FEATURES
from bot.core.answers.model import AnswerabilityModel
from knowledge.textnorm import normalize

logger = logging.getLogger(__name__)

# The threshold maximises grounded + HONESTY_WEIGHT × honesty out of fold: a confident wrong answer
# is worse than an honest "the documents don't say".
HONESTY_WEIGHT = 1.5


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


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize(text))


def holds(text: str, gold: Sequence[str]) -> bool:
    """Whether a clause holds one of the gold quotes (ignoring punctuation and width)."""
    plain = _plain(text)
    return any(_plain(g) and _plain(g) in plain for g in gold)


@dataclass
class Pairs:
    """Every (question, candidate) pair: feature vector, label, question index, and whether the
    engine's rules let the clause answer at all (whatever the model says)."""

    xs: list[list[float]]
    ys: list[int]
    groups: list[int]
    allowed: list[bool]


def pairs_of(
    engine: AnswerEngine, items: Sequence[Labelled], progress: Callable[[int, int], None] | None = None
) -> Pairs:
    """The pairs of every item's candidates."""
    pairs = Pairs([], [], [], [])
    for n, item in enumerate(items):
        question, cands = engine.candidates(item.question, item.region)
        for vector, cand in zip(engine.vectors(question, cands, item.region), cands, strict=True):
            pairs.xs.append(vector)
            pairs.ys.append(int(bool(item.gold) and holds(cand.hit.text, item.gold)))
            pairs.groups.append(n)
            pairs.allowed.append(engine.may_answer(question, cand))
        if progress is not None:
            progress(n + 1, len(items))
    return pairs


def _outcomes(
    probs: Sequence[float],
    ys: Sequence[int],
    groups: Sequence[int],
    items: Sequence[Labelled],
    t: float,
    allowed: Sequence[bool] | None = None,
) -> tuple[float, float]:
    """Grounded rate on answerable and honesty on unanswerable questions at threshold t, counting
    only the pairs the engine's rules allow to answer (all when not given)."""
    best: dict[int, tuple[float, int]] = {}
    ok = allowed if allowed is not None else [True] * len(ys)
    for p, y, g, a in zip(probs, ys, groups, ok, strict=True):
        if not a:
            continue
        if g not in best or p > best[g][0]:
            best[g] = (p, y)
    answerable = [g for g, it in enumerate(items) if it.gold]
    unanswerable = [g for g, it in enumerate(items) if not it.gold]
    grounded = sum(1 for g in answerable if g in best and best[g][0] >= t and best[g][1]) / max(
        1, len(answerable)
    )
    honest = sum(1 for g in unanswerable if g not in best or best[g][0] < t) / max(1, len(unanswerable))
    return grounded, honest


def choose_threshold(
    probs: Sequence[float],
    ys: Sequence[int],
    groups: Sequence[int],
    items: Sequence[Labelled],
    allowed: Sequence[bool] | None = None,
) -> tuple[float, float, float]:
    """The threshold that maximises grounded + HONESTY_WEIGHT × honesty (the lowest on a tie)."""
    options = []
    for step in range(10, 100):
        t = step / 100
        grounded, honest = _outcomes(probs, ys, groups, items, t, allowed)
        options.append((grounded + HONESTY_WEIGHT * honest, -t, grounded, honest))
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
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    # What the rules answer before the model (refusals) teaches it nothing.
    items = [it for it in items if engine.refusal(it.question) is None]
    pairs = pairs_of(engine, items, progress)
    xs, ys, groups = pairs.xs, pairs.ys, pairs.groups
    if not xs or len(set(ys)) < 2:
        raise ValueError("需要既有能回答、也有不能回答的问题 / need both answerable and unanswerable items")
    x, y, g = np.asarray(xs, dtype=float), np.asarray(ys), np.asarray(groups)

    def fit(xa: np.ndarray, ya: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
        scaler = StandardScaler().fit(xa)
        model = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000, random_state=seed)
        model.fit(scaler.transform(xa), ya)
        return scaler, model

    oof = np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=min(folds, len(set(groups)))).split(x, y, g):
        if len(set(y[train_idx])) < 2:
            continue
        scaler, model = fit(x[train_idx], y[train_idx])
        oof[test_idx] = model.predict_proba(scaler.transform(x[test_idx]))[:, 1]
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
