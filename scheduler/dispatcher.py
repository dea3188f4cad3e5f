"""One tick of the dispatcher: expire what is too late, claim what is due, send it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.phones import PhoneVault
from scheduler import outbox

log = logging.getLogger(__name__)


def dispatch_once(db: Database, transport, vault: PhoneVault, now: datetime, callback_url: str | None = None) -> dict:
    """Send every due pending row once; returns counts for logs and `dispatch --once`."""
    counts = {"expired": outbox.expire_passed(db, now), "sent": 0, "failed": 0}
    for row in outbox.claim_due(db, now):
        try:
            result = transport.send(row["channel"], vault.decrypt(row["to_enc"]), row["body"], callback_url)
        except Exception as error:  # noqa: BLE001 - any transport failure is recorded, never fatal
            log.warning("outbox %s failed: %s", row["id"], type(error).__name__)
            code = getattr(error, "code", None)  # twilio's TwilioRestException carries Twilio's error code
            outbox.record(db, row["id"], now, "failed", error=str(code) if code is not None else None)
            counts["failed"] += 1
            continue
        outbox.record(db, row["id"], now, "sent", sid=result.sid)
        counts["sent"] += 1
    return counts
