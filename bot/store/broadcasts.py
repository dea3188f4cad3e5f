"""Safety-alert broadcasts: a target, texts per language, a preview with the cost, then outbox rows.

A broadcast reaches people who chose a language (their consent), have not opted out and can be
reached; each gets one copy (a unique index on outbox (broadcast_id, contact_id)). Its messages are
outbox rows of kind 'broadcast', sent by the same dispatcher below hearing-day and other reminders.
Resolving the target and queueing is one INSERT ... SELECT, so 100,000 people take seconds.
A volunteer's broadcast to more than APPROVAL_OVER people is not queued: it waits, as
'awaiting_approval', until an operator or an admin approves it (one phished volunteer account is
not enough to message everyone).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.dates import LANGS
from bot.core.i18n import N_
from bot.core.places import Places
from bot.core.segments import count
from bot.core.status import NOT_REACHED, OUT, REACHED, STOPPED, WAITING
from bot.store import audit
from bot.store.db import rows, write_transaction
from bot.store.outbox import cancel_broadcast

FALLBACK = "es"  # people whose language has no text get the Spanish one, unless the author says not to
VALID_FOR = timedelta(hours=24)  # an alert not sent within a day is stale: it expires
PRIORITY = 2  # after hearing-day wake-ups (0) and reminders (1)
APPROVAL_OVER = 500  # people; a volunteer's broadcast to more waits for an operator's approval


STATUS_NAMES = {  # a broadcast's status as the console shows it (msgids)
    "draft": N_("Draft"),
    "awaiting_approval": N_("Awaiting approval"),
    "sending": N_("Sending"),
    "sent": N_("All sent"),
    "cancelled": N_("Cancelled"),
}


class BroadcastError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    """Who gets it; every filter given must hold (no filter at all: everyone)."""

    city: str | None = None  # a key of data/places.json
    lang: str | None = None
    court: str | None = None
    hearing_from: date | None = None
    hearing_to: date | None = None

    def to_json(self) -> str:
        return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v})

    @classmethod
    def from_json(cls, text: str) -> Target:
        raw = json.loads(text or "{}")
        for key in ("hearing_from", "hearing_to"):
            if raw.get(key):
                raw[key] = date.fromisoformat(raw[key])
        return cls(**raw)

    def describe(self, places: Places) -> str:
        """For operators and the audit log (English, like the CLI)."""
        parts = []
        if self.city:
            parts.append(f"city {places.city(self.city).name}")
        if self.lang:
            parts.append(f"language {self.lang}")
        if self.court:
            parts.append(f"court {places.court(self.court).name}")
        if self.hearing_from or self.hearing_to:
            parts.append(f"hearings {self.hearing_from or '…'} to {self.hearing_to or '…'}")
        return ", ".join(parts) or "everyone"

    def known(self, places: Places) -> bool:
        """Whether its city, court and language exist (a form can post anything)."""
        return (
            (not self.city or places.city(self.city) is not None)
            and (not self.court or places.court(self.court) is not None)
            and (not self.lang or self.lang in LANGS)
        )


def _where(target: Target, places: Places) -> tuple[str, dict]:
    """SQL over contacts c (and their active hearing h) for the target; never the opted out."""
    clauses = ["c.consent_at IS NOT NULL", "c.opted_out_at IS NULL", "c.unreachable_at IS NULL"]
    params: dict = {}
    if target.city:
        clauses.append("c.city = :city")
        params["city"] = target.city
    if target.lang:
        clauses.append("COALESCE(c.lang, 'es') = :lang")
        params["lang"] = target.lang
    if target.court:
        clauses.append("(h.court = :court OR (h.id IS NULL AND c.court = :court))")
        params["court"] = target.court
    if target.hearing_from or target.hearing_to:
        # Days are the court's calendar days: one UTC window per court, in its own zone.
        first, last = target.hearing_from or date.min, target.hearing_to or date.max
        windows = []
        for court in places.courts:
            if target.court and court.key != target.court:
                continue
            start = datetime.combine(first, time(0), tzinfo=court.zone).astimezone(UTC) if first > date.min else None
            end = (
                datetime.combine(last + timedelta(days=1), time(0), tzinfo=court.zone).astimezone(UTC)
                if last < date.max
                else None
            )
            bounds = [f"h.court = :c_{court.key}"]
            params[f"c_{court.key}"] = court.key
            if start:
                bounds.append(f"h.hearing_at >= :s_{court.key}")
                params[f"s_{court.key}"] = iso(start)
            if end:
                bounds.append(f"h.hearing_at < :e_{court.key}")
                params[f"e_{court.key}"] = iso(end)
            windows.append("(" + " AND ".join(bounds) + ")")
        clauses.append("(" + " OR ".join(windows) + ")")
    return " AND ".join(clauses), params


_MATCHED = (
    "SELECT c.id AS contact_id, c.channel AS channel, COALESCE(c.lang, 'es') AS lang FROM contacts c "
    "LEFT JOIN hearings h ON h.contact_id = c.id AND h.status = 'active' WHERE {where} GROUP BY c.id"
)


def _body_sql(texts: dict[str, str], fallback: str | None, params: dict) -> str:
    """CASE lang WHEN ... : each language's text, else the fallback's (or NULL: not sent)."""
    whens = []
    for lang in LANGS:
        text = texts.get(lang) or (texts.get(fallback) if fallback else None)
        if text:
            params[f"t_{lang}"] = text
            whens.append(f"WHEN '{lang}' THEN :t_{lang}")
    return f"CASE m.lang {' '.join(whens)} ELSE NULL END" if whens else "NULL"


@dataclass(frozen=True)
class Preview:
    people: int
    by_lang: dict = field(default_factory=dict)  # lang -> {people, sms, whatsapp, segments}
    without_text: int = 0
    cost: float = 0.0
    fallbacks: dict = field(default_factory=dict)  # lang with no text of its own -> the lang whose text it gets
    without_by_lang: dict = field(default_factory=dict)  # lang -> people who get nothing (no text, no fallback)

    def lines(self) -> list[str]:
        out = [f"{self.people} people; about {self.cost:.2f} USD"]
        for lang, d in sorted(self.by_lang.items()):
            given = f", with the {self.fallbacks[lang]} text" if lang in self.fallbacks else ""
            out.append(
                f"  {lang}: {d['people']} people ({d['sms']} SMS, {d['whatsapp']} WhatsApp), "
                f"{d['segments']} segment(s) per SMS{given}"
            )
        if self.without_text:
            out.append(f"  {self.without_text} people have no text in their language and get nothing")
        return out


def preview(
    db: Database, target: Target, texts: dict[str, str], fallback: str | None, places: Places, prices: dict
) -> Preview:
    """How many people, SMS segments per language and the estimated cost, before anything is sent."""
    where, params = _where(target, places)
    found = db.execute(
        f"SELECT lang, channel, count(*) FROM ({_MATCHED.format(where=where)}) m GROUP BY lang, channel", params
    ).fetchall()
    by_lang: dict = {}
    fallbacks: dict = {}
    without: dict = {}
    cost = 0.0
    for lang, channel, n in found:
        text = texts.get(lang) or (texts.get(fallback) if fallback else None)
        if not text:
            without[lang] = without.get(lang, 0) + n
            continue
        if not texts.get(lang):
            fallbacks[lang] = fallback
        d = by_lang.setdefault(lang, {"people": 0, "sms": 0, "whatsapp": 0, "segments": count(text)})
        d["people"] += n
        d["whatsapp" if channel == "whatsapp" else "sms"] += n
        cost += n * (prices["whatsapp"] if channel == "whatsapp" else prices["sms"] * d["segments"])
    people = sum(d["people"] for d in by_lang.values())
    return Preview(people, by_lang, sum(without.values()), round(cost, 2), fallbacks, without)


def create(
    db: Database,
    author: str,
    via: str,
    target: Target,
    texts: dict[str, str],
    fallback: str | None,
    now: datetime,
    pin_until: datetime | None = None,
) -> int:
    """A draft: nothing is queued until `send`."""
    texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    if not texts:
        raise BroadcastError("a broadcast needs a text")
    unknown = set(texts) - set(LANGS)
    if unknown:
        raise BroadcastError(f"no such language: {', '.join(sorted(unknown))}")
    with write_transaction(db):
        return (
            db["broadcasts"]
            .insert(
                {
                    "author": author,
                    "via": via,
                    "target": target.to_json(),
                    "texts": json.dumps(texts, ensure_ascii=False),
                    "fallback": fallback,
                    "status": "draft",
                    "pin_until": iso(pin_until),
                    "created_at": iso(now),
                }
            )
            .last_pk
        )


def sms_draft(db: Database, author: str, now: datetime) -> dict | None:
    """A volunteer's alert by phone still waiting for its code and PIN, if it has not run out."""
    found = rows(
        db,
        "SELECT * FROM broadcasts WHERE author = ? AND via = 'sms' AND status = 'draft' AND pin_until > ? "
        "ORDER BY id DESC LIMIT 1",
        [author, iso(now)],
    )
    return found[0] if found else None


