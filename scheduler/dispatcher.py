"""One run of the dispatcher: expire what is too late, claim what is due, send it, apply the policy.

Each claimed row is proven still ours and still wanted by one conditional UPDATE just before its
request (outbox.hand_over): a STOP, DELETE, CHANGE or broadcast cancel that lands while a batch is
out stops the rows not yet handed to Twilio. A row that raises fails alone; a stop (SIGTERM) lets
the request in flight finish and gives every other claimed row back before the lease is released.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core import voice
from bot.core.clock import parse_iso, utcnow
from bot.core.phones import PhoneVault
from bot.core.places import Places
from bot.core.status import NOT_REACHED, Kind, Status
from scheduler import lease, outbox, policy, texts, whatsapp
from scheduler.planner import Settings
from scheduler.ratelimit import TokenBucket
from scheduler.transport import MAX_VALIDITY_SECONDS, Outgoing, OutgoingCall, SendError, Transport
from scheduler.voice import twiml

log = logging.getLogger(__name__)
COUNTS = ("sent", "retry", "failed", "expired", "cancelled")


class RowError(Exception):
    """A row that cannot be sent as it stands (its court is gone from places.json, ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Dispatcher:
    db: Database
    transport: Transport
    vault: PhoneVault
    settings: Settings
    places: Places
    templates: dict = field(default_factory=dict)
    callback_url: str | None = None
    public_url: str | None = None  # where Twilio reaches us: a call's keys, its progress and its clips
    voices: voice.Voices = field(default_factory=voice.load_voices)
    bucket: TokenBucket = field(default_factory=lambda: TokenBucket(0))
    clock: Callable[[], datetime] = utcnow
    rand: Callable[[], float] = random.random
    batch: int = 50
    holder: str = field(default_factory=lease.new_holder)  # the lease this dispatcher sends under
    lease_ttl: timedelta = timedelta(seconds=60)
    stopping: threading.Event = field(default_factory=threading.Event)  # set: finish the request in flight, stop

    def run_once(self) -> dict:
        """Send everything due now, batch by batch; returns counts by outcome."""
        now = self.clock()
        counts = Counter(expired=outbox.expire_passed(self.db, now))
        try:
            while not self.stopping.is_set():
                claimed = outbox.claim_due(self.db, now, self.batch, self.holder)
                if not claimed:
                    break
                for row in claimed:
                    self.bucket.wait()
                    if self.stopping.is_set():  # a stop: this row and the rest go back to pending
                        break
                    outcome = self.send_one(row)
                    if outcome == "lost":  # another scheduler has the lease now: it sends the rest
                        self.stopping.set()
                        break
                    counts[outcome] += 1
                now = self.clock()
        finally:
            if returned := outbox.unclaim(self.db, self.holder, self.clock()):
                log.info("dispatch: %d claimed message(s) given back unsent", returned)
        return {k: counts[k] for k in COUNTS}

    def send_one(self, row: dict) -> str:
        """send(), with a row that raises failed alone (reason logged, never its phone or text)."""
        try:
            return self.send(row)
        except sqlite3.DatabaseError:
            raise  # the database itself: nothing can be recorded, the runner logs it
        except Exception as error:
            reason = error.reason if isinstance(error, RowError) else "internal_error"
            log.error("outbox %s: %s (%s): failed; the batch goes on", row["id"], reason, type(error).__name__)
            outbox.finish(self.db, row["id"], Status.FAILED, None, self.clock(), reason=reason)
            return "failed"

    def send(self, row: dict) -> str:
        """Send one claimed row; returns sent, retry, failed, expired, cancelled, gone or lost."""
        now = self.clock()
        checked = outbox.hand_over(self.db, row["id"], self.holder, now, self.lease_ttl)
        if checked.outcome != "go":
            if checked.reason:
                log.info("outbox %s: not sent (%s)", row["id"], checked.reason)
            return {"gone": "cancelled"}.get(checked.outcome, checked.outcome)
        if row["kind"] == Kind.CALL:
            return self.place_call(row, checked, now)
        contact, hearing = checked.contact, checked.hearing
        lang = (contact and contact["lang"]) or row["lang"]
        try:
            variant = contact["variant"] if contact else None
            body, variables = texts.for_row(row, lang, hearing, self.places, variant, self.settings.days_before)
        except Exception as error:
            raise RowError("render_error") from error
        if body is None:
            raise RowError("render_error")
        sealed = body if row["kind"] == Kind.REPLY else None  # a volunteer's words: stored only sealed
        if sealed is not None:
            try:
                body = self.vault.unseal(sealed)
            except Exception as error:
                raise RowError("unreadable_reply") from error
        expires = parse_iso(row["expires_at"]) or parse_iso(row["hearing_at"])
        validity = int((expires - now).total_seconds()) if expires else MAX_VALIDITY_SECONDS
        if validity < 1:
            outbox.finish(self.db, row["id"], Status.EXPIRED, None, now)
            return "expired"
        channel = (contact and contact["channel"]) or row["channel"]  # the person's preferred channel now
        way = whatsapp.route(
            channel,
            contact["last_whatsapp_at"] if contact else None,
            now,
            lang,
            texts.template_kind(row["kind"], hearing, self.places, row["slot"], self.settings.days_before),
            bool(row["force_template"]),
            self.templates,
        )
        phone_enc = row["to_enc"] or (contact and contact["phone_enc"])
        if not phone_enc:
            raise RowError("no_number")
        message = Outgoing(
            channel=way.channel,
            to=self.vault.decrypt(phone_enc),
            body=body,
            callback_url=self.callback_url,
            validity_seconds=min(validity, MAX_VALIDITY_SECONDS),
            content_sid=way.content_sid,
            content_variables=json.dumps(variables, ensure_ascii=False) if way.content_sid else None,
        )
        try:
            sent = self.transport.send(message)
        except SendError as error:
            return self.refused(row, error, now)
        event = texts.event(row["kind"], row["slot"], self.settings.days_before)  # what the report counts
        outbox.record_sent(self.db, row["id"], sent.sid, way.sent_as, sealed or body, lang, now, event)
        return "sent"

    def refused(self, row: dict, error: SendError, now: datetime) -> str:
        """Twilio refused a message or a call, or could not be reached: the error policy decides."""
        decision = policy.decide(
            error.code,
            error.http_status,
            row["attempts"],
            self.settings,
            error.transient,
            bool(row["force_template"]),
            self.rand,
        )
        status = outbox.carry_out(self.db, row, decision, error.code, now)
        log.warning("outbox %s: %s -> %s (%s)", row["id"], error.code or error.http_status, status, decision.action)
        return "retry" if status == Status.PENDING else "failed" if status in NOT_REACHED else status

    def url(self, path: str) -> str | None:
        return f"{self.public_url.rstrip('/')}{path}" if self.public_url else None

    def place_call(self, row: dict, checked: outbox.Handover, now: datetime) -> str:
        """A reminder call (the day before, the wake-up) or the call back after the person called: the
        hearing said twice in their language, then "1 to hear it again, 2 for help" (docs/voice.md)."""
        contact = checked.contact
        lang = (contact and contact["lang"]) or row["lang"]
        try:
            script = voice.hearing_script(checked.hearing, lang, self.places, self.voices, texts.call_what(row))
            played = twiml(script, self.url("/voice"), self.url("/twilio/voice/gather"))
        except Exception as error:
            raise RowError("render_error") from error
        if script.missing:
            log.warning("outbox %s: %d clip(s) missing in %s: said in Spanish", row["id"], len(script.missing), lang)
        phone_enc = row["to_enc"] or (contact and contact["phone_enc"])
        if not phone_enc:
            raise RowError("no_number")
        call = OutgoingCall(
            to=self.vault.decrypt(phone_enc),
            twiml=played,
            words=script.text,
            callback_url=self.url("/twilio/voice/status"),
        )
        try:
            sent = self.transport.call(call)
        except SendError as error:
            return self.refused(row, error, now)
        outbox.record_sent(self.db, row["id"], sent.sid, "call", script.text, script.lang, now)
        return "sent"
