"""Retention: keep the least, for the least time. Run daily by the scheduler and by `flask purge`.

- A hearing and all its messages go 30 days after the hearing day (an older, replaced hearing too).
- What dedupe and support keep of an inbound message (its SID and the answer given) goes after 7
  days; message bodies people send are never stored at all.
- Alert messages go 30 days after they were queued.
- A person silent for 180 days with no hearing ahead gets a goodbye that says how to come back; a
  day later everything about them is erased (someone who said STOP gets no goodbye: just erased).
Deleted rows are overwritten (secure_delete) and the WAL truncated, so nothing stays on disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.i18n import DEFAULT_LANG, translator
from bot.core.status import Kind, Status
from bot.store import audit, people, threads
from bot.store.db import scrub, write_transaction


@dataclass(frozen=True)
class Retention:
    hearing_days: int = 30
    inbound_days: int = 7
    thread_days: int = 7  # a conversation with a volunteer, after it closes
    broadcast_days: int = 30
    silent_days: int = 180
    goodbye_grace: timedelta = timedelta(days=1)


def from_config(config: Mapping) -> Retention:
    return Retention(
        hearing_days=config["RETENTION_HEARING_DAYS"],
        inbound_days=config["RETENTION_INBOUND_DAYS"],
        thread_days=config["RETENTION_THREAD_DAYS"],
        silent_days=config["RETENTION_SILENT_DAYS"],
    )


def goodbye_text(lang: str, silent_days: int = 180) -> str:
    _ = translator(lang)
    return _(
        "We have not heard from you in {months} months, so we will delete your number and data. "
        "To come back, write HELLO any time."
    ).format(months=max(1, round(silent_days / 30)))


def purge(db: Database, now: datetime, keep: Retention = Retention()) -> dict:
    """Delete what is past its time; returns counts (for logs and `flask purge`)."""
    counts = {}
    with write_transaction(db):
        cutoff = iso(now - timedelta(days=keep.hearing_days))
        old = [r[0] for r in db.execute("SELECT id FROM hearings WHERE hearing_at < ?", [cutoff]).fetchall()]
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            db.execute(f"DELETE FROM outbox WHERE hearing_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM hearings WHERE id IN ({marks})", chunk)
        counts["hearings"] = len(old)
        counts["threads"] = threads.purge_closed(db, now - timedelta(days=keep.thread_days))
        counts["inbound"] = db.execute(
            "DELETE FROM inbound WHERE received_at < ?", [iso(now - timedelta(days=keep.inbound_days))]
        ).rowcount
        # The shelters left to show after a pin (ids only, nearest first) say roughly where someone
        # stood: kept one day for MORE, then dropped.
        counts["shelter_lists"] = db.execute(
            "UPDATE contacts SET state_data = json_remove(state_data, '$.shelters', '$.listed') "
            "WHERE (json_extract(state_data, '$.shelters') IS NOT NULL OR json_extract(state_data, '$.listed') "
            "IS NOT NULL) AND updated_at < ?",
            [iso(now - timedelta(days=1))],
        ).rowcount
        counts["alerts"] = db.execute(
            "DELETE FROM outbox WHERE broadcast_id IS NOT NULL AND created_at < ?",
            [iso(now - timedelta(days=keep.broadcast_days))],
        ).rowcount
        # What a person wrote with WRONG is kept like an inbound message; the flag stays for a volunteer.
        counts["flag_words"] = db.execute(
            "UPDATE service_flags SET words_enc = NULL WHERE words_enc IS NOT NULL AND at < ?",
            [iso(now - timedelta(days=keep.inbound_days))],
        ).rowcount
        # A call back with no hearing to read (the person had none ahead) is kept like an inbound message.
        counts["call_backs"] = db.execute(
            "DELETE FROM outbox WHERE kind = 'call' AND hearing_id IS NULL AND created_at < ?",
            [iso(now - timedelta(days=keep.inbound_days))],
        ).rowcount
        # Goodbyes sent a day ago (or more): now erase. Silent and opted out: erase without a word.
        due = [
            r[0]
            for r in db.execute(
                "SELECT id FROM contacts WHERE goodbye_at IS NOT NULL AND goodbye_at <= ?",
                [iso(now - keep.goodbye_grace)],
            ).fetchall()
        ]
        silent_since = iso(now - timedelta(days=keep.silent_days))
        silent = db.execute(
            "SELECT c.id, c.channel, c.lang, c.opted_out_at FROM contacts c WHERE c.goodbye_at IS NULL "
            "AND COALESCE(c.last_inbound_at, c.created_at) < ? AND NOT EXISTS (SELECT 1 FROM hearings h "
            "WHERE h.contact_id = c.id AND h.status = 'active' AND h.hearing_at > ?)",
            [silent_since, iso(now)],
        ).fetchall()
        goodbyes = 0
        for contact_id, channel, lang, opted_out in silent:
            if opted_out:
                due.append(contact_id)
                continue
            db.execute(
                "INSERT INTO outbox (contact_id, channel, kind, slot, lang, body, send_at, expires_at, priority, "
                "status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 3, ?, 0, ?, ?)",
                [
                    contact_id,
                    channel,
                    Kind.GOODBYE,
                    Kind.GOODBYE,
                    lang or DEFAULT_LANG,
                    goodbye_text(lang or DEFAULT_LANG, keep.silent_days),
                    iso(now),
                    iso(now + keep.goodbye_grace),
                    Status.PENDING,
                    iso(now),
                    iso(now),
                ],
            )
            db.execute("UPDATE contacts SET goodbye_at = ? WHERE id = ?", [iso(now), contact_id])
            goodbyes += 1
        for contact_id in due:
            people.erase(db, contact_id)
        counts["goodbyes"] = goodbyes
        counts["erased"] = len(due)
        audit.record(db, "retention", "purge", now, **counts)
    scrub(db)
    return counts
