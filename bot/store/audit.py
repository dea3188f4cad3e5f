"""The audit log: who did what and when (broadcasts, staff, shelters), never a person's phone number.

A change records its old and new values (`changes={field: [old, new]}`). The console pages through
the whole history; failed and refused logins, which anyone on the internet can add, are kept apart
from staff actions so they cannot push those off the page.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import iso

LOGIN_NOISE = ("login failed", "login refused", "login locked")  # anonymous tries: a view of their own


def record(db: Database, actor: str, action: str, now: datetime, **details) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, details) VALUES (?, ?, ?, ?)",
        [iso(now), actor, action, json.dumps(details, ensure_ascii=False, sort_keys=True)],
    )


def changes(old: dict, new: dict) -> dict:
    """{field: [old, new]} for every field whose value differs (a missing one counts as '')."""
    return {k: [old.get(k, ""), new.get(k, "")] for k in sorted({*old, *new}) if old.get(k, "") != new.get(k, "")}


def entries(db: Database, limit: int = 100, before: int | None = None, logins: bool | None = None) -> list[dict]:
    """Newest first, those older than id `before`; logins True: only failed logins, False: none."""
    where = ["id < ?"]
    params: list[int | str] = [before if before is not None else 2**63 - 1]
    if logins is not None:
        marks = ", ".join("?" * len(LOGIN_NOISE))
        where.append(f"action {'IN' if logins else 'NOT IN'} ({marks})")
        params += LOGIN_NOISE
    found = db.execute(
        f"SELECT id, at, actor, action, details FROM audit WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [_entry(*row) for row in found]


def _entry(entry_id: int, at: str, actor: str, action: str, details: str | None) -> dict:
    """One row for the page: its details, with the old -> new values apart (`changes`)."""
    parsed = json.loads(details or "{}")
    changed = parsed.pop("changes", None) or {}
    return {"id": entry_id, "at": at, "actor": actor, "action": action, "details": parsed, "changes": changed}


def failed_logins_since(db: Database, since: datetime) -> int:
    """How many failed or refused logins there were since then (a count on the staff-actions view)."""
    marks = ", ".join("?" * len(LOGIN_NOISE))
    return db.execute(
        f"SELECT count(*) FROM audit WHERE at >= ? AND action IN ({marks})", [iso(since), *LOGIN_NOISE]
    ).fetchone()[0]
