"""What reminders say, in the person's language: date, time, court, and the port line.

The clocks rule is bot/core/hearing.py's: the time to be at the port on the port's city's clock,
named, with the court's in brackets when it differs; the hearing time names the court's clock when
the person's differs; "about" when the time at the port is the court's usual lead. An interior
court's reminders have no port line (their own texts and WhatsApp templates: a template variable is
never empty). The evening-before message says "tomorrow" and the date, never "today".

Every text fits in two SMS segments in every language for every city and court
(tests/test_texts.py): a text that would need a third UCS-2 segment goes with its accents folded to
GSM-7 (bot/core/segments.fit). The same values fill a WhatsApp template.
"""

from __future__ import annotations

import json

from bot.core.hearing import EOIR_HOTLINE, Hearing, hearing_time, port_line
from bot.core.i18n import tidy, translator, weekday_day_month
from bot.core.places import Places
from bot.core.segments import fit
from bot.core.status import Kind

INTERIOR = "_interior"  # template kind suffix: the same message for an interior court, with no port line

# The numbered variables of each template kind (data/whatsapp_templates.json): a row's kind, plus
# INTERIOR for a hearing at an interior court.
ORDER: dict[str, tuple[str, ...]] = {
    Kind.REMINDER: ("date", "time", "court", "port_line"),
    Kind.REMINDER + INTERIOR: ("date", "time", "court"),
    Kind.WAKEUP: ("time", "court", "port_line"),
    Kind.WAKEUP + INTERIOR: ("time", "court"),
    Kind.EVENING: ("date", "time", "court", "port_line"),
    Kind.EVENING + INTERIOR: ("date", "time", "court"),
    Kind.BROADCAST: ("text",),  # a volunteer's alert: its text, between the template's own words
    Kind.REPLY: (),  # "a volunteer answered: write back"; the answer itself goes once the window is open
}


def template_kind(kind: str, hearing: Hearing | None, places: Places) -> str:
    """Which template a row goes as: its kind, or kind + INTERIOR for a hearing with no port."""
    if hearing is not None and kind + INTERIOR in ORDER and places.port_for(hearing.city, hearing.court) is None:
        return kind + INTERIOR
    return kind


def values(hearing: Hearing, lang: str, places: Places) -> dict[str, str]:
    """What a reminder names, formatted for the person's language; no port_line for an interior court."""
    court = places.known_court(hearing.court)
    named = {
        "date": weekday_day_month(hearing.at.astimezone(court.zone).date(), lang),
        "time": hearing_time(hearing, lang, places),
        "court": court.name,
    }
    if line := port_line(hearing, lang, places):
        named["port_line"] = line[:1].upper() + line[1:]
    return named


def _body(kind: str, port: bool, lang: str) -> str:
    _ = translator(lang)
    if kind == Kind.WAKEUP:
        if port:
            return _("Hearing today, {time}, {court} court. {port_line}. Bring your papers. Confirm: {hotline}")
        return _("Hearing today, {time}, {court} court. Bring your papers. Confirm: {hotline}")
    if kind == Kind.EVENING:
        if port:
            return _(
                "Hearing tomorrow, {date}, {time}, {court} court. {port_line}. Bring your papers. Confirm: {hotline}"
            )
        return _("Hearing tomorrow, {date}, {time}, {court} court. Bring your papers. Confirm: {hotline}")
    if port:
        return _("Reminder: hearing {date}, {time}, {court} court. {port_line}.")
    return _("Reminder: hearing {date}, {time}, {court} court.")


def render(kind: str, hearing: Hearing, lang: str, places: Places) -> tuple[str, dict[str, str]]:
    """(SMS body, WhatsApp content_variables) of one reminder (kind reminder, wakeup or evening)."""
    named = values(hearing, lang, places)
    body = _body(kind, "port_line" in named, lang).format(hotline=EOIR_HOTLINE, **named)
    order = ORDER[template_kind(kind, hearing, places)]
    return fit(tidy(body)), {str(i): named[key] for i, key in enumerate(order, 1)}


def for_row(row: dict, lang: str | None, hearing: Hearing | None, places: Places) -> tuple[str | None, dict]:
    """What an outbox row says: its own text (an alert), or its hearing's reminder in `lang`."""
    if row["body"] is not None or hearing is None:
        return row["body"], json.loads(row["template_vars"] or "{}")
    return render(row["kind"], hearing, lang or row["lang"], places)
