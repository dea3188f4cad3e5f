"""Outcomes in SQLite: each event once per hearing, with the person's city, language, court and
variant at that moment (bot/core/outcomes.py has the vocabulary; the report reads them here)."""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.outcomes import ANSWERS, BITS, BY, Code, Group, codes_of, tally
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


# --- the report -------------------------------------------------------------------------------------------

# One pass: each hearing's events summed into one integer (BITS; unique per hearing and code, so the sum
# is exact) and its city, language, court and variant taken from its earliest event (SQLite gives a
# bare column the values of the row the one min() picked; ties on `at` go to the first row written),
# then hearings alike collapsed into one counted row.
_MASK = "CASE code " + " ".join(f"WHEN '{code.value}' THEN {bit}" for code, bit in BITS.items()) + " ELSE 0 END"
_HEARINGS = (
    "SELECT city, lang, court, variant, mask, count(*) FROM ("
    f"SELECT city, lang, court, variant, min(at || printf('%020d', id)), sum({_MASK}) AS mask "
    "FROM outcomes {where} GROUP BY hearing_id"
    ") GROUP BY city, lang, court, variant, mask"
)


def reports(db: Database, since: date | None = None) -> dict[str, list[Group]]:
    """The hearings grouped by each of BY (city, lang, court, variant), from one pass over the table;
    `since`: only hearings on or after that day (UTC)."""
    hearings = _hearings(db, since)
    return {by: _by(hearings, by) for by in BY}


def report(db: Database, by: str, since: date | None = None) -> list[Group]:
    """The hearings grouped by one of BY, most hearings first (bot.core.outcomes.Group)."""
    if by not in BY:
        raise ValueError(f"a report groups by one of {', '.join(BY)}, not {by!r}")
    return _by(_hearings(db, since), by)


def _hearings(db: Database, since: date | None) -> list[tuple]:
    """(city, lang, court, variant, mask, how many hearings) rows."""
    if since is None:
        return db.execute(_HEARINGS.format(where="")).fetchall()
    return db.execute(_HEARINGS.format(where="WHERE hearing_at >= ?"), [since.isoformat()]).fetchall()


def _by(hearings: list[tuple], by: str) -> list[Group]:
    column = BY.index(by)
    return tally((row[column], codes_of(row[4]), row[5]) for row in hearings)
