"""Every message the bot sends is at most two SMS segments, with real values: real weekday and month
names, real courts, cities and ports. Sized as sent (bot.core.segments.count), in each language:

- the reminders, wake-ups, evenings before, follow-ups and missed-hearing help (scheduler.texts.render,
  every slot and variant, with and without a time at the port) for every city (and none) with every court
  that serves it, on a winter, an autumn and a July date (when Nogales and El Paso keep different clocks),
  at 12:30, the longest time;
- every conversation reply, by driving the pure state machine (bot.core.conversation.handle) through a
  whole life for each of those cities, courts and dates: registering (every state, every wrong answer),
  every keyword, shelters, legal aid, a volunteer, words of danger, STOP and START, DELETE, and the
  answers after the hearing;
- every shelter page and every legal-aid page of every city.

Coverage is proven too: each msgid of the reply modules is rendered in each language, so a reply added
later without a script here fails. Sizes and coverage only: the wording is the catalogs' to change.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir

from bot.core import advice, conversation, i18n
from bot.core import keywords as kw
from bot.core import places as places_module
from bot.core import services as directory_module
from bot.core.conversation import Message, Person, handle
from bot.core.dates import HT_MONTHS, LANGS
from bot.core.hearing import Hearing
from bot.core.segments import MAX_SEGMENTS, count
from bot.core.services import Service
from bot.store import db as storage
from bot.store.services import Directory, all_services
from scheduler import texts
from tests.helpers import MONTHS, ROOT

PLACES = places_module.load()
C = conversation  # the states, by their names

# The modules whose msgids are replies the person reads (or parts of them): each must be rendered below.
REPLY_MODULES = (
    "bot/core/conversation.py",
    "bot/core/advice.py",
    "bot/core/hearing.py",
    "bot/core/services.py",
    "scheduler/texts.py",
)
# msgids in those modules that are never sent to a person: the names of the states, which only the
# console shows (conversation.STATE_NAMES, the directory's kinds).
NOT_REPLIES = frozenset(conversation.STATE_NAMES.values()) | frozenset(directory_module.KIND_NAMES.values())
# The headers the conversation puts on shelter and legal-aid pages, to render every page as it does.
SHELTERS_IN = "Shelters in {city}:"
LEGAL_NEAR = "Free legal help near {city} (they are not the court; this is not advice):"

# Wednesdays at 12:30 (the longest time): September (the longest month in most languages), January
# (winter time everywhere), July (Nogales, on America/Hermosillo, is an hour behind El Paso; so in September).
DATES = (date(2026, 9, 30), date(2027, 1, 13), date(2026, 7, 15))
AT = time(12, 30)
INTERIOR = "houston"
CODE = "482"  # the one-time code DELETE asks for (the caller draws it)
DIGITS = re.compile(r"\d+")
SLOTS = (
    ("reminder", "d7"),
    ("reminder", "d3"),
    ("reminder", "d1"),
    ("wakeup", "wakeup"),
    ("evening", "wakeup"),
    ("followup", "followup"),
    ("followup", "noanswer"),
)


# --- how people write, in each language (tests/test_registration.py, tests/test_after_hearing.py) ------------


@dataclass(frozen=True)
class Words:
    hello: str
    yes: str
    no: str
    court: str  # the word before a court's name: "corte de El Paso"
    city: str  # the city keyword: "CIUDAD Tijuana"
    other: str  # "other" in the city menu
    bridge: str  # "puente 0:30": the time at the port, said once registered
    danger: str
    months: tuple[str, ...]
    at: str  # "el 30 de septiembre de 2026{at}12:30"
    midnight: str
    ampm: str  # a time that could be morning or evening: 12:30 a.m. or p.m., the longest
    port_time: str  # 00:30, twelve hours before a 12:30 hearing: the longest time to be at the port
    late_port_time: str  # after the hearing
    keywords: dict[str, str]

    def day(self, lang: str, day: date) -> str:
        month = self.months[day.month - 1]
        return {
            "es": f"el {day.day} de {month} de {day.year}",
            "en": f"{month} {day.day}, {day.year}",
            "pt": f"{day.day} de {month} de {day.year}",
            "fr": f"le {day.day} {month} {day.year}",
            "ht": f"{day.day} {month} {day.year}",
        }[lang]


def _keywords(words: str) -> dict[str, str]:
    """HELP HEARING CHANGE LANGUAGE STOP START DELETE SHELTER MORE SAFETY HUMAN LEAVE LEGAL CALLS MEDICAL FOOD
    WRONG, in a language."""
    commands = (kw.HELP, kw.HEARING, kw.CHANGE, kw.LANGUAGE, kw.STOP, kw.START, kw.DELETE, kw.SHELTER, kw.MORE)
    commands += (kw.SAFETY, kw.HUMAN, kw.LEAVE, kw.LEGAL, kw.CALLS, kw.MEDICAL, kw.FOOD, kw.WRONG)
    return dict(zip(commands, words.split(), strict=True))


WORDS = {
    "es": Words(
        hello="hola",
        yes="sí",
        no="no",
        court="corte de",
        city="CIUDAD",
        other="otra",
        bridge="puente",
        danger="me están amenazando",
        months=tuple(MONTHS),
        at=" a las ",
        midnight=" a medianoche",
        ampm="0:30",
        port_time="0:30",
        late_port_time="13:30",
        keywords=_keywords(
            "AYUDA AUDIENCIA CAMBIAR IDIOMA ALTO ALTA BORRAR ALBERGUE "
            "MÁS SEGURIDAD HUMANO FIN ABOGADO VOZ MÉDICO COMIDA MAL"
        ),
    ),
    "en": Words(
        hello="hello",
        yes="yes",
        no="no",
        court="court",
        city="CITY",
        other="other",
        bridge="bridge",
        danger="they threaten me",
        months=tuple(calendar.month_name[1:]),
        at=" at ",
        midnight=" at midnight",
        ampm="0:30",
        port_time="12:30 am",
        late_port_time="1:30 pm",
        keywords=_keywords(
            "HELP HEARING CHANGE LANGUAGE STOP START DELETE SHELTER "
            "MORE SAFETY HUMAN DONE LAWYER CALL DOCTOR FOOD WRONG"
        ),
    ),
    "pt": Words(
        hello="olá, tudo bem?",  # "olá" alone is taken for Spanish
        yes="sim",
        no="não",
        court="tribunal de",
        city="CIDADE",
        other="outra",
        bridge="ponte",
        danger="estou sendo ameaçado",
        months=tuple(
            "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split()
        ),
        at=" às ",
        midnight=" à meia-noite",
        ampm="0:30",
        port_time="0h30",
        late_port_time="13h30",
        keywords=_keywords(
            "AJUDA AUDIÊNCIA MUDAR IDIOMA PARAR COMEÇAR APAGAR ABRIGO "
            "MAIS SEGURANÇA PESSOA FIM ADVOGADO LIGAÇÃO SAÚDE COMIDA ERRADO"
        ),
    ),
    "fr": Words(
        hello="bonjour",
        yes="oui",
        no="non",
        court="tribunal de",
        city="VILLE",
        other="autre",
        bridge="pont",
        danger="on me menace",
        months=tuple("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()),
        at=" à ",
        midnight=" à minuit",
        ampm="0h30",
        port_time="0h30",
        late_port_time="13h30",
        keywords=_keywords(
            "AIDE AUDIENCE CHANGER LANGUE ARRÊT COMMENCER SUPPRIMER REFUGE "
            "PLUS SÉCURITÉ HUMAIN FIN AVOCAT APPEL MÉDECIN NOURRITURE FAUX"
        ),
    ),
    "ht": Words(
        hello="bonjou",
        yes="wi",
        no="non",
        court="tribinal",
        city="VIL",
        other="lot",
        bridge="pon",
        danger="yo menase m",
        months=tuple(HT_MONTHS),
        at=" a ",
        midnight=" a minwi",
        ampm="0:30",
        port_time="0:30",
        late_port_time="13:30",
        keywords=_keywords(
            "ÈD ODYANS CHANJE LANG SISPANN KÒMANSE EFASE AZIL PLIS SEKIRITE MOUN FINI AVOKA APÈL DOKTÈ MANJE MOVE"
        ),
    ),
}
NONSENSE = "qwxz vbnk"  # not a word, a date, a city nor a court in any language
UNKNOWN_CITY = "Saltillo"  # a Mexican city the bot does not know
UNKNOWN_COURT, UNKNOWN_COURT_PLACE = "Springfield", "Springfield, Illinois"  # no immigration court there


def written(lang: str, day: date, at: time | None = AT) -> str:
    """A hearing as a person writes it: 'el 30 de septiembre de 2026 a las 12:30', 'September 30, 2026 at 12:30 pm'."""
    w = WORDS[lang]
    said = w.day(lang, day)
    if at is None:
        return said
    if lang == "en":
        return f"{said}{w.at}{at.hour % 12 or 12}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"
    if lang == "fr":
        return f"{said}{w.at}{at.hour}h{at.minute:02d}"
    return f"{said}{w.at}{at.hour}:{at.minute:02d}"


# --- the data the bot reads -------------------------------------------------------------------------------


class Listed(Directory):
    """The store's Directory (its queries: in_city, nearest, by_ids, legal_aid) over a list held in memory."""

    def __init__(self, shelters: list[Service]):
        self.shelters = shelters

    def all(self) -> list[Service]:
        return self.shelters


