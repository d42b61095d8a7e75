"""Check a retrieval dev-set JSONL file: fields, intents, and that every gold quote is in the corpus."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.documents import load_corpus

INTENTS = {
    "ask_subsidy",
    "ask_eligibility",
    "ask_meal_service",
    "ask_bath_service",
    "ask_medical_service",
    "ask_facility",
    "ask_policy",
}


def main(path: str) -> int:
    bodies = {d.id: d.body for d in load_corpus(Path("knowledge/corpus"))}
    errors = 0
    intents: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    seen = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {n}: bad JSON: {exc}")
            errors += 1
            continue
        q = item.get("q", "")
        if not q or q in seen:
            print(f"line {n}: empty or duplicate question")
            errors += 1
        seen.add(q)
        if item.get("intent") not in INTENTS:
            print(f"line {n}: bad intent {item.get('intent')!r}")
            errors += 1
        golds = [(item.get("doc_id"), item.get("gold"))] + [
            (a.get("doc_id"), a.get("quote")) for a in item.get("also", [])
        ]
        for doc_id, quote in golds:
            if doc_id not in bodies:
                print(f"line {n}: unknown doc_id {doc_id!r}")
                errors += 1
            elif not quote or quote not in bodies[doc_id]:
                print(f"line {n}: quote not in {doc_id}: {quote!r}")
                errors += 1
        intents[item.get("intent", "?")] += 1
        docs[item.get("doc_id", "?")] += 1
    print(f"{sum(intents.values())} questions; errors: {errors}")
    print("by intent:", dict(intents))
    print("by document:", dict(docs))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
