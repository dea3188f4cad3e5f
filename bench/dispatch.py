"""Planning and dispatch throughput; prints one JSON object.

    python bench/dispatch.py        (BENCH_HEARINGS=100000, BENCH_MESSAGES=10000)

1. plan: 100,000 confirmed hearings (every city and court, five languages, dates over four
   months) -> reminder rows, through scheduler.planner.plan_many. Target: under 10 s.
2. dispatch: 10,000 due messages through the real twilio client to a local fake Messages API
   (tests/fake_twilio.py, in its own process) with no rate limit. Target: >= 300 messages/s,
   connections reused.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import places as places_module  # noqa: E402
from bot.core.clock import iso  # noqa: E402
from bot.core.phones import PhoneVault  # noqa: E402
from bot.core.status import ALL  # noqa: E402
from bot.store import db as storage  # noqa: E402
from scheduler import outbox, planner  # noqa: E402
from scheduler.dispatcher import Dispatcher  # noqa: E402
from scheduler.transport import TwilioTransport  # noqa: E402

HEARINGS = int(os.environ.get("BENCH_HEARINGS", "100000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
NOW = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
LANGS = ("es", "en", "pt", "fr", "ht")


def seed_hearings(
    db, vault: PhoneVault, count: int, distinct_phones: bool = False, days: tuple[int, int] = (1, 120)
) -> None:
    """Contacts and active hearings, as registration leaves them (not timed); hearings `days` (first,
    last) from NOW."""
    places = places_module.load()
    rng = random.Random(7)
    token = vault.encrypt("+5216561234567")
    stamp = iso(NOW)
    contacts, hearings = [], []
    for n in range(1, count + 1):
        city = rng.choice([*places.cities, None])
        court = (city and city.court) or rng.choice(places.courts)  # (interior cities have no usual court)
        day = NOW.date() + timedelta(days=rng.randint(*days))
        local = datetime.combine(day, time(rng.choice([8, 9, 10, 13]), rng.choice([0, 30])), tzinfo=court.zone)
        phone = vault.encrypt(f"+52165{n:08d}") if distinct_phones else token
        contacts.append(
            (
                n,
                "sms",
                f"hash{n}",
                phone,
                rng.choice(LANGS),
                city and city.key,
                court.key,
                "registered",
                "{}",
                stamp,
                stamp,
            )
        )
        hearings.append(
            (
                n,
                n,
                iso(local.astimezone(UTC)),
                court.zone.key,
                court.key,
                city and city.key,
                city and city.zone.key,
                "active",
                stamp,
            )
        )
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO contacts (id, channel, phone_hash, phone_enc, lang, city, court, state, state_data, "
            "created_at, last_inbound_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            contacts,
        )
        db.conn.executemany(
            "INSERT INTO hearings (id, contact_id, hearing_at, court_zone, court, city, city_zone, status, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            hearings,
        )


def bench_plan(workdir: Path) -> dict:
    db = storage.connect(workdir / "plan.db")
    storage.migrate(db)
    seed_hearings(db, PhoneVault("bench-key"), HEARINGS)
    places, settings = places_module.load(), planner.load_settings()
    started = clock.perf_counter()
    rows = planner.plan_many(db, planner.active(db), NOW, places, settings)
    seconds = clock.perf_counter() - started
    again = planner.plan_many(db, planner.active(db), NOW, places, settings)
    stored = db["outbox"].count
    queue_page = bench_queue_page(db, places)
    db.close()
    return {
        "hearings": HEARINGS,
        "rows": rows,
        "seconds": round(seconds, 2),
        "hearings_per_s": round(HEARINGS / seconds),
        "replanned_without_duplicates": stored == rows == again,
        "console_queue_page": queue_page,
    }


def bench_queue_page(db, places) -> dict:
    """What the console's queue page asks of the outbox with every planned row in it: one page of 200
    rows (their texts written) and the count, all statuses, then one city and kind."""
    vault = PhoneVault("bench-key")
    out = {}
    for name, which in (
        ("all", outbox.Filter(ALL)),
        ("one_city_wakeups", outbox.Filter(ALL, kind="wakeup", city="tijuana")),
    ):
        started = clock.perf_counter()
        shown = outbox.listing(db, vault, places, which, 200)
        total = outbox.count(db, which)
        out[name] = {"rows": total, "shown": len(shown), "seconds": round(clock.perf_counter() - started, 3)}
    return out


FAKE = """
import sys, json
sys.path.insert(0, {root!r})
from tests.fake_twilio import FakeTwilio
with FakeTwilio(record=False) as fake:
    print(fake.base_url, flush=True)
    sys.stdin.read()
    print(json.dumps({{"connections": len(fake.connections)}}), flush=True)
"""


def bench_dispatch(workdir: Path) -> dict:
    """MESSAGES people's hearing-day reminders, all due: rendered, sent and recorded one by one."""
    server = subprocess.Popen(
        [sys.executable, "-c", FAKE.format(root=str(ROOT))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    base_url = server.stdout.readline().strip()
    db = storage.connect(workdir / "dispatch.db")
    storage.migrate(db)
    vault = PhoneVault("bench-key")
    seed_hearings(db, vault, MESSAGES, distinct_phones=True)
    places, settings = places_module.load(), planner.load_settings()
    planner.plan_many(db, planner.active(db), NOW, places, settings)
    db.execute("UPDATE outbox SET send_at = ? WHERE slot = 'wakeup'", [iso(NOW)])
    config = {
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "bench",
        "TWILIO_API_BASE": base_url,
        "TWILIO_SMS_FROM": "+15005550006",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_WHATSAPP_FROM": "",
        "TWILIO_TIMEOUT_SECONDS": 15,
    }
    dispatcher = Dispatcher(
        db=db,
        transport=TwilioTransport(config),
        vault=vault,
        settings=settings,
        places=places,
        callback_url="https://bot.example.org/twilio/status",
        clock=lambda: NOW,
        batch=200,
    )
    started = clock.perf_counter()
    counts = dispatcher.run_once()
    seconds = clock.perf_counter() - started
    server.stdin.close()
    server_report = json.loads(server.stdout.readline())
    server.wait(10)
    sent = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent' AND sid IS NOT NULL").fetchone()[0]
    db.close()
    return {
        "messages": MESSAGES,
        "sent": counts["sent"],
        "recorded_with_sid": sent,
        "seconds": round(seconds, 2),
        "messages_per_s": round(counts["sent"] / seconds, 1),
        "tcp_connections": server_report["connections"],
    }


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        return {"benchmark": "dispatch", "plan": bench_plan(workdir), "dispatch": bench_dispatch(workdir)}


if __name__ == "__main__":
    print(json.dumps(main()))
