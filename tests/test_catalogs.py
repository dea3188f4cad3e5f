"""Every user-facing string exists, translated, in all five catalogs, and fits in two SMS."""

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core import places as places_module
from bot.core.dates import LANGS
from bot.core.hearing import Hearing, describe, hearing_time, port_line
from bot.core.i18n import clock, weekday_day_month
from bot.core.segments import count, fit

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)s")
SAMPLE = {  # long, realistic values for the placeholders, to size the worst case
    "date": "miércoles, 30 de septiembre de 2026",
    "time": "12:30 p.m.",
    "court": "Brownsville",
    "city": "Piedras Negras",
    "hotline": "1-800-898-7180",
    "hotline_mx": "001-800-898-7180",
    "port": "Puente Internacional I",  # the longest port name; "Saved: {port}." gets a whole port line (`real`)
    "crossing": "Puente Internacional I",
    "who": "familias, mujeres, niños, hombres, LGBTQ+",
    "km": "12.5",
    "people": "100000",
    "where": "Piedras Negras",
    "segments": "2",
    "cost": "20000.00",
    "id": "1234",
    "lang": "es",
    "months": "12",
    "first": "30 de septiembre",
    "second": "12 de octubre",
    "n": "9",
    "code": "482",
    "hours": "24",
    "quote": "Você deve ir... não saia hoje!",  # the longest quote, in UCS-2
    "place": "San Luis Río Colorado",  # the longest clock name: a city's or a court's
    "fallback": "Português",  # a language's own name, in the console's broadcast preview
    "name": "ana.maria.de.los.angeles.perez",  # a staff member's (32 characters at most)
    "port_line": "Hora para presentarse en Puente Internacional I: aprox. 12:30 a.m. (hora de San Luis Río Colorado) "
    "[11:30 p.m. hora de San Antonio]",  # reminders only: sized in tests/test_planner.py
    "when": "en 7 días",  # a reminder's "tomorrow" or "in N days"
    "language": "Kreyòl",  # a clip language's own name, on the console's dashboard
    "missing": "223",
    "needed": "223",
    "days": "7",
}
REMINDERS = "scheduler/texts.py"  # its texts are sized exactly, as they are sent, in tests/test_planner.py
# Sent through bot.core.segments.fit (accents folded rather than a third UCS-2 segment), and sized as
# sent in tests/test_segments.py: the missed-hearing help (bot/core/hearing.missed_help).
FOLDED = {
    "Call {hotline} (from Mexico {hotline_mx}), in English or Spanish with your A-number, to learn what the judge "
    "decided. For free legal help near you, reply LEGAL."
}


@cache
def described(lang: str) -> list[dict[str, str]]:
    """A hearing as the bot really says it in `lang`: every city at its usual court, and every border
    court with no city, on a long date (Wednesday 30 September, when Nogales is an hour behind El Paso,
    and in winter), at 12:30 p.m., with the person's own time at the port."""
    places = places_module.load()
    where = [(c.court.key, c.key) for c in places.cities if c.court] + [
        (k.key, None) for k in places.courts if places.port_for(None, k.key)
    ]
    values = []
    for court, city in where:
        zone = places.known_court(court).zone
        port = places.port_for(city, court)
        port_city = places.city(port.city) if port else None
        for day in (date(2026, 9, 30), date(2026, 12, 30)):
            at = datetime.combine(day, time(12, 30), zone)
            hearing = Hearing(at.astimezone(UTC), court, city, (at - timedelta(hours=4)).astimezone(UTC))
            values.append(
                {
                    "hearing": describe(hearing, lang, places),
                    "port_line": port_line(hearing, lang, places) or "",
                    "hearing_time": hearing_time(hearing, lang, places),
                    "day": weekday_day_month(day, lang),
                    "port_time": clock((at - timedelta(hours=4)).time(), lang),
                    "crossing": port.name if port else "",
                    "place": port_city.name if port_city else "",
                }
            )
    return values