@cache
def directory() -> Listed:
    """The directory of data/services.csv as the bot reads it: checked and imported by the store's own code
    (a new database is seeded with the file by its migrations), in a database in memory, closed at once."""
    db = storage.connect(":memory:")
    try:
        storage.migrate(db)
        shelters = all_services(db)
    finally:
        db.close()
    assert shelters, "data/services.csv seeds the directory"
    return Listed(shelters)


def courts_for(city: places_module.City | None) -> list[places_module.Court]:
    """The courts a person waiting in a city can have: its usual one, those with a port in the city, and an
    interior one; with no port in the city (or no city), every border court (reported at its main port)."""
    border = [c for c in PLACES.courts if c.border]
    near = [c for c in border if city and any(PLACES.port(p).city == city.key for p in c.ports)]
    usual = [city.court] if city and city.court else []
    found = usual + near if near else usual + border
    return list(dict.fromkeys([*found, PLACES.known_court(INTERIOR)]))


@dataclass(frozen=True)
class Context:
    city: places_module.City | None
    court: places_module.Court
    day: date

    def __str__(self) -> str:
        return f"{self.city.key if self.city else 'no city'}, {self.court.key} court, {self.day}"


CONTEXTS = [Context(city, court, day) for city in [*PLACES.cities, None] for court in courts_for(city) for day in DATES]


