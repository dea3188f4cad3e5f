"""Reading a hearing's date and time from what people write, in es, en, pt, fr and ht.

How a message is read (each step one function below):

1. `prepare`: fold case and accents, "8è30" -> "8h30", number words -> digits ("ocho y media" ->
   "8 y media", "le douze mars" -> "le 12 mars"), in the person's language; a month name one letter
   off is mended ("marso" -> "marzo"), unless the word is one of its own (NOT_MONTHS).
2. `find_dates`: every date the text names (month names from Babel's CLDR, plus the Kreyòl names
   CLDR lacks and the misspellings people type; numeric dates in the language's order; ISO; "el
   jueves 19"; "mañana"; "próxima quarta"). The day a paper was given or issued is dropped ("me
   dieron el papel el 2 de febrero"); each other candidate is scored (a future date after
   "audiencia" or "al" beats a past one) and the best wins. A weekday that contradicts its date, or
   a numeric date that reads both ways, makes the result ambiguous: the bot then asks.
3. `find_times`: every clock time in what is left once the dates are blanked out, so "19 de marzo"
   is never 19:00. A time after a word for the port ("puente", "garita", "bridge", "pon") is the
   time to be at the port ("8:30, en la garita a las 4:30" too); the other is the hearing's.

Nothing here raises on any string, and no time is ever invented: `.time` is None unless one was
written, and None with `.unclear_time` when it was midnight (no court sits then). An hour from 1 to
5 with no "a.m." or "de la mañana" is read as afternoon for a hearing (courts sit by day) and as
written for the port (people were called at 3:30-4:30 a.m.).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

from babel import Locale

from bot.core.text import fold

LANGS = ("es", "en", "pt", "fr", "ht")
CLDR_LANGS = ("es", "en", "pt", "fr")
DAY_FIRST = {"es": True, "en": False, "pt": True, "fr": True, "ht": True}

# CLDR has no Haitian Creole names, so we carry them.
HT_MONTHS = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)
HT_DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")

# Spellings people really type that CLDR does not list, per language (folded).
EXTRA_MONTHS = {
    "es": {
        "enro": 1,
        "enerp": 1,
        "febreo": 2,
        "febero": 2,
        "febrro": 2,
        "febrer": 2,
        "fevrero": 2,
        "febraro": 2,
        "febr": 2,
        "marso": 3,
        "marz": 3,
        "abirl": 4,
        "abri": 4,
        "abrl": 4,
        "mallo": 5,
        "juino": 6,
        "julo": 7,
        "jullio": 7,
        "agusto": 8,
        "agsto": 8,
        "agost": 8,
        "agoto": 8,
        "setiembre": 9,
        "septimbre": 9,
        "septiemre": 9,
        "septiempre": 9,
        "setiempre": 9,
        "sep": 9,
        "set": 9,
        "otubre": 10,
        "octure": 10,
        "octubra": 10,
        "nobiembre": 11,
        "novienbre": 11,
        "nobienbre": 11,
        "noviem": 11,
        "disiembre": 12,
        "dicienbre": 12,
        "deciembre": 12,
        "diciemre": 12,
        "mzo": 3,
        "fbro": 2,
        "agto": 8,
        "sbre": 9,
        "obre": 10,
        "nbre": 11,
        "dbre": 12,
    },
    "en": {
        "febuary": 2,
        "feburary": 2,
        "febraury": 2,
        "janurary": 1,
        "januray": 1,
        "janury": 1,
        "marh": 3,
        "apirl": 4,
        "arpil": 4,
        "agust": 8,
        "augest": 8,
        "septmber": 9,
        "septemper": 9,
        "setember": 9,
        "sept": 9,
        "octuber": 10,
        "novemeber": 11,
        "novmber": 11,
        "decemeber": 12,
        "dicember": 12,
    },
    "pt": {
        "fev": 2,
        "feveireiro": 2,
        "fevreiro": 2,
        "feverero": 2,
        "fevereito": 2,
        "marco": 3,
        "marc": 3,
        "abil": 4,
        "maoi": 5,
        "junio": 6,
        "julio": 7,
        "agost": 8,
        "setenbro": 9,
        "septembro": 9,
        "sep": 9,
        "otubro": 10,
        "outobro": 10,
        "novenbro": 11,
        "desembro": 12,
        "dezenbro": 12,
    },
    "fr": {
        "fevr": 2,
        "fev": 2,
        "fevier": 2,
        "fevirer": 2,
        "janv": 1,
        "janvie": 1,
        "avr": 4,
        "juil": 7,
        "juilet": 7,
        "juillt": 7,
        "aou": 8,
        "sep": 9,
        "septenbre": 9,
        "octobr": 10,
        "novenbre": 11,
        "decenbre": 12,
        "dec": 12,
    },
    "ht": {
        "janvie": 1,
        "janvyie": 1,
        "fevrye": 2,
        "fevrie": 2,
        "fevriy": 2,
        "fev": 2,
        "mars": 3,
        "avri": 4,
        "avrl": 4,
        "jiyet": 7,
        "jiye": 7,
        "juye": 7,
        "dawout": 8,
        "septanb": 9,
        "sektanm": 9,
        "sept": 9,
        "oktob": 10,
        "oktobr": 10,
        "okt": 10,
        "nov": 11,
        "novamn": 11,
        "desamn": 12,
        "desanb": 12,
        "des": 12,
    },
}
# Short names that are ordinary words elsewhere ("me dieron", "out", "mas"): only in their language.
HT_SHORT_MONTHS = {"mas", "me", "jen", "out"}
# Weekday names CLDR lacks: Portuguese short forms ("sexta", "segunda") and Kreyòl.
EXTRA_DAYS = {
    "pt": {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4},
    "ht": {"mekredi": 2, "vandredi": 4, "vendredi": 4, "samdi": 5, "dimanch": 6},
}

# A month name mistyped by one letter is read too ("marso", "agsot", "feverero", "janvie"), except
# these words of their own, one letter from a month name in some language (folded).
NOT_MONTHS = frozenset(
    (
        # es, pt
        "abri abria abrie abrir abris abriu acosto angosto aposto arco barco cunho entero entro genero gosto"
        " julgo junco junior juno junto macio maco macro maior manco marca marcos marcou mareo mayor mazo nero"
        " parco punho"
        # en, fr
        " about ajout arch atout avail jaune jeune junte larch levrier marcha marche marcho mares maris marks"
        " marsh match parch"
        # ht ("desann": to go down)
        " desann"
        # first names
        " augusta auguste augusto javier julia julie marc marci marcio marcy margo mario tulio"
    ).split()
)

# Number words -> digits, per language (folded). Day numbers, hours and minutes people spell out.
_ES_UNITS = "uno dos tres cuatro cinco seis siete ocho nueve".split()
_EN_ORD = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "es": {
        **{w: i for i, w in enumerate(_ES_UNITS, 1)},
        **dict(
            zip(
                "diez once doce trece catorce quince dieciseis diecisiete dieciocho diecinueve veinte".split(),
                range(10, 21),
                strict=True,
            )
        ),
        **{
            f"veinti{w}": 20 + i
            for i, w in enumerate(["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"], 1)
        },
        "veintiun": 21,
        "treinta": 30,
        "treinta y uno": 31,
        "treinta y un": 31,
        "cuarenta": 40,
        "cuarenta y cinco": 45,
        "cincuenta": 50,
        "primero": 1,
        "primer": 1,
        "1ero": 1,
        "la una": 1,
        "diez y seis": 16,
        "diez y siete": 17,
        "diez y ocho": 18,
        "diez y nueve": 19,
    },
    "en": {
        **dict(
            zip(
                "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty".split(),
                range(1, 21),
                strict=True,
            )
        ),
        **{w: i for i, w in enumerate(_EN_ORD, 1)},
        **{
            f"twenty{sep}{w}": 20 + i
            for sep in ("-", " ")
            for i, w in enumerate("one two three four five six seven eight nine".split(), 1)
        },
        **{f"twenty{sep}{w}": 20 + i for sep in ("-", " ") for i, w in enumerate(_EN_ORD[:9], 1)},
        "thirty": 30,
        "thirtieth": 30,
        "thirty-one": 31,
        "thirty one": 31,
        "thirty-first": 31,
        "thirty first": 31,
        "forty": 40,
        "forty-five": 45,
        "forty five": 45,
        "fifty": 50,
    },
    "pt": {
        **dict(
            zip("dois tres quatro cinco seis sete oito nove dez onze doze treze".split(), range(2, 14), strict=True)
        ),
        "um": 1,
        "a uma": 1,
        "as uma": 1,
        "duas": 2,
        "catorze": 14,
        "quatorze": 14,
        "quinze": 15,
        "dezesseis": 16,
        "dezasseis": 16,
        "dezessete": 17,
        "dezassete": 17,
        "dezoito": 18,
        "dezenove": 19,
        "dezanove": 19,
        "vinte": 20,
        "trinta": 30,
        "trinta e um": 31,
        "quarenta": 40,
        "quarenta e cinco": 45,
        "cinquenta": 50,
        "primeiro": 1,
        **{
            f"vinte e {w}": 20 + i
            for i, w in enumerate(["um", "dois", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove"], 1)
        },
    },
    "fr": {
        **dict(
            zip(
                "deux trois quatre cinq six huit neuf dix onze douze treize quatorze quinze seize".split(),
                [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16],
                strict=True,
            )
        ),
        "une heure": 1,
        "dix-sept": 17,
        "dix sept": 17,
        "dix-huit": 18,
        "dix huit": 18,
        "dix-neuf": 19,
        "dix neuf": 19,
        "vingt": 20,
        "vingt et un": 21,
        "vingt et une": 21,
        "trente": 30,
        "trente et un": 31,
        "quarante": 40,
        "quarante-cinq": 45,
        "quarante cinq": 45,
        "cinquante": 50,
        "premier": 1,
        **{
            f"vingt{sep}{w}": 20 + i
            for sep in ("-", " ")
            for i, w in enumerate(["", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"], 1)
            if w
        },
    },
    "ht": {
        **dict(
            zip(
                "twa kat senk sis set uit nef dis onz douz trez katoz kenz sez diset dizuit diznef ven".split(),
                range(3, 21),
                strict=True,
            )
        ),
        "wit": 8,
        "venteyen": 21,
        "vennde": 22,
        "venntwa": 23,
        "vennkat": 24,
        "vennsenk": 25,
        "vennsis": 26,
        "vennset": 27,
        "ventuit": 28,
        "ventnef": 29,
        "trant": 30,
        "tranteyen": 31,
        "premye": 1,
        # Kreyòl hours: inè, dezè, twazè ... (folded: ine, deze, twaze)
        "ine": 1,
        "deze": 2,
        "twaze": 3,
        "katre": 4,
        "senke": 5,
        "size": 6,
        "sete": 7,
        "uite": 8,
        "neve": 9,
        "dize": 10,
        "onze": 11,
        "douze": 12,
    },
}
HT_HOUR_WORDS = {"ine", "deze", "twaze", "katre", "senke", "size", "sete", "uite", "neve", "dize", "onze", "douze"}


@dataclass(frozen=True)
class ParsedHearing:
    """What a message said: a date, maybe a time, and whether the date needs asking about.

    `ambiguous` is True when day and month could be read either way, or when a weekday contradicts
    the date; `alternative` is then the other reading. `port_time` is the time to be at the port,
    when the message gives one apart from the hearing's. `unclear_time` is True when the hearing's
    time was written as midnight ("24:00", "0:00", "medianoche", "12 am"): no court sits then, so
    `time` is None and the time must be asked again.
    """

    date: dt.date  # (dt.: the field's name hides the type in the class body)
    time: dt.time | None
    ambiguous: bool = False
    alternative: dt.date | None = None
    port_time: dt.time | None = None
    unclear_time: bool = False


@dataclass(frozen=True)
class _Date:
    date: dt.date
    start: int
    end: int
    base: int = 0  # explicit dates beat "mañana" and a lone day number
    ambiguous: bool = False
    alternative: dt.date | None = None


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    start: int
    end: int
    meridiem: str | None  # "am", "pm", "noon", "night" when written, else None
    explicit: bool  # "13:00", "04:30": written as a 24-hour clock


# --- names from CLDR and ours -------------------------------------------------------------------


def _cldr(lang: str, kind: str, widths=("wide", "abbreviated")) -> dict[str, int]:
    names = {}
    for context in ("format", "stand-alone"):
        data = getattr(Locale.parse(lang), kind)[context]
        for width in widths:
            for number, name in data[width].items():
                key = fold(name).rstrip(".")
                if len(key) >= 3:
                    names[key] = number
    return names


@cache
def month_names(lang: str) -> dict[str, int]:
    """Folded month name -> number, as people writing `lang` may spell it."""
    names: dict[str, int] = {}
    for other in CLDR_LANGS:  # a full name in any language is safe: "marzo", "March", "mars"
        names.update(_cldr(other, "months", ("wide",)))
    names.update({fold(n): i for i, n in enumerate(HT_MONTHS, 1) if fold(n) not in HT_SHORT_MONTHS})
    if lang in CLDR_LANGS:
        names.update(_cldr(lang, "months"))
    else:
        names.update(_cldr("fr", "months"))  # Haitians often write the French abbreviations
        names.update({fold(n): i for i, n in enumerate(HT_MONTHS, 1)})
    names.update(EXTRA_MONTHS.get(lang, {}))
    return names


@cache
def weekday_names(lang: str) -> dict[str, int]:
    """Folded weekday name -> Monday=0 ... Sunday=6; abbreviations only of the person's language."""
    names: dict[str, int] = {}
    for other in CLDR_LANGS:
        names.update(_cldr(other, "days", ("wide",)))
    names.update({fold(n): i for i, n in enumerate(HT_DAYS)})
    if lang in CLDR_LANGS:
        names.update(_cldr(lang, "days"))
    for extra in EXTRA_DAYS.values():
        names.update(extra)
    months = month_names(lang)
    return {name: day for name, day in names.items() if name not in months}  # "mar" is March


