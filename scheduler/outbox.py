"""The outbox table: listing it for operators, claiming due rows, recording results."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.phones import PhoneVault, mask
from bot.storage import iso, rows, update

FIELDS = ("id", "to", "channel", "kind", "status", "send_at", "hearing_at", "lang", "body", "sid")


def listing(db: Database, vault: PhoneVault, status: str | None = None) -> list[dict]:
    """Rows for `queue list`: pending (or the given status), soonest first; phones masked."""
    rows = db["outbox"].rows_where("status = ?", [status or "pending"], order_by="send_at, id")
    return [
        {
            "id": r["id"],
            "to": mask(vault.decrypt(r["to_enc"])),
            "channel": r["channel"],
            "kind": r["kind"],
            "status": r["status"],
            "send_at": r["send_at"],
            "hearing_at": r["hearing_at"],
            "lang": r["lang"],
            "body": r["body"],
            "sid": r["sid"],
        }
        for r in rows
    ]


def claim_due(db: Database, now: datetime, limit: int = 100) -> list[dict]:
    """Atomically move due pending rows to 'sending', so no two ticks send the same row."""
    with db.atomic():
        return rows(
            db,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? "
            "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND send_at <= ? "
            "ORDER BY send_at, id LIMIT ?) RETURNING *",
            [iso(now), iso(now), limit],
        )


def record(db: Database, row_id: int, now: datetime, status: str, sid: str | None = None, error: str | None = None):
    with db.atomic():
        update(db, "outbox", row_id, {"status": status, "sid": sid, "error_code": error, "updated_at": iso(now)})


def expire_passed(db: Database, now: datetime) -> int:
    """A reminder whose hearing has passed is never sent."""
    with db.atomic():
        return db.execute(
            "UPDATE outbox SET status = 'expired', updated_at = ? "
            "WHERE status = 'pending' AND hearing_at IS NOT NULL AND hearing_at <= ?",
            [iso(now), iso(now)],
        ).rowcount
