"""The outbox table: every message the bot sends on its own, and each step of its life.

pending -> sending (claimed by the dispatcher) -> sent (Twilio took it; sid set) -> delivered /
undelivered / failed -> read (WhatsApp); or cancelled, or expired (never sent after its hearing or
its expiry). Delivery callbacks only move a row forward; a retry puts it back to pending.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.phones import PhoneVault, mask
from bot.places import Places
from bot.storage import iso, rows, update, write_transaction
from scheduler import planner, texts

FIELDS = ("id", "to", "channel", "kind", "status", "send_at", "hearing_at", "lang", "body", "sid")
# Twilio's statuses -> ours, with how far along each is: a callback never moves a row back.
TWILIO_STATUS = {
    "accepted": "sent", "scheduled": "sent", "queued": "sent", "sending": "sent", "sent": "sent",
    "delivered": "delivered", "undelivered": "undelivered", "failed": "failed", "read": "read",
}  # fmt: skip
RANK = {"pending": 0, "sending": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2, "read": 3}
FINAL = ("cancelled", "expired")


def listing(db: Database, vault: PhoneVault, places: Places, status: str | None = None) -> list[dict]:
    """Rows for `queue list`: pending (or the given status), next to go first; phones masked.

    A reminder not yet sent shows the text it would have now (its person's language and port time).
    """
    found = rows(
        db,
        "SELECT o.*, c.phone_enc, c.lang AS contact_lang, c.city AS contact_city FROM outbox o "
        "LEFT JOIN contacts c ON c.id = o.contact_id "
        "WHERE o.status = ? ORDER BY o.send_at, o.priority, o.id",
        [status or "pending"],
    )
    hearings = planner.hearings(db, [r["hearing_id"] for r in found if r["body"] is None and r["hearing_id"]])
    listed = []
    for r in found:
        body, _ = texts.for_row(r, r["contact_lang"], hearings.get(r["hearing_id"]), places)
        listed.append({
            "id": r["id"], "to": mask(vault.decrypt(r["to_enc"] or r["phone_enc"])), "channel": r["channel"],
            "kind": r["kind"], "status": r["status"], "send_at": r["send_at"], "hearing_at": r["hearing_at"],
            "lang": r["lang"] if r["body"] is not None else r["contact_lang"] or r["lang"], "body": body,
            "sid": r["sid"], "attempts": r["attempts"], "error_code": r["error_code"], "city": r["contact_city"],
        })  # fmt: skip
    return listed


def claim_due(db: Database, now: datetime, limit: int = 100) -> list[dict]:
    """Atomically move due pending rows to 'sending': hearing-day messages first, then oldest."""
    stamp = iso(now)
    with write_transaction(db):
        return rows(
            db,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? "
            "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND send_at <= ? "
            "AND (expires_at IS NULL OR expires_at > ?) AND (hearing_at IS NULL OR hearing_at > ?) "
            "ORDER BY priority, send_at, id LIMIT ?) RETURNING *",
            [stamp, stamp, stamp, stamp, limit],
        )


def expire_passed(db: Database, now: datetime) -> int:
    """A reminder whose hearing has passed, or that would come too late to help, is never sent."""
    stamp = iso(now)
    with write_transaction(db):
        return db.execute(
            # Anything expired is also due (send_at never comes after expires_at or hearing_at).
            "UPDATE outbox SET status = 'expired', updated_at = ? WHERE status = 'pending' AND send_at <= ? "
            "AND (expires_at <= ? OR hearing_at <= ?)",
            [stamp, stamp, stamp, stamp],
        ).rowcount


def recover(db: Database, now: datetime) -> int:
    """Rows left in 'sending' by a scheduler that died mid-batch go back to pending.

    Called when a scheduler takes the lease. Such a row may or may not have reached Twilio (the
    process died between the request and recording its SID): it is sent again, because a second
    copy of a reminder costs a segment and a missing one can cost a hearing.
    """
    with write_transaction(db):
        return db.execute(
            "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending'", [iso(now)]
        ).rowcount


def contacts_for(db: Database, claimed: list[dict]) -> dict[int, dict]:
    """The contacts of claimed rows: their window, opt-out and reachability."""
    ids = sorted({r["contact_id"] for r in claimed if r["contact_id"] is not None})
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    found = rows(
        db,
        "SELECT id, phone_enc, lang, last_inbound_at, opted_out_at, unreachable_at FROM contacts "
        f"WHERE id IN ({marks})",
        ids,
    )
    return {c["id"]: c for c in found}


def cancelled_broadcasts(db: Database, claimed: list[dict]) -> set[int]:
    """Which of the claimed rows' broadcasts were cancelled meanwhile."""
    ids = sorted({r["broadcast_id"] for r in claimed if r.get("broadcast_id")})
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    found = db.execute(f"SELECT id FROM broadcasts WHERE status = 'cancelled' AND id IN ({marks})", ids)
    return {r[0] for r in found.fetchall()}


def record_sent(db: Database, row_id: int, sid: str, sent_as: str, body: str, lang: str, now: datetime) -> None:
    """Twilio took it: the SID, and the text as sent, kept for the operator (purged with the person)."""
    values = {"status": "sent", "sid": sid, "sent_as": sent_as, "body": body, "lang": lang, "updated_at": iso(now)}
    with write_transaction(db):
        update(db, "outbox", row_id, values)


def reschedule(db: Database, row_id: int, send_at: datetime, error: str | None, now: datetime,
               force_template: bool = False) -> None:  # fmt: skip
    values = {"status": "pending", "send_at": iso(send_at), "error_code": error, "updated_at": iso(now)}
    if force_template:
        values["force_template"] = 1
    with write_transaction(db):
        update(db, "outbox", row_id, values)


def finish(db: Database, row_id: int, status: str, error: str | None, now: datetime) -> None:
    with write_transaction(db):
        update(db, "outbox", row_id, {"status": status, "error_code": error, "updated_at": iso(now)})


# A person's rows: reminders through their hearings, alerts by contact (see the indexes in m003).
OF_CONTACT = (
    "(hearing_id IN (SELECT id FROM hearings WHERE contact_id = :contact) "
    "OR (hearing_id IS NULL AND contact_id = :contact))"
)


def cancel_contact(db: Database, contact_id: int, now: datetime) -> int:
    """Everything pending for a person is cancelled (STOP, 21610, an unreachable number)."""
    return db.execute(
        f"UPDATE outbox SET status = 'cancelled', updated_at = :now WHERE status = 'pending' AND {OF_CONTACT}",
        {"now": iso(now), "contact": contact_id},
    ).rowcount


def erase_contact(db: Database, contact_id: int) -> None:
    """Every message row of a person, sent or not, is deleted (DELETE). Before their hearings go."""
    db.execute(f"DELETE FROM outbox WHERE {OF_CONTACT}", {"contact": contact_id})


def apply_status(db: Database, sid: str, twilio_status: str, error_code: str | None, now: datetime) -> dict | None:
    """A delivery callback: move the row forward (never back); returns the row if it moved."""
    status = TWILIO_STATUS.get((twilio_status or "").lower())
    if status is None:
        return None
    with write_transaction(db):
        found = rows(db, "SELECT * FROM outbox WHERE sid = ?", [sid])
        if not found or found[0]["status"] in FINAL or RANK.get(found[0]["status"], 0) >= RANK[status]:
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
    """A failed, undelivered, expired or cancelled message is sent again now, if its hearing is ahead."""
    row = _one(db, row_id)
    if row["status"] not in ("failed", "undelivered", "expired", "cancelled"):
        raise QueueError(f"message {row_id} is {row['status']}: only failed, undelivered, expired or cancelled")
    if row["hearing_at"] and row["hearing_at"] <= iso(now):
        raise QueueError(f"message {row_id} is about a hearing that has passed")
    with write_transaction(db):
        update(db, "outbox", row_id, {"status": "pending", "send_at": iso(now), "expires_at": row["hearing_at"],
                                      "error_code": None, "updated_at": iso(now)})  # fmt: skip
    return _one(db, row_id)


def cancel(db: Database, row_id: int, now: datetime) -> dict:
    row = _one(db, row_id)
    if row["status"] != "pending":
        raise QueueError(f"message {row_id} is {row['status']}, not pending")
    with write_transaction(db):
        update(db, "outbox", row_id, {"status": "cancelled", "updated_at": iso(now)})
    return _one(db, row_id)