def _one_letter_off(word: str, swaps_and_extras_only: bool) -> set[str]:
    """Every spelling one letter from `word`: a letter typed wrong, left out, added, or two swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b for a, b in splits for c in letters}
    if not swaps_and_extras_only:
        found |= {a + b[1:] for a, b in splits if b}
        found |= {a + c + b[1:] for a, b in splits if b for c in letters}
    found.discard(word)
    return found


@cache
def misspelt_months(lang: str) -> dict[str, str]:
    """Folded spellings one letter from a month name of `lang` (of four letters or more) -> that name.

    A four-letter name ("mayo", "juin", "aout") only gains a letter or has two swapped: a letter
    changed or left out makes words of their own ("mais", "tout", "join"). Never a word in
    NOT_MONTHS, a known month or weekday name, a number word, or a spelling two months share.
    """
    if lang in CLDR_LANGS:
        own = _cldr(lang, "months", ("wide",))
    else:
        own = _cldr("fr", "months", ("wide",)) | {fold(n): i for i, n in enumerate(HT_MONTHS, 1)}
    taken = month_names(lang).keys() | weekday_names(lang).keys() | NUMBER_WORDS[lang].keys() | NOT_MONTHS
    found: dict[str, str] = {}
    shared: set[str] = set()
    for name, number in own.items():
        if len(name) < 4:
            continue
        for spelling in _one_letter_off(name, len(name) == 4):
            if len(spelling) < 4 or spelling in taken:
                continue
            if spelling in found and own[found[spelling]] != number:
                shared.add(spelling)
            found[spelling] = name
    return {spelling: name for spelling, name in found.items() if spelling not in shared}


def _alternation(names) -> str:
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


# --- step 1: prepare ----------------------------------------------------------------------------

_E_AFTER_DIGIT = re.compile(r"(\d)\s*[èÈ](?=\s*\d|\b|\s|$)")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "°": "º"})


@cache
def _number_words(lang: str) -> tuple[re.Pattern[str], dict[str, int]]:
    table = NUMBER_WORDS[lang]
    return re.compile(rf"(?<![\w'])(?:{_alternation(table)})(?![\w'])"), table


def _number_word(m: re.Match[str], table: dict[str, int], lang: str) -> str:
    word = m.group(0)
    value = table[word]
    if lang == "ht" and word in HT_HOUR_WORDS:
        return f"{value}h"
    if word == "une heure":
        return "1 heure"
    if " " in word and word.split()[0] in ("la", "a", "as"):  # "a la una" -> "a la 1"
        return word.rsplit(" ", 1)[0] + f" {value}"
    return str(value)


_DIGIT = re.compile(r"\d")
_PT_DEZ = re.compile(r"(\d\s*(?:de\s+)?)dez\b\.?")
_WORD = re.compile(r"(?<![a-z])[a-z]{4,}(?![a-z])")


def prepare(text: str, lang: str) -> str:
    """The message folded for matching, with spelled-out numbers as digits and month names mended."""
    text = _E_AFTER_DIGIT.sub(r"\1h", (text or "")[:2000].translate(_APOSTROPHES))
    folded = fold(text).replace("º", "o")
    if lang == "ht":  # "a 8e" is 8è typed without the accent
        folded = re.sub(r"(\d)e\b", r"\1h", folded)
    if lang == "fr":  # "sept" is 7 before a month or an hour, and September otherwise
        folded = re.sub(r"\bsept(?=\s+(?:" + _alternation(month_names("fr")) + r"|h\b|heures?\b))", "7", folded)
    if lang == "pt":  # "dez" is 10, and December after a day ("18 de dez")
        folded = _PT_DEZ.sub(r"\1dezembro", folded)
    pattern, table = _number_words(lang)
    folded = pattern.sub(lambda m: _number_word(m, table, lang), folded)
    if _DIGIT.search(folded):  # a month name matters only beside a day's number
        typos = misspelt_months(lang)
        if typos.keys() & set(_WORD.findall(folded)):
            folded = _WORD.sub(lambda m: typos.get(m.group(0), m.group(0)), folded)
    return folded


# --- step 2: dates ------------------------------------------------------------------------------

# Ordinal endings, attached to the number: "1ro", "1º", "1er", "1ye", "21st" ("3 to April" is no "3to").
ORDINALS = {
    "es": "ero|ro|do|to|vo|no|er|o|a",
    "en": "st|nd|rd|th",
    "pt": "o|a",
    "fr": "er|ere|re|eme|ieme|e",
    "ht": "ye|e|er",
}
# "2027", ", 2027", "de 2027", "del año 2027", "de l'année 2027", "ane 2027" after a day and month
_YEAR = (
    r"(?:\s*(?:,|\.|del\s+ano|de\s+l'\s*annee|do\s+ano|of\s+the\s+year|de|del|do|of|ane|-|/)?\s*"
    r"(?P<year>(?:19|20)\d{2})\b)?"
)
_NOT_TIME_AFTER = r"(?!\s*(?::\d|h\d|\.\d|a\.?\s?m\b|p\.?\s?m\b|hrs?\b|horas?\b|heures?\b))"


@cache
def _date_patterns(lang: str) -> dict[str, re.Pattern]:
    months = _alternation(month_names(lang))
    weekday = rf"(?:(?<![\w'])(?P<wd>{_alternation(weekday_names(lang))})\.?(?:-feira)?,?\s+)?"
    article = r"(?:\b(?:el|le|the|o|dia|day|jou|den)\s+)*"
    ordinal = rf"(?:\.?(?:{ORDINALS[lang]}|º)(?![a-z]))?"
    day = rf"(?<![\d:/.\-])(?P<d>[0-3]?\d){ordinal}"
    alone = (n for n in weekday_names(lang) if len(n) > 4 and n not in EXTRA_DAYS["pt"])
    every_day = _alternation(weekday_names(lang))
    return {
        "iso": re.compile(r"(?<![\d/])(?P<year>(?:19|20)\d{2})[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)(?![\d/])"),
        "numeric": re.compile(
            weekday
            + article
            + r"(?<![\d:/.\-])(?P<a>[0-3]?\d)(?P<sep>[/\-.])(?P<b>[0-3]?\d)(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?![\d/:])"
        ),
        "day_month": re.compile(
            weekday + article + day + r"(?:\s+dia)?\s*(?:de\s+|del\s+|d\s+|of\s+|du\s+|-|/|\.)?\s*"
            rf"(?P<month>{months})\.?(?![\w']){_YEAR}"
        ),
        "month_day": re.compile(
            weekday
            + rf"(?<![\w'])(?P<month>{months})\.?\s*(?:the\s+|-|/)?(?<![\d:/.\-])(?P<d>[0-3]?\d)"
            + ordinal
            + rf"(?![\d/]|:\d){_NOT_TIME_AFTER}\b,?{_YEAR}"
        ),
        "weekday_day": re.compile(
            rf"(?<![\w'])(?P<wd>{_alternation(weekday_names(lang))})\.?(?:-feira)?,?\s+{article}{day}\b{_NOT_TIME_AFTER}"
        ),
        "day_only": re.compile(
            rf"(?:\bel\s+dia|\bdia|\bday|\bjou|\ble|\bthe|\bel|\bo\s+dia)\s+{day}\b{_NOT_TIME_AFTER}"
            r"(?!\s*(?:de\s+la|de\s+|del\s+|h\b|horas?|heures?|minut|dias|days|jours|de\s+cada))"
        ),
        # "el lunes", "lundi": a full name alone. A short one ("segunda" is also "second", "jedi") only
        # as "segunda-feira", or with a word for "next": "próxima segunda", "segunda que vem", "jedi pwochen"
        "weekday": re.compile(
            rf"(?<![\w'])(?:(?P<wd>{_alternation(alone)})"
            rf"|(?P<feira>{_alternation(EXTRA_DAYS['pt'])})[\s-]feira"
            rf"|(?:next|proxim[ao]|prochain|pwochen)\s+(?P<next>{every_day})"
            rf"|(?P<coming>{every_day})(?=\s+(?:que\s+vem|que\s+viene|prochain|pwochen)\b))(?![\w'])"
        ),
    }


RELATIVE = (
    (
        re.compile(
            r"\bpasado\s+manana\b|\bdepois\s+de\s+amanha\b|\bapres[\s-]demain\b|\bapre\s+demen\b"
            r"|\bday\s+after\s+tomorrow\b"
        ),
        2,
    ),
    (
        re.compile(
            r"(?<!\bde la )(?<!\bla )(?<!\bpor la )(?<!\besta )(?<!\bdel )(?<!\bde )\bmanana\b"
            r"|\btomm?orr?ow\b|\btmrw?\b|\b2morrow\b|\bamanha\b|\bdemain\b|\bdemen\b"
        ),
        1,
    ),
    (re.compile(r"\bhoy\b|\btoday\b|\bhoje\b|\baujourd ?'? ?hui\b|\bjodi a\b|\bjodia\b"), 0),
)

# Words around a date that tell which of several dates is the hearing's.
_TOWARD = re.compile(
    r"(?:\bal|\bpara\s+el|\bpara\s+o|\bpara|\bhasta\s+el|\bto|\buntil|\bpour\s+le|\bau|\bpou|\bnueva\s+fecha"
    r"|\bnew\s+date|\bnouvelle\s+date|\bnova\s+data|\bnouvo\s+dat|\bahora\s+es|\bnow|\bagora|\bkounye\s+a)"
    r"[\s:,]*(?:(?:el|le|la|the|o|dia|day)\s+)*$"
)
_HEARING_WORD = re.compile(
    r"\b(?:audiencias?|corte|cita|juicio|juez|court|hearing|tribunal|audience"
    r"|odyans|jij|randevou|fecha|date|data)\b"
)
_PAST_HINT = re.compile(
    r"\b(?:hoy\s+es|today\s+is|me\s+dieron|me\s+entregaron|recibi|got|received|recu|recebi|hoje\s+e"
    r"|aujourd'?\s?hui\s+c'?est|jodi\s+a\s+se|desde|since|depuis|del|from|era|was|etait|te|llegue|arrived"
    r"|cheguei|arrive|rive|antes|before|avant)\b[^\d]{0,25}$"
)

# The day a paper was given or issued is not the hearing's: "me dieron el papel el 2 de febrero",
# "issued on Feb 2", "emitido em", "délivré le", "yo ban m papye a le 2 fevriye". Not when what
# follows says it is the hearing's ("me dieron el papel para el 9", "...papel de la corte el 9").
_GIVEN = (
    r"(?:dieron|dio|entregaron|entrego|recibi|mandaron|enviaron|gave|given|handed|got|received|sent|mailed|served"
    r"|deram|deu|entregaram|entregou|recebi|recebeu|mandaram|donne|donnee|donnes|remis|remise|recu|recue|envoye"
    r"|ban\s*m|banm|ba\s+m|ban\s+mwen|ba\s+mwen|bay\s+mwen|resevwa)"
)
_PAPER = (
    r"(?:papel|papeles|documentos?|hojas?|notificacion|aviso|citatorio|carta|paper|papers|paperwork|documents?"
    r"|notice|letter|form|sheet|papeis|folha|notificacao|intimacao|papiers?|feuille|convocation|lettre|avis|papye"
    r"|dokiman|fey)"
)
_ISSUED = re.compile(
    r"\b(?:emitid[oa]s?|expedid[oa]s?|fechad[oa]|datad[oa]|dated|issued|issue\s+date|date\s+of\s+issue"
    r"|fecha\s+de\s+(?:emision|expedicion)|data\s+de\s+(?:emissao|expedicao)|delivree?s?|emise?s?"
    r"|date\s+d'\s*emission|date\s+de\s+delivrance|emisyon"
    rf"|{_GIVEN}\s+(?:[\w']+\s+){{0,3}}?{_PAPER}|{_PAPER}\s+(?:[\w']+\s+){{0,3}}?{_GIVEN})\b"
    r"(?:(?!\b(?:para|pour|pou|for|hasta|until|corte|court|audiencia|audience|hearing|odyans|cita|tribunal|dice"
    r"|says|dit|diz|que|is|es|e|se|y|and|et|epi)\b)[^\d]){0,20}$"
)
# A time right after the issue date is the issue's ("me dieron el papel el 2 de febrero a las 3").
_ISSUE_TIME_GAP = re.compile(r"^[\s,]*(?:(?:a\s+las|alas|a\s+la|at|as|a|vers|le)\s*)?$")


def is_issue_date(candidate: _Date, text: str) -> bool:
    """Whether a date is the day a paper was given or issued, which is never the hearing's."""
    return bool(_ISSUED.search(text[max(0, candidate.start - 80) : candidate.start]))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, year: str | None, today: date) -> date | None:
    """The date, in the written year, or else the next one on or after today."""
    if year:
        y = int(year)
        return _safe_date(y + 2000 if y < 100 else y, month, day)
    for y in (today.year, today.year + 1, today.year + 2):
        found = _safe_date(y, month, day)
        if found and found >= today:
            return found
    return None


