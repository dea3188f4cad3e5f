"""The outbox table: every message the bot sends on its own, and each step of its life.

pending -> sending (claimed by the dispatcher) -> sent (Twilio took it; sid set) -> delivered /
undelivered / failed -> read (WhatsApp); or cancelled, or expired (never sent after its hearing or
its expiry). Delivery callbacks only move a row forward; a retry puts it back to pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso, parse_iso
from bot.core.hearing import Hearing
from bot.core.outcomes import Code
from bot.core.phones import PhoneVault, mask
from bot.core.places import Places
from bot.core.status import (
    ALL,
    CALLBACK,
    FROM_TWILIO,
    NOT_REACHED,
    RANK,
    RETRYABLE,
    STOPPED,
    Kind,
    Status,
    is_callback,
    sql_list,
)
from bot.store import outcomes, people
from bot.store.db import rows, update, write_transaction
from scheduler import lease, planner, policy, texts


@dataclass(frozen=True)
class Filter:
    """Which rows `queue list` and the console's queue show: filtered in SQL, not after the fact."""

    statuses: tuple[str, ...] = (Status.PENDING,)
    kind: str | None = None
    city: str | None = None  # the person's city
    day: str | None = None  # YYYY-MM-DD: send_at on that day (UTC)

    def where(self) -> tuple[str, list]:
        clauses = [f"o.status IN ({', '.join('?' * len(self.statuses))})"]
        params: list = list(self.statuses)
        if self.kind:
            clauses.append("o.kind = ?")
            params.append(self.kind)
        if self.city:
            clauses.append("c.city = ?")
            params.append(self.city)
        if self.day:
            clauses.append("substr(o.send_at, 1, 10) = ?")
            params.append(self.day)
        return " AND ".join(clauses), params

    def parts(self) -> list[str] | None:
        """With statuses alone, the rows as parts an index reads in send_at order: pending rows
        (idx_outbox_due), and the others (idx_outbox_done_send_at, m011), each as its own SQL term
        (SQLite uses a partial index only for the very term it was built with; the values are ours).
        None with a kind, a city or a day too: those rows are read in full anyway, and one scan of the
        table beats walking an index with a lookup per row."""
        if self.kind or self.city or self.day:
            return None
        others = tuple(s for s in ALL if s != Status.PENDING and s in self.statuses)
        found = ["o.status = 'pending'"] if Status.PENDING in self.statuses else []
        if len(others) == len(ALL) - 1:
            found.append("o.status != 'pending'")
        elif others:
            found.append(f"o.status != 'pending' AND o.status IN {sql_list(others)}")
        return found  # none: no row has any other status


def count(db: Database, which: Filter) -> int:
    parts = which.parts()
    if parts is not None:  # each part from its index alone; no person is needed to count their rows
        return sum(db.execute(f"SELECT count(*) FROM outbox o WHERE {part}").fetchone()[0] for part in parts)
    where, params = which.where()
    (total,) = db.execute(
        f"SELECT count(*) FROM outbox o LEFT JOIN contacts c ON c.id = o.contact_id WHERE {where}", params
    ).fetchone()
    return total


# The kinds that go after their hearing (the follow-ups): only their own expiry bounds them.
AFTER = f"kind = '{Kind.FOLLOWUP.value}'"

_LISTED = (
    "SELECT o.*, c.phone_enc, c.lang AS contact_lang, c.city AS contact_city, c.variant AS contact_variant "
    "FROM outbox o "
    "LEFT JOIN contacts c ON c.id = o.contact_id WHERE {where} ORDER BY o.send_at, o.priority, o.id LIMIT ?"
)


