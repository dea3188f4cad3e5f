"""Contacts and hearings in SQLite: loading a Person, applying an Outcome, erasing for real."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.clock import iso, parse_iso, parse_utc
from bot.core.conversation import (
    CallsOff,
    CallsOn,
    CloseThread,
    Erase,
    FlagService,
    Hearing,
    MoveCity,
    OpenThread,
    OptIn,
    OptOut,
    Outcome,
    Person,
    Record,
    SaveHearing,
    SavePortTime,
    ToThread,
)
from bot.core.phones import PhoneVault
from bot.core.places import Places
from bot.store import outcomes, services, threads
from bot.store.db import insert, rows, update
from bot.store.outbox import cancel_calls, cancel_contact, cancel_hearing, erase_contact


@dataclass(frozen=True)
class Applied:
    """What storing a turn did: the contact (None if erased), and whether to (re)plan its reminders
    (`revive`: bring back those STOP cancelled)."""

    contact_id: int | None
    replan: bool = False
    revive: bool = False


@dataclass(frozen=True)
class Contact:
    id: int | None
    person: Person
    channels: tuple[str, ...] = ()  # every channel this phone has written from


def find(db: Database, phone_hash: str) -> Contact:
    """The stored contact of a phone, whatever channel it writes from, or a new Person with no id."""
    found = rows(db, "SELECT * FROM contacts WHERE phone_hash = ?", [phone_hash])
    if not found:
        return Contact(None, Person())
    channels = tuple(c for c in (found[0]["channels"] or "").split(",") if c)
    return Contact(found[0]["id"], _person(db, found[0]), channels)


def active_hearing(db: Database, contact_id: int) -> Hearing | None:
    """A person's active hearing, as it stands now."""
    active = rows(
        db,
        "SELECT hearing_at, court, city, report_at FROM hearings WHERE contact_id = ? AND status = 'active' "
        "ORDER BY id DESC LIMIT 1",
        [contact_id],
    )
    for h in active:
        return Hearing(parse_utc(h["hearing_at"]), h["court"], h["city"], parse_iso(h["report_at"]))
    return None


def _person(db: Database, row: dict) -> Person:
    hearing = active_hearing(db, row["id"])
    return Person(
        state=row["state"],
        lang=row["lang"],
        city=row["city"],
        court=row["court"],
        hearing=hearing,
        pending=json.loads(row["state_data"] or "{}"),
        opted_out=bool(row["opted_out_at"]),
        consent_at=parse_iso(row["consent_at"]),
        consent_method=row["consent_method"],
        thread=threads.open_id(db, row["id"]) is not None,
        confused=row.get("confused") or 0,
        calls=bool(row.get("calls_at")),
    )


def apply(
    db: Database,
    vault: PhoneVault,
    contact: Contact,
    channel: str,
    phone: str,
    outcome: Outcome,
    now: datetime,
    places: Places,
    variant: str | None = None,
) -> Applied:
    """Store what a turn decided; say whether the person's reminders need (re)planning (the caller
    plans them: the planner is the scheduler's). Call inside a transaction.

    The channel the person wrote from becomes their preferred one, and its 24-hour window opens.
    `variant`: the reminder wording drawn for this person by the caller, kept from their first
    hearing on. Returns the contact id (None if erased)."""
    if any(isinstance(e, Erase) for e in outcome.effects):
        if contact.id is not None:
            erase(db, contact.id)
        return Applied(None)
    p = outcome.person
    row = {
        "state": p.state,
        "lang": p.lang,
        "city": p.city,
        "court": p.court,
        "state_data": json.dumps(p.pending, sort_keys=True),
        "consent_at": iso(p.consent_at),
        "consent_method": p.consent_method,
        "confused": p.confused,
        "channel": channel,
        "channels": ",".join(sorted({channel, *contact.channels})),
        f"last_{channel}_at": iso(now),
        "last_inbound_at": iso(now),
        "updated_at": iso(now),
    }
    if contact.id is None:
        row |= {
            "phone_hash": vault.lookup_hash(phone),
            "phone_enc": vault.encrypt(phone),
            "created_at": iso(now),
            "opted_out_at": iso(now) if p.opted_out else None,
        }
        contact_id = insert(db, "contacts", row)
    else:
        contact_id = contact.id
        update(db, "contacts", contact_id, {**row, "goodbye_at": None})  # they wrote: no goodbye due
    replan = revive = False
    for effect in outcome.effects:
        if isinstance(effect, Record):  # before a SaveHearing in the same turn: a new date is the old hearing's
            outcomes.record_active(db, contact_id, effect.code, now)
        elif isinstance(effect, SaveHearing):
            save_hearing(db, contact_id, effect.hearing, now, places)
            if variant:
                db.execute("UPDATE contacts SET variant = ? WHERE id = ? AND variant IS NULL", [variant, contact_id])
            replan = True
        elif isinstance(effect, SavePortTime):
            db.execute(
                "UPDATE hearings SET report_at = ? WHERE contact_id = ? AND status = 'active'",
                [iso(effect.report_at), contact_id],
            )
            replan = True  # the wake-up moves with the time to be at the port
        elif isinstance(effect, OpenThread):
            threads.open_thread(db, contact_id, p.lang, effect.urgent, now)
        elif isinstance(effect, ToThread):
            thread_id = threads.open_id(db, contact_id) or threads.open_thread(db, contact_id, p.lang, False, now)
            threads.add(db, vault, thread_id, threads.PERSON, effect.text, now)
        elif isinstance(effect, CloseThread):
            threads.close(db, contact_id, now)
        elif isinstance(effect, MoveCity):
            city = places.city(effect.city)
            db.execute(
                "UPDATE hearings SET city = ?, city_zone = ? WHERE contact_id = ? AND status = 'active'",
                [effect.city, city.zone.key if city else None, contact_id],
            )
            replan = True  # reminders go at 10:00 on the new city's clock
        elif isinstance(effect, OptOut):  # STOP ends calls too: asked for again after START
            update(db, "contacts", contact_id, {"opted_out_at": iso(now), "calls_at": None, "calls_method": None})
            cancel_contact(db, contact_id, now)
        elif isinstance(effect, CallsOn):
            set_calls(db, contact_id, effect.method, now)
            replan = revive = True  # the call rows of the active hearing (back, if calls were turned off)
        elif isinstance(effect, FlagService):
            services.flag(db, vault, effect.service_id, effect.words, now)
        elif isinstance(effect, CallsOff):
            set_calls(db, contact_id, None, now)
        elif isinstance(effect, OptIn):
            update(db, "contacts", contact_id, {"opted_out_at": None})
            replan = revive = True  # START brings back the reminders STOP cancelled
    if channel == "whatsapp":  # the window is open again: answers sent as "write back" follow as text
        threads.answers_waiting_for_the_window(db, contact_id, now)
    if p.thread and outcome.replies and (open_thread := threads.open_id(db, contact_id)):
        for reply in outcome.replies:  # the volunteer sees what the bot said in the thread
            threads.add(db, vault, open_thread, threads.BOT, reply, now)
    if contact.id is not None and p.lang != contact.person.lang and p.hearing:
        replan = True  # pending reminders are rewritten in the new language
    return Applied(contact_id, replan, revive)