def _next_day_number(day: int, today: date, weekday: int | None) -> date | None:
    """'el 19', 'el jueves 19': the next 19th (on or after today), preferring one on that weekday."""
    found = []
    month_start = today.replace(day=1)
    for ahead in range(13):
        year, month = divmod(month_start.month - 1 + ahead, 12)
        candidate = _safe_date(month_start.year + year, month + 1, day)
        if candidate and candidate >= today:
            found.append(candidate)
    if weekday is not None:
        for candidate in found[:3]:
            if candidate.weekday() == weekday:
                return candidate
    return found[0] if found else None


def _nearest_weekday(written: date, weekday: int) -> date:
    """The day of that weekday closest to the written date ('martes 9 de marzo' -> Tuesday 10)."""
    shift = (weekday - written.weekday()) % 7
    return written + timedelta(days=shift if shift <= 3 else shift - 7)


def _checked(found: date, weekday: int | None, start: int, end: int, base: int = 0) -> _Date:
    """A date with its weekday checked: a contradiction means we must ask."""
    if weekday is not None and found.weekday() != weekday:
        return _Date(found, start, end, base, True, _nearest_weekday(found, weekday))
    return _Date(found, start, end, base + (1 if weekday is not None else 0))


def _numeric(m: re.Match, lang: str, today: date, weekday: int | None) -> _Date | None:
    a, b = int(m["a"]), int(m["b"])
    if m["year"] is None and m["sep"] != "/":
        return None  # "8.30" is a time and "9-10" a range; a date has a year or a slash
    if m["year"] is not None and len(m["year"]) == 2 and m["sep"] == ".":
        return None
    first = (b, a) if DAY_FIRST.get(lang, True) else (a, b)
    chosen = _with_year(*first, m["year"], today)
    other = _with_year(first[1], first[0], m["year"], today) if a != b else None
    start, end = m.span()
    if chosen and other:
        readings = [chosen, other]
        if weekday is not None:  # "viernes 03/04/2026": only one reading is a Friday
            matching = [d for d in readings if d.weekday() == weekday]
            if len(matching) == 1:
                return _Date(matching[0], start, end, 1)
        future = [d for d in readings if d >= today]
        if len(future) == 1:  # "03/01/2026" on 2 February: 3 January has passed
            return _checked(future[0], weekday, start, end)
        return _Date(chosen, start, end, 0, True, other)
    found = chosen or other
    if found:
        return _checked(found, weekday, start, end)
    return None


