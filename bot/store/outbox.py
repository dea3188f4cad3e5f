"""The outbox table's rows about a person, a hearing or a broadcast: cancelled when no longer wanted,
deleted when a person is erased. The dispatcher's side of the table is scheduler/outbox.py."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import iso

# Rows that are still only ours: pending, or claimed by a dispatcher that has not handed them to
# Twilio yet. STOP, DELETE, CHANGE and a broadcast's cancel reach all of them.
UNSENT = "(status = 'pending' OR (status = 'sending' AND handed_at IS NULL))"


# A person's rows: reminders through their hearings, alerts by contact (see the indexes in m003).
OF_CONTACT = (
    "(hearing_id IN (SELECT id FROM hearings WHERE contact_id = :contact) "
    "OR (hearing_id IS NULL AND contact_id = :contact))"
)


def _cancel_unsent(db: Database, where: str, params: dict, reason: str, now: datetime) -> int:
    """Cancel, with a reason, the rows matching `where` that no dispatcher has handed to Twilio yet."""
    return db.execute(
        f"UPDATE outbox SET status = 'cancelled', reason = :reason, claimed_by = NULL, updated_at = :now "
        f"WHERE {UNSENT} AND {where}",
        {**params, "now": iso(now), "reason": reason},
    ).rowcount


def cancel_contact(db: Database, contact_id: int, now: datetime, reason: str = "opted_out") -> int:
    """Everything not yet handed to Twilio for a person is cancelled (STOP, 21610, an unreachable number)."""
    return _cancel_unsent(db, OF_CONTACT, {"contact": contact_id}, reason, now)


def cancel_hearing(db: Database, hearing_id: int, now: datetime) -> int:
    """A replaced hearing's reminders not yet handed to Twilio are cancelled (a CHANGE of date)."""
    return _cancel_unsent(db, "hearing_id = :hearing", {"hearing": hearing_id}, "hearing_changed", now)


def cancel_followups(db: Database, hearing_id: int, now: datetime) -> int:
    """The person answered how the hearing went: its follow-up and missed-hearing help are not due."""
    return _cancel_unsent(db, "hearing_id = :hearing AND kind = 'followup'", {"hearing": hearing_id}, "answered", now)


def cancel_calls(db: Database, contact_id: int, now: datetime) -> int:
    """The person no longer wants calls: their calls not yet placed are cancelled."""
    where = f"({OF_CONTACT}) AND kind = 'call'"
    return _cancel_unsent(db, where, {"contact": contact_id}, "calls_off", now)


def cancel_broadcast(db: Database, broadcast_id: int, now: datetime) -> int:
    """A cancelled broadcast's messages not yet handed to Twilio are cancelled."""
    return _cancel_unsent(db, "broadcast_id = :broadcast", {"broadcast": broadcast_id}, "broadcast_cancelled", now)


def erase_contact(db: Database, contact_id: int) -> None:
    """Every message row of a person, sent or not, is deleted (DELETE). Before their hearings go."""
    db.execute(f"DELETE FROM outbox WHERE {OF_CONTACT}", {"contact": contact_id})
