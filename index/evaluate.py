"""Retrieval evaluation on a labelled question set: Recall@1/5/10, MRR and latency per retriever."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from index.engine import Mode, SearchEngine
from index.errors import IndexError_
from knowledge.chunking import Chunk
from knowledge.textnorm import occurrences

CUTOFFS = (1, 5, 10)


class GoldQuote(BaseModel):
    """Another passage that answers the question equally well."""

    doc_id: str
    quote: str


class DevQuestion(BaseModel):
    """One labelled question: the shortest exact quote of a cleaned document that answers it."""

    q: str
    intent: str
    doc_id: str
    gold: str
    style: str | None = None
    region: str | None = None
    also: list[GoldQuote] = Field(default_factory=list)

    def golds(self) -> list[GoldQuote]:
        """The primary gold quote and the alternatives."""
        return [GoldQuote(doc_id=self.doc_id, quote=self.gold), *self.also]


class EvalSetError(IndexError_):
    """The question set cannot be read."""


def load_questions(path: Path) -> list[DevQuestion]:
    """Read a JSONL question set; raise EvalSetError naming the line at fault."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: 无法读取 / cannot read: {exc}") from exc
    questions = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            questions.append(DevQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise EvalSetError(f"{path}:{n}: 格式错误 / bad line: {exc}") from exc
    if not questions:
        raise EvalSetError(f"{path}: 没有问题 / no questions")
    return questions


def relevant_chunks(question: DevQuestion, chunks: Sequence[Chunk], bodies: dict[str, str]) -> set[str]:
    """Chunks that hold a gold quote: they contain it, or cover at least half of it."""
    ids: set[str] = set()
    for gold in question.golds():
        for pos in occurrences(bodies.get(gold.doc_id, ""), gold.quote):
            end = pos + len(gold.quote)
            for chunk in chunks:
                if chunk.doc_id != gold.doc_id:
                    continue
                overlap = min(end, chunk.end) - max(pos, chunk.start)
                if overlap >= min(len(gold.quote), max(1, len(gold.quote) // 2)):
                    ids.add(chunk.id)
    return ids


@dataclass
class ModeResult:
    """Metrics of one retriever over the set."""

    mode: Mode
    ranks: list[int | None] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)

    def recall(self, k: int, intent: str | None = None) -> float:
        ranks = self._ranks(intent)
        return sum(1 for r in ranks if r is not None and r <= k) / max(1, len(ranks))

    def mrr(self, intent: str | None = None) -> float:
        ranks = self._ranks(intent)
        return sum(1 / r for r in ranks if r is not None) / max(1, len(ranks))

    def latency(self, pct: float) -> float:
        return float(np.percentile(self.latencies_ms, pct)) if self.latencies_ms else 0.0

    def _ranks(self, intent: str | None) -> list[int | None]:
        if intent is None:
            return self.ranks
        return [r for r, i in zip(self.ranks, self.intents, strict=True) if i == intent]


@dataclass
class EvalReport:
    """Results of every retriever on one question set."""

    questions: int
    results: dict[Mode, ModeResult]
    unlabelled: list[str]

    def to_dict(self) -> dict[str, object]:
        """Plain data, for --json output."""
        out: dict[str, object] = {"questions": self.questions, "unresolved_gold": self.unlabelled}
        for mode, res in self.results.items():
            out[mode.value] = {
                **{f"recall@{k}": round(res.recall(k), 4) for k in CUTOFFS},
                "mrr": round(res.mrr(), 4),
                "p50_ms": round(res.latency(50), 2),
                "p95_ms": round(res.latency(95), 2),
                "by_intent": {
                    intent: {
                        "n": res.intents.count(intent),
                        "recall@1": round(res.recall(1, intent), 4),
                        "recall@5": round(res.recall(5, intent), 4),
                        "mrr": round(res.mrr(intent), 4),
                    }
                    for intent in sorted(set(res.intents))
                },
            }
        return out

    def render(self) -> str:
        """A side-by-side table of the retrievers, then the per-intent breakdown."""
        modes = list(self.results)
        lines = [f"问题数 / questions: {self.questions}"]
        header = f"{'metric':<12}" + "".join(f"{m.value:>10}" for m in modes)
        lines += [header, "-" * len(header)]
        rows: list[tuple[str, list[str]]] = [
            (f"Recall@{k}", [f"{self.results[m].recall(k):.3f}" for m in modes]) for k in CUTOFFS
        ]
        rows.append(("MRR", [f"{self.results[m].mrr():.3f}" for m in modes]))
        rows.append(("p50 ms", [f"{self.results[m].latency(50):.1f}" for m in modes]))
        rows.append(("p95 ms", [f"{self.results[m].latency(95):.1f}" for m in modes]))
        lines += [f"{name:<12}" + "".join(f"{v:>10}" for v in values) for name, values in rows]
        lines.append("")
        lines.append("按意图 / by intent (Recall@5 | MRR):")
        first = self.results[modes[0]]
        for intent in sorted(set(first.intents)):
            n = first.intents.count(intent)
            cells = "".join(
                f"{self.results[m].recall(5, intent):>8.3f} |{self.results[m].mrr(intent):>6.3f}"
                for m in modes
            )
            lines.append(f"{intent:<22}{n:>4} {cells}")
        if self.unlabelled:
            lines.append(f"警告 / warning: {len(self.unlabelled)} gold quotes match no chunk")
        return "\n".join(lines)


def evaluate(
    engine: SearchEngine,
    questions: Sequence[DevQuestion],
    modes: Sequence[Mode] = (Mode.BM25, Mode.DENSE, Mode.HYBRID),
    use_region: bool = False,
) -> EvalReport:
    """Run every question through each retriever and collect ranks and latencies."""
    bodies = {d.id: d.body for d in engine.kb.documents}
    relevant = [relevant_chunks(q, engine.chunks, bodies) for q in questions]
    unlabelled = [q.q for q, rel in zip(questions, relevant, strict=True) if not rel]
    results = {m: ModeResult(m) for m in modes}
    for mode in modes:
        res = results[mode]
        engine.search(questions[0].q, k=10, mode=mode)  # warm-up
        for q, rel in zip(questions, relevant, strict=True):
            started = time.perf_counter()
            hits = engine.search(q.q, k=max(CUTOFFS), region=q.region if use_region else None, mode=mode)
            res.latencies_ms.append((time.perf_counter() - started) * 1000)
            rank = next((n for n, h in enumerate(hits, 1) if h.chunk_id in rel), None)
            res.ranks.append(rank)
            res.intents.append(q.intent)
    return EvalReport(len(questions), results, unlabelled)


def misses(engine: SearchEngine, questions: Sequence[DevQuestion], k: int = 5) -> dict[str, list[str]]:
    """Questions whose gold passage is not in the hybrid top k, grouped by intent (for error analysis)."""
    bodies = {d.id: d.body for d in engine.kb.documents}
    out: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        rel = relevant_chunks(q, engine.chunks, bodies)
        hits = engine.search(q.q, k=k)
        if not any(h.chunk_id in rel for h in hits):
            out[q.intent].append(q.q)
    return dict(out)
