"""Retrieval benchmark: index build time, warm search latency, process memory and dev-set quality.

Prints its figures; it asserts nothing (the integration tests hold the quality floors).
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.engine import SearchEngine
from index.evaluate import evaluate, load_questions
from index.settings import IndexSettings


def rss_mb() -> float:
    """Peak resident memory of this process in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default="tests/data/retrieval_dev.jsonl")
    parser.add_argument("--encoder", default=None)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the set for latency")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    questions = load_questions(Path(args.set))
    with tempfile.TemporaryDirectory() as tmp:
        overrides = {"index_dir": Path(tmp) / "index"}
        if args.encoder:
            overrides["encoder"] = args.encoder
        settings = IndexSettings(**overrides)  # type: ignore[arg-type]
        started = time.perf_counter()
        engine = SearchEngine.build(settings, progress=False)
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        engine = SearchEngine.load(settings)
        load_s = time.perf_counter() - started
        for q in questions[:10]:
            engine.search(q.q)
        latencies = []
        for _ in range(args.repeat):
            for q in questions:
                t0 = time.perf_counter()
                engine.search(q.q, k=5)
                latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        report = evaluate(engine, questions)
    print(f"encoder                 {engine.encoder.name}")
    print(f"documents / chunks      {len(engine.kb.documents)} / {len(engine.chunks)}")
    print(f"index build (5 docs)    {build_s:.2f} s   (target < 20 s)")
    print(f"index load              {load_s:.2f} s")
    print(
        f"warm search p50 / p95   {p50:.1f} ms / {p95:.1f} ms over {len(latencies)} queries"
        " (target p95 < 20 ms)"
    )
    print(f"peak process memory     {rss_mb():.0f} MiB   (target < 1024 MiB)")
    print()
    print(report.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
