"""Delivery status callbacks: forward-only status, and Twilio's error code through the policy; a call
not answered is tried again later, a few times, without judging the number."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import parse_iso
from bot.core.status import FROM_TWILIO_CALL, NOT_REACHED, Status
from scheduler import outbox, policy
from scheduler.planner import Settings

log = logging.getLogger(__name__)


def _code(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def status_callback(
    db: Database, sid: str, twilio_status: str, error_code: str | None, now: datetime, settings: Settings
) -> str | None:
    """Record one callback; on undelivered or failed, act on the error code. Returns the new status."""
    code = _code(error_code)
    row = outbox.apply_status(db, sid, twilio_status, str(code) if code is not None else None, now)
    if row is None:
        return None  # unknown SID, a repeat, or out of order: nothing to do
    if row["status"] in NOT_REACHED and code is not None:
        decision = policy.decide(code, None, row["attempts"], settings, forced_template=bool(row["force_template"]))
        status = outbox.carry_out(db, row, decision, code, now)
        log.info("outbox %s: %s %s -> %s", row["id"], row["status"], code, status)
        return status
    return row["status"]


NOT_ANSWERED = ("busy", "no-answer")
CALL_RETRY = timedelta(minutes=10)  # a call not answered rings again this much later...
CALL_TRIES = 3  # ...until it has rung this many times (or its moment has passed)


def call_status(
    db: Database, sid: str, call_status: str, error_code: str | None, now: datetime, settings: Settings
) -> str | None:
    """A call's progress: answered and ended is delivered. Busy or not answered rings again later (the
    person may be asleep, or in a shelter's hall), while its moment lasts; a number never answering says
    nothing about it, so the person's messages go on. A failed call goes through the error policy."""
    code = _code(error_code)
    row = outbox.apply_status(db, sid, call_status, str(code) if code is not None else None, now, FROM_TWILIO_CALL)
    if row is None:
        return None
    if (call_status or "").lower() in NOT_ANSWERED:
        again = now + CALL_RETRY
        expires = parse_iso(row.get("expires_at")) or parse_iso(row.get("hearing_at"))
        if row["attempts"] < CALL_TRIES and (expires is None or again < expires):
            outbox.reschedule(db, row["id"], again, None, now)
            log.info("outbox %s: call %s, rings again at %s", row["id"], call_status, again.isoformat())
            return Status.PENDING
        outbox.finish(db, row["id"], Status.UNDELIVERED, None, now, reason=call_status.lower())
        return Status.UNDELIVERED
    if row["status"] in NOT_REACHED and code is not None:
        decision = policy.decide(code, None, row["attempts"], settings)
        status = outbox.carry_out(db, row, decision, code, now)
        log.info("outbox %s: call %s %s -> %s", row["id"], row["status"], code, status)
        return status
    return row["status"]
