"""What reminders say, in the person's language: date, time, court, port and the time to be there.

Times are the court's clock; the time to be at the port also gives the person's city's clock in
brackets when it differs that day (Nogales, Sonora vs El Paso in summer): it is the one to act on,
and both clocks twice would not fit in two segments. Every text fits in two SMS segments in every language for
every city (tests/test_planner.py counts GSM-7 and UCS-2). The same values fill a WhatsApp template.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.hearing import EOIR_HOTLINE, Hearing, both_clocks, report_time
from bot.core.i18n import clock, tidy, translator, weekday_day_month
from bot.core.places import Places
from bot.core.status import Kind

# The numbered variables of each kind's WhatsApp template (data/whatsapp_templates.json).
ORDER: dict[str, tuple[str, ...]] = {
    Kind.REMINDER: ("date", "time", "court", "port_name", "port_time"),
    Kind.WAKEUP: ("time", "court", "port_name", "port_time"),
    Kind.BROADCAST: ("text",),  # a volunteer's alert: its text, between the template's own words
}


def values(hearing: Hearing, report_at: datetime, lang: str, places: Places) -> dict[str, str]:
    """What a reminder names, formatted for the person's language."""
    _ = translator(lang)
    court, port = places.known_court(hearing.court), places.port_for(hearing.city, hearing.court)
    local, report = hearing.at.astimezone(court.zone), report_at.astimezone(court.zone)
    return {
        "date": weekday_day_month(local.date(), lang),
        "time": clock(local.time(), lang),
        "court": court.name,
        "port_name": port.name
        if (port := places.port_for(hearing.city, hearing.court))
        else _("the one on your paper"),
        "port_time": clock(report.time(), lang) + both_clocks(report_at, hearing, lang, places),
    }


def render(kind: str, hearing: Hearing, report_at: datetime, lang: str, places: Places) -> tuple[str, dict[str, str]]:
    """(SMS body, WhatsApp content_variables) of one reminder."""
    _ = translator(lang)
    named = values(hearing, report_at, lang, places)
    if kind == Kind.REMINDER:
        body = _("Reminder: hearing {date}, {time}, {court} court. Port of entry: {port_name}, {port_time}.")
    else:
        body = _(
            "Hearing today, {time}, {court} court. Port of entry: {port_name}, {port_time}. Bring your papers. "
            "Confirm: {hotline}"
        )
    numbered = {str(i): named[key] for i, key in enumerate(ORDER[kind], 1)}
    return tidy(body.format(hotline=EOIR_HOTLINE, **named)), numbered


def for_row(row: dict, lang: str | None, hearing: Hearing | None, places: Places) -> tuple[str | None, dict]:
    """What an outbox row says: its own text (an alert), or its hearing's reminder in `lang`."""
    if row["body"] is not None or hearing is None:
        return row["body"], json.loads(row["template_vars"] or "{}")
    return render(row["kind"], hearing, report_time(hearing, places), lang or row["lang"], places)