def listing(
    db: Database,
    vault: PhoneVault,
    places: Places,
    which: Filter,
    limit: int = -1,
    days_before: tuple[int, ...] = (7, 3, 1),
) -> list[dict]:
    """Rows for `queue list` and the console: next to go first, at most `limit`; phones masked.

    A reminder not yet sent shows the text it would have now (its person's language and port time).
    With statuses alone, each part's first `limit` rows are read from its index, and the first
    `limit` of them all are the page: only the rows shown are read, whatever the size of the table.
    """
    parts = which.parts()
    if parts is None:
        where, params = which.where()
        found = rows(db, _LISTED.format(where=where), [*params, limit])
    elif len(parts) == 1:
        found = rows(db, _LISTED.format(where=parts[0]), [limit])
    elif parts:
        each = " UNION ALL ".join(f"SELECT * FROM ({_LISTED.format(where=part)})" for part in parts)
        found = rows(db, f"SELECT * FROM ({each}) ORDER BY send_at, priority, id LIMIT ?", [limit] * (len(parts) + 1))
    else:
        found = []
    hearings = planner.hearings(db, [r["hearing_id"] for r in found if r["body"] is None and r["hearing_id"]])
    listed = []
    for r in found:
        hearing = hearings.get(r["hearing_id"])
        body, _ = texts.for_row(r, r["contact_lang"], hearing, places, r["contact_variant"], days_before)
        listed.append(
            {
                "id": r["id"],
                "to": mask(vault.decrypt(r["to_enc"] or r["phone_enc"])),
                "channel": r["channel"],
                "kind": r["kind"],
                "status": r["status"],
                "send_at": r["send_at"],
                "hearing_at": r["hearing_at"],
                "lang": r["lang"] if r["body"] is not None else r["contact_lang"] or r["lang"],
                "body": body,
                "sid": r["sid"],
                "attempts": r["attempts"],
                "error_code": r["error_code"],
                "reason": r["reason"],
                "city": r["contact_city"],
            }
        )
    return listed


def claim_due(db: Database, now: datetime, limit: int = 100, holder: str | None = None) -> list[dict]:
    """Atomically move due pending rows to 'sending', claimed by `holder`: hearing-day messages first."""
    stamp = iso(now)
    with write_transaction(db):
        return rows(
            db,
            "UPDATE outbox SET status = 'sending', claimed_by = ?, handed_at = NULL, reason = NULL, "
            "attempts = attempts + 1, updated_at = ? "
            "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND send_at <= ? "
            f"AND (expires_at IS NULL OR expires_at > ?) AND (hearing_at IS NULL OR hearing_at > ? OR {AFTER}) "
            "ORDER BY priority, send_at, id LIMIT ?) RETURNING *",
            [holder, stamp, stamp, stamp, stamp, limit],
        )


def expire_passed(db: Database, now: datetime) -> int:
    """A reminder whose hearing has passed, or that would come too late to help, is never sent (a
    follow-up goes after its hearing, until its own expiry)."""
    stamp = iso(now)
    with write_transaction(db):
        return db.execute(
            # Anything expired is also due (send_at never comes after expires_at or hearing_at).
            "UPDATE outbox SET status = 'expired', updated_at = ? WHERE status = 'pending' AND send_at <= ? "
            f"AND (expires_at <= ? OR (hearing_at <= ? AND NOT {AFTER}))",
            [stamp, stamp, stamp, stamp],
        ).rowcount


def recover(db: Database, now: datetime, stale: timedelta) -> int:
    """Rows left in 'sending' go back to pending; called by the lease holder on every tick.

    The holder has nothing in flight between its ticks, so a claimed row nobody handed to Twilio is
    free at once. A row handed over (the request may have reached Twilio before its process died)
    waits `stale` (the lease): it is sent again, because a second copy of a reminder costs a segment
    and a missing one can cost a hearing. That is the one repeat a kill -9 can cause.
    """
    with write_transaction(db):
        return db.execute(
            "UPDATE outbox SET status = 'pending', claimed_by = NULL, handed_at = NULL, updated_at = ? "
            "WHERE status = 'sending' AND (handed_at IS NULL OR handed_at <= ?)",
            [iso(now), iso(now - stale)],
        ).rowcount