# --- what was sent, and which msgids were rendered ----------------------------------------------------------


@dataclass
class Sent:
    lang: str
    kind: str  # "reply", "reminder", "shelter page", "legal-aid page"
    where: str  # the context, and where the person was
    said: str  # what the person wrote (or what was rendered)
    text: str


@dataclass
class Run:
    sent: list[Sent] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (lang, msgid)
    states: set[str] = field(default_factory=set)
    commands: set[str] = field(default_factory=set)


class Recording:
    """bot.core.i18n.translations, noting each msgid looked up in each language."""

    def __init__(self, run: Run, real):
        self.run, self.real = run, real

    def __call__(self, lang: str):
        gettext = self.real(lang).gettext

        def noted(msgid: str) -> str:
            self.run.seen.add((lang, msgid))
            return gettext(msgid)

        def noted_plural(singular: str, plural: str, n: int) -> str:
            self.run.seen.add((lang, singular))
            return self.real(lang).ngettext(singular, plural, n)

        return SimpleNamespace(gettext=noted, ngettext=noted_plural)


class Chat:
    """One person talking to the pure conversation, everything they are sent recorded."""

    def __init__(self, run: Run, lang: str, where: str, now: datetime, listed: bool = True):
        self.run, self.lang, self.where, self.now = run, lang, where, now
        self.calls_on = True  # reminder calls can be placed
        self.person = Person()
        self.directory = directory() if listed else None

    def say(self, text: str = "", expect: str | None = None, now: datetime | None = None, **message) -> tuple:
        p = self.person
        where = f"{self.where}; the person: {p.city or 'no city'}, {p.court or 'no court'}, {p.state}"
        message_ = Message(text=text, **message)
        outcome = handle(self.person, message_, now or self.now, PLACES, self.directory, CODE, calls_on=self.calls_on)
        self.person = outcome.person
        self.run.states.add(outcome.person.state)
        if keyword := kw.match(text):
            self.run.commands.add(keyword.command)
        said = text or ", ".join(f"{k}={v}" for k, v in message.items())
        self.run.sent += [Sent(self.lang, "reply", where, said, reply) for reply in outcome.replies]
        if expect is not None:
            assert self.person.state == expect, (self.lang, where, said, self.person.state, outcome.replies)
        return outcome.replies

    def word(self, command: str) -> str:
        return WORDS[self.lang].keywords[command]


