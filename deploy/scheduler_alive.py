"""Exit 0 while a scheduler holds the dispatch lease and keeps renewing it; 1 otherwise.

compose.yaml's health check of the `scheduler` service. The scheduler renews its lease on every tick
(HEARINGBOT_DISPATCH_INTERVAL, 10 s); the lease lasts HEARINGBOT_LEASE_SECONDS (60 s). A lease that
ran out, or none at all, means no process is sending reminders. Standard library only, read-only.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import UTC, datetime


def alive(path: str, now: datetime) -> bool:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT expires_at FROM leases WHERE name = 'dispatch'").fetchone()
        finally:
            db.close()
    except sqlite3.Error as error:
        print(f"scheduler: cannot read {path}: {error}", file=sys.stderr)
        return False
    # Times are stored as ISO 8601 UTC ending in Z (bot.core.clock.iso): they sort as they compare.
    stamp = now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if not row:
        print("scheduler: no process holds the lease (none running, or not started yet)", file=sys.stderr)
        return False
    if row[0] <= stamp:
        print(f"scheduler: the lease ran out at {row[0]}: the scheduler is stuck or gone", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    database = os.environ.get("HEARINGBOT_DATABASE", "instance/hearingbot.db")
    sys.exit(0 if alive(database, datetime.now(UTC)) else 1)
