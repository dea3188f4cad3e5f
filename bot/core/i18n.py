"""Catalogs and date formatting in the person's language.

Every user-facing string is a gettext msgid (English) translated in locales/<lang>/. Dates are
formatted with Babel's CLDR data, except Haitian Creole, whose names CLDR lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_date, format_skeleton, format_time
from babel.support import NullTranslations, Translations

from bot.core.dates import HT_DAYS, HT_MONTHS, LANGS

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locales"


def N_(message: str) -> str:  # noqa: N802 - the one marker of a msgid kept as data, translated where shown
    return message


DEFAULT_LANG = "es"  # 97% of the people returned under MPP spoke Spanish (TRAC 2021)
# Regional CLDR locales: Mexico and the US write 8:30 a.m.; Brazil is most Portuguese speakers here.
BABEL_LOCALE = {"es": "es_MX", "en": "en_US", "pt": "pt_BR", "fr": "fr"}
NATIVE_NAMES = {"es": "Español", "en": "English", "pt": "Português", "fr": "Français", "ht": "Kreyòl"}


# CLDR puts narrow and no-break spaces in times ("8:30\u202fa.m."): old phones show a box, and
# they force UCS-2, so every formatted piece uses a plain space.
_PLAIN_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})


_DOUBLE_PERIOD = re.compile(r"\b([ap])\.\s?m\.\.")
# French elides "de" before a vowel: a place name put after "de" by a catalog ("tribunal de {court}",
# "heure de {place}") needs "d'" before El Paso, Eloy or Atlanta. Only before a capital: a name.
_FRENCH_DE = re.compile(r"\bde (?=[AEIOUÉÈÊÎ])")


def elide(text: str, lang: str) -> str:
    """In French, 'tribunal de El Paso' -> 'tribunal d'El Paso'; other languages as they are."""
    return _FRENCH_DE.sub("d'", text) if lang == "fr" else text


def tidy(text: str, lang: str = "") -> str:
    """'a las 4:30 a.m..' -> 'a.m.': a sentence ending in a time written with periods; and, given
    the language, French elision (`elide`)."""
    if "m.." in text:
        text = _DOUBLE_PERIOD.sub(r"\1.m.", text)
    return elide(text, lang)


class CatalogMissing(RuntimeError):
    pass


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of a language; run `make setup` when it is missing."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}")
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        raise CatalogMissing(f"{mo} is missing: run `make setup` (flask --app app translate compile)")
    return Translations.load(str(LOCALE_DIR), [lang])  # typed as the base class it returns when no file is found


def translator(lang: str) -> Callable[[str], str]:
    """gettext for one language, bound as `_` by callers so pybabel extracts the msgids."""
    return translations(lang).gettext


def plural_translator(lang: str) -> Callable[[str, str, int], str]:
    """ngettext for one language ("1 person", "2 people"), bound as `ngettext` by callers, for pybabel."""
    return translations(lang).ngettext


@lru_cache(maxsize=8192)  # pure, and planning renders the same few days and times
def long_date(day: date, lang: str) -> str:
    """Weekday and full date: 'lunes, 9 de marzo de 2026', 'lendi 9 mas 2026'."""
    if lang == "ht":
        return f"{HT_DAYS[day.weekday()]} {day.day} {HT_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "full", locale=BABEL_LOCALE[lang]).translate(_PLAIN_SPACES)


@lru_cache(maxsize=8192)  # pure, and planning renders the same few days and times
def day_month(day: date, lang: str) -> str:
    """Day and month only, to tell two readings apart: '3 de abril', 'April 3'."""
    if lang == "ht":
        return f"{day.day} {HT_MONTHS[day.month - 1]}"
    return format_skeleton("MMMMd", day, locale=BABEL_LOCALE[lang]).translate(_PLAIN_SPACES)


@lru_cache(maxsize=8192)  # pure, and planning renders the same few days and times
def weekday_day_month(day: date, lang: str) -> str:
    """Weekday, day and month, to tell two readings apart: 'viernes 3 de abril', 'Friday April 3'."""
    weekday = HT_DAYS[day.weekday()] if lang == "ht" else format_date(day, "EEEE", locale=BABEL_LOCALE[lang])
    return f"{weekday} {day_month(day, lang)}"


@lru_cache(maxsize=4096)
def short_date(day: date, lang: str, year: bool = False) -> str:
    """Weekday, day and month, short, for the console: 'mar 9 de mar', 'Tue, Mar 9'; the year when asked."""
    if lang == "ht":
        text = f"{HT_DAYS[day.weekday()]} {day.day} {HT_MONTHS[day.month - 1]}"
        return f"{text} {day.year}" if year else text
    return format_skeleton("yMMMEd" if year else "MMMEd", day, locale=BABEL_LOCALE[lang]).translate(_PLAIN_SPACES)


@lru_cache(maxsize=8192)  # pure, and planning renders the same few days and times
def clock(moment: time, lang: str) -> str:
    """A clock time as the language writes it, the way the catalogs' examples show it: '8:30 a.m.'
    (es), '8:30 AM' (en, ht), '7h45' and '14h30' (pt and fr: how Brazil, Haiti and West Africa
    write it, rather than CLDR's '07:45')."""
    if lang == "ht":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    if lang in ("pt", "fr"):
        return f"{moment.hour}h{moment.minute:02d}"
    return format_time(moment, "short", locale=BABEL_LOCALE[lang]).translate(_PLAIN_SPACES)


DECIMAL_COMMA = frozenset({"pt", "fr", "ht"})  # Mexico and the US write 0.4


def decimal(number: float, lang: str, digits: int = 1) -> str:
    """'0.4' in English and Mexican Spanish, '0,4' in Portuguese, French and Kreyòl."""
    shown = f"{number:.{digits}f}"
    return shown.replace(".", ",") if lang in DECIMAL_COMMA else shown