def real(msgid: str, lang: str) -> list[dict[str, str]]:
    """The real values of a whole message's placeholders, for each hearing of `described`; [{}] (SAMPLE
    only) for a message that is not about one, or a piece of one ("be at {port} at {time}")."""
    names = set(placeholder_names(msgid))
    if "crossing" in names:  # the time at the port the reminders will assume
        return [{"crossing": v["crossing"], "place": v["place"], "time": v["port_time"]} for v in described(lang)]
    if "hearing" in names:
        return [{"hearing": v["hearing"]} for v in described(lang)]
    if names == {"port"}:  # "Saved: {port}."
        return [{"port": v["port_line"]} for v in described(lang)]
    if names == {"date", "time", "hotline"}:  # too late for a reminder: the day and the hearing's time
        return [{"date": v["day"], "time": v["hearing_time"]} for v in described(lang)]
    return [{}]


def example(msgid: str, lang: str) -> str:
    """{example} as the code fills it: a place for the court questions, else the catalog's example of a
    time at the port, of a time, or of a day and time (tests/test_registration.py sees them in use)."""
    if "court" in msgid:
        return "San Diego, El Paso, Houston"
    if "port of entry" in msgid:
        key = "4:30 AM"
    elif msgid.startswith(("What time", "Please write the time")):
        key = "8:30 AM"
    else:
        key = "March 9 8:30 AM"
    return {m.id: m.string for m in catalog(lang)}[key]


def msgids_in_code(only: str | None = None) -> set[str | tuple[str, str]]:
    """Every msgid the code uses: a string, or (singular, plural) for ngettext ("1 person", "2 people")."""
    found = extract_from_dir(
        str(ROOT), method_map=[("bot/**.py", "python"), ("scheduler/**.py", "python"), ("bot/**.html", "jinja2")]
    )
    return {
        message if isinstance(message, str) else (message[0], message[1])
        for path, _, message, _, _ in found
        if only in (None, path)
    }


def forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    """A msgstr's forms: one, or one per plural form."""
    return string if isinstance(string, tuple) else (string,)


def singular(msgid: str | tuple[str, ...]) -> str:
    return forms(msgid)[0]


def catalog(lang):
    with open(ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_code_strings_are_all_in_the_template():
    with open(ROOT / "locales" / "messages.pot", "rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert msgids_in_code() == template, "run: flask --app app translate update"


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_is_translated_not_fuzzy_with_the_same_placeholders(lang):
    translated = {m.id: m for m in catalog(lang) if m.id}
    for msgid in msgids_in_code():
        assert msgid in translated, f"{lang}: missing {msgid!r}"
        message = translated[msgid]
        assert all(forms(message.string)), f"{lang}: untranslated {msgid!r}"
        assert not message.fuzzy, f"{lang}: fuzzy {msgid!r}"
        for string in forms(message.string) + forms(msgid):  # every plural form has the singular's placeholders
            assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(singular(msgid))), (lang, msgid)


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_fits_in_two_sms_segments(lang):
    """Worst-case values for each placeholder; reminders (scheduler/texts.py) are sized exactly, city
    by city and court by court, as they are sent (folded to GSM-7 when UCS-2 would need a third
    segment), in tests/test_planner.py, since their longest values never meet in one message."""
    reminders = msgids_in_code(only=REMINDERS)
    assert reminders
    assert any("[" in value["port_line"] for value in described(lang))  # two clocks: Nogales in summer
    for message in catalog(lang):
        if message.id and message.id not in reminders:
            msgid = singular(message.id)
            for values, string in ((v, f) for v in real(msgid, lang) for f in forms(message.string)):
                text = string.format(**(SAMPLE | {"example": example(msgid, lang)} | values))
                assert count(fit(text) if msgid in FOLDED else text) <= 2, (lang, text)


def placeholder_names(msgid: str) -> list[str]:
    return [a or b for a, b in PLACEHOLDER.findall(msgid)]


def test_compiled_catalogs_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text()
    assert "*.mo" in ignored