def find_dates(text: str, lang: str, today: date) -> list[_Date]:
    """Every date the prepared text names, with where it is."""
    p = _date_patterns(lang)
    months, days = month_names(lang), weekday_names(lang)
    found: list[_Date] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(candidate: _Date | None) -> None:
        if candidate and free(candidate.start, candidate.end):
            found.append(candidate)
            taken.append((candidate.start, candidate.end))

    numbered = any(c.isdigit() for c in text)  # number words are digits by now: without one, only
    for m in p["iso"].finditer(text) if numbered else ():  # "mañana" or "el lunes" can name a date
        if d := _safe_date(int(m["year"]), int(m["m"]), int(m["d"])):
            add(_Date(d, *m.span(), 1))
    for key in ("day_month", "month_day") if numbered else ():
        for m in p[key].finditer(text):
            weekday = days.get(m["wd"]) if m["wd"] else None
            if d := _with_year(months[m["month"]], int(m["d"]), m["year"], today):
                add(_checked(d, weekday, *m.span(), 1))
    for m in p["numeric"].finditer(text) if numbered else ():
        add(_numeric(m, lang, today, days.get(m["wd"]) if m["wd"] else None))
    for m in p["weekday_day"].finditer(text) if numbered else ():
        if d := _next_day_number(int(m["d"]), today, days[m["wd"]]):
            add(_checked(d, days[m["wd"]], *m.span(), 0))
    for m in p["day_only"].finditer(text) if numbered else ():
        if d := _next_day_number(int(m["d"]), today, None):
            add(_Date(d, *m.span(), -2))
    for pattern, ahead in RELATIVE:
        for m in pattern.finditer(text):
            add(_Date(today + timedelta(days=ahead), *m.span(), -1))
    for m in p["weekday"].finditer(text):  # "el lunes": the next Monday
        shift = (days[m["wd"] or m["feira"] or m["next"] or m["coming"]] - today.weekday()) % 7 or 7
        add(_Date(today + timedelta(days=shift), *m.span(), -2))
    return sorted(found, key=lambda c: c.start)


