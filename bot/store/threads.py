"""Conversations with a volunteer: one open thread per person, its messages encrypted at rest.

Only what is written while a thread is open is kept (the person's messages, the bot's answers in
it, volunteers' replies), each sealed with the vault's message key; nothing of it is ever logged.
A thread goes with DELETE (people.erase) and RETENTION_THREAD_DAYS after it closes (retention).
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.phones import PhoneVault
from bot.store.db import insert, rows

PERSON, BOT = "person", "bot"  # authors besides volunteers (who are named)


def open_id(db: Database, contact_id: int) -> int | None:
    found = db.execute("SELECT id FROM threads WHERE contact_id = ? AND status = 'open'", [contact_id]).fetchone()
    return found[0] if found else None


def open_thread(db: Database, contact_id: int, lang: str | None, urgent: bool, now: datetime) -> int:
    """The person's open thread (a new one if none); words of danger mark it urgent."""
    thread_id = open_id(db, contact_id)
    if thread_id is None:
        row = {"contact_id": contact_id, "status": "open", "urgent": int(urgent), "lang": lang}
        return insert(db, "threads", row | {"opened_at": iso(now), "updated_at": iso(now)})
    if urgent:
        db.execute("UPDATE threads SET urgent = 1, updated_at = ? WHERE id = ?", [iso(now), thread_id])
    return thread_id


def add(db: Database, vault: PhoneVault, thread_id: int, author: str, text: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO thread_messages (thread_id, author, body_enc, created_at) VALUES (?, ?, ?, ?)",
        [thread_id, author, vault.seal(text), iso(now)],
    )
    db.execute("UPDATE threads SET updated_at = ? WHERE id = ?", [iso(now), thread_id])


def close(db: Database, contact_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE threads SET status = 'closed', closed_at = ?, updated_at = ? WHERE contact_id = ? AND status = 'open'",
        [iso(now), iso(now), contact_id],
    )


def messages(db: Database, vault: PhoneVault, thread_id: int) -> list[dict]:
    """A thread's messages, oldest first, opened for the volunteer who reads them."""
    found = rows(
        db, "SELECT author, body_enc, created_at FROM thread_messages WHERE thread_id = ? ORDER BY id", [thread_id]
    )
    return [{"author": m["author"], "text": vault.unseal(m["body_enc"]), "at": m["created_at"]} for m in found]


def erase_contact(db: Database, contact_id: int) -> None:
    db.execute(
        "DELETE FROM thread_messages WHERE thread_id IN (SELECT id FROM threads WHERE contact_id = ?)", [contact_id]
    )
    db.execute("DELETE FROM threads WHERE contact_id = ?", [contact_id])


def purge_closed(db: Database, before: datetime) -> int:
    """Threads closed before `before`, with their messages: how many went."""
    old = "SELECT id FROM threads WHERE status = 'closed' AND closed_at < ?"
    db.execute(f"DELETE FROM thread_messages WHERE thread_id IN ({old})", [iso(before)])
    return db.execute("DELETE FROM threads WHERE status = 'closed' AND closed_at < ?", [iso(before)]).rowcount
