"""Alerts from a volunteer's phone: `ALERTA <city or ALL> <text>`, a preview, then the PIN.

Only a phone registered as staff gets here; from anyone else ALERTA is an ordinary message and the
conversation answers it as such (nothing hints that the command exists). The PIN must come within
ten minutes; three wrong ones lock this path for that volunteer for an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from bot import broadcasts, staff
from bot.i18n import translator
from bot.places import Places
from bot.storage import iso, rows
from bot.text import bare

ALERT_WORDS = {"alerta", "alert", "alerte"}
EVERYONE_WORDS = {"all", "todos", "todas", "todo", "tous", "toutes", "tout", "tout moun", "tou", "everyone"}
PIN_WINDOW = timedelta(minutes=10)


def _draft(db: Database, member: staff.Staff, now: datetime) -> dict | None:
    """The volunteer's alert waiting for its PIN, if it has not run out."""
    found = rows(
        db,
        "SELECT * FROM broadcasts WHERE author = ? AND via = 'sms' AND status = 'draft' AND pin_until > ? "
        "ORDER BY id DESC LIMIT 1",
        [member.name, iso(now)],
    )
    return found[0] if found else None


def _split(rest: str, places: Places) -> tuple[str | None, str | None, str]:
    """'<city or ALL> <text>' -> (city key or None for everyone, error, text)."""
    words = rest.split()
    for size in (3, 2, 1):  # "Ciudad Juárez", "Nuevo Laredo" before "Laredo"
        head = " ".join(words[:size])
        if bare(head) in EVERYONE_WORDS:
            return None, None, " ".join(words[size:])
        city = next((c for c in places.cities if bare(head) in c.aliases), None) if head else None
        if city:
            return city.key, None, " ".join(words[size:])
    return None, "city", rest


def handle(db: Database, places: Places, phone_hash: str, text: str, now: datetime, prices: dict) -> list[str] | None:
    """The staff path for one message, or None: then it is an ordinary message for the conversation."""
    member = staff.by_phone(db, phone_hash)
    if member is None:
        return None
    _ = translator(member.lang)
    words = text.strip().split(maxsplit=1)
    if words and bare(words[0]) in ALERT_WORDS:
        if staff.locked(member, now):
            return [_("Alerts from this phone are locked for an hour after three wrong PINs.")]
        city, error, message = _split(words[1] if len(words) > 1 else "", places)
        if error or not message.strip():
            return [_("Write: ALERT, then a city or ALL, then the text.")]
        target = broadcasts.Target(city=city)
        texts = {member.lang: message.strip()}
        shown = broadcasts.preview(db, target, texts, member.lang, places, prices)
        broadcasts.create(db, member.name, "sms", target, texts, member.lang, now, pin_until=now + PIN_WINDOW)
        where = places.city(city).name if city else _("everyone")
        return [_("Alert to {people} people ({where}), {segments} SMS segment(s) each, about {cost} USD. "
                  "Reply with your PIN within 10 minutes to send it.").format(
            people=shown.people, where=where, segments=max((d["segments"] for d in shown.by_lang.values()), default=1),
            cost=f"{shown.cost:.2f}")]  # fmt: skip
    draft = _draft(db, member, now)
    if draft is None or not staff.PIN.fullmatch(text.strip()):
        return None
    if staff.locked(member, now):
        return [_("Alerts from this phone are locked for an hour after three wrong PINs.")]
    if not staff.check_pin(db, member, text, now):
        if staff.locked(staff.by_phone(db, phone_hash), now):  # the draft runs out unsent
            return [_("Alerts from this phone are locked for an hour after three wrong PINs.")]
        return [_("Wrong PIN. Try again.")]
    queued = broadcasts.send(db, draft["id"], member.name, now, places)
    db.execute("UPDATE broadcasts SET pin_until = NULL WHERE id = ?", [draft["id"]])
    return [_("Sent: alert {id} is going to {people} people.").format(people=queued, id=draft["id"])]