# --- the scripts ------------------------------------------------------------------------------------------


def court_phrase(lang: str, court: places_module.Court) -> str:
    return f"{WORDS[lang].court} {court.name}"


def longest(days, lang: str) -> date:
    return max(days, key=lambda d: (len(i18n.long_date(d, lang)), d))


def a_life(run: Run, lang: str, ctx: Context) -> None:
    """Registering (every wrong answer on the way), every keyword, the hearing changed, a new city, the
    answers before and after the hearing, and erasing it all, for one person."""
    w, city, court, day = WORDS[lang], ctx.city, ctx.court, ctx.day
    local = datetime.combine(day, AT, tzinfo=court.zone)
    before = (local - timedelta(days=20)).astimezone(UTC).replace(hour=16, minute=0)
    chat = Chat(run, lang, str(ctx), before)
    kw_ = chat.word
    border = court.border
    registered_after_yes = C.ASK_PORT_TIME if border else C.REGISTERED

    chat.say(num_media=1, expect=C.CHOOSE_LANGUAGE)  # a picture, no words
    chat.say(w.hello, C.CHOOSE_LANGUAGE)  # not a number: not understood
    chat.say(kw_(kw.HEARING), C.CHOOSE_LANGUAGE)  # none saved yet
    chat.say(str(LANGS.index(lang) + 1), C.CHOOSE_CITY)
    chat.say("99", C.CHOOSE_CITY)  # no such city number
    if city is None:
        chat.say(w.other, C.ASK_CITY_NAME)
        chat.say(UNKNOWN_CITY, C.CHOOSE_COURT)
        chat.say(UNKNOWN_COURT, C.ASK_COURT_PLACE)
        chat.say(UNKNOWN_COURT_PLACE, C.ASK_COURT_PLACE)
        chat.say(court.name, C.ASK_HEARING)
    else:
        if city.menu:
            chat.say(str(PLACES.menu.index(city) + 1))
        else:
            chat.say(str(len(PLACES.menu) + 1), C.ASK_CITY_NAME)
            chat.say(city.name)
        if chat.person.state == C.CHOOSE_COURT:
            chat.say(court.name, C.ASK_HEARING)
    assert chat.person.state == C.ASK_HEARING, (lang, str(ctx), chat.person)
    chat.say(num_media=1, expect=C.ASK_HEARING)  # a picture of the paper

    chat.say(NONSENSE, C.ASK_HEARING)
    chat.say(NONSENSE, C.ASK_HEARING)  # twice: a volunteer is offered
    chat.say(written(lang, day - timedelta(days=30)), C.ASK_HEARING)  # passed
    chat.say(written(lang, day + timedelta(days=400)), C.ASK_HEARING)  # over a year away
    chat.say("03/04", C.CHOOSE_DATE)  # 3 April or 4 March?
    chat.say(NONSENSE, C.CHOOSE_DATE)
    chat.say("2", C.ASK_TIME)
    chat.say(NONSENSE, C.ASK_TIME)
    chat.say(w.ampm, C.CHOOSE_AMPM)
    chat.say(NONSENSE, C.CHOOSE_AMPM)
    chat.say("2", C.CONFIRM_HEARING)
    chat.say(w.no, C.ASK_HEARING)
    chat.say(f"{court_phrase(lang, court)} {written(lang, day, None)}{w.midnight}", C.ASK_TIME)
    chat.say(written(lang, day), C.CONFIRM_HEARING)
    chat.say(NONSENSE, C.CONFIRM_HEARING)
    chat.say(w.yes, registered_after_yes)
    assert chat.person.court == court.key and chat.person.city == (city.key if city else None), str(ctx)
    if border:
        chat.say(NONSENSE, C.ASK_PORT_TIME)
        chat.say(w.late_port_time, C.ASK_PORT_TIME)  # not before the hearing
        chat.say(w.no, C.REGISTERED)  # the usual time is assumed
        chat.say(f"{w.bridge} {w.port_time}", C.REGISTERED)
        assert chat.person.hearing.report_at, str(ctx)

    chat.say(NONSENSE, C.REGISTERED)
    chat.say(NONSENSE, C.REGISTERED)
    for command in (kw.HEARING, kw.HELP, kw.SAFETY):
        chat.say(kw_(command), C.REGISTERED)
    chat.say(kw_(kw.LANGUAGE), C.CHOOSE_LANGUAGE)
    chat.say(str(LANGS.index(lang) + 1), C.REGISTERED)

    chat.say(kw_(kw.HUMAN), C.REGISTERED)  # a volunteer
    assert not chat.say(NONSENSE), "what a person writes in a thread goes to the volunteer"
    chat.say(kw_(kw.LEAVE), C.REGISTERED)
    chat.say(kw_(kw.LEAVE), C.REGISTERED)  # no thread open
    chat.say(w.danger, C.REGISTERED)
    chat.say(kw_(kw.LEAVE), C.REGISTERED)
    chat.say(kw_(kw.CALLS), C.ASK_CALLS)  # reminder calls too?
    chat.say(NONSENSE, C.ASK_CALLS)
    chat.say("1", C.REGISTERED)
    chat.say(kw_(kw.CALLS), C.ASK_CALLS)  # they are on: keep them?
    chat.say("2", C.REGISTERED)
    chat.calls_on = False
    chat.say(kw_(kw.CALLS), C.REGISTERED)  # no caller ID configured: said plainly
    chat.calls_on = True
    chat.say("1", C.REGISTERED)  # to the 1-day reminder: I will go
    chat.say("2", C.REGISTERED)  # I need help
    chat.say(kw_(kw.LEAVE), C.REGISTERED)

    if city is not None:
        chat.say(kw_(kw.SHELTER), C.REGISTERED)
        chat.say(kw_(kw.WRONG), C.REGISTERED)  # several listed: which one?
        chat.say(f"{kw_(kw.WRONG)} 1 {NONSENSE}", C.REGISTERED)  # flagged, with the person's words
        chat.say(kw_(kw.MORE), C.REGISTERED)
        chat.say(kw_(kw.MORE), C.REGISTERED)
        chat.say(kw_(kw.LEGAL), C.REGISTERED)
        chat.say(f"{kw_(kw.WRONG)} 99", C.REGISTERED)  # no such number
        chat.say(kw_(kw.MEDICAL), C.REGISTERED)
        chat.say(kw_(kw.FOOD), C.REGISTERED)
    pin = city or PLACES.city("tijuana")
    chat.say(latitude=pin.lat, longitude=pin.lon, expect=C.REGISTERED)  # food on a map: none yet (with a city)
    if city is not None:
        chat.say(kw_(kw.SHELTER), C.REGISTERED)
        chat.say(latitude=pin.lat, longitude=pin.lon, expect=C.REGISTERED)  # shelters nearest
    chat.say(kw_(kw.MORE), C.REGISTERED)

    chat.say(kw_(kw.STOP), C.REGISTERED)
    assert not chat.say(kw_(kw.HEARING)), "silence after STOP"
    chat.say(kw_(kw.HELP), C.REGISTERED)
    chat.say(kw_(kw.START), C.REGISTERED)
    chat.say(kw_(kw.DELETE), C.CONFIRM_DELETE)
    chat.say(NONSENSE, C.CONFIRM_DELETE)
    chat.say(w.no, C.REGISTERED)

    # CHANGE: a holiday, then a weekend (each warned about), then another court and back.
    holidays = [d for d in C.us_holidays(day.year) | C.us_holidays(day.year + 1) if day < d < day + timedelta(300)]
    chat.say(kw_(kw.CHANGE), C.ASK_HEARING)
    chat.say(written(lang, longest(holidays, lang)), C.CONFIRM_HEARING)
    chat.say(w.no, C.ASK_HEARING)
    chat.say(written(lang, longest([day + timedelta(days=3), day + timedelta(days=4)], lang)), C.CONFIRM_HEARING)
    chat.say(w.yes, registered_after_yes)
    if border:
        chat.say(w.port_time, C.REGISTERED)
    other = PLACES.known_court(INTERIOR if court.key != INTERIOR else "el_paso")
    chat.say(f"{kw_(kw.CHANGE)} {court_phrase(lang, other)}", C.ASK_HEARING)
    chat.say(written(lang, day), C.CONFIRM_HEARING)
    chat.say(w.yes)
    if chat.person.state == C.ASK_PORT_TIME:
        chat.say(w.no, C.REGISTERED)
    chat.say(f"{kw_(kw.CHANGE)} {court_phrase(lang, court)} {written(lang, day)}", C.CONFIRM_HEARING)
    chat.say(w.yes, registered_after_yes)
    if border:
        chat.say(w.port_time, C.REGISTERED)
    assert chat.person.court == court.key, str(ctx)

    # A new city (the longest name), and back.
    far = PLACES.city("san_luis_rio_colorado" if city is None or city.key != "san_luis_rio_colorado" else "tijuana")
    if city is not None:
        chat.say(f"{w.city} {far.name}", C.REGISTERED)
        chat.say(kw_(kw.HEARING), C.REGISTERED)
        chat.say(w.city, C.CHOOSE_CITY)
        chat.say(NONSENSE, C.CHOOSE_CITY)
        chat.say(city.name, C.REGISTERED)
        assert chat.person.city == city.key, str(ctx)

    # Too late for any reminder: confirmed half an hour before the hearing.
    late = (local - timedelta(minutes=30)).astimezone(UTC)
    chat.say(kw_(kw.CHANGE), C.ASK_HEARING, now=late)
    chat.say(written(lang, day), C.CONFIRM_HEARING, now=late)
    chat.say(w.yes, C.REGISTERED, now=late)

    # After the hearing: the answers to the follow-up.
    chat.now = (local + timedelta(days=1)).astimezone(UTC)
    chat.say("3", C.REGISTERED)  # I could not go: what to do, and legal help near
    chat.say("2", C.REGISTERED)  # I went, no new date yet
    chat.say("1", C.ASK_HEARING)  # I went and have a new date
    new = day + timedelta(days=63)
    chat.say(written(lang, new), C.CONFIRM_HEARING)
    chat.say(w.yes, registered_after_yes)
    if border:
        chat.say(w.no, C.REGISTERED)
    chat.now = (datetime.combine(new, AT, tzinfo=court.zone) + timedelta(days=1)).astimezone(UTC)
    chat.say(f"1 {written(lang, new + timedelta(days=63))}", C.CONFIRM_HEARING)  # the new date in the answer
    chat.say(w.yes, registered_after_yes)
    if border:
        chat.say(w.port_time, C.REGISTERED)

    if city is None:  # shelters: the city is asked first (and kept); then a move
        chat.say(kw_(kw.SHELTER), C.CHOOSE_CITY)
        chat.say("1", C.REGISTERED)
        chat.say(kw_(kw.MORE), C.REGISTERED)
        chat.say(kw_(kw.LEGAL), C.REGISTERED)
        chat.say(f"{w.city} {far.name}", C.REGISTERED)
        chat.say(kw_(kw.HEARING), C.REGISTERED)
    chat.say(kw_(kw.DELETE), C.CONFIRM_DELETE)
    chat.say(CODE, C.NEW)


