"""The console's pages at scale; prints one JSON object.

    python bench/console.py        (BENCH_PEOPLE=100000, BENCH_REQUESTS=5)

Seeds 100,000 registered people with a hearing each (every city and court, five languages; hearings
from a month before "now", 2 February 2026 15:00 UTC, to three months after) and the two months of
the bot's life before now, through the project's own code: the reminders were planned two months ago
by scheduler.planner.plan_many; every hour since, the real Dispatcher sent what was due (to an
in-process transport) and Twilio's callbacks came back through scheduler.delivery (most delivered;
some undelivered, failed, opted out or unreachable, as the policy decides); a broadcast a day
(bot.store.broadcasts: a court's hearing day, a city, one cancelled, one awaiting approval); a few
people a day texted STOP (bot.store.people.opt_out); failed logins from the internet fill the audit
log. About 400,000 outbox rows, a quarter of them sent.

Then the app (create_app on that database, signed webhooks, no local mode) through Flask's test
client: an operator and an admin (bot.store.staff.add) log in through POST /admin/login, and each
console page is requested BENCH_REQUESTS times; "pages_ms" holds the median of each, in ms. The
audit log and staff pages are an admin's; every other page is requested as the operator.
Target: every page under 300 ms.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dispatch import NOW, seed_hearings  # noqa: E402

from app import create_app  # noqa: E402
from bot.core import places as places_module  # noqa: E402
from bot.core.phones import PhoneVault  # noqa: E402
from bot.store import audit, broadcasts, people, staff  # noqa: E402
from bot.store import db as storage  # noqa: E402
from bot.web import context  # noqa: E402
from scheduler import delivery, planner  # noqa: E402
from scheduler.dispatcher import Dispatcher  # noqa: E402
from scheduler.transport import Outgoing, Sent  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "5"))
SECRET = "bench-console-secret-" + "k" * 32
PUBLIC_URL = "https://bot.example.org"
PASSWORD = "bench console password"
HISTORY = 60  # days of the bot's life before NOW
HEARINGS = (-29, 90)  # days from NOW (hearings passed more than 30 days ago are deleted)
OPERATOR_PAGES = (
    "/admin",
    "/admin/queue",
    "/admin/queue?status=all",
    "/admin/messages",
    "/admin/people",
    "/admin/broadcasts",
    "/admin/shelters",
    "/admin/shelters/check",
)
ADMIN_PAGES = ("/admin/audit", "/admin/staff")
TEXTS = {"es": "Retén en la carretera al puente: no salgan hoy.", "en": "Checkpoint on the road to the bridge."}
# What Twilio's callbacks say of the messages sent: (status, error code, share).
CALLBACKS = (
    ("delivered", None, 0.92),
    ("undelivered", "30003", 0.02),  # handset off: tried again later
    ("failed", "30006", 0.005),  # a landline: the person becomes unreachable
    ("failed", "21610", 0.005),  # STOP to the carrier: opted out
    ("failed", "30005", 0.01),
)


class Transport:
    """Twilio takes every message; a SID each."""

    def __init__(self) -> None:
        self.sids: list[str] = []
        self.sent = 0

    def send(self, message: Outgoing) -> Sent:
        self.sent += 1
        sid = f"SM{self.sent:032x}"
        self.sids.append(sid)
        return Sent(sid=sid, status="queued")


def broadcast_of_the_day(db, day: int, now, places) -> None:
    """One alert a day: most days a volunteer's to a court's hearings on one of the next days; weekly an
    operator's to a city's Spanish speakers; one to a whole city, cancelled at once; and today a
    volunteer's to every Spanish speaker, left waiting for an operator's approval."""
    courts = sorted({c.court.key for c in places.cities if c.court})
    city = places.cities[day % len(places.cities)].key
    if day % 7 == 3:
        author, role, target = "op", "operator", broadcasts.Target(city=city, lang="es")
    else:
        hearing_day = (now + timedelta(days=1 + day % 5)).date()
        target = broadcasts.Target(court=courts[day % len(courts)], hearing_from=hearing_day, hearing_to=hearing_day)
        author, role = "vol", "volunteer"
    made = broadcasts.create(db, author, "console", target, TEXTS, "es", now)
    broadcasts.send(db, made, author, now, places, role=role)
    if day == 12:  # a wrong one, called off at once
        wrong = broadcasts.create(db, "op", "console", broadcasts.Target(city=city), TEXTS, "es", now)
        broadcasts.send(db, wrong, "op", now, places, role="operator")
        broadcasts.cancel(db, wrong, "op", now)
    if day == HISTORY - 1:
        wide = broadcasts.create(db, "vol", "console", broadcasts.Target(lang="es"), TEXTS, "es", now)
        broadcasts.send(db, wide, "vol", now, places, role="volunteer")


def seed(path: Path, vault: PhoneVault) -> dict:
    """PEOPLE people and two months of reminders, alerts, callbacks, opt-outs and noise in the audit log."""
    places, settings = places_module.load(), planner.load_settings()
    db = storage.connect(path)
    storage.migrate(db)
    seed_hearings(db, vault, PEOPLE, distinct_phones=True, days=HEARINGS)
    db.execute("UPDATE contacts SET consent_at = created_at")  # they chose a language
    start = NOW - timedelta(days=HISTORY)
    planned = planner.plan_many(db, planner.active(db), start, places, settings)
    rng = random.Random(16)
    now = [start]
    transport = Transport()
    dispatcher = Dispatcher(
        db=db, transport=transport, vault=vault, settings=settings, places=places, clock=lambda: now[0], batch=200
    )
    weights = [share for _, _, share in CALLBACKS] + [1 - sum(share for _, _, share in CALLBACKS)]
    for hour in range(HISTORY * 24 + 1):
        now[0] = start + timedelta(hours=hour)
        if hour % 24 == 17:
            broadcast_of_the_day(db, hour // 24, now[0], places)
        if hour % 24 == 20:
            for contact_id in rng.sample(range(1, PEOPLE + 1), max(1, PEOPLE // 10_000)):
                people.opt_out(db, contact_id, now[0])  # a STOP a few times a day
        if hour % 6 == 3:
            for _ in range(rng.randint(0, 20)):
                audit.record(db, "(unknown)", "login failed", now[0], failed=1)
        dispatcher.run_once()
        later = now[0] + timedelta(seconds=20)
        for sid in transport.sids:
            outcome = rng.choices([*CALLBACKS, None], weights)[0]
            if outcome:
                delivery.status_callback(db, sid, outcome[0], outcome[1], later, settings)
        transport.sids.clear()
    counts = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    total = sum(counts.values())
    storage.scrub(db)
    db.close()
    return {"planned": planned, "sent": transport.sent, "outbox_rows": total, "by_status": counts}


def token(client, path: str = "/admin/login") -> str:
    page = client.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def logged_in(app, name: str):
    client = app.test_client()
    answer = client.post(
        "/admin/login",
        base_url=PUBLIC_URL,
        headers={"Referer": f"{PUBLIC_URL}/admin/login"},
        data={"username": name, "password": PASSWORD, "csrf_token": token(client)},
    )
    assert answer.status_code == 302, (name, answer.status_code)
    return client


def timed_pages(client, pages) -> dict:
    out = {}
    for page in pages:
        took = []
        for _ in range(REQUESTS):
            started = clock.perf_counter()
            answer = client.get(page, base_url=PUBLIC_URL)
            took.append((clock.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (page, answer.status_code)
        out[page] = round(statistics.median(took), 1)
    return out


def console_app(path: Path, instance: str):
    """The app on the seeded database, as Twilio reaches it in production, with an operator and an admin."""
    app = create_app(
        {
            "INSTANCE_DIR": instance,
            "DATABASE": str(path),
            "NOW": NOW,
            "SECRET_KEY": SECRET,
            "TWILIO_AUTH_TOKEN": "bench-auth-token-0123456789abcdef",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "PUBLIC_URL": PUBLIC_URL,
            "LOCAL_MODE": False,
        }
    )
    app.config["LOGIN_SLOWDOWN"] = False
    with app.app_context():
        for name, role in (("op", "operator"), ("adm", "admin")):
            staff.add(context.get_db(), context.vault(), name, role, None, PASSWORD, None, NOW, lang="en")
    return app


def measure(app) -> dict:
    """The median of REQUESTS requests of each page, in ms: the operator's pages, then the admin's."""
    return timed_pages(logged_in(app, "op"), OPERATOR_PAGES) | timed_pages(logged_in(app, "adm"), ADMIN_PAGES)


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "console.db"
        started = clock.perf_counter()
        seeded = seed(path, PhoneVault(SECRET))
        seconds_seeding = round(clock.perf_counter() - started, 1)
        pages = measure(console_app(path, tmp))
    return {
        "benchmark": "console",
        "people": PEOPLE,
        "outbox_rows": seeded["outbox_rows"],
        "pages_ms": pages,
        "slowest_ms": max(pages.values()),
        "seconds_seeding": seconds_seeding,
        "seeded": {k: v for k, v in seeded.items() if k != "outbox_rows"},
    }


if __name__ == "__main__":
    print(json.dumps(main()))
