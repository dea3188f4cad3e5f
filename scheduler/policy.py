"""What to do when Twilio says no, by its error codes; one place for sends and callbacks.

- 20429 / HTTP 429, 5xx, timeouts: retry with exponential backoff and jitter, a bounded number of times.
- 30003 (handset unreachable): try again later, `unreachable_retries` times.
- 21610 (the person texted STOP to Twilio): mark opted out, cancel what is pending, never retry.
- 30005 / 30006 (unknown number, landline): mark the number unreachable, cancel what is pending.
- 63016 (WhatsApp outside the 24-hour window): send again as the approved template, once.
- 63014 (the person blocked us on WhatsApp): mark unreachable, stop.
- Anything else: failed, kept for the operator (`queue list --status failed`, `queue retry ID`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso, parse_iso
from bot.core.status import NOT_REACHED, Status
from bot.store.outbox import cancel_contact
from scheduler import outbox
from scheduler.planner import Settings

RETRY, LATER, OPT_OUT, UNREACHABLE, TEMPLATE, STOP, FAIL = (
    "retry", "later", "opt_out", "unreachable", "template", "stop", "fail",
)  # fmt: skip
OPTED_OUT = 21610
UNREACHABLE_CODES = {30005, 30006}
HANDSET_UNREACHABLE = 30003
OUTSIDE_WINDOW = 63016
BLOCKED = 63014
TOO_MANY_REQUESTS = 20429


@dataclass(frozen=True)
class Decision:
    action: str
    delay: timedelta = timedelta(0)


def backoff(attempts: int, settings: Settings, rand: Callable[[], float] = random.random) -> timedelta:
    """base * 2^(attempts-1), capped, times a jitter in [0.5, 1.5) so retries do not come in waves."""
    seconds = min(settings.retry_cap_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * (0.5 + rand()))


def decide(code: int | None, http_status: int | None, attempts: int, settings: Settings, transient: bool = False,
           forced_template: bool = False, rand: Callable[[], float] = random.random) -> Decision:  # fmt: skip
    """The action for one failure of a message already tried `attempts` times."""
    if code == OPTED_OUT:
        return Decision(OPT_OUT)
    if code in UNREACHABLE_CODES:
        return Decision(UNREACHABLE)
    if code == BLOCKED:
        return Decision(STOP)
    if code == OUTSIDE_WINDOW:
        return Decision(FAIL if forced_template else TEMPLATE)
    if code == HANDSET_UNREACHABLE:
        if attempts <= settings.unreachable_retries:
            return Decision(LATER, timedelta(seconds=settings.unreachable_retry_seconds))
        return Decision(FAIL)
    throttled = code == TOO_MANY_REQUESTS or http_status == 429
    if transient or throttled or (http_status or 0) >= 500:
        if attempts < settings.max_send_attempts:
            return Decision(RETRY, backoff(attempts, settings, rand))
    return Decision(FAIL)


def apply(db: Database, row: dict, decision: Decision, code: int | None, now: datetime) -> str:
    """Carry a decision out on an outbox row (and its contact); returns the row's new status."""
    error = str(code) if code is not None else None
    contact_id = row.get("contact_id")
    if decision.action in (RETRY, LATER, TEMPLATE):
        send_at = now + decision.delay
        expires = parse_iso(row.get("expires_at")) or parse_iso(row.get("hearing_at"))
        if expires and send_at >= expires:
            outbox.finish(db, row["id"], Status.EXPIRED, error, now)
            return Status.EXPIRED
        outbox.reschedule(db, row["id"], send_at, error, now, force_template=decision.action == TEMPLATE)
        return Status.PENDING
    if decision.action == OPT_OUT and contact_id:
        db.execute("UPDATE contacts SET opted_out_at = ? WHERE id = ?", [iso(now), contact_id])
        cancel_contact(db, contact_id, now, "opted_out")
    elif decision.action in (UNREACHABLE, STOP) and contact_id:
        db.execute(
            "UPDATE contacts SET unreachable_at = ?, unreachable_code = ? WHERE id = ?", [iso(now), error, contact_id]
        )
        cancel_contact(db, contact_id, now, "unreachable")
    status = row["status"] if row["status"] in NOT_REACHED else Status.FAILED
    outbox.finish(db, row["id"], status, error, now)
    return status
