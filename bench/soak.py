"""Soak: the web server (gunicorn, 2 workers) and the scheduler together, for minutes, on loopback.

    python bench/soak.py     (SOAK_SECONDS=120, SOAK_PEOPLE=1500, SOAK_THREADS=4)

Simulated people register, change their hearing, ask for it, say STOP or DELETE, through the signed
webhook; every few seconds "time passes" (a batch of pending reminders is made due) and the
scheduler sends them to the fake Messages API (its own process). At the end it checks that every
reminder made due was sent exactly once (Twilio saw each SID once, and as many as were sent), that
nobody who said STOP or was erased got one afterwards, that no request got a 5xx, and that memory
stayed flat. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402
from webhook import gunicorn_command  # noqa: E402

from bot.core import clock  # noqa: E402
from bot.store import db as storage  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "120"))
PEOPLE = int(os.environ.get("SOAK_PEOPLE", "1500"))
THREADS = int(os.environ.get("SOAK_THREADS", "4"))
TOKEN = "soak-token"
FAKE = """
import sys
sys.path.insert(0, {root!r})
from tests.fake_twilio import FakeTwilio
with FakeTwilio(record=False, log_path={log!r}) as fake:
    print(fake.base_url, flush=True)
    sys.stdin.read()
"""
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def family(pid: int) -> list[int]:
    """A process and its children (gunicorn's workers)."""
    kids = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(k) for k in kids.read_text().split())] if kids.exists() else [pid]


