"""The inbound table: each MessageSid once, the answers it got, and the counts that limit a flood.

A row is claimed under the write lock before anything is read, so a retried MessageSid waits for the
first to commit, then finds its answer. Bodies are never stored; the answers are kept only so a
retry gets the same ones (retention deletes them after RETENTION_INBOUND_DAYS).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso
from bot.store.db import update

log = logging.getLogger(__name__)
PER_MINUTE = 20  # messages a phone may send in a minute before the bot stops answering for a while
PER_DAY = 200  # answers a person may get in a day: a cap on what one phone can make us send or store
NEW_PER_HOUR = 300  # new numbers in an hour beyond which an operator should look (SMS pumping bills us)


def claim(db: Database, sid: str, now: datetime) -> list[str] | None:
    """None for a new MessageSid (now claimed); the answers already given for one seen before."""
    claimed = db.execute(
        "INSERT INTO inbound (sid, received_at) VALUES (?, ?) ON CONFLICT(sid) DO NOTHING", [sid, iso(now)]
    ).rowcount
    if claimed:
        return None
    (stored,) = db.execute("SELECT replies FROM inbound WHERE sid = ?", [sid]).fetchone()
    return json.loads(stored or "[]")


def record(
    db: Database,
    sid: str,
    replies: list[str],
    contact_id: int | None = None,
    keyword: str | None = None,
    warned: bool = False,
) -> None:
    """What a claimed message led to: whose it was, the answers a retry repeats, STOP/START/DELETE, a warning."""
    fields = {"contact_id": contact_id, "replies": json.dumps(replies), "keyword": keyword, "warned": int(warned)}
    update(db, "inbound", sid, fields, key="sid")


def flooding(db: Database, contact_id: int | None, now: datetime) -> timedelta | None:
    """None while a person is within the limits; else the window the flood is counted over."""
    if contact_id is None:
        return None
    (minute,) = db.execute(
        "SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ?",
        [contact_id, iso(now - timedelta(minutes=1))],
    ).fetchone()
    if minute >= PER_MINUTE:
        return timedelta(minutes=1)
    (day,) = db.execute(
        "SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ? AND replies NOT IN ('[]', '')",
        [contact_id, iso(now - timedelta(days=1))],
    ).fetchone()
    return timedelta(days=1) if day >= PER_DAY else None


def warned(db: Database, contact_id: int, now: datetime, window: timedelta) -> bool:
    """Whether the person was already asked to slow down within the window: the warning goes once."""
    found = db.execute(
        "SELECT 1 FROM inbound WHERE contact_id = ? AND warned = 1 AND received_at > ?",
        [contact_id, iso(now - window)],
    ).fetchone()
    return found is not None


def answered(db: Database, contact_id: int | None, command: str, now: datetime) -> bool:
    """Whether the same STOP, START or DELETE got an answer within the last minute."""
    if contact_id is None:
        return False
    found = db.execute(
        "SELECT 1 FROM inbound WHERE contact_id = ? AND keyword = ? AND received_at > ? AND replies NOT IN ('[]', '')",
        [contact_id, command, iso(now - timedelta(minutes=1))],
    ).fetchone()
    return found is not None


def watch_new_numbers(db: Database, now: datetime) -> None:
    """Log once when the new numbers of the last hour reach NEW_PER_HOUR: every welcome is billed."""
    (new,) = db.execute(
        "SELECT count(*) FROM contacts WHERE created_at > ?", [iso(now - timedelta(hours=1))]
    ).fetchone()
    if new == NEW_PER_HOUR:
        log.warning(
            "%d new numbers wrote in the last hour: check for SMS pumping (Twilio's console, geo permissions)", new
        )
