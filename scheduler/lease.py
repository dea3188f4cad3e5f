"""One scheduler sends: a lease row in SQLite, renewed by its holder, taken over once it expires.

A second scheduler process (or `dispatch --once` while one runs) finds the lease held and stays
idle; if the holder dies, its lease runs out after `ttl` and the next one takes over.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso, parse_iso
from bot.store.db import write_transaction

DISPATCH = "dispatch"


def new_holder() -> str:
    """A name for this process's claim: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def acquire(db: Database, holder: str, now: datetime, ttl: timedelta, name: str = DISPATCH) -> bool:
    """Take or renew the lease; True when `holder` has it until now + ttl."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "holder = excluded.holder, expires_at = excluded.expires_at "
            "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
            [name, holder, iso(now + ttl), iso(now)],
        )
        (current,) = db.execute("SELECT holder FROM leases WHERE name = ?", [name]).fetchone()
    return current == holder


def release(db: Database, holder: str, name: str = DISPATCH) -> None:
    """Give the lease up at a clean shutdown, so a successor need not wait for it to expire."""
    with write_transaction(db):
        db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])


def holder_of(db: Database, name: str = DISPATCH) -> str | None:
    row = db.execute("SELECT holder FROM leases WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def state(db: Database, now: datetime, ttl: timedelta, name: str = DISPATCH) -> dict:
    """Who holds the lease and how fresh it is, for /healthz, /metrics and `doctor`.

    The row keeps only its expiry: the last renewal is taken as expiry - ttl, with this process's
    HEARINGBOT_LEASE_SECONDS (the same for every process of one deploy)."""
    row = db.execute("SELECT holder, expires_at FROM leases WHERE name = ?", [name]).fetchone()
    if row is None:
        return {"held": False, "holder": None, "renewed_seconds_ago": None, "expires_in_seconds": None}
    holder, expires_at = row
    expires = parse_iso(expires_at)
    assert expires is not None  # (the column is always set)
    left = (expires - now).total_seconds()
    return {
        "held": left > 0,
        "holder": holder,
        "renewed_seconds_ago": round((now - (expires - ttl)).total_seconds(), 1),
        "expires_in_seconds": round(left, 1),
    }
