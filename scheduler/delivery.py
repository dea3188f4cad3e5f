"""Delivery status callbacks: forward-only status, and Twilio's error code through the policy."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.core.status import NOT_REACHED
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