def unclaim(db: Database, holder: str, now: datetime) -> int:
    """A stopping dispatcher gives back the rows it claimed but never handed to Twilio."""
    with write_transaction(db):
        return db.execute(
            "UPDATE outbox SET status = 'pending', claimed_by = NULL, attempts = max(attempts - 1, 0), updated_at = ? "
            "WHERE status = 'sending' AND claimed_by = ? AND handed_at IS NULL",
            [iso(now), holder],
        ).rowcount


@dataclass(frozen=True)
class Handover:
    """The proof, just before a request, that a row may go: `outcome` is 'go' (with what it is
    written from), 'cancelled' (no longer wanted; `reason` says why), 'gone' (not ours any more)
    or 'lost' (this dispatcher lost the lease: stop)."""

    outcome: str
    reason: str | None = None
    contact: dict | None = None
    hearing: Hearing | None = None


# A reminder call goes only to a person who still wants calls; the call back after they called us
# answers that call (bot/web/voice.py), consent or not.
CALLS_WANTED = f"outbox.kind != '{Kind.CALL.value}' OR outbox.slot LIKE '{CALLBACK}:%' OR c.calls_at IS NOT NULL"

# One statement proves a row is still ours and still wanted, and marks it handed to Twilio.
_HAND_OVER = (
    "UPDATE outbox SET handed_at = :now, updated_at = :now "
    "WHERE id = :id AND status = 'sending' AND claimed_by = :holder AND handed_at IS NULL "
    "AND (contact_id IS NULL OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = outbox.contact_id "
    "AND c.opted_out_at IS NULL AND c.unreachable_at IS NULL "
    f"AND ({CALLS_WANTED}))) "
    "AND (hearing_id IS NULL OR EXISTS (SELECT 1 FROM hearings h WHERE h.id = outbox.hearing_id "
    "AND h.status = 'active' AND h.hearing_at = outbox.hearing_at)) "
    "AND (broadcast_id IS NULL OR NOT EXISTS (SELECT 1 FROM broadcasts b WHERE b.id = outbox.broadcast_id "
    "AND b.status = 'cancelled'))"
)


def hand_over(db: Database, row_id: int, holder: str, now: datetime, lease_ttl: timedelta) -> Handover:
    """Renew the lease, prove the row may still go, and read what it is written from: one transaction."""
    with write_transaction(db):
        if not lease.acquire(db, holder, now, lease_ttl):
            return Handover("lost")
        if db.execute(_HAND_OVER, {"now": iso(now), "id": row_id, "holder": holder}).rowcount:
            row = rows(db, "SELECT contact_id, hearing_id FROM outbox WHERE id = ?", [row_id])[0]
            found = rows(
                db,
                "SELECT id, phone_enc, lang, channel, last_whatsapp_at, variant FROM contacts WHERE id = ?",
                [row["contact_id"]],
            )
            hearing = planner.hearings(db, [row["hearing_id"]]).get(row["hearing_id"]) if row["hearing_id"] else None
            return Handover("go", contact=found[0] if found else None, hearing=hearing)
        reason = _why_not(db, row_id, holder)
        if reason:
            db.execute(
                "UPDATE outbox SET status = 'cancelled', reason = ?, claimed_by = NULL, updated_at = ? WHERE id = ?",
                [reason, iso(now), row_id],
            )
            return Handover("cancelled", reason)
        return Handover("gone")


