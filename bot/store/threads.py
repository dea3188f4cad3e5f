"""Conversations with a volunteer: one open thread per person, its messages encrypted at rest.

Only what is written while a thread is open is kept (the person's messages, the bot's answers in
it, volunteers' replies), each sealed with the vault's message key; nothing of it is ever logged.
A thread goes with DELETE (people.erase) and RETENTION_THREAD_DAYS after it closes (retention).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from sqlite_utils import Database

from bot.core.clock import iso, parse_utc
from bot.core.phones import PhoneVault, mask
from bot.core.status import Kind, Status
from bot.store.db import insert, rows, write_transaction

PERSON, BOT = "person", "bot"  # authors besides volunteers (who are named)


def exists(db: Database, thread_id: int) -> bool:
    return db.execute("SELECT 1 FROM threads WHERE id = ?", [thread_id]).fetchone() is not None


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


REPLY_VALID_FOR = timedelta(days=3)  # a volunteer's answer not out by then is stale: it expires


def reply(db: Database, vault: PhoneVault, thread_id: int, author: str, text: str, now: datetime) -> int:
    """A volunteer's answer: kept in the thread and queued in the outbox (kind reply) on the channel
    the person last wrote from; its text is sealed there too. Returns the outbox row's id."""
    text = text.strip()
    if not text:
        raise ThreadError("empty")
    found = rows(
        db,
        "SELECT t.id, t.contact_id, t.status, c.channel, c.lang FROM threads t JOIN contacts c ON c.id = t.contact_id "
        "WHERE t.id = ?",
        [thread_id],
    )
    if not found:
        raise ThreadError("missing")
    t = found[0]
    with write_transaction(db):
        add(db, vault, thread_id, author, text, now)
        db.execute(
            "UPDATE threads SET first_answer_at = COALESCE(first_answer_at, ?), assigned_to = COALESCE(assigned_to, ?) "
            "WHERE id = ?",
            [iso(now), author, thread_id],
        )
        slot = f"reply {thread_id}"
        return _queue(db, t["contact_id"], t["channel"] or "sms", t["lang"] or "es", slot, vault.seal(text), now)


def _queue(db: Database, contact_id: int, channel: str, lang: str, slot: str, sealed: str, now: datetime) -> int:
    """One outbox row of kind reply, its text sealed, due now and stale after REPLY_VALID_FOR."""
    return insert(
        db,
        "outbox",
        {
            "contact_id": contact_id,
            "channel": channel,
            "kind": Kind.REPLY,
            "slot": slot,
            "lang": lang,
            "body": sealed,
            "template_vars": "{}",
            "send_at": iso(now),
            "expires_at": iso(now + REPLY_VALID_FOR),
            "priority": 1,
            "status": Status.PENDING,
            "attempts": 0,
            "created_at": iso(now),
            "updated_at": iso(now),
        },
    )


class ThreadError(Exception):
    """A reply the thread cannot take: 'empty' or 'missing'."""


def set_status(db: Database, thread_id: int, status: str, actor: str, now: datetime) -> None:
    """Close or reopen a thread from the console (a person has at most one open thread)."""
    if status == "open":
        contact = db.execute("SELECT contact_id FROM threads WHERE id = ?", [thread_id]).fetchone()
        if contact and open_id(db, contact[0]) not in (None, thread_id):
            raise ThreadError("another_open")
    db.execute(
        "UPDATE threads SET status = ?, closed_at = CASE WHEN ? = 'closed' THEN ? END, updated_at = ? WHERE id = ?",
        [status, status, iso(now), iso(now), thread_id],
    )


def assign(db: Database, thread_id: int, name: str, now: datetime) -> None:
    db.execute("UPDATE threads SET assigned_to = ?, updated_at = ? WHERE id = ?", [name, iso(now), thread_id])


def listing(db: Database, vault: PhoneVault, now: datetime, limit: int = 200) -> list[dict]:
    """Open threads, urgent first, then the longest waiting: masked phone, language, city, since when."""
    found = rows(
        db,
        "SELECT t.id, t.urgent, t.lang, t.assigned_to, t.opened_at, t.first_answer_at, c.phone_enc, c.city, "
        "(SELECT max(created_at) FROM thread_messages m WHERE m.thread_id = t.id AND m.author = 'person') AS last_in "
        "FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE t.status = 'open' "
        "ORDER BY t.urgent DESC, t.opened_at LIMIT ?",
        [limit],
    )
    for r in found:
        r["to"] = mask(vault.decrypt(r.pop("phone_enc")))
    return found


def get(db: Database, vault: PhoneVault, thread_id: int) -> dict | None:
    found = rows(
        db,
        "SELECT t.*, c.phone_enc, c.city, c.court, c.channel, c.calls_at, c.opted_out_at "
        "FROM threads t JOIN contacts c ON c.id = t.contact_id "
        "WHERE t.id = ?",
        [thread_id],
    )
    if not found:
        return None
    t = found[0]
    t["to"] = mask(vault.decrypt(t.pop("phone_enc")))
    t["messages"] = messages(db, vault, thread_id)
    hearing = rows(
        db,
        "SELECT hearing_at, court, city FROM hearings WHERE contact_id = ? AND status = 'active' LIMIT 1",
        [t["contact_id"]],
    )
    t["hearing"] = hearing[0] if hearing else None
    return t


def figures(db: Database, now: datetime) -> dict:
    """For the dashboard: open threads, the oldest waiting (hours), the median first answer (hours)."""
    (open_count,) = db.execute("SELECT count(*) FROM threads WHERE status = 'open'").fetchone()
    (oldest,) = db.execute(
        "SELECT min(opened_at) FROM threads WHERE status = 'open' AND first_answer_at IS NULL"
    ).fetchone()
    waits = [
        (parse_utc(a) - parse_utc(o)).total_seconds() / 3600
        for o, a in db.execute("SELECT opened_at, first_answer_at FROM threads WHERE first_answer_at IS NOT NULL")
    ]
    return {
        "open": open_count,
        "oldest_waiting_hours": round((now - parse_utc(oldest)).total_seconds() / 3600, 1) if oldest else None,
        "median_first_answer_hours": round(median(waits), 1) if waits else None,
    }


def answers_waiting_for_the_window(db: Database, contact_id: int, now: datetime) -> int:
    """The person wrote on WhatsApp: volunteers' answers that could only go as the "a volunteer
    answered, write back" template now go as text, in the window their message opened. Returns how many."""
    waiting = rows(
        db,
        "SELECT id, body, lang, slot FROM outbox WHERE contact_id = ? AND kind = ? AND sent_as = 'template' "
        "AND status IN ('sent', 'delivered', 'read') AND created_at > ?",
        [contact_id, Kind.REPLY, iso(now - REPLY_VALID_FOR)],
    )
    for row in waiting:
        db.execute("UPDATE outbox SET sent_as = 'template, then text' WHERE id = ?", [row["id"]])
        _queue(db, contact_id, "whatsapp", row["lang"], row["slot"], row["body"], now)  # (still sealed)
    return len(waiting)