def cancel_sms_drafts(db: Database, author: str, now: datetime) -> int:
    """A new alert by phone replaces the volunteer's older drafts: how many were cancelled."""
    return db.execute(
        "UPDATE broadcasts SET status = 'cancelled', cancelled_at = ?, pin_until = NULL, code_hash = NULL "
        "WHERE author = ? AND via = 'sms' AND status = 'draft'",
        [iso(now), author],
    ).rowcount


def set_code(db: Database, broadcast_id: int, code_hash: str | None) -> None:
    """The draft's one-time code (peppered); None spends it, and the draft's window with it."""
    if code_hash is None:
        db.execute("UPDATE broadcasts SET pin_until = NULL, code_hash = NULL WHERE id = ?", [broadcast_id])
    else:
        db.execute("UPDATE broadcasts SET code_hash = ? WHERE id = ?", [code_hash, broadcast_id])


def get(db: Database, broadcast_id: int) -> dict:
    found = rows(db, "SELECT * FROM broadcasts WHERE id = ?", [broadcast_id])
    if not found:
        raise BroadcastError(f"no broadcast {broadcast_id}")
    return found[0]


def send(db: Database, broadcast_id: int, actor: str, now: datetime, places: Places, role: str = "admin") -> int:
    """Queue a draft for everyone it targets, in one statement; returns how many were queued.

    A volunteer's draft that would reach more than APPROVAL_OVER people is not queued: it becomes
    'awaiting_approval' (0 is returned) until `approve`.
    """
    with write_transaction(db):
        b = _in_status(db, broadcast_id, "draft")
        if role == "volunteer":
            people = _reach(db, b, places)
            if people > APPROVAL_OVER:
                db.execute(
                    "UPDATE broadcasts SET status = 'awaiting_approval', people = ? WHERE id = ?",
                    [people, broadcast_id],
                )
                audit.record(
                    db,
                    actor,
                    "broadcast awaiting approval",
                    now,
                    broadcast=broadcast_id,
                    people=people,
                    target=Target.from_json(b["target"]).describe(places),
                    texts=json.loads(b["texts"]),
                    changes={"status": ["draft", "awaiting_approval"]},
                )
                return 0
        return _queue(db, b, actor, now, places, "broadcast sent")