def _why_not(db: Database, row_id: int, holder: str) -> str | None:
    """Why a claimed row may not go (None: it is not this dispatcher's any more, leave it alone)."""
    found = rows(
        db,
        "SELECT o.status, o.claimed_by, o.hearing_id, o.hearing_at, o.contact_id, o.broadcast_id, o.kind, o.slot, "
        "c.id AS contact, c.opted_out_at, c.unreachable_at, c.calls_at, h.status AS hearing_status, "
        "h.hearing_at AS hearing_now, b.status AS broadcast_status FROM outbox o "
        "LEFT JOIN contacts c ON c.id = o.contact_id LEFT JOIN hearings h ON h.id = o.hearing_id "
        "LEFT JOIN broadcasts b ON b.id = o.broadcast_id WHERE o.id = ?",
        [row_id],
    )
    if not found or found[0]["status"] != "sending" or found[0]["claimed_by"] != holder:
        return None
    r = found[0]
    if r["contact_id"] is not None and r["contact"] is None:
        return "erased"
    if r["opted_out_at"]:
        return "opted_out"
    if r["unreachable_at"]:
        return "unreachable"
    if r["kind"] == Kind.CALL and not is_callback(r["slot"]) and not r["calls_at"]:
        return "calls_off"
    if r["hearing_id"] is not None and (r["hearing_status"] != "active" or r["hearing_now"] != r["hearing_at"]):
        return "hearing_changed"
    if r["broadcast_status"] == "cancelled":
        return "broadcast_cancelled"
    return "not_wanted"


def record_sent(
    db: Database,
    row_id: int,
    sid: str,
    sent_as: str,
    body: str,
    lang: str,
    now: datetime,
    event: Code | None = None,
) -> None:
    """Twilio took it: the SID, and the text as sent, kept for the operator (purged with the person);
    with `event`, what sending it means for its hearing's outcome (reminded, asked, no answer)."""
    values = {"status": "sent", "sid": sid, "sent_as": sent_as, "body": body, "lang": lang, "updated_at": iso(now)}
    with write_transaction(db):
        update(db, "outbox", row_id, values)
        found = db.execute("SELECT hearing_id FROM outbox WHERE id = ?", [row_id]).fetchone() if event else None
        if event is not None and found is not None and found[0] is not None:  # (None: erased while it was out)
            outcomes.record(db, found[0], event, now)


def reschedule(
    db: Database, row_id: int, send_at: datetime, error: str | None, now: datetime, force_template: bool = False
) -> None:
    values: dict[str, str | int | None] = {
        "status": "pending",
        "send_at": iso(send_at),
        "error_code": error,
        "claimed_by": None,
        "handed_at": None,
        "updated_at": iso(now),
    }
    if force_template:
        values["force_template"] = 1
    with write_transaction(db):
        update(db, "outbox", row_id, values)


def finish(db: Database, row_id: int, status: str, error: str | None, now: datetime, reason: str | None = None) -> None:
    """A row's last status: failed or undelivered (with Twilio's code, or our reason), expired or cancelled."""
    values = {"status": status, "error_code": error, "reason": reason, "claimed_by": None, "updated_at": iso(now)}
    with write_transaction(db):
        update(db, "outbox", row_id, values)


def apply_status(
    db: Database, sid: str, twilio_status: str, error_code: str | None, now: datetime, statuses: dict = FROM_TWILIO
) -> dict | None:
    """A delivery callback (`statuses`: Twilio's names for a message's, or a call's): move the row
    forward (never back); returns the row if it moved."""
    status = statuses.get((twilio_status or "").lower())
    if status is None:
        return None
    with write_transaction(db):
        found = rows(db, "SELECT * FROM outbox WHERE sid = ?", [sid])
        if not found or found[0]["status"] in STOPPED or RANK.get(found[0]["status"], 0) >= RANK[status]:
            return None  # unknown, a repeat, or out of order: harmless
        row = found[0]
        values = {"status": status, "updated_at": iso(now)}
        if error_code:
            values["error_code"] = str(error_code)
        update(db, "outbox", row["id"], values)
    return row | values


# --- what operators do from the CLI ----------------------------------------------------------------


class QueueError(ValueError):
    """An operator's request that cannot be done, said plainly."""


def _one(db: Database, row_id: int) -> dict:
    found = rows(db, "SELECT * FROM outbox WHERE id = ?", [row_id])
    if not found:
        raise QueueError(f"no message {row_id}")
    return found[0]


