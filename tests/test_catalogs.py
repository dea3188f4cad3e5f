"""Every user-facing string exists, translated, in all five catalogs, and fits in two SMS."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.dates import LANGS
from bot.core.segments import count, fit

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}|%\((\w+)\)s")
SAMPLE = {  # long, realistic values for the placeholders, to size the worst case
    "date": "miércoles, 30 de septiembre de 2026",
    "time": "12:30 p.m.",
    "court": "Brownsville",
    "city": "Piedras Negras",
    "hotline": "1-800-898-7180",
    "example": "9 de marzo 8:30 am",
    "port": "preséntese en la garita o el puente a las 12:30 a.m. (11:30 p.m. en Piedras Negras)",
    "port_time": "12:30 a.m. (11:30 p.m. hora de Nogales)",
    "who": "familias, mujeres, niños, hombres, LGBTQ+",
    "km": "12.5",
    "people": "100000",
    "where": "Piedras Negras",
    "crossing": "Puente Reynosa-Hidalgo",
    "segments": "2",
    "cost": "20000.00",
    "id": "1234",
    "lang": "es",
    "months": "12",
    "first": "30 de septiembre",
    "second": "12 de octubre",
    "n": "9",
    "hearing": "",
    "code": "482",
    "hours": "24",
    "quote": "Você deve ir... não saia hoje!",  # the longest quote, in UCS-2
    "place": "San Luis Río Colorado",  # the longest clock name: a city's or a court's
    "fallback": "Português",  # a language's own name, in the console's broadcast preview
    "name": "ana.maria.de.los.angeles.perez",  # a staff member's (32 characters at most)
    "port_line": "esté en Puente Reynosa-Hidalgo aproximadamente a las 12:30 a.m. (hora de San Luis Río Colorado) "
    "[11:30 p.m. hora de San Antonio]",
    "hotline_mx": "001-800-898-7180",  # the EOIR line from a Mexican phone
    "when": "en 7 días",  # a reminder's "tomorrow" or "in N days"
    "days": "7",
}
REMINDERS = "scheduler/texts.py"  # its texts are sized exactly, as they are sent, in tests/test_planner.py
# Sent through bot.core.segments.fit (accents folded rather than a third UCS-2 segment), and sized as
# sent in tests/test_segments.py: the missed-hearing help (bot/core/hearing.missed_help).
FOLDED = {
    "Call {hotline} (from Mexico {hotline_mx}), in English or Spanish with your A-number, to learn what the judge "
    "decided. For free legal help near you, reply LEGAL."
}


def msgids_in_code(only: str | None = None) -> set[str]:
    found = extract_from_dir(
        str(ROOT), method_map=[("bot/**.py", "python"), ("scheduler/**.py", "python"), ("bot/**.html", "jinja2")]
    )
    return {message for path, _, message, _, _ in found if isinstance(message, str) and only in (None, path)}


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
        assert message.string, f"{lang}: untranslated {msgid!r}"
        assert not message.fuzzy, f"{lang}: fuzzy {msgid!r}"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(msgid)), (lang, msgid)


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_fits_in_two_sms_segments(lang):
    """Worst-case values for each placeholder; reminders (scheduler/texts.py) are sized exactly, city
    by city and court by court, as they are sent (folded to GSM-7 when UCS-2 would need a third
    segment), in tests/test_planner.py, since their longest values never meet in one message."""
    reminders = msgids_in_code(only=REMINDERS)
    assert reminders
    for message in catalog(lang):
        if message.id and message.id not in reminders:
            text = message.string.format(**SAMPLE)
            assert count(fit(text) if message.id in FOLDED else text) <= 2, (lang, text)


def test_compiled_catalogs_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text()
    assert "*.mo" in ignored