def first_steps(run: Run, lang: str) -> None:
    """What comes before the city and the hearing are known: a hearing written before it is asked for,
    shelters and legal help before the city, a location with no shelter list, keywords too early."""
    w = WORDS[lang]
    day, juarez = DATES[0], PLACES.city("ciudad_juarez")
    now = datetime.combine(day - timedelta(days=20), time(16), tzinfo=UTC)
    chat = Chat(run, lang, "first steps", now)
    chat.say(w.keywords[kw.HEARING], C.CHOOSE_LANGUAGE)
    chat.say(f"{written(lang, day)} {juarez.name}", C.CHOOSE_LANGUAGE)  # the hearing before a language
    chat.say(str(LANGS.index(lang) + 1), C.CONFIRM_HEARING)

    chat = Chat(run, lang, "first steps", now)
    chat.say(w.keywords[kw.CHANGE], C.CHOOSE_LANGUAGE)
    chat.say(str(LANGS.index(lang) + 1), C.CHOOSE_CITY)
    chat.say(w.keywords[kw.CHANGE], C.CHOOSE_CITY)
    chat.say(w.keywords[kw.SHELTER], C.CHOOSE_CITY)
    chat.say(w.other, C.CHOOSE_CITY)  # not one of the cities with shelters
    chat.say(w.keywords[kw.MORE], C.CHOOSE_CITY)  # nothing more
    chat.say(w.keywords[kw.LEGAL], C.CHOOSE_CITY)
    chat.say(str(PLACES.menu.index(PLACES.city("piedras_negras")) + 1), C.ASK_HEARING)  # no legal aid there
    chat.say(w.city, C.CHOOSE_CITY)
    chat.say(str(PLACES.menu.index(juarez) + 1), C.ASK_HEARING)
    chat.say(latitude=juarez.lat, longitude=juarez.lon, expect=C.ASK_HEARING)
    chat.say(w.keywords[kw.HEARING], C.ASK_HEARING)

    chat = Chat(run, lang, "first steps, no shelter list", now, listed=False)
    chat.say(w.hello, C.CHOOSE_LANGUAGE)
    chat.say(str(LANGS.index(lang) + 1), C.CHOOSE_CITY)
    chat.say(latitude=juarez.lat, longitude=juarez.lon, expect=C.ASK_HEARING)  # a pin names the city
    chat.say(latitude=juarez.lat, longitude=juarez.lon, expect=C.ASK_HEARING)  # then asks for shelters
    chat.say(w.keywords[kw.SHELTER], C.ASK_HEARING)


