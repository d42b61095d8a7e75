"""Training the answerability model from labelled questions, out of fold."""

from __future__ import annotations

from pathlib import Path

from bot.core.answers.engine import AnswerEngine
from bot.core.answers.memory import restates
from bot.core.answers.model import AnswerabilityModel
from bot.core.answers.training import Labelled, choose_threshold, train
from index.engine import SearchEngine
from index.grounding import GroundingCheck


def test_a_clause_holds_a_gold_quote_whatever_its_punctuation_and_width() -> None:
    assert restates(
        "2020年和2021年每年实施困难老人家庭适老化改造600户。", "每年实施困难老人家庭适老化改造６００户"
    )
    assert not restates("每年实施困难老人家庭适老化改造", "建成示范型居家社区养老服务中心")


def test_the_threshold_keeps_honesty_at_its_floor_when_it_can() -> None:
    items = [Labelled("a", None, ("x",)), Labelled("b", None), Labelled("c", None)]
    probs = [0.9, 0.2, 0.6, 0.3, 0.4]
    ys = [1, 0, 0, 0, 0]
    groups = [0, 0, 1, 1, 2]
    threshold, grounded, honesty = choose_threshold(probs, ys, groups, items)
    assert 0.6 < threshold <= 0.9
    assert (grounded, honesty) == (1.0, 1.0)


def test_a_wrong_answer_costs_more_than_a_right_one_gains() -> None:
    # Down to 0.55 one more question is answered rightly, and one the documents do not answer is
    # answered too: not worth it.
    items = [Labelled("a", None, ("x",)), Labelled("b", None), Labelled("c", None, ("y",))]
    threshold, grounded, honesty = choose_threshold([0.55, 0.6, 0.9], [1, 0, 1], [0, 1, 2], items)
    assert 0.6 < threshold <= 0.9
    assert (grounded, honesty) == (0.5, 1.0)


def test_a_model_trained_on_labelled_questions_is_saved_and_used(
    engine: SearchEngine, tmp_path: Path
) -> None:
    words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    check = GroundingCheck(engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names, 0.4)
    answers = AnswerEngine(engine, check)
    texts = {c.text for c in engine.chunks}
    sample = sorted(t for t in texts if 40 <= len(t) <= 120)[:24]
    items = [Labelled(t[:30], None, (t[5:25],)) for t in sample]
    items += [Labelled(q, None) for q in ("老年食堂一顿饭多少钱", "民政局几点下班", "助浴一次收多少钱")]
    model, report = train(answers, items, folds=3)
    assert report.questions == len(items) and report.positives > 0
    assert 0.1 <= model.threshold <= 0.95 and model.trained_on == report.pairs
    path = tmp_path / "answerability.json"
    model.save(path)
    opened = AnswerEngine.open(engine, check, path)
    assert opened.model == AnswerabilityModel.load(path)


def test_the_threshold_counts_only_the_clauses_the_rules_allow_to_answer() -> None:
    items = [Labelled("a", None, ("x",)), Labelled("b", None)]
    probs = [0.7, 0.8]
    ys = [1, 0]
    groups = [0, 1]
    # Without the rules only a threshold above 0.8 is honest, and the answerable item is lost …
    _, grounded, honesty = choose_threshold(probs, ys, groups, items)
    assert (grounded, honesty) == (0.0, 1.0)
    # … with the rules refusing the unanswerable item's clause, a lower threshold answers both rightly.
    threshold, grounded, honesty = choose_threshold(probs, ys, groups, items, [True, False])
    assert threshold <= 0.7 and (grounded, honesty) == (1.0, 1.0)


def test_a_question_never_learns_from_its_own_memory(engine: SearchEngine) -> None:
    import numpy as np

    from bot.core.answers.features import FEATURES
    from bot.core.answers.memory import GoldClauses, QuestionMemory, Remembered
    from bot.core.answers.training import Prepared

    words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    check = GroundingCheck(engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names, 0.4)
    answers = AnswerEngine(engine, check)
    gold = ("每年实施困难老人家庭适老化改造600户",)
    items = [
        Labelled("台州适老化改造每年做多少户", "台州市", gold),
        Labelled("台州每年改造几户困难老人家", "台州市", gold),
    ]
    vectors = {items[0].question: [1.0, 0.0], items[1].question: [0.8, 0.6]}
    memory = QuestionMemory.build(
        [Remembered(it.question, it.gold) for it in items],
        engine.chunks,
        lambda texts: np.asarray([vectors[t] for t in texts], dtype=np.float32),
    )
    prepared = Prepared(
        items,
        [answers.candidates(it.question, it.region) for it in items],
        memory,
        [GoldClauses(engine.chunks).of(it.gold) for it in items],
    )
    column = FEATURES.index("memory_clause")

    def remembered(rows: list[int]) -> float:
        pairs = prepared.pairs(answers, [0], rows)
        return max(x[column] for x, y in zip(pairs.xs, pairs.ys, strict=True) if y)

    assert remembered([0]) == 0.0  # only itself: nothing
    assert remembered([0, 1]) == remembered([1]) == np.float32(0.8)  # the other question, never 1.0
