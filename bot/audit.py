"""The audit log: who did what and when (broadcasts, staff), never a phone number."""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from bot.storage import iso


def record(db: Database, actor: str, action: str, now: datetime, **details) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, details) VALUES (?, ?, ?, ?)",
        [iso(now), actor, action, json.dumps(details, ensure_ascii=False, sort_keys=True)],
    )


def entries(db: Database, limit: int = 100) -> list[dict]:
    found = db.execute("SELECT at, actor, action, details FROM audit ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    return [{"at": a, "actor": who, "action": what, "details": json.loads(d or "{}")} for a, who, what, d in found]