def _score(candidate: _Date, text: str, today: date) -> int:
    before = text[max(0, candidate.start - 40) : candidate.start]
    score = candidate.base * 2
    if candidate.date < today:
        score -= 6
    if _TOWARD.search(before[-20:]):
        score += 3
    if _HEARING_WORD.search(before):
        score += 1
    if _PAST_HINT.search(before):
        score -= 3
    return score


def choose_date(candidates: list[_Date], text: str, today: date) -> _Date | None:
    """The hearing's date among those named: the best score, the first on a tie."""
    best = None
    for candidate in candidates:
        if best is None or _score(candidate, text, today) > _score(best, text, today):
            best = candidate
    return best


# --- step 3: times ------------------------------------------------------------------------------

_AMPM = r"(?P<ampm>a\.?\s?m\b\.?|p\.?\s?m\b\.?)"
_UNIT = r"(?:h|hs|hrs?|horas?|heures?|hours?|o'?\s?clock|oclock)"
_DURATION_AFTER = re.compile(
    r"^\s*(?:de\s+)?(?:antes|before|avant|avan|despues|after|apres|early|earlier|mas\s+temprano|de\s+anticipacion"
    r"|minut|min\b|dias|days|jours|jou\b|semanas|weeks|meses|months|anos|years|ans\b|personas|people|ninos|hijos"
    r"|kids|cuadras|blocks|km|millas|miles|de\s+camino|de\s+viaje|en\s+bus|de\s+fila|d'attente|de\s+espera)"
)
_TIME_PATTERNS = (
    # 8:30, 8.30, 8h30, 8 h 30, 8è30, 8 heures 30, 8 e 30, 13:00 hrs, 8:30 a. m.
    re.compile(
        r"(?<![\d/.:\-])(?P<h>[0-2]?\d)(?:\s*(?::|\.|h|hs|hrs|heures?|e|y)\s*|[;,])(?P<m>[0-5]\d)(?![\d/:]|\.\d)"
        rf"(?:\s*(?:{_UNIT}|mins?|minutos|minutes)\b)?\s*{_AMPM}?"
    ),
    # 8am, 8 a.m., 8 p. m., 8 PM
    re.compile(rf"(?<![\d/.:\-])(?P<h>[0-2]?\d)\s*(?:{_UNIT}\s*)?{_AMPM}"),
    # "a las 8 30 am" once number words became digits: "at eight thirty"
    re.compile(r"(?:\bat|\ba\s+las|\balas|\bas|\ba)\s+(?P<h>[0-2]?\d)\s+(?P<m>[0-5]\d)\b"),
    # "at 0900", "a las 1430", "às 1400": four digits of a 24-hour clock after a word for "at" ("a 2027" is a year)
    re.compile(r"(?:\bat|\ba\s+las|\balas|\bas|\ba|@)\s*(?!(?:199\d|20[0-3]\d)\b)(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\b"),
    # "a las 830": three digits after "a las", "at", "às", only where a clock would end
    re.compile(
        r"(?:\bat|\ba\s+las|\balas|\bas)\s+(?P<h>[1-9])(?P<m>[0-5]\d)"
        r"(?=\s*(?:$|[,.;!?)]|(?:de\s+la|in\s+the|da|du|y|and|e|et|en|on|el)\b))"
    ),
    # 830am, 0830 hrs, 1430 horas, 1330h: a clock written without its colon
    re.compile(rf"(?<![\d/.:\-])(?P<h>[0-2]?\d)(?P<m>[0-5]\d)\s*(?:{_AMPM}|(?:hrs?|horas|hs|h)\b)"),
    # 9h, 9 h, 13 horas, 8 heures, 8 o'clock, 9hs
    re.compile(rf"(?<![\d/.:\-])(?P<h>[0-2]?\d)\s*{_UNIT}(?![\w'])"),
    # a las 8, alas 7, a la 1, at 9, às 8, à 9, a 9, vers 9, pou 9, lè 9, sobre las 8
    re.compile(
        r"(?:\ba\s+las|\balas|\ba\s+la|\bas|\bat|\ba|\bvers|\bpou|\ble|\bhacia\s+las|\bsobre\s+las|\bpara\s+las"
        r"|\bde\s+las|\bdesde\s+las|\bhora:?|\btime:?|\bheure:?|\bhorario:?|@)\s*(?P<h>[0-2]?\d)(?![\d/:\-])(?!\.\d)"
    ),
    # 7 y media, 9 menos cuarto, 8 e meia, 8 et demie, 8 edmi (no "a las" before it)
    re.compile(
        r"(?<![\d/.:\-])(?P<h>[0-2]?\d)(?=\s+(?:y|e|et|and|con|ak)\s+(?:media|meia|demie?|(?:(?:un|um|a|1)\s+)?"
        r"(?:cuarto|quart|quarto)|half|[0-5]\d\b)|\s+(?:menos|moins)\s|\s*e?\s*edmi\b|\s+(?:e|ak)\s+ka\b|\s+mwens?\s+ka\b)"
    ),
    # "be at the bridge by 6": only where a clock would end ("used by 2 people" is no time)
    re.compile(r"\bby\s+(?P<h>[0-2]?\d)(?=\s*(?:$|[,.;!?)]|(?:in\s+the|at|and|on|for|o'?\s?clock)\b))"),
    # 8 de la mañana, 2 in the afternoon, 8 da manhã, 8 du matin, 8 nan maten (no "a las" before it)
    re.compile(
        r"(?<![\d/.:\-])(?P<h>[0-2]?\d)\s+(?=(?:de\s+la\s+|del\s+|in\s+the\s+|at\s+|da\s+|du\s+|de\s+l'?\s*|nan\s+|di\s+)"
        r"(?:manana|tarde|noche|madrugada|mediodia|morning|afternoon|evening|night|manha|noite|matin|soir"
        r"|apres[\s-]?midi|maten|apremidi|aswe|swa)\b)"
    ),
)
_BEFORE_HOUR = re.compile(
    # "cuarto para las 9", "15 para las 9", "quarter to 9", "half past 8", "20 to 9"
    r"(?:(?:un\s+|a\s+)?(?P<quarter>cuarto|quarter|quarto)|(?P<half>half)|(?P<n>[0-5]?\d)(?:\s+minut(?:o|e)s)?)\s+"
    r"(?P<dir>para\s+(?:las|la|as|a)|pras|pra\s+as|to|till|til|of|past|after)\s+(?P<h>[0-2]?\d)(?![\d:])"
)
# In Kreyòl "ka" is a quarter and also "can" ("a 9è mwen ka vini"): a quarter only where the time ends.
_HT_TIME_END = r"(?=\s*(?:$|[^\w\s]|(?:nan|di|maten|apremidi|aswe|swa|pou|le|jou|e|epi|ak)\b))"
_AFTER_HOUR = (
    (
        re.compile(
            r"^\s*(?:y|e|et|and|ak)\s+(?:media|meia|demie|demi|half)\b|^\s*e?\s*edmi\b|^\s*(?:and\s+a\s+)?half\b"
        ),
        30,
    ),
    (
        re.compile(
            r"^\s*(?:y|e|et|and|ak)\s+(?:(?:un|um|a|1)\s+)?(?:cuarto|quart|quarto|quarter)\b"
            rf"|^\s*(?:e|ak)\s+ka\b{_HT_TIME_END}"
        ),
        15,
    ),
    (
        re.compile(
            rf"^\s*(?:menos|moins)\s+(?:(?:el|le|un|um|1)\s+)?(?:cuarto|quart|quarto)\b|^\s*mwens?\s+ka\b{_HT_TIME_END}"
        ),
        -15,
    ),
)
# "8è ka" (8:15): "ka" right after the hour's "è", and nothing after it but the end or a time word.
_HT_QUARTER = re.compile(rf"^\s*ka\b{_HT_TIME_END}")
_AFTER_MINUTES = re.compile(r"^\s*(?:y|e|et|and|con)\s+(?P<m>[0-5]?\d)\b(?!\s*(?:de|of|du|h\b|:))(?:\s+minut\w*)?")
_BEFORE_MINUTES = re.compile(r"^\s*(?:menos|moins)\s+(?P<m>[0-5]?\d)\b(?:\s+minut\w*)?")
_NOON = re.compile(
    r"\b(?:(?:a|al|el|at|ao|a\s+l[ao]s?)\s+)?(?P<w>mediodia|medio\s+dia|noon|midday|midi|meio[\s-]?dia|medianoche"
    r"|midnight|minuit|minwi|meia[\s-]?noite)\b(?:\s+(?:et|y|e)\s+(?:demie?|media|meia))?"
)
_PM_AFTER = re.compile(
    r"^[^\d]{0,4}?(?:de\s+la\s+|del\s+|in\s+the\s+|at\s+|da\s+|du\s+|de\s+l'?\s*|nan\s+|di\s+|en\s+la\s+|por\s+la\s+"
    r"|a\s+la\s+|la\s+|na\s+|l'?\s*|this\s+|tout\s+|)?(?P<w>tarde|noche|afternoon|evening|night|noite|soir"
    r"|apres[\s-]?midi|apremidi|aswe|swa|mediodia)\b"
)
_AM_AFTER = re.compile(
    r"^[^\d]{0,4}?(?:de\s+la\s+|in\s+the\s+|da\s+|du\s+|nan\s+|di\s+|en\s+la\s+|por\s+la\s+|la\s+|na\s+|this\s+"
    r"|le\s+|tout\s+|)?(?P<w>manana|madrugada|morning|manha|madrugada|matin|maten|bonmaten)\b"
)
# Where people are told to be before the hearing: the port of entry, the bridge, the gate ("nan pò a").
_PLACES = (
    r"puente|garita|puerto|frontera|linea|aduana|cruce|chaparral|bridge|port|border|crossing|gate|ponte|fronteira"
    r"|posto|porto|pont|frontiere|poste|pon|fwontye|barye|lapot|nan\s+po"
)
_PORT_WORDS = re.compile(
    rf"\b(?:{_PLACES}|presentar\w*|reportar\w*|report\w*|present\w*|apresentar\w*|prezant\w*|migracion"
    r"|immigration|cbp)\b"
)
_PORT_AFTER = re.compile(
    r"^\W*(?:(?:en|at|in|na|no|au|a|al|nan|sou|to|on)\s+)?(?:(?:el|la|the|a|o|le|l')\s*)?"
    rf"(?P<place>(?:{_PLACES})(?:[\s-]+(?:(?:de|da|do|of|d')\s*)?(?:entrada|entry|entree|frontiere|fronteira|frontera"
    r"|fwontye|border|internacional|international))?)\b"
)
# "8:30, en la garita a las 4:30": a port word between two times goes with the next one, unless an "and"
# comes first ("a las 4:30 en el puente y a las 8:30 la corte").
_AND = re.compile(r"\b(?:y|and|e|et|epi|ak|pero|but|mas|mais|men)\b")


