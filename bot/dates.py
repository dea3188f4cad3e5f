"""Reading a hearing's date and time from what people write, in es, en, pt, fr and ht."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

from babel import Locale

from bot.text import fold

LANGS = ("es", "en", "pt", "fr", "ht")
DAY_FIRST = {"es": True, "en": False, "pt": True, "fr": True, "ht": True}

# CLDR has no Haitian Creole names, so we carry them (DESIGN.md §5).
HT_MONTHS = (
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
)  # fmt: skip
HT_DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")
# Spellings people really type that CLDR does not list.
EXTRA_MONTHS = {
    "febreo": 2, "febero": 2, "febrro": 2, "setiembre": 9, "septiempre": 9, "agusto": 8,
    "marso": 3, "abirl": 4, "otubre": 10, "octubra": 10, "nobiembre": 11, "disiembre": 12,
    "sep": 9, "sept": 9, "fevreiro": 2, "fev": 2, "fevr": 2, "janv": 1, "juil": 7,
}  # fmt: skip


@dataclass(frozen=True)
class ParsedHearing:
    """What a message said: a date, maybe a time, and whether day/month order is unclear."""

    date: date
    time: time | None
    ambiguous: bool = False
    alternative: date | None = None  # the other reading when ambiguous


@cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for lang in ("es", "en", "pt", "fr"):
        months = Locale.parse(lang).months["format"]
        for width in ("wide", "abbreviated"):
            for number, name in months[width].items():
                names[fold(name).rstrip(".")] = number
    names.update({fold(name): i + 1 for i, name in enumerate(HT_MONTHS)})
    names.update(EXTRA_MONTHS)
    return names


@cache
def _patterns() -> dict[str, re.Pattern]:
    months = "|".join(sorted((re.escape(n) for n in _month_names()), key=len, reverse=True))
    ordinal = r"(?:st|nd|rd|th|ro|do|er|re|e|eme|ye|o|a|º|ª)?"
    year = r"(?:\s*(?:,|de|del|of)?\s*(?P<year>\d{4}))?"
    return {
        "iso": re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
        "numeric": re.compile(r"\b(?P<a>\d{1,2})[/\-.](?P<b>\d{1,2})(?:[/\-.](?P<year>\d{2,4}))?\b"),
        "day_month": re.compile(
            rf"\b(?P<d>\d{{1,2}}){ordinal}\.?\s*(?:de\s+|of\s+|du\s+)?(?P<month>{months})\.?\b{year}"
        ),
        "month_day": re.compile(rf"\b(?P<month>{months})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){ordinal}\b{year}"),
    }


RELATIVE = (
    (re.compile(r"\bpasado\s+manana\b|\bdepois\s+de\s+amanha\b|\bapres[\s-]demain\b|\bapre\s+demen\b"), 2),
    (re.compile(r"(?<!de la )(?<!la )\bmanana\b|\btomorrow\b|\bamanha\b|\bdemain\b|\bdemen\b"), 1),
    (re.compile(r"\bhoy\b|\btoday\b|\bhoje\b|\baujourd ?hui\b|\bjodi a\b"), 0),
)  # fmt: skip

_TIME_NUMERIC = re.compile(
    r"\b(?P<h>\d{1,2})\s*(?:[:.]|h|hs|hrs|e|è)\s*(?P<m>\d{2})\b\s*(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?)?"
)
_TIME_AMPM = re.compile(r"\b(?P<h>\d{1,2})\s*(?P<ampm>a\.?\s?m\b\.?|p\.?\s?m\b\.?)")
_TIME_INTRO = re.compile(
    r"(?:\ba\s*las|\balas|\ba\s+la|\bas|\ba|\bat|\bvers|\ba\s+l|\bnan|\bpou|\bhora|\bhoras)\s+(?P<h>\d{1,2})\b"
)
_TIME_UNIT = re.compile(r"\b(?P<h>\d{1,2})\s*(?:h|hs|hrs|horas|hora|heures|heure|e|è)\b")
_HALF = re.compile(r"^\s*(?:y|e|et)\s+media\b|^\s*e\s+meia\b|^\s*et\s+demie\b|^\s*edmi\b")
_AFTERNOON = re.compile(r"\b(tarde|noche|afternoon|evening|night|apres[\s-]?midi|soir|apremidi|aswe|pm)\b")
_MORNING = re.compile(r"\b(manana|madrugada|morning|manha|matin|maten|am)\b")
_NOON = re.compile(r"\b(mediodia|noon|midi|meio[\s-]dia|midi)\b")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, year: str | None, today: date) -> date | None:
    if year:
        y = int(year)
        return _safe_date(y + 2000 if y < 100 else y, month, day)
    for y in (today.year, today.year + 1, today.year + 2):
        found = _safe_date(y, month, day)
        if found and found >= today:
            return found
    return None


def _find_date(text: str, lang: str, today: date) -> tuple[ParsedHearing | None, tuple[int, int]]:
    p = _patterns()
    names = _month_names()
    if m := p["iso"].search(text):
        d = _safe_date(int(m["year"]), int(m["m"]), int(m["d"]))
        if d:
            return ParsedHearing(d, None), m.span()
    for key in ("day_month", "month_day"):
        for m in p[key].finditer(text):
            d = _with_year(names[m["month"]], int(m["d"]), m["year"], today)
            if d:
                return ParsedHearing(d, None), m.span()
    for m in p["numeric"].finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if m["year"] is None and "." in m.group(0):
            continue  # "8.30" is a time, not a date
        first = (b, a) if DAY_FIRST.get(lang, True) else (a, b)
        chosen = _with_year(*first, m["year"], today)
        other = _with_year(first[1], first[0], m["year"], today) if a != b else None
        if chosen and other and a <= 12 and b <= 12:
            return ParsedHearing(chosen, None, True, other), m.span()
        if chosen or other:
            return ParsedHearing(chosen or other, None), m.span()
    for pattern, days in RELATIVE:
        if m := pattern.search(text):
            return ParsedHearing(today + timedelta(days=days), None), m.span()
    return None, (0, 0)


def parse_time(text: str, lang: str = "es") -> time | None:
    """A clock time in a message, or None; never invents one."""
    text = fold(text)
    if _NOON.search(text) and not re.search(r"\d", text):
        return time(12, 0)
    hour = minute = None
    rest = ""
    for pattern in (_TIME_NUMERIC, _TIME_AMPM, _TIME_INTRO, _TIME_UNIT):
        if m := pattern.search(text):
            hour = int(m["h"])
            minute = int(m.groupdict().get("m") or 0)
            ampm = (m.groupdict().get("ampm") or "").replace(".", "").replace(" ", "")
            rest = text[m.end() :]
            break
    else:
        return time(12, 0) if _NOON.search(text) else None
    if minute == 0 and _HALF.search(rest):
        minute = 30
    qualifier = ampm or rest[:40]
    if hour <= 12 and (ampm == "pm" or (not ampm and _AFTERNOON.search(qualifier))):
        hour = hour % 12 + 12
    elif hour == 12 and (ampm == "am" or (not ampm and re.search(r"madrugada|noche|night", qualifier))):
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_hearing(text: str, lang: str, today: date) -> ParsedHearing | None:
    """The hearing date (and time, if written) in a message; None when it names no date."""
    folded = fold(text or "")[:2000]
    found, (start, end) = _find_date(folded, lang, today)
    if found is None:
        return None
    # Read the time from what is left once the date is cut out, so "19 de marzo" is no 19:00.
    remainder = folded[:start] + " " + folded[end:]
    return ParsedHearing(found.date, parse_time(remainder, lang), found.ambiguous, found.alternative)
