"""One inbound message, end to end: dedupe by MessageSid, run the conversation, store the outcome.

The webhook and the `chat` command both come through here, so a terminal chat is exactly a phone.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot import volunteer
from bot.core import conversation
from bot.core import keywords as kw
from bot.core.clock import iso
from bot.core.conversation import Message
from bot.core.i18n import DEFAULT_LANG, translator
from bot.core.phones import PhoneVault, mask, split_address
from bot.core.places import Places
from bot.store import people, shelters
from bot.store.db import update, write_transaction
from scheduler import planner
from scheduler.planner import Settings

log = logging.getLogger(__name__)
DEFAULT_PRICES = {"sms": 0.10, "whatsapp": 0.02}
MAX_BODY = 1600  # Twilio's longest message; anything longer is cut before parsing


def _coordinate(value: str | None, limit: float) -> float | None:
    """A latitude or longitude as a number within ±limit; anything else (NaN, inf, 95) is no pin."""
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and -limit <= number <= limit else None


def _pin(form: dict) -> tuple[float | None, float | None]:
    latitude, longitude = _coordinate(form.get("Latitude"), 90), _coordinate(form.get("Longitude"), 180)
    return (latitude, longitude) if latitude is not None and longitude is not None else (None, None)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def message_from_form(form: dict, channel: str) -> Message:
    """Twilio's form fields -> a Message. A WhatsApp button's payload counts as the text when the bot
    knows it (YES, a keyword); an opaque one ("btn_confirm_yes") gives way to the button's text, then Body."""
    payload = form.get("ButtonPayload") or ""
    text = payload if kw.understood(payload) else form.get("ButtonText") or form.get("Body") or payload
    latitude, longitude = _pin(form)
    return Message(
        channel=channel,
        text=text[:MAX_BODY],
        num_media=_int(form.get("NumMedia")),
        latitude=latitude,
        longitude=longitude,
    )


PER_MINUTE = 20  # messages a phone may send in a minute before the bot stops answering for a while
PER_DAY = 200  # answers a person may get in a day: a cap on what one phone can make us send or store
ALWAYS = {kw.STOP, kw.START, kw.DELETE}  # these always take effect; their answer goes at most once a minute


def flooding(db: Database, contact_id: int | None, now: datetime) -> timedelta | None:
    """None while a person is within the limits; else the window the flood is counted over."""
    if contact_id is None:
        return None
    (minute,) = db.execute("SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ?",
                           [contact_id, iso(now - timedelta(minutes=1))]).fetchone()  # fmt: skip
    if minute >= PER_MINUTE:
        return timedelta(minutes=1)
    (day,) = db.execute(
        "SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ? AND replies NOT IN ('[]', '')",
        [contact_id, iso(now - timedelta(days=1))],
    ).fetchone()
    return timedelta(days=1) if day >= PER_DAY else None


def warned(db: Database, contact_id: int, now: datetime, window: timedelta) -> bool:
    """Whether the person was already asked to slow down within the window: the warning goes once."""
    return bool(db.execute("SELECT 1 FROM inbound WHERE contact_id = ? AND warned = 1 AND received_at > ?",
                           [contact_id, iso(now - window)]).fetchone())  # fmt: skip


def answered(db: Database, contact_id: int | None, command: str, now: datetime) -> bool:
    """Whether the same STOP, START or DELETE got an answer within the last minute."""
    return contact_id is not None and bool(db.execute(
        "SELECT 1 FROM inbound WHERE contact_id = ? AND keyword = ? AND received_at > ? AND replies NOT IN ('[]', '')",
        [contact_id, command, iso(now - timedelta(minutes=1))]).fetchone())  # fmt: skip


NEW_PER_HOUR = 300  # new numbers in an hour beyond which an operator should look (SMS pumping bills us)


def watch_new_numbers(db: Database, now: datetime) -> None:
    """Log once when the new numbers of the last hour reach NEW_PER_HOUR: every welcome is billed."""
    (new,) = db.execute("SELECT count(*) FROM contacts WHERE created_at > ?", [iso(now - timedelta(hours=1))]
                        ).fetchone()  # fmt: skip
    if new == NEW_PER_HOUR:
        log.warning("%d new numbers wrote in the last hour: check for SMS pumping (Twilio's console, geo permissions)",
                    new)  # fmt: skip