def _meridiem(text: str, end: int) -> str | None:
    after = text[end : end + 40]
    if m := _PM_AFTER.search(after):
        return "night" if m["w"] in ("noche", "night", "noite", "swa", "aswe") else "pm"
    if m := _AM_AFTER.search(after):
        return "small" if m["w"] == "madrugada" else "am"
    return None


def _adjust_minutes(text: str, end: int, hour: int, minute: int) -> tuple[int, int, int]:
    """'8 y media', '9 menos cuarto', '8 e ka', '8 y 15': the minutes written after an hour."""
    after = text[end : end + 30]
    for pattern, minutes in _AFTER_HOUR:
        if m := pattern.search(after):
            total = hour * 60 + minutes
            return total // 60 % 24, total % 60, end + m.end()
    if minute == 0 and text[end - 1 : end] == "h" and (m := _HT_QUARTER.search(after)):
        return hour, 15, end + m.end()
    if minute == 0 and (m := _AFTER_MINUTES.search(after)):
        return hour, int(m["m"]), end + m.end()
    if minute == 0 and (m := _BEFORE_MINUTES.search(after)):
        total = hour * 60 - int(m["m"])
        return total // 60 % 24, total % 60, end + m.end()
    return hour, minute, end


def find_times(text: str) -> list[_Time]:
    """Every clock time in the prepared text (dates already blanked out), in order."""
    found: list[_Time] = []

    def free(start: int, end: int) -> bool:
        return all(end <= t.start or start >= t.end for t in found)

    for m in _NOON.finditer(text):
        noon = m["w"] in ("mediodia", "medio dia", "noon", "midday", "midi", "meio dia", "meio-dia", "meiodia")
        minute = 30 if re.search(r"(?:demie?|media|meia)$", m.group(0)) else 0
        found.append(_Time(12 if noon else 0, minute, *m.span(), "noon", True))
    for m in _BEFORE_HOUR.finditer(text):
        if not free(*m.span()):
            continue
        hour = int(m["h"])
        minutes = 15 if m["quarter"] else 30 if m["half"] else int(m["n"])
        forward = m["dir"] in ("past", "after")
        if m["n"] and not forward and minutes > 30:
            continue
        total = hour * 60 + (minutes if forward else -minutes)
        found.append(_Time(total // 60 % 24, total % 60, *m.span(), _meridiem(text, m.end()), False))
    for pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text):
            start = m.start("h")
            if not free(start, m.end()):
                continue
            hour, minute = int(m["h"]), int(m.groupdict().get("m") or 0)
            if hour > 24 or (hour == 24 and minute) or _DURATION_AFTER.search(text[m.end() :]):
                continue
            explicit = len(m["h"]) == 2 and (m["h"].startswith("0") or hour > 12) or hour == 0
            hour, minute, end = _adjust_minutes(text, m.end(), hour, minute)
            ampm = (m.groupdict().get("ampm") or "").replace(".", "").replace(" ", "")
            found.append(_Time(hour % 24, minute, start, end, ampm or _meridiem(text, end), explicit))
    return sorted(found, key=lambda t: t.start)


def _clock(t: _Time, port: bool) -> time | None:
    hour = t.hour
    if t.meridiem == "pm" and hour < 12:
        hour += 12
    elif t.meridiem == "night":
        hour = 0 if hour == 12 else hour + 12 if hour < 12 and hour >= 5 else hour
    elif t.meridiem in ("am", "small") and hour == 12:
        hour = 0
    elif t.meridiem is None and not t.explicit and not port and 1 <= hour <= 5:
        hour += 12  # "a las 3" for a hearing is 3 p.m.: courts do not sit at 3 a.m.
    if not (0 <= hour <= 23 and 0 <= t.minute <= 59):
        return None
    return time(hour, t.minute)


def _port_marks(times: list[_Time], text: str) -> list[bool]:
    """Which times are the port's: a port word just before one, or right after it ("4:30 en el puente").

    A port word is the one before a time unless a hearing word follows it ("presentarme en la corte a
    las 8"); one right after a time and right before the next goes with the next unless an "and" comes
    between ("8:30, en la garita a las 4:30" but "a las 4:30 en el puente y a las 8:30").
    """
    count = len(times)
    before: list[int | None] = [None] * count  # where the port word before each time starts
    after: list[tuple[int, int] | None] = [None] * count  # the port named right after each time
    for i, t in enumerate(times):
        low = max(times[i - 1].end if i else 0, t.start - 45)
        window = text[low : t.start]
        words = list(_PORT_WORDS.finditer(window))
        if words and not _HEARING_WORD.search(window, words[-1].end()):
            before[i] = low + words[-1].start()
        high = min(times[i + 1].start if i + 1 < count else len(text), t.end + 25)
        if m := _PORT_AFTER.search(text[t.end : high]):
            after[i] = (t.end + m.start("place"), t.end + m.end("place"))
    for i in range(count - 1):
        named, word = after[i], before[i + 1]
        if named and word is not None and named[0] <= word < named[1]:  # one port, between two times
            if _AND.search(text, named[1], times[i + 1].start):
                before[i + 1] = None
            else:
                after[i] = None
    return [b is not None or a is not None for b, a in zip(before, after, strict=True)]


def read_times(text: str) -> tuple[time | None, time | None]:
    """(hearing time, port time) in prepared text. A single time is the hearing's (as written)."""
    times = find_times(text)
    if not times:
        return None, None
    ports = _port_marks(times, text)
    hearing = next((t for t, port in zip(times, ports, strict=True) if not port), None)
    port = next((t for t, is_port in zip(times, ports, strict=True) if is_port), None)
    if hearing is None:  # only port times: the first is the time written, and still the port's
        return _clock(times[0], True), _clock(times[0], True)
    return _clock(hearing, False), _clock(port, True) if port else None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


# --- the public functions -----------------------------------------------------------------------

MIDNIGHT = time(0, 0)


def parse_time(text: str, lang: str = "es") -> time | None:
    """The hearing's clock time in a message, or None; never invents one, and midnight is none."""
    try:
        at = read_times(prepare(text, lang))[0]
    except (ValueError, OverflowError, KeyError):
        return None
    return None if at == MIDNIGHT else at


def parse_port_time(text: str, lang: str = "es") -> time | None:
    """A time to be at the port, read as written (4:30 is 4:30 a.m.), or None."""
    try:
        prepared = prepare(text, lang)
        times = find_times(prepared)
        return _clock(times[0], True) if times else None
    except (ValueError, OverflowError, KeyError):
        return None


def names_port(text: str, lang: str = "es") -> bool:
    """Whether a message speaks of the port, the bridge or the border ("puente 4:30")."""
    return bool(_PORT_WORDS.search(prepare(text, lang if lang in LANGS else "es")))


def parse_hearing(text: str, lang: str, today: date) -> ParsedHearing | None:
    """The hearing date (and time, if written) in a message; None when it names no date."""
    if lang not in LANGS:
        lang = "es"
    try:
        prepared = prepare(text, lang)
        candidates = find_dates(prepared, lang, today)
        paper_days = [c for c in candidates if is_issue_date(c, prepared)]
        chosen = choose_date([c for c in candidates if c not in paper_days], prepared, today)
        if chosen is None:
            return None
        rest = prepared
        for candidate in candidates:
            rest = _blank(rest, candidate.start, candidate.end)
        for day in paper_days:
            for t in find_times(rest):
                if t.start >= day.end and _ISSUE_TIME_GAP.match(rest[day.end : t.start]):
                    rest = _blank(rest, t.start, t.end)
        at, port = read_times(rest)
    except (ValueError, OverflowError, KeyError):
        return None
    if at == MIDNIGHT:  # "a las 24:00", "medianoche", "12 am": no court sits then; ask the time again
        return ParsedHearing(chosen.date, None, chosen.ambiguous, chosen.alternative, port, unclear_time=True)
    return ParsedHearing(chosen.date, at, chosen.ambiguous, chosen.alternative, port)
