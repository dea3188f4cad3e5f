"""Accuracy and speed of bot.dates.parse_hearing on our corpus; prints one JSON object.

    python bench/dates.py [corpus.jsonl ...]   (default: tests/data/hearing_dates.jsonl)

A case counts as right when the date, the time (or its absence) and, where the case says so, the
ambiguity flag and the port time all match. Speed is measured on one core, single-threaded.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.dates import parse_hearing  # noqa: E402

DEFAULT = ROOT / "tests" / "data" / "hearing_dates.jsonl"


def load(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text().splitlines() if line.strip()]


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
    paths = [Path(a) for a in argv if not a.startswith("-")] or [DEFAULT]
    cases = load(paths)
    total, right = Counter(), Counter()
    misses = []
    for case in cases:
        ok, got = verdict(case)
        total[case["lang"]] += 1
        right[case["lang"]] += ok
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
        "corpus": [str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in paths],
        "cases": len(cases),
        "accuracy": round(sum(right.values()) / len(cases), 4),
        "accuracy_by_language": {lang: round(right[lang] / total[lang], 4) for lang in sorted(total)},
        "cases_by_language": dict(sorted(total.items())),
        "parses_per_second_one_core": round(rounds * len(texts) / elapsed),
        "misses": misses[:20],
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False))