def reminders(run: Run, lang: str) -> None:
    for ctx in CONTEXTS:
        at = datetime.combine(ctx.day, AT, tzinfo=ctx.court.zone).astimezone(UTC)
        for report in (None, at - timedelta(hours=12), at - timedelta(hours=4)):
            hearing = Hearing(at, ctx.court.key, ctx.city.key if ctx.city else None, report)
            for (kind, slot), variant in ((s, v) for s in SLOTS for v in texts.VARIANTS):
                body, _variables = texts.render(kind, hearing, lang, PLACES, slot, variant)
                run.sent.append(
                    Sent(lang, "reminder", f"{ctx}, at the port {report}", f"{kind} {slot} {variant}", body)
                )


def pages(run: Run, lang: str) -> None:
    """Every page of every list (shelters, legal help, medical care, food) of every city (listed, and
    nearest to the city with distances, approximate or not), checked days ago, long ago or never, with
    the conversation's headers."""
    _ = i18n.translator(lang)
    found = directory()
    for city in PLACES.cities:
        for topic in directory_module.TOPICS.values():
            listed = [(s, None) for s in found.in_city(city.key, topic.kinds)]
            nearest = found.nearest(city.lat, city.lon, topic.kinds)
            exact = [(replace(s, approximate=False), km) for s, km in nearest]
            for today in (date(2026, 12, 1), date(2027, 6, 1)):
                fresh = [(replace(s, verified_at=today - timedelta(days=3)), km) for s, km in listed]
                never = [(replace(s, verified_at=None), km) for s, km in listed]
                for shelters, header in (
                    (listed, _(topic.header).format(city=city.name)),
                    (nearest, _(topic.nearest)),
                    (exact, ""),
                    (fresh, ""),  # checked 3 days ago
                    (never, ""),  # never checked
                    ([(replace(s, verified_at=today), km) for s, km in listed[:1]], ""),  # checked today
                ):
                    if shelters:
                        for text, _n in advice.pages(shelters, header, today, lang):
                            run.sent.append(Sent(lang, f"{topic.name} page", f"{city.key}, {today}", header, text))