def approve(db: Database, broadcast_id: int, actor: str, now: datetime, places: Places) -> int:
    """An operator's or admin's yes to a wide volunteer broadcast: queue it now; returns how many."""
    with write_transaction(db):
        b = _in_status(db, broadcast_id, "awaiting_approval")
        db.execute(
            "UPDATE broadcasts SET approved_by = ?, approved_at = ? WHERE id = ?", [actor, iso(now), broadcast_id]
        )
        return _queue(db, b, actor, now, places, "broadcast approved")


def _in_status(db: Database, broadcast_id: int, status: str) -> dict:
    b = get(db, broadcast_id)
    if b["status"] != status:
        wanted = {"draft": "a draft", "awaiting_approval": "awaiting approval"}[status]
        raise BroadcastError(f"broadcast {broadcast_id} is {b['status']}, not {wanted}")
    return b


def _reach(db: Database, b: dict, places: Places) -> int:
    """How many people `_queue` would queue now (those with a text in their language)."""
    where, params = _where(Target.from_json(b["target"]), places)
    body = _body_sql(json.loads(b["texts"]), b["fallback"], params)
    (people,) = db.execute(
        f"SELECT count(*) FROM (SELECT {body} AS body FROM ({_MATCHED.format(where=where)}) m) WHERE body IS NOT NULL",
        params,
    ).fetchone()
    return people