def slow_down(lang: str | None) -> str:
    _ = translator(lang or DEFAULT_LANG)
    return _("You are sending many messages. Please wait a minute, then write again.")


def receive(
    db: Database,
    vault: PhoneVault,
    places: Places,
    form: dict,
    now: datetime,
    reminders: Settings | None = None,
    prices: dict | None = None,
) -> list[str]:
    """Answer one Twilio inbound message; a repeated MessageSid gets the first answer again."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    channel, phone = split_address(form.get("From", ""))
    if not sid or not phone:
        raise ValueError("an inbound message needs MessageSid and From")
    message = message_from_form(form, channel)
    with write_transaction(db):
        # The write lock is held before anything is read: two workers with the same person queue
        # up here, and a retried MessageSid waits for the first to commit, then finds its answer.
        claimed = db.execute(
            "INSERT INTO inbound (sid, received_at) VALUES (?, ?) ON CONFLICT(sid) DO NOTHING",
            [sid, iso(now)],
        ).rowcount
        if not claimed:
            (stored,) = db.execute("SELECT replies FROM inbound WHERE sid = ?", [sid]).fetchone()
            log.info("replayed %s from %s", sid, mask(phone))
            return json.loads(stored or "[]")
        phone_hash = vault.lookup_hash(phone)
        alert = volunteer.handle(db, vault, places, phone_hash, message.text, now, prices or DEFAULT_PRICES)
        if alert is not None:  # a volunteer's ALERTA or PIN: not part of any conversation
            update(db, "inbound", sid, {"replies": json.dumps(alert)}, key="sid")
            log.info("%s %s from %s: volunteer alert path", channel, sid, mask(phone))
            return alert
        contact = people.find(db, phone_hash)
        if contact.id is None:
            watch_new_numbers(db, now)
        keyword = kw.match(message.text)
        always = keyword.command if keyword and keyword.command in ALWAYS else None
        # STOP, START, DELETE and the YES that confirms a DELETE always take effect, flood or not.
        exempt = always or contact.person.state == conversation.CONFIRM_DELETE
        window = flooding(db, contact.id, now)
        warn = window is not None and not warned(db, contact.id, now, window)
        if window and not exempt:  # flooding: one "slow down", then silence; nothing else changes
            limited = [slow_down(contact.person.lang)] if warn else []
            update(db, "inbound", sid, {"contact_id": contact.id, "replies": json.dumps(limited), "warned": int(warn)},
                   key="sid")  # fmt: skip
            log.warning("%s %s from %s: rate limited", channel, sid, mask(phone))
            return limited
        code = f"{secrets.randbelow(900) + 100}"  # three digits, for a confirmation only this phone can see
        outcome = conversation.handle(contact.person, message, now, places, shelters.Directory(db), code)
        applied = people.apply(db, vault, contact, channel, phone, outcome, now, places)
        contact_id = applied.contact_id
        if applied.replan:  # a new hearing, port time, language, or START: the reminders follow
            planner.plan_contact(db, contact_id, now, places, reminders or planner.load_settings(), applied.revive)
        replies = list(outcome.replies)
        repeated = always != kw.DELETE or contact.person.state == conversation.CONFIRM_DELETE  # (a new code: said)
        if always and repeated and answered(db, contact_id, always, now):
            replies = []  # done again, but answered once a minute at most: a loop of STOPs costs nothing
        warn = bool(window and warn and contact_id is not None)  # (nobody to warn once erased)
        if warn:
            replies.append(slow_down(outcome.person.lang))
        kept = [] if message.latitude is not None else replies  # distances to shelters would locate the person
        update(db, "inbound", sid, {"contact_id": contact_id, "replies": json.dumps(kept), "keyword": always,
                                    "warned": int(warn)}, key="sid")  # fmt: skip
    log.info(
        "%s %s from %s: %s -> %s (%d replies)",
        channel,
        sid,
        mask(phone),
        contact.person.state,
        outcome.person.state,
        len(replies),
    )
    return replies
