"""Alerts from a volunteer's phone: `ALERTA <city or ALL> <text>`, a preview, then `<code> <PIN>`.

Only a phone registered as staff gets here; from anyone else ALERTA is an ordinary message and the
conversation answers it as such (nothing hints that the command exists). A From can be spoofed, so
the preview quotes the alert and carries a one-time code bound to that one draft; it goes to the
real phone only. The answer must be that code and the PIN: a PIN alone, or another draft's code,
sends nothing. A new ALERTA cancels older drafts. Wrong codes or PINs lock the path for 1 h, then
4 h, then 24 h; the path has its own flood limit.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.core.i18n import plural_translator, translator
from bot.core.phones import PhoneVault
from bot.core.places import Places
from bot.core.text import bare
from bot.store import audit, broadcasts, staff

ALERT_WORDS = {"alerta", "alert", "alerte"}
EVERYONE_WORDS = {"all", "todos", "todas", "todo", "tous", "toutes", "tout", "tout moun", "tou", "everyone"}
PIN_WINDOW = timedelta(minutes=10)
ANSWER = re.compile(r"\s*(\d{4})\s+(\d{6,8})\s*")  # "<code> <PIN>"
PER_HOUR = 12  # messages a volunteer's phone may send on this path in an hour
QUOTE = 30  # characters of the alert quoted back in the preview (two SMS segments in all, even in UCS-2)


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


def quote(text: str) -> str:
    """The alert as the volunteer will recognise it: whole if short, else its start and its end."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else f"{text[: QUOTE - 15].rstrip()}...{text[-12:].lstrip()}"


def handle(
    db: Database, vault: PhoneVault, places: Places, phone_hash: str, text: str, now: datetime, prices: dict
) -> list[str] | None:
    """The staff path for one message, or None: then it is an ordinary message for the conversation."""
    member = staff.by_phone(db, phone_hash)
    if member is None:
        return None
    _ = translator(member.lang)
    words = text.strip().split(maxsplit=1)
    alert = bool(words) and bare(words[0]) in ALERT_WORDS
    answer = ANSWER.fullmatch(text)
    draft = broadcasts.sms_draft(db, member.name, now)
    if not alert and draft is None:
        return None  # an ordinary message from a volunteer who is also a person of the bot
    if not alert and not answer and not staff.PIN.fullmatch(text.strip()):
        return None
    if staff.over_alert_limit(db, member, now, PER_HOUR):
        return []  # over the path's limit: silence, and nothing is done
    if staff.locked(member, now):
        return [locked_text(member.lang, member.locked_until, now)]
    if alert:
        return preview(db, vault, places, member, words[1] if len(words) > 1 else "", now, prices)
    if not answer:  # a PIN alone: it confirms nothing, whatever it is
        return [_("To send the alert, reply with its code, a space, then your PIN.")]
    code, pin = answer.groups()
    mine = bool(draft.get("code_hash")) and vault.pepper(f"alert {draft['id']} {code}") == draft["code_hash"]
    right, locked_until = staff.pin_attempt(db, vault, member, pin if mine else None, now)  # a wrong code counts too
    if locked_until:
        return [locked_text(member.lang, locked_until, now)]
    if not right:
        return [_("Wrong PIN. Try again.") if mine else _("That code is not your latest alert's. Nothing was sent.")]
    queued = broadcasts.send(db, draft["id"], member.name, now, places, role=member.role)
    broadcasts.set_code(db, draft["id"], None)
    if broadcasts.get(db, draft["id"])["status"] == "awaiting_approval":
        return [
            _("Alert {id} reaches many people: it waits for an operator's approval in the console.").format(
                id=draft["id"]
            )
        ]
    ngettext = plural_translator(member.lang)
    sent = ngettext(
        "Sent: alert {id} is going to {people} person.", "Sent: alert {id} is going to {people} people.", queued
    )
    return [sent.format(people=queued, id=draft["id"])]


def locked_text(lang: str, until: datetime, now: datetime) -> str:
    _ = translator(lang)
    hours = max(1, round((until - now).total_seconds() / 3600))
    return _("Alerts from this phone are locked for {hours} h after wrong PINs.").format(hours=hours)


def preview(
    db: Database, vault: PhoneVault, places: Places, member: staff.Staff, rest: str, now: datetime, prices: dict
) -> list[str]:
    """A new draft with its own code (older drafts are cancelled), and what it would do."""
    _ = translator(member.lang)
    city, error, message = _split(rest, places)
    if error or not message.strip():
        return [_("Write: ALERT, then a city or ALL, then the text.")]
    target = broadcasts.Target(city=city)
    texts = {member.lang: message.strip()}
    shown = broadcasts.preview(db, target, texts, member.lang, places, prices)
    older = broadcasts.cancel_sms_drafts(db, member.name, now)
    draft_id = broadcasts.create(db, member.name, "sms", target, texts, member.lang, now, pin_until=now + PIN_WINDOW)
    code = f"{secrets.randbelow(9000) + 1000}"
    broadcasts.set_code(db, draft_id, vault.pepper(f"alert {draft_id} {code}"))
    audit.record(db, member.name, "alert drafted by phone", now, broadcast=draft_id, cancelled_drafts=older)
    where = places.city(city).name if city else _("everyone")
    ngettext = plural_translator(member.lang)
    text = ngettext(
        'Alert {code} to {people} person ({where}, {cost} USD): "{quote}" Send {code} and your PIN within 10 min.',
        'Alert {code} to {people} people ({where}, {cost} USD): "{quote}" Send {code} and your PIN within 10 min.',
        shown.people,
    )
    text = text.format(code=code, people=shown.people, where=where, quote=quote(message), cost=f"{shown.cost:.2f}")
    return [_("Your earlier alert was cancelled.") + "\n" + text if older else text]
