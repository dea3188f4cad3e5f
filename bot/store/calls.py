"""Calls in SQLite: the call back after a person calls the bot's number, and the keys pressed during a call.

An inbound call never reads a hearing to the caller: caller ID can be spoofed. A registered number
gets a call back (an outbox row of kind `call`, slot "callback:<CallSid>", placed by the dispatcher
to the number we stored, never to the caller's); an unknown one hears how to register; STOP holds.
A spoofer can make us call the real person, at most once every CALLBACK_EVERY: they hear their own
hearing, and nobody else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.hearing import Hearing
from bot.core.i18n import DEFAULT_LANG, translator
from bot.core.phones import PhoneVault
from bot.core.status import CALLBACK, Kind, Status
from bot.core.voice import caller_language
from bot.store import people, threads
from bot.store.db import insert, rows

CALLBACK_EVERY = timedelta(minutes=10)  # one call back per person in this time, whoever calls
CALLBACK_VALID_FOR = timedelta(minutes=15)  # a call back not placed by then is no longer an answer

# What a caller hears (bot/core/voice.notice keys).
CALLING_BACK, NOT_REGISTERED, OPTED_OUT, TOO_SOON = "calling_back", "not_registered", "opted_out", "too_soon"
AGAIN, VOLUNTEER, GOODBYE, SORRY = "again", "volunteer", "goodbye", "sorry"


@dataclass(frozen=True)
class Answer:
    """What to say on a call: a notice key (or AGAIN: the hearing again), in a language."""

    key: str
    lang: str
    hearing: Hearing | None = None


def call_in(db: Database, vault: PhoneVault, phone: str, call_sid: str, now: datetime) -> Answer:
    """A call to the bot's number from `phone` (E.164, or empty when withheld). Call in a transaction."""
    contact = people.find(db, vault.lookup_hash(phone)) if phone else None
    if contact is None or contact.id is None:
        return Answer(NOT_REGISTERED, caller_language(phone))
    person = contact.person
    lang = person.lang or caller_language(phone)
    if person.opted_out:
        return Answer(OPTED_OUT, lang)
    recent = db.execute(
        "SELECT 1 FROM outbox WHERE contact_id = ? AND kind = ? AND slot LIKE ? AND created_at > ? LIMIT 1",
        [contact.id, Kind.CALL.value, f"{CALLBACK}:%", iso(now - CALLBACK_EVERY)],
    ).fetchone()
    if recent:
        return Answer(TOO_SOON, lang)
    active = db.execute(
        "SELECT id, hearing_at FROM hearings WHERE contact_id = ? AND status = 'active' AND hearing_at > ? "
        "ORDER BY id DESC LIMIT 1",
        [contact.id, iso(now)],
    ).fetchone()
    insert(
        db,
        "outbox",
        {
            "contact_id": contact.id,
            "hearing_id": active[0] if active else None,
            "hearing_at": active[1] if active else None,
            "channel": "voice",
            "kind": Kind.CALL,
            "slot": f"{CALLBACK}:{call_sid}",
            "lang": lang,
            "send_at": iso(now),
            "expires_at": iso(now + CALLBACK_VALID_FOR),
            "priority": 0,  # someone is waiting by their phone
            "status": Status.PENDING,
            "attempts": 0,
            "created_at": iso(now),
            "updated_at": iso(now),
        },
    )
    return Answer(CALLING_BACK, lang)


def pressed(db: Database, vault: PhoneVault, call_sid: str, digits: str, now: datetime) -> Answer:
    """A key pressed during one of our calls: 1 says the hearing again (as it stands now), 2 opens a
    conversation with a volunteer, who writes by message. Call in a transaction."""
    found = rows(
        db,
        "SELECT o.contact_id, c.lang, c.opted_out_at FROM outbox o JOIN contacts c ON c.id = o.contact_id "
        "WHERE o.sid = ? AND o.kind = ?",
        [call_sid, Kind.CALL.value],
    )
    if not found or found[0]["opted_out_at"]:
        return Answer(GOODBYE, (found and found[0]["lang"]) or DEFAULT_LANG)
    contact_id, lang = found[0]["contact_id"], found[0]["lang"] or DEFAULT_LANG
    if digits == "1":
        return Answer(AGAIN, lang, people.active_hearing(db, contact_id))
    if digits == "2":
        thread_id = threads.open_thread(db, contact_id, lang, False, now)
        _ = translator(lang)
        threads.add(db, vault, thread_id, threads.BOT, _("(Pressed 2 during a call: asks for help.)"), now)
        return Answer(VOLUNTEER, lang)
    return Answer(GOODBYE, lang)
