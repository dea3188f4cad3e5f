"""The alert storm: a safety alert to everyone, then Twilio's status callbacks and a wave of replies, at once.

    python bench/storm.py     (STORM_PEOPLE=20000, STORM_RATE=100, STORM_REPLY_EVERY=10)

Seeds STORM_PEOPLE registered people (phones encrypted and hashed as the app does, 30% on WhatsApp,
five languages, a hearing each with its reminders planned), starts gunicorn (2 workers, as
bench/webhook.py does) and one real scheduler process (`flask scheduler`, HEARINGBOT_SEND_RATE =
STORM_RATE) and queues an alert to everyone through `flask broadcast send`. The fake Messages API
(tests/fake_twilio.py, in this process) accepts each message and, as Twilio does, posts signed status
callbacks to the message's StatusCallback: `sent`, then `delivered`, then `read` on WhatsApp; one
recipient in STORM_REPLY_EVERY answers the alert (AYUDA, AUDIENCIA or a new hearing date) through
/twilio/messages, and each answer's latency is measured. When the outbox has drained and every
callback has landed it checks the rows and prints one JSON object:

- recipients: messages the broadcast queued; sent: messages Twilio accepted; sent_twice: phones
  that got more than one; not_sent: queued rows without a SID;
- callbacks_sent; callbacks_failed (a non-2xx answer or no answer); callbacks_lost (a callback that
  was answered but whose status never reached its row: the rows' final statuses against the last
  callback each got); statuses: the broadcast's rows by final status;
- replies, replies_answered (200 with at least one message), replies_p50_ms, replies_p99_ms;
- drain_seconds: from the broadcast queued to its last message accepted; send_rate_target and
  send_rate (achieved);
- wal_max_mb: the largest the WAL grew; load: the machine's load average before and after.

Goal: every message sent once, 0 callbacks failed or lost, reply p99 < 250 ms while it drains.
tests/test_storm.py runs the same machinery with 50 people.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as daytime
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import free_port, gunicorn_command  # noqa: E402
from bot.core import places as places_module  # noqa: E402
from bot.core.clock import iso  # noqa: E402
from bot.core.phones import PhoneVault  # noqa: E402
from bot.core.status import FROM_TWILIO, RANK  # noqa: E402
from bot.store import db as storage  # noqa: E402
from scheduler import planner  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402

TOKEN = "storm-token-0123456789abcdef"
ACCOUNT = "AC" + "5" * 32
SECRET = "storm-secret-" + "k" * 32
SMS_FROM, WHATSAPP_FROM = "+15005550006", "whatsapp:+14155238886"
WHATSAPP_SHARE = 0.3
LANGS = ("es",) * 16 + ("pt", "fr", "ht", "en")  # about 80% Spanish
# How long after Twilio accepts a message each callback comes (Twilio's own are slower: seconds).
CALLBACKS = {
    "sms": (("sent", 0.05), ("delivered", 0.4)),
    "whatsapp": (("sent", 0.05), ("delivered", 0.4), ("read", 1.5)),
}
REPLY_AFTER = 0.6  # a person answers soon after the alert reaches the phone
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
ALERT = {
    "es": "ALERTA: retén en la carretera al puente. No salgan hoy; esperen otro aviso.",
    "en": "ALERT: checkpoint on the road to the bridge. Do not go out today; wait for another message.",
}


def phone_of(n: int) -> str:
    return f"+52165{n:08d}"


def seed(database: Path, vault: PhoneVault, people: int, now: datetime) -> None:
    """`people` registered people as registration leaves them (direct SQL, not timed), reminders planned."""
    places = places_module.load()
    rng = random.Random(18)
    stamp = iso(now)
    contacts, hearings = [], []
    for n in range(1, people + 1):
        city = rng.choice(places.cities)
        court = city.court or rng.choice(places.courts)
        day = now.date() + timedelta(days=rng.randint(20, 120))
        local = datetime.combine(day, daytime(rng.choice([8, 9, 10, 13]), rng.choice([0, 30])), tzinfo=court.zone)
        phone = phone_of(n)
        channel = "whatsapp" if rng.random() < WHATSAPP_SHARE else "sms"
        lang = rng.choice(LANGS)
        contacts.append(
            {
                "id": n,
                "channel": channel,
                "channels": channel,
                "phone_hash": vault.lookup_hash(phone),
                "phone_enc": vault.encrypt(phone),
                "lang": lang,
                "city": city.key,
                "court": court.key,
                "state": "registered",
                "state_data": "{}",
                "consent_at": stamp,
                "consent_method": f"{channel}: chose a language after the welcome message",
                "created_at": stamp,
                "updated_at": stamp,
                "last_inbound_at": stamp,
                f"last_{channel}_at": iso(now - timedelta(hours=2)),  # WhatsApp: inside the 24-hour window
            }
        )
        hearings.append(
            (n, n, iso(local.astimezone(UTC)), court.zone.key, court.key, city.key, city.zone.key, "active", stamp)
        )
    db = storage.connect(database)
    storage.migrate(db)
    with storage.write_transaction(db):
        for channel in ("sms", "whatsapp"):
            mine = [c for c in contacts if c["channel"] == channel]
            columns = list(mine[0])
            db.conn.executemany(
                f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [list(c.values()) for c in mine],
            )
        db.conn.executemany(
            "INSERT INTO hearings (id, contact_id, hearing_at, court_zone, court, city, city_zone, status, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            hearings,
        )
    planner.plan_many(db, planner.active(db), now, places, planner.load_settings())
    db.close()


def hearing_words(day) -> str:
    return f"el {day.day} de {MONTHS[day.month - 1]} de {day.year} a las 9"


class Twilio:
    """The fake Messages API's other half: Twilio's callbacks and the people's replies, on time."""

    def __init__(self, port: int, reply_every: int):
        self.port = port
        self.reply_every = reply_every
        self.validator = RequestValidator(TOKEN)
        self.lock = threading.Lock()
        self.due: list = []  # a heap of (when, seq, what, form, url)
        self.seq = itertools.count()
        self.wake = threading.Condition(self.lock)
        self.outstanding = 0  # scheduled or in flight
        self.accepted: dict[str, str] = {}  # sid -> To
        self.accepted_at: list[float] = []
        self.per_phone: Counter = Counter()
        self.acked: dict[str, list[str]] = {}  # sid -> the statuses answered 2xx, in order
        self.callbacks_sent = 0
        self.callbacks_failed: Counter = Counter()  # HTTP status (0: no answer) -> how many
        self.callback_ms: list[float] = []
        self.replies = 0
        self.replies_answered = 0
        self.reply_ms: list[float] = []
        self.reply_statuses: Counter = Counter()
        self.stopped = False
        self.callback_pool = ThreadPoolExecutor(8, thread_name_prefix="callback")
        self.reply_pool = ThreadPoolExecutor(4, thread_name_prefix="reply")
        self.timer = threading.Thread(target=self._run, daemon=True)
        self.timer.start()

    # --- the fake Messages API calls this for every message it accepts -----------------------------

    def on_accept(self, form: dict, resource: dict) -> None:
        sid, to = resource["sid"], form["To"]
        channel = "whatsapp" if to.startswith("whatsapp:") else "sms"
        now = time.monotonic()
        with self.lock:
            self.accepted[sid] = to
            self.accepted_at.append(time.perf_counter())
            self.per_phone[to.removeprefix("whatsapp:")] += 1
        url = form.get("StatusCallback")
        if url:
            for status, delay in CALLBACKS[channel]:
                callback = {
                    "AccountSid": ACCOUNT,
                    "ApiVersion": "2010-04-01",
                    "From": form.get("From") or SMS_FROM,
                    "MessageSid": sid,
                    "MessageStatus": status,
                    "SmsSid": sid,
                    "SmsStatus": status,
                    "To": to,
                }
                if channel == "whatsapp":
                    callback["ChannelPrefix"] = "whatsapp"
                self._later(now + delay, "callback", callback, url)
        n = int(to[-8:])
        if n % self.reply_every == 0:
            self._later(now + REPLY_AFTER, "reply", self._reply(n, to), f"http://127.0.0.1:{self.port}/twilio/messages")

    def _reply(self, n: int, to: str) -> dict:
        whatsapp = to.startswith("whatsapp:")
        kind = (n // self.reply_every) % 3
        day = datetime.now(UTC).date() + timedelta(days=45 + n % 30)
        text = ("AYUDA", "AUDIENCIA", hearing_words(day))[kind]
        form = {
            "AccountSid": ACCOUNT,
            "ApiVersion": "2010-04-01",
            "Body": text,
            "From": to,
            "MessageSid": "SM" + secrets.token_hex(16),
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": "",
            "To": WHATSAPP_FROM if whatsapp else SMS_FROM,
        }
        form["SmsMessageSid"] = form["MessageSid"]
        if whatsapp:
            form |= {"WaId": to.removeprefix("whatsapp:+"), "ProfileName": f"P{n}"}
        return form

    def _later(self, when: float, what: str, form: dict, url: str) -> None:
        with self.wake:
            heapq.heappush(self.due, (when, next(self.seq), what, form, url))
            self.outstanding += 1
            self.wake.notify()

    def _run(self) -> None:
        while True:
            with self.wake:
                while not self.stopped and (not self.due or self.due[0][0] > time.monotonic()):
                    self.wake.wait(self.due[0][0] - time.monotonic() if self.due else None)
                if self.stopped:
                    return
                _, _, what, form, url = heapq.heappop(self.due)
            pool = self.callback_pool if what == "callback" else self.reply_pool
            pool.submit(self._post, what, form, url)

    # --- posting, as Twilio does: signed, over HTTP ---------------------------------------------------

    def _post(self, what: str, form: dict, url: str) -> None:
        try:
            status, elapsed, body = self._request(form, url)
        except OSError:
            status, elapsed, body = 0, 0.0, b""
        with self.lock:
            if what == "callback":
                self.callbacks_sent += 1
                if 200 <= status < 300:
                    self.acked.setdefault(form["MessageSid"], []).append(form["MessageStatus"])
                    self.callback_ms.append(elapsed * 1000)
                else:
                    self.callbacks_failed[status] += 1
            else:
                self.replies += 1
                self.reply_statuses[status] += 1
                if status == 200 and b"<Message>" in body:
                    self.replies_answered += 1
                if status:
                    self.reply_ms.append(elapsed * 1000)
            self.outstanding -= 1

    def _request(self, form: dict, url: str) -> tuple[int, float, bytes]:
        parts = urllib.parse.urlsplit(url)
        body = urllib.parse.urlencode(form).encode()
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nUser-Agent: TwilioProxy/1.1\r\n"
            f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {self.validator.compute_signature(url, form)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        with socket.create_connection((parts.hostname, parts.port), timeout=15) as conn:
            conn.sendall(head + body)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        elapsed = time.perf_counter() - started
        data = b"".join(chunks)
        return (int(data.split(b" ", 2)[1]) if data else 0), elapsed, data.partition(b"\r\n\r\n")[2]

    def settled(self) -> bool:
        with self.lock:
            return self.outstanding == 0

    def close(self) -> None:
        with self.wake:
            self.stopped = True
            self.wake.notify()
        self.callback_pool.shutdown(wait=True)
        self.reply_pool.shutdown(wait=True)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:  # the child has its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for(port: int, procs: list[subprocess.Popen], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a process of the storm exited early (see its log)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * share) - 1)], 1)


def run(
    people: int = 20_000,
    rate: float = 100,
    reply_every: int = 10,
    interval: float = 1.0,
    workdir: Path | None = None,
    extra_env: dict | None = None,
) -> dict:
    """The whole storm; returns its figures (see the module's docstring)."""
    switching = sys.getswitchinterval()
    sys.setswitchinterval(0.001)  # this process's threads measure latency: let them run as soon as answered
    try:
        return _run(people, rate, reply_every, interval, workdir, extra_env)
    finally:
        sys.setswitchinterval(switching)


def _run(people: int, rate: float, reply_every: int, interval: float, workdir: Path | None, extra_env) -> dict:
    work = workdir or Path(tempfile.mkdtemp(prefix="hearingbot-storm-"))
    database = work / "storm.db"
    load_before = os.getloadavg()
    seed(database, PhoneVault(SECRET), people, datetime.now(UTC))
    port = free_port()
    twilio = Twilio(port, reply_every)
    fake = FakeTwilio(record=False, on_accept=twilio.on_accept).__enter__()
    env = {
        **os.environ,
        "HEARINGBOT_DATABASE": str(database),
        "HEARINGBOT_SECRET_KEY": SECRET,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_API_BASE": fake.base_url,
        "TWILIO_SMS_FROM": SMS_FROM,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "HEARINGBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HEARINGBOT_SEND_RATE": str(rate),
        "HEARINGBOT_DISPATCH_INTERVAL": str(interval),
        "HEARINGBOT_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("HEARINGBOT_LOCAL_MODE", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    web = start(gunicorn_command(port), env, work / "web.log")
    sched = start([*flask, "scheduler"], env, work / "scheduler.log")
    db = storage.connect(database)
    wal = Path(f"{database}-wal")
    wal_max = 0
    try:
        wait_for(port, [web, sched])
        started = time.perf_counter()
        alert = ["--text", ALERT["es"], "--text-en", ALERT["en"], "--author", "storm", "--yes"]
        sent = subprocess.run(
            [*flask, "broadcast", "send", *alert],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        broadcast_id = int(sent.stdout.rsplit("broadcast ", 1)[1].split(":")[0])
        deadline = time.monotonic() + people / (rate or 500) * 2 + 60
        while time.monotonic() < deadline:
            wal_max = max(wal_max, wal.stat().st_size if wal.exists() else 0)
            (waiting,) = db.execute(
                "SELECT count(*) FROM outbox WHERE broadcast_id = ? AND status IN ('pending', 'sending')",
                [broadcast_id],
            ).fetchone()
            if not waiting:
                break
            if web.poll() is not None or sched.poll() is not None:
                raise RuntimeError("gunicorn or the scheduler died during the storm (see their logs)")
            time.sleep(0.25)
        drained = time.perf_counter()
        deadline = time.monotonic() + 60
        while not twilio.settled() and time.monotonic() < deadline:
            wal_max = max(wal_max, wal.stat().st_size if wal.exists() else 0)
            time.sleep(0.1)
        settled = time.perf_counter()
    finally:
        sched.send_signal(signal.SIGTERM)
        web.send_signal(signal.SIGTERM)
        for proc in (sched, web):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        twilio.close()
        fake.__exit__(None, None, None)
    result = check(db, broadcast_id, twilio)
    db.close()
    last = max(twilio.accepted_at, default=drained)
    result |= {
        "replies": twilio.replies,
        "replies_answered": twilio.replies_answered,
        "reply_statuses": dict(twilio.reply_statuses),
        "replies_p50_ms": percentile(twilio.reply_ms, 0.5),
        "replies_p99_ms": percentile(twilio.reply_ms, 0.99),
        "callbacks_p99_ms": percentile(twilio.callback_ms, 0.99),
        "drain_seconds": round(last - started, 1),
        "settle_seconds": round(settled - drained, 1),
        "send_rate_target": rate,
        "send_rate": round(result["sent"] / max(last - started, 1e-9), 1),
        "wal_max_mb": round(wal_max / 2**20, 1),
        "load": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    result["ok"] = (
        result["sent"] == result["recipients"]
        and not result["sent_twice"]
        and not result["not_sent"]
        and not result["callbacks_failed"]
        and not result["callbacks_lost"]
        and result["replies_answered"] == result["replies"]
    )
    return result


def check(db, broadcast_id: int, twilio: Twilio) -> dict:
    """The broadcast's rows against what the fake Twilio saw and what its callbacks said."""
    found = db.execute("SELECT sid, status FROM outbox WHERE broadcast_id = ?", [broadcast_id]).fetchall()
    by_sid = {sid: status for sid, status in found if sid}
    lost = 0
    for sid, acked in twilio.acked.items():
        status = by_sid.get(sid)
        reached = RANK.get(status, -1) if status else -1
        lost += sum(1 for s in acked if RANK[FROM_TWILIO[s]] > reached)
    return {
        "recipients": len(found),
        "sent": sum(1 for sid in by_sid if sid in twilio.accepted),
        "twilio_accepted": len(twilio.accepted),
        "sent_twice": sum(1 for n in twilio.per_phone.values() if n > 1),
        "not_sent": sum(1 for sid, _ in found if not sid),
        "callbacks_sent": twilio.callbacks_sent,
        "callbacks_failed": sum(twilio.callbacks_failed.values()),
        "callbacks_failed_by_status": {str(k): v for k, v in twilio.callbacks_failed.items()},
        "callbacks_lost": lost,
        "statuses": dict(Counter(status for _, status in found)),
    }


def main() -> dict:
    return {
        "benchmark": "storm",
        **run(
            people=int(os.environ.get("STORM_PEOPLE", "20000")),
            rate=float(os.environ.get("STORM_RATE", "100")),
            reply_every=int(os.environ.get("STORM_REPLY_EVERY", "10")),
        ),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
