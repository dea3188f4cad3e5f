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
from bot.core.i18n import N_

LOGIN_NOISE = ("login failed", "login refused", "login locked")  # anonymous tries: a view of their own


# Every action recorded, as the console shows it (msgids; the log itself keeps the English action).
ACTION_NAMES = {
    "login": N_("login"),
    "logout": N_("logout"),
    "login failed": N_("login failed"),
    "login refused": N_("login refused"),
    "login locked": N_("login locked"),
    "staff added": N_("staff added"),
    "staff disabled": N_("staff disabled"),
    "staff enabled": N_("staff enabled"),
    "password changed": N_("password changed"),
    "PIN changed": N_("PIN changed"),
    "phone path locked": N_("alerts by phone locked"),
    "alert drafted by phone": N_("alert drafted by phone"),
    "broadcast awaiting approval": N_("broadcast awaiting approval"),
    "broadcast sent": N_("broadcast sent"),
    "broadcast approved": N_("broadcast approved"),
    "broadcast cancelled": N_("broadcast cancelled"),
    "shelter saved": N_("shelter saved"),
    "shelters imported": N_("shelters imported"),
    "shelter checked": N_("entry checked, still right"),
    "queue send-now": N_("message sent now"),
    "queue retry": N_("message retried"),
    "queue cancel": N_("message cancelled"),
    "purge": N_("old data deleted"),
    "thread answered": N_("conversation answered"),
    "thread assign": N_("conversation taken"),
    "thread close": N_("conversation closed"),
    "thread reopen": N_("conversation reopened"),
    "calls on": N_("reminder calls turned on"),
    "calls off": N_("reminder calls turned off"),
}
# The details' names (and the changed fields') the console translates; others are shown as stored.
DETAIL_NAMES = {
    "name": N_("Name"),
    "role": N_("Role"),
    "phone": N_("Phone"),
    "broadcast": N_("Broadcast"),
    "target": N_("Who"),
    "texts": N_("Texts"),
    "fallback": N_("Text for other languages"),
    "via": N_("Sent from"),
    "new": N_("New"),
    "people": N_("People"),
    "queued": N_("Queued"),
    "stopped": N_("Stopped"),
    "shelter": N_("Shelter"),
    "city": N_("City"),
    "address": N_("Address"),
    "message": N_("Message"),
    "reason": N_("Reason"),
    "status": N_("Status"),
    "until": N_("Until"),
    "verified_at": N_("Checked"),
    "disabled_at": N_("Disabled"),
    "sessions": N_("Sessions"),
}


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
