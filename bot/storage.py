"""SQLite storage: connections, pragmas and the schema's migrations (sqlite-utils 4)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database, Migrations

BUSY_TIMEOUT_MS = 5000

migrations = Migrations("hearingbot")


def connect(path: str | Path) -> Database:
    """A connection for one request or one job: WAL, busy timeout, foreign keys."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; db.atomic() opens each one explicitly.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # durable across app crashes in WAL mode
    db.execute("PRAGMA foreign_keys = ON")
    return db


def migrate(db: Database) -> None:
    """Bring the schema up to date; safe to run any number of times."""
    migrations.apply(db)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the one format times are stored and shown in."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@migrations()
def m001_contacts_hearings_inbound_outbox(db: Database) -> None:
    # One row per (channel, phone): the phone only as a keyed hash and a Fernet token.
    db["contacts"].create(
        {
            "id": int,
            "channel": str,
            "phone_hash": str,
            "phone_enc": str,
            "lang": str,
            "city": str,
            "court": str,
            "state": str,
            "state_data": str,
            "consent_at": str,
            "consent_method": str,
            "opted_out_at": str,
            "last_inbound_at": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"channel", "phone_hash", "phone_enc", "state", "created_at"},
    )
    db["contacts"].create_index(["channel", "phone_hash"], unique=True)
    # A hearing is a UTC instant plus the court's IANA zone it was given in.
    db["hearings"].create(
        {
            "id": int,
            "contact_id": int,
            "hearing_at": str,
            "court_zone": str,
            "court": str,
            "city": str,
            "city_zone": str,
            "status": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"contact_id", "hearing_at", "court_zone", "status"},
    )
    db["hearings"].create_index(["contact_id", "status"])
    # Dedupe of Twilio's retries: the answer given to each MessageSid, never the body.
    db["inbound"].create(
        {"sid": str, "contact_id": int, "replies": str, "received_at": str},
        pk="sid",
    )
    db["inbound"].create_index(["contact_id"])
    db["inbound"].create_index(["received_at"])
    # The outbox: every message the bot will send on its own (reminders, alerts).
    db["outbox"].create(
        {
            "id": int,
            "contact_id": int,
            "hearing_id": int,
            "channel": str,
            "to_enc": str,
            "kind": str,
            "slot": str,
            "lang": str,
            "body": str,
            "send_at": str,
            "hearing_at": str,
            "status": str,
            "sid": str,
            "error_code": str,
            "attempts": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"channel", "to_enc", "kind", "lang", "body", "send_at", "status"},
        defaults={"attempts": 0},
    )
    db["outbox"].create_index(["status", "send_at"])
    db["outbox"].create_index(["contact_id"])
