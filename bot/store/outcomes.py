"""Outcomes in SQLite: each event once per hearing, with the person's city, language, court and
variant at that moment (bot/core/outcomes.py has the vocabulary; the report reads them here)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.outcomes import ANSWERS, Code
from bot.store.outbox import cancel_followups

_RECORD = (
    "INSERT OR IGNORE INTO outcomes (contact_id, hearing_id, code, at, hearing_at, city, lang, court, variant) "
    "SELECT h.contact_id, h.id, ?, ?, h.hearing_at, h.city, c.lang, h.court, c.variant "
    "FROM hearings h JOIN contacts c ON c.id = h.contact_id WHERE h.id = ?"
)


def record(db: Database, hearing_id: int, code: Code, now: datetime) -> bool:
    """Record one event of a hearing (a second time is a no-op); False if the hearing is gone. An
    answer about how the hearing went cancels its follow-up messages not yet sent."""
    if code in ANSWERS:
        cancel_followups(db, hearing_id, now)
    return db.execute(_RECORD, [code.value, iso(now), hearing_id]).rowcount > 0


def record_active(db: Database, contact_id: int, code: Code, now: datetime) -> int | None:
    """Record an event of the person's active hearing (their own answer); its id, or None if none."""
    found = db.execute(
        "SELECT id FROM hearings WHERE contact_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1", [contact_id]
    ).fetchone()
    if found is None:
        return None
    record(db, found[0], code, now)
    return found[0]


def erase_contact(db: Database, contact_id: int) -> None:
    db.execute("DELETE FROM outcomes WHERE contact_id = ?", [contact_id])