def set_calls(db: Database, contact_id: int, method: str | None, now: datetime) -> None:
    """Reminder calls on (the consent: when, and how it was given) or off (pending calls cancelled)."""
    update(db, "contacts", contact_id, {"calls_at": iso(now) if method else None, "calls_method": method})
    if method is None:
        cancel_calls(db, contact_id, now)


def save_hearing(db: Database, contact_id: int, hearing: Hearing, now: datetime, places: Places) -> int:
    """The new hearing becomes the active one; an older one is kept as replaced until purged, and
    its pending reminders are cancelled (alerts to the person are not)."""
    for (old,) in db.execute("SELECT id FROM hearings WHERE contact_id = ? AND status = 'active'", [contact_id]):
        cancel_hearing(db, old, now)
    db.execute("UPDATE hearings SET status = 'replaced' WHERE contact_id = ? AND status = 'active'", [contact_id])
    court = places.known_court(hearing.court)
    city = places.city(hearing.city)
    hearing_id = (
        db.table("hearings")
        .insert(
            {
                "contact_id": contact_id,
                "hearing_at": iso(hearing.at),
                "court_zone": court.zone.key,
                "court": court.key,
                "city": city.key if city else None,
                "city_zone": city.zone.key if city else None,
                "report_at": iso(hearing.report_at),
                "status": "active",
                "created_at": iso(now),
            }
        )
        .last_pk
    )
    assert hearing_id is not None  # an insert always sets it
    return hearing_id


def erase(db: Database, contact_id: int) -> None:
    """Delete every row about a person: outbox, threads, outcomes, hearings, inbound answers, the contact."""
    erase_contact(db, contact_id)
    threads.erase_contact(db, contact_id)
    outcomes.erase_contact(db, contact_id)
    for table in ("hearings", "inbound"):
        db.execute(f"DELETE FROM {table} WHERE contact_id = ?", [contact_id])
    db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])


def opt_out(db: Database, contact_id: int, now: datetime) -> None:
    """Twilio says the person opted out (they texted STOP to the carrier): nothing more goes to them,
    no call either."""
    db.execute(
        "UPDATE contacts SET opted_out_at = ?, calls_at = NULL, calls_method = NULL WHERE id = ?",
        [iso(now), contact_id],
    )
    cancel_contact(db, contact_id, now, "opted_out")


def unreachable(db: Database, contact_id: int, code: str | None, now: datetime) -> None:
    """The number cannot be reached (unknown, landline, blocked us): stop, and keep Twilio's code."""
    db.execute(
        "UPDATE contacts SET unreachable_at = ?, unreachable_code = ? WHERE id = ?", [iso(now), code, contact_id]
    )
    cancel_contact(db, contact_id, now, "unreachable")