class Load:
    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/twilio/messages"
        self.validator = RequestValidator(TOKEN)
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.stopped: dict[str, float] = {}
        self.erased: dict[str, float] = {}
        self.lock = threading.Lock()
        self.sids = 0

    def say(self, phone: str, text: str) -> bytes:
        with self.lock:
            self.sids += 1
            sid = f"SM{self.sids:032d}"
        form = {"MessageSid": sid, "From": phone, "To": "+15005550006", "Body": text, "NumMedia": "0"}
        body = urllib.parse.urlencode(form).encode()
        head = (
            f"POST /twilio/messages HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {self.validator.compute_signature(self.url, form)}"
            "\r\nConnection: close\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as s:
            s.sendall(head + body)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            self.statuses[int(data.split(b" ", 2)[1]) if data else 0] += 1
        return data

    def person(self, rng: random.Random, n: int, until: float) -> None:
        phone = f"+52165{n:08d}"
        day = 3 + rng.randrange(50)
        moment = time.gmtime(time.time() + day * 86400)
        when = f"el {moment.tm_mday} de {MONTHS[moment.tm_mon - 1]} de {moment.tm_year} a las {rng.choice([8, 9, 10])}"
        for text in ("hola", "1", str(rng.randint(1, 8)), when, "si", "no"):
            self.say(phone, text)
        while time.monotonic() < until and rng.random() < 0.6:
            if not self.act(rng, phone):
                return

    def act(self, rng: random.Random, phone: str) -> bool:
        """One thing a registered person does; False once they said STOP or were erased."""
        if phone in self.stopped or phone in self.erased:
            return False
        action = rng.random()
        if action < 0.3:
            again = time.gmtime(time.time() + (3 + rng.randrange(50)) * 86400)
            self.say(phone, "CAMBIAR")
            self.say(phone, f"el {again.tm_mday} de {MONTHS[again.tm_mon - 1]} de {again.tm_year} a las 9")
            self.say(phone, "si")
        elif action < 0.5:
            self.say(phone, "AUDIENCIA")
        elif action < 0.6:
            self.say(phone, "STOP")
            self.stopped[phone] = time.time()
            return False
        elif action < 0.65:
            asked = self.say(phone, "BORRAR")
            code = re.search(rb"\b(\d{3})\b", asked.split(b"<Message>", 1)[-1])  # the one-time code sent to this phone
            self.say(phone, code[1].decode() if code else "si")
            self.erased[phone] = time.time()
            return False
        else:
            self.say(phone, "ALBERGUE")
        return True


def main() -> dict:
    work = Path(tempfile.mkdtemp(prefix="hearingbot-soak-"))
    database, fake_log = work / "soak.db", work / "twilio.log"
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE.format(root=str(ROOT), log=str(fake_log))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    fake_url = fake.stdout.readline().strip()
    port = free_port()
    env = dict(
        os.environ,
        HEARINGBOT_DATABASE=str(database),
        HEARINGBOT_SECRET_KEY="soak-secret-" + "k" * 32,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID="AC" + "2" * 32,
        TWILIO_API_BASE=fake_url,
        TWILIO_SMS_FROM="+15005550006",
        HEARINGBOT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        HEARINGBOT_SEND_RATE="0",
        HEARINGBOT_DISPATCH_INTERVAL="1",
        HEARINGBOT_LOG_LEVEL="WARNING",
    )
    db = storage.connect(database)
    storage.migrate(db)
    web = subprocess.Popen(
        gunicorn_command(port),
        cwd=ROOT,
        env=env,
        stdout=open(work / "web.log", "w"),
        stderr=subprocess.STDOUT,
    )
    sched = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=open(work / "scheduler.log", "w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    load, memory = Load(port), []
    until = time.monotonic() + SECONDS
    made_due = 0
    people = iter(range(PEOPLE))
    people_lock = threading.Lock()
    registered: list[int] = []
    busy: set[int] = set()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            with people_lock:
                n = next(people, None)
                if n is None:  # everyone has come: the registered keep writing until the time is up
                    free = [m for m in registered if m not in busy]
                    n = rng.choice(free) if free else None
                    if n is None:
                        continue
                    busy.add(n)
                    revisit = True
                else:
                    revisit = False
            try:
                if revisit:
                    load.act(rng, f"+52165{n:08d}")
                else:
                    load.person(rng, n, until)
            finally:
                with people_lock:
                    busy.discard(n)
                    if not revisit:
                        registered.append(n)  # only once registered: one thread per person at a time

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    started = time.monotonic()
    while any(t.is_alive() for t in threads):
        time.sleep(3)
        memory.append(sum(rss_kb(p) for p in family(web.pid)) + rss_kb(sched.pid))
        # Time passes: some reminders come due (people still registered; STOP and DELETE cancel theirs).
        made_due += db.execute(
            "UPDATE outbox SET send_at = ? WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
            "AND kind IN ('reminder', 'wakeup', 'evening') ORDER BY random() LIMIT 150)",
            [clock.iso(clock.utcnow())],
        ).rowcount
    load_seconds = time.monotonic() - started
    deadline = time.monotonic() + 60  # let the scheduler finish what is due
    while (
        time.monotonic() < deadline
        and db.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') AND send_at <= ?",
            [clock.iso(clock.utcnow())],
        ).fetchone()[0]
    ):
        time.sleep(0.5)
    memory.append(sum(rss_kb(p) for p in family(web.pid)) + rss_kb(sched.pid))
    for proc in (web, sched):
        proc.terminate()
        proc.wait(timeout=20)
    fake.stdin.close()
    fake.wait(timeout=10)

    seen = [line.split() for line in fake_log.read_text().splitlines()] if fake_log.exists() else []
    seen_sids = Counter(sid for _, sid, _ in seen)
    sent = dict(db.execute("SELECT sid, updated_at FROM outbox WHERE sid IS NOT NULL").fetchall())
    # Rows of erased people are gone from the database with everything else about them.
    gone = {sid for at, sid, to in seen if to in load.erased and float(at) <= load.erased[to] + 2}
    late = 0
    sample = []
    for at, sid, to in seen:
        cutoff = load.stopped.get(to) or load.erased.get(to)
        if cutoff and float(at) > cutoff + 2:  # 2 s: a message already in flight when they wrote
            late += 1
            if len(sample) < 3:
                row = db.execute(
                    "SELECT o.kind, o.slot, o.status, c.opted_out_at, c.state FROM outbox o "
                    "LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.sid = ?",
                    [sid],
                ).fetchone()
                sample.append([to, round(float(at) - cutoff, 1), row])
    result = {
        "benchmark": "soak",
        "seconds": round(load_seconds, 1),
        "people": len(registered),
        "requests": sum(load.statuses.values()),
        "statuses": dict(load.statuses),
        "p99_ms": round(sorted(load.latencies)[int(len(load.latencies) * 0.99) - 1] * 1000, 1),
        "reminders_made_due": made_due,
        "messages_sent": len(sent),
        "twilio_saw": len(seen),
        "erased_peoples_messages": len(gone),
        "sent_exactly_once": (
            max(seen_sids.values(), default=1) == 1
            and set(sent) <= set(seen_sids)
            and set(seen_sids) - set(sent) <= gone
        ),
        "late_sample": sample,
        "stopped": len(load.stopped),
        "erased": len(load.erased),
        "sent_after_stop_or_delete": late,
        "still_due": db.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') AND send_at <= ?",
            [clock.iso(clock.utcnow())],
        ).fetchone()[0],
        "rss_mb": {
            "first": round(memory[0] / 1024, 1),
            "peak": round(max(memory) / 1024, 1),
            "last": round(memory[-1] / 1024, 1),
        },
    }
    result["ok"] = result["sent_exactly_once"] and not late and set(load.statuses) == {200} and result["still_due"] == 0
    db.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