@cache
def run_all(lang: str) -> Run:
    run = Run()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "translations", Recording(run, i18n.translations))
        for ctx in CONTEXTS:
            a_life(run, lang, ctx)
        first_steps(run, lang)
        reminders(run, lang)
        pages(run, lang)
    return run


def reply_msgids() -> set[str]:
    found = extract_from_dir(str(ROOT), method_map=[("bot/**.py", "python"), ("scheduler/**.py", "python")])
    return {message for path, _l, message, _c, _x in found if path in REPLY_MODULES and isinstance(message, str)}


# --- the tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_fits_in_two_segments(lang):
    """Each message over two segments fails, named with what led there. Texts alike (the same input and
    opening, other dates, cities or courts) are shown once, the longest, with how many there are."""
    alike: dict[tuple[str, str, str], list[Sent]] = {}
    for sent in {s.text: s for s in run_all(lang).sent if count(s.text) > MAX_SEGMENTS}.values():
        key = (sent.kind, DIGITS.sub("#", sent.said), DIGITS.sub("#", sent.text[:24]))
        alike.setdefault(key, []).append(sent)
    over = []
    for texts_alike in sorted(alike.values(), key=len, reverse=True):
        worst = max(texts_alike, key=lambda s: (count(s.text), len(s.text)))
        over.append(
            f"{lang} {worst.kind} [{worst.where}] after {worst.said!r}: {count(worst.text)} segments"
            f" ({len(texts_alike)} texts alike):\n{worst.text}"
        )
    total = sum(map(len, alike.values()))
    assert not over, f"{lang}: {total} texts over {MAX_SEGMENTS} segments\n\n" + "\n\n".join(over)


@pytest.mark.parametrize("lang", LANGS)
def test_the_scripts_render_every_reply_in_every_language(lang):
    """Every msgid of the reply modules was looked up in this language while the scripts ran: a reply added
    without a script fails here, rather than going out unsized."""
    msgids = reply_msgids()
    assert {SHELTERS_IN, LEGAL_NEAR} <= msgids, "the page headers above follow the conversation's msgids"
    assert NOT_REPLIES <= msgids
    run = run_all(lang)
    rendered = {msgid for seen_lang, msgid in run.seen if seen_lang == lang}
    missing = sorted(msgids - NOT_REPLIES - rendered)
    assert not missing, f"{lang}: never rendered by a script here: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_scripts_reach_every_state_and_keyword(lang):
    run = run_all(lang)
    assert set(C.STATE_HANDLERS) - run.states == set()
    assert set(C.KEYWORD_HANDLERS) - run.commands == set()