def send_now(db: Database, row_id: int, now: datetime) -> dict:
    """A pending message becomes due immediately."""
    row = _one(db, row_id)
    if row["status"] != "pending":
        raise QueueError(f"message {row_id} is {row['status']}, not pending")
    with write_transaction(db):
        update(db, "outbox", row_id, {"send_at": iso(now), "updated_at": iso(now)})
    return _one(db, row_id)


def retry(db: Database, row_id: int, now: datetime) -> dict:
    """A failed, undelivered, expired or cancelled message is sent again now, if its hearing is ahead
    (a follow-up: within a day of its planned time)."""
    row = _one(db, row_id)
    if row["status"] not in RETRYABLE:
        raise QueueError(f"message {row_id} is {row['status']}: only failed, undelivered, expired or cancelled")
    after = row["kind"] == Kind.FOLLOWUP
    if row["hearing_at"] and row["hearing_at"] <= iso(now) and not after:
        raise QueueError(f"message {row_id} is about a hearing that has passed")
    expires = iso(now + timedelta(hours=12)) if after else row["hearing_at"]
    planned = parse_iso(row["send_at"]) or now
    if after and planned + timedelta(days=1) <= now:
        raise QueueError(f"message {row_id} is a follow-up more than a day late: it would no longer make sense")
    with write_transaction(db):
        update(
            db,
            "outbox",
            row_id,
            {
                "status": "pending",
                "send_at": iso(now),
                "expires_at": expires,
                "error_code": None,
                "updated_at": iso(now),
            },
        )
    return _one(db, row_id)


def cancel(db: Database, row_id: int, now: datetime) -> dict:
    row = _one(db, row_id)
    if row["status"] != "pending":
        raise QueueError(f"message {row_id} is {row['status']}, not pending")
    with write_transaction(db):
        update(db, "outbox", row_id, {"status": "cancelled", "updated_at": iso(now)})
    return _one(db, row_id)


def carry_out(db: Database, row: dict, decision: policy.Decision, code: int | None, now: datetime) -> str:
    """Carry the policy's decision out on an outbox row (and its person); returns the row's new status."""
    error = str(code) if code is not None else None
    contact_id = row.get("contact_id")
    if decision.action in (policy.RETRY, policy.LATER, policy.TEMPLATE):
        send_at = now + decision.delay
        expires = parse_iso(row.get("expires_at")) or parse_iso(row.get("hearing_at"))
        if expires and send_at >= expires:
            finish(db, row["id"], Status.EXPIRED, error, now)
            return Status.EXPIRED
        reschedule(db, row["id"], send_at, error, now, force_template=decision.action == policy.TEMPLATE)
        return Status.PENDING
    if decision.action == policy.OPT_OUT and contact_id:
        people.opt_out(db, contact_id, now)
    elif decision.action in (policy.UNREACHABLE, policy.STOP) and contact_id:
        people.unreachable(db, contact_id, error, now)
    status = row["status"] if row["status"] in NOT_REACHED else Status.FAILED
    finish(db, row["id"], status, error, now)
    return status


def backlog(db: Database, now: datetime) -> dict:
    """Due messages not yet claimed and how long the oldest has waited; claimed ones in flight."""
    due, oldest = db.execute(
        "SELECT count(*), min(send_at) FROM outbox WHERE status = 'pending' AND send_at <= ?", [iso(now)]
    ).fetchone()
    (sending,) = db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()
    first = parse_iso(oldest)
    age = round((now - first).total_seconds(), 1) if first else None
    return {"due": due, "oldest_due_age_seconds": age, "sending": sending}


def by_kind_and_status(db: Database) -> dict[tuple[str, str], int]:
    """Every outbox row counted by kind and status (what retention has not yet deleted)."""
    return {(k, s): n for k, s, n in db.execute("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status")}


def error_codes(db: Database) -> dict[str, int]:
    """Rows by the last error code Twilio gave them."""
    found = db.execute("SELECT error_code, count(*) FROM outbox WHERE error_code IS NOT NULL GROUP BY error_code")
    return {str(code): n for code, n in found}
