"""Accuracy and speed of bot.core.dates.parse_hearing on our corpus; prints one JSON object.

    python bench/dates.py [corpus.jsonl ...]
    (default: tests/data/hearing_dates.jsonl, and ../shared/corpus/hearing_dates.jsonl when present)

A case counts as right when the date, the time (or its absence) and, where the case says so, the
ambiguity flag and the port time all match. Speed is measured on one core, single-threaded.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.dates import parse_hearing  # noqa: E402

DEFAULT = [ROOT / "tests" / "data" / "hearing_dates.jsonl", ROOT.parent / "shared" / "corpus" / "hearing_dates.jsonl"]


def load(paths: list[Path]) -> list[dict]:
    return [
        json.loads(line) | {"corpus": f"{path.parent.parent.name}/{path.parent.name}/{path.name}"}
        for path in paths
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def verdict(case: dict) -> tuple[bool, str]:
    """Whether parse_hearing read a case right, and what it read."""
    parsed = parse_hearing(case["text"], case["lang"], date.fromisoformat(case["today"]))
    if parsed is None:
        return case["date"] is None, "None"
    got = {
        "date": parsed.date.isoformat(),
        "time": parsed.time and parsed.time.strftime("%H:%M"),
        "ambiguous": parsed.ambiguous,
        "port": parsed.port_time and parsed.port_time.strftime("%H:%M"),
    }
    right = got["date"] == case["date"] and got["time"] == case["time"]
    if "ambiguous" in case:
        right = right and got["ambiguous"] == case["ambiguous"]
    if "port" in case:
        right = right and got["port"] == case["port"]
    return right, json.dumps(got)


def main(argv: list[str]) -> dict:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    paths = [Path(a) for a in argv if not a.startswith("-")] or [p for p in DEFAULT if p.exists()]
    cases = load(paths)
    total, right, by_corpus, right_by_corpus = Counter(), Counter(), Counter(), Counter()
    misses = []
    for case in cases:
        ok, got = verdict(case)
        total[case["lang"]] += 1
        right[case["lang"]] += ok
        by_corpus[case["corpus"]] += 1
        right_by_corpus[case["corpus"]] += ok
        if not ok:
            want = [case["date"], case["time"]]
            misses.append({"lang": case["lang"], "text": case["text"], "want": want, "got": got})
    texts = [(c["text"], c["lang"], date.fromisoformat(c["today"])) for c in cases]
    rounds = max(1, 20_000 // len(texts))
    started = time.perf_counter()
    for _ in range(rounds):
        for text, lang, today in texts:
            parse_hearing(text, lang, today)
    elapsed = time.perf_counter() - started
    result = {
        "benchmark": "dates",
        "cases": len(cases),
        "accuracy_by_corpus": {name: round(right_by_corpus[name] / n, 4) for name, n in by_corpus.items()},
        "accuracy": round(sum(right.values()) / len(cases), 4),
        "accuracy_by_language": {lang: round(right[lang] / total[lang], 4) for lang in sorted(total)},
        "cases_by_language": dict(sorted(total.items())),
        "parses_per_second_one_core": round(rounds * len(texts) / elapsed),
        "misses": misses[:20],
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False))