def _queue(db: Database, b: dict, actor: str, now: datetime, places: Places, action: str) -> int:
    """One INSERT ... SELECT of its messages, then 'sending'; inside the caller's write transaction."""
    broadcast_id = b["id"]
    target, texts = Target.from_json(b["target"]), json.loads(b["texts"])
    where, params = _where(target, places)
    body = _body_sql(texts, b["fallback"], params)
    params |= {"bid": broadcast_id, "now": iso(now), "expires": iso(now + VALID_FOR), "priority": PRIORITY}
    queued = db.execute(
        "INSERT OR IGNORE INTO outbox (contact_id, broadcast_id, channel, kind, slot, lang, body, template_vars, "
        "send_at, expires_at, priority, status, attempts, created_at, updated_at) "
        "SELECT contact_id, :bid, channel, 'broadcast', 'broadcast', lang, body, json_object('1', body), "
        ":now, :expires, :priority, 'pending', 0, :now, :now "
        f"FROM (SELECT m.*, {body} AS body FROM ({_MATCHED.format(where=where)}) m) WHERE body IS NOT NULL",
        params,
    ).rowcount
    db.execute(
        "UPDATE broadcasts SET status = 'sending', queued = ?, people = ?, sent_at = ? WHERE id = ?",
        [queued, queued, iso(now), broadcast_id],
    )
    audit.record(
        db,
        actor,
        action,
        now,
        broadcast=broadcast_id,
        target=target.describe(places),
        texts=texts,
        fallback=b["fallback"],
        queued=queued,
        via=b["via"],
        changes={"status": [b["status"], "sending"]},
    )
    return queued


def cancel(db: Database, broadcast_id: int, actor: str, now: datetime) -> int:
    """Stop every message not yet handed to Twilio, those a dispatcher already claimed too."""
    with write_transaction(db):
        b = get(db, broadcast_id)
        status = shown_status(b["status"], counts(db, broadcast_id))
        if status in ("cancelled", "sent"):
            raise BroadcastError(f"broadcast {broadcast_id} is already {status}")
        stopped = cancel_broadcast(db, broadcast_id, now)
        db.execute(
            "UPDATE broadcasts SET status = 'cancelled', cancelled_at = ? WHERE id = ?", [iso(now), broadcast_id]
        )
        audit.record(
            db,
            actor,
            "broadcast cancelled",
            now,
            broadcast=broadcast_id,
            stopped=stopped,
            changes={"status": [b["status"], "cancelled"]},
        )
    return stopped


def counts(db: Database, broadcast_id: int) -> dict:
    """queued, sent (Twilio took it), delivered, failed, cancelled, pending: from its outbox rows."""
    found = dict(
        db.execute(
            "SELECT status, count(*) FROM outbox WHERE broadcast_id = ? GROUP BY status", [broadcast_id]
        ).fetchall()
    )
    return _tally(found)


def _tally(found: dict) -> dict:
    """A broadcast's counts from how many of its rows are in each status."""
    return {
        "queued": sum(found.values()),
        "sent": sum(found.get(s, 0) for s in OUT),
        "delivered": sum(found.get(s, 0) for s in REACHED),
        "failed": sum(found.get(s, 0) for s in NOT_REACHED),
        "cancelled": sum(found.get(s, 0) for s in STOPPED),
        "pending": sum(found.get(s, 0) for s in WAITING),
    }


def shown_status(stored: str, tally: dict) -> str:
    """A broadcast whose messages are all out reads 'sent': derived from its rows, never written by a read."""
    return "sent" if stored == "sending" and not tally["pending"] else stored


def listing(db: Database, places: Places) -> list[dict]:
    """Every broadcast, newest first, with live counts (a read: it changes nothing).

    The counts of all of them come from one query over the broadcasts' rows (idx_outbox_broadcast),
    not one query per broadcast."""
    by_status: dict[int, dict] = {}
    for broadcast_id, status, n in db.execute(
        "SELECT broadcast_id, status, count(*) FROM outbox WHERE broadcast_id IS NOT NULL GROUP BY broadcast_id, status"
    ):
        by_status.setdefault(broadcast_id, {})[status] = n
    out = []
    for b in rows(db, "SELECT * FROM broadcasts ORDER BY id DESC"):
        tally = _tally(by_status.get(b["id"], {}))
        status = shown_status(b["status"], tally)
        out.append(
            {
                "id": b["id"],
                "author": b["author"],
                "via": b["via"],
                "status": status,
                "created_at": b["created_at"],
                "sent_at": b["sent_at"],
                "people": b["people"],
                "approved_by": b["approved_by"],
                "target": Target.from_json(b["target"]).describe(places),
                "filters": json.loads(b["target"] or "{}"),  # the target's fields, for the console to word
                "texts": json.loads(b["texts"]),
                **tally,
            }
        )
    return out
