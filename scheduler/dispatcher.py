"""One run of the dispatcher: expire what is too late, claim what is due, send it, apply the policy."""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from bot.hearing import Hearing
from bot.phones import PhoneVault
from bot.places import Places
from bot.storage import parse_iso, utcnow
from scheduler import outbox, planner, policy, texts, whatsapp
from scheduler.planner import Settings
from scheduler.ratelimit import TokenBucket
from scheduler.transport import MAX_VALIDITY_SECONDS, Outgoing, SendError

log = logging.getLogger(__name__)


@dataclass
class Dispatcher:
    db: Database
    transport: object
    vault: PhoneVault
    settings: Settings
    places: Places
    templates: dict = field(default_factory=dict)
    callback_url: str | None = None
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(0))
    clock: Callable[[], datetime] = utcnow
    rand: Callable[[], float] = random.random
    batch: int = 50
    renew: Callable[[], bool] = lambda: True  # keeps the lease between batches; False: stop sending

    def run_once(self) -> dict:
        """Send everything due now, batch by batch; returns counts by outcome."""
        now = self.clock()
        counts = Counter(expired=outbox.expire_passed(self.db, now))
        while self.renew():
            claimed = outbox.claim_due(self.db, now, self.batch)
            if not claimed:
                break
            contacts = outbox.contacts_for(self.db, claimed)
            hearings = planner.hearings(self.db, [r["hearing_id"] for r in claimed if r["hearing_id"]])
            stopped = outbox.cancelled_broadcasts(self.db, claimed)
            for row in claimed:
                if row["broadcast_id"] in stopped:  # cancelled after this batch was claimed
                    outbox.finish(self.db, row["id"], "cancelled", None, self.clock())
                    counts["cancelled"] += 1
                    continue
                self.bucket.wait()
                outcome = self.send(row, contacts.get(row["contact_id"]), hearings.get(row["hearing_id"]), self.clock())
                counts[outcome] += 1
            now = self.clock()
        return {k: counts[k] for k in ("sent", "retry", "failed", "expired", "cancelled")}

    def send(self, row: dict, contact: dict | None, hearing: Hearing | None, now: datetime) -> str:
        """Send one claimed row; returns sent, retry, failed, expired or cancelled."""
        gone = contact is None and row["to_enc"] is None  # erased while the row was claimed
        if gone or (contact is not None and (contact["opted_out_at"] or contact["unreachable_at"])):
            outbox.finish(self.db, row["id"], "cancelled", None, now)
            return "cancelled"
        lang = (contact and contact["lang"]) or row["lang"]
        body, variables = texts.for_row(row, lang, hearing, self.places)
        if body is None:  # a reminder whose hearing is gone
            outbox.finish(self.db, row["id"], "cancelled", None, now)
            return "cancelled"
        expires = parse_iso(row["expires_at"]) or parse_iso(row["hearing_at"])
        validity = int((expires - now).total_seconds()) if expires else MAX_VALIDITY_SECONDS
        if validity < 1:
            outbox.finish(self.db, row["id"], "expired", None, now)
            return "expired"
        way = whatsapp.route(row["channel"], contact and contact["last_inbound_at"], now, lang, row["kind"],
                             bool(row["force_template"]), self.templates)  # fmt: skip
        message = Outgoing(
            channel=way.channel,
            to=self.vault.decrypt(row["to_enc"] or contact["phone_enc"]),
            body=body,
            callback_url=self.callback_url,
            validity_seconds=min(validity, MAX_VALIDITY_SECONDS),
            content_sid=way.content_sid,
            content_variables=json.dumps(variables, ensure_ascii=False) if way.content_sid else None,
        )
        try:
            sent = self.transport.send(message)
        except SendError as error:
            decision = policy.decide(error.code, error.http_status, row["attempts"], self.settings,
                                     error.transient, bool(row["force_template"]), self.rand)  # fmt: skip
            status = policy.apply(self.db, row, decision, error.code, now)
            log.warning("outbox %s: %s -> %s (%s)", row["id"], error.code or error.http_status, status, decision.action)
            return {"pending": "retry"}.get(status, "failed" if status in ("failed", "undelivered") else status)
        outbox.record_sent(self.db, row["id"], sent.sid, way.sent_as, body, lang, now)
        return "sent"
