"""One inbound message, end to end: dedupe by MessageSid, run the conversation, store the outcome.

The webhook and the `chat` command both come through here, so a terminal chat is exactly a phone.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot import conversation, people, shelters, volunteer
from bot import keywords as kw
from bot.conversation import Message
from bot.i18n import DEFAULT_LANG, translator
from bot.phones import PhoneVault, mask, split_address
from bot.places import Places
from bot.storage import iso, update, write_transaction
from scheduler.planner import Settings

log = logging.getLogger(__name__)
DEFAULT_PRICES = {"sms": 0.10, "whatsapp": 0.02}
MAX_BODY = 1600  # Twilio's longest message; anything longer is cut before parsing


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def message_from_form(form: dict, channel: str) -> Message:
    """Twilio's form fields -> a Message; a WhatsApp button's payload counts as the text."""
    text = form.get("ButtonPayload") or form.get("Body") or ""
    return Message(
        channel=channel,
        text=text[:MAX_BODY],
        num_media=_int(form.get("NumMedia")),
        latitude=_float(form.get("Latitude")),
        longitude=_float(form.get("Longitude")),
    )


PER_MINUTE = 20  # messages a phone may send in a minute before the bot stops answering for a while
PER_DAY = 200  # answers a person may get in a day: a cap on what one phone can make us send or store
ALWAYS = {kw.STOP, kw.START, kw.DELETE}  # these work whatever the limits


def too_many(db: Database, contact_id: int | None, message: Message, now: datetime, lang: str | None) -> list | None:
    """None when the message may be answered; else the replies for a flood (one warning, then [])."""
    keyword = kw.match(message.text)
    if contact_id is None or (keyword and keyword.command in ALWAYS):
        return None
    (minute,) = db.execute("SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ?",
                           [contact_id, iso(now - timedelta(minutes=1))]).fetchone()  # fmt: skip
    (day,) = db.execute(
        "SELECT count(*) FROM inbound WHERE contact_id = ? AND received_at > ? AND replies NOT IN ('[]', '')",
        [contact_id, iso(now - timedelta(days=1))],
    ).fetchone()
    if minute < PER_MINUTE and day < PER_DAY:
        return None
    if minute == PER_MINUTE and day < PER_DAY:
        _ = translator(lang or DEFAULT_LANG)
        return [_("You are sending many messages. Please wait a minute, then write again.")]
    return []


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
        alert = volunteer.handle(db, places, phone_hash, message.text, now, prices or DEFAULT_PRICES)
        if alert is not None:  # a volunteer's ALERTA or PIN: not part of any conversation
            update(db, "inbound", sid, {"replies": json.dumps(alert)}, key="sid")
            log.info("%s %s from %s: volunteer alert path", channel, sid, mask(phone))
            return alert
        contact = people.find(db, channel, phone_hash)
        confirming_delete = contact.person.state == conversation.CONFIRM_DELETE  # erasing is never held back
        limited = None if confirming_delete else too_many(db, contact.id, message, now, contact.person.lang)
        if limited is not None:  # flooding: one "slow down", then silence; nothing else changes
            update(db, "inbound", sid, {"contact_id": contact.id, "replies": json.dumps(limited)}, key="sid")
            log.warning("%s %s from %s: rate limited", channel, sid, mask(phone))
            return limited
        outcome = conversation.handle(contact.person, message, now, places, shelters.Directory(db))
        contact_id = people.apply(db, vault, contact, channel, phone, outcome, now, places, reminders)
        update(db, "inbound", sid, {"contact_id": contact_id, "replies": json.dumps(outcome.replies)}, key="sid")
    log.info(
        "%s %s from %s: %s -> %s (%d replies)",
        channel,
        sid,
        mask(phone),
        contact.person.state,
        outcome.person.state,
        len(outcome.replies),
    )
    return list(outcome.replies)
