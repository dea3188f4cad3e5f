"""Broadcast throughput; prints one JSON object.

    python bench/broadcast.py        (BENCH_PEOPLE=100000)

With 100,000 registered people (every city and court, five languages, hearings over four months):
1. everyone: resolve the target and queue one outbox row per person (target: under 5 s);
2. a narrow target (one court, one hearing day), the same way;
3. cancel the big one while all of it is queued (target: under 1 s).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import NOW, seed_hearings  # noqa: E402

from bot.core import places as places_module  # noqa: E402
from bot.core.phones import PhoneVault  # noqa: E402
from bot.store import broadcasts  # noqa: E402
from bot.store import db as storage  # noqa: E402
from scheduler import planner  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
TEXTS = {"es": "Retén en la carretera al puente: no salgan hoy.", "en": "Checkpoint on the road to the bridge."}


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, round(time.perf_counter() - started, 3)


def main() -> dict:
    places = places_module.load()
    with tempfile.TemporaryDirectory() as tmp:
        db = storage.connect(Path(tmp) / "broadcast.db")
        storage.migrate(db)
        seed_hearings(db, PhoneVault("bench-key"), PEOPLE)
        db.execute("UPDATE contacts SET consent_at = created_at")  # they chose a language
        planner.plan_many(db, planner.active(db), NOW, places, planner.load_settings())  # reminders already queued
        everyone = broadcasts.create(db, "bench", "cli", broadcasts.Target(), TEXTS, "es", NOW)
        queued, enqueue_s = timed(lambda: broadcasts.send(db, everyone, "bench", NOW, places))
        day = broadcasts.date(2026, 3, 2)
        one_day = broadcasts.Target(court="el_paso", hearing_from=day, hearing_to=day)
        narrow = broadcasts.create(db, "bench", "cli", one_day, TEXTS, "es", NOW)
        narrow_queued, narrow_s = timed(lambda: broadcasts.send(db, narrow, "bench", NOW, places))
        stopped, cancel_s = timed(lambda: broadcasts.cancel(db, everyone, "bench", NOW))
        left = db.execute(
            "SELECT count(*) FROM outbox WHERE broadcast_id = ? AND status = 'pending'", [everyone]
        ).fetchone()[0]
        db.close()
    return {
        "benchmark": "broadcast",
        "people": PEOPLE,
        "everyone": {"queued": queued, "seconds": enqueue_s},
        "one_court_one_day": {"queued": narrow_queued, "seconds": narrow_s},
        "cancel": {"stopped": stopped, "seconds": cancel_s, "still_pending": left},
    }


if __name__ == "__main__":
    print(json.dumps(main()))
