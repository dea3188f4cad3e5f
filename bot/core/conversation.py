"""The conversation: a pure state machine, (person, message, now) -> (person, replies, effects).

States are named constants, each has one handler in STATE_HANDLERS, and global keywords are checked
before any state (see bot/core/conversation.md for the diagram). Handlers never touch the database or
Twilio: what must happen outside is returned as effects, which bot.web.receive applies
(through bot.store.people).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays

from bot.core import advice, segments
from bot.core import keywords as kw
from bot.core.danger import in_danger
from bot.core.dates import LANGS, ParsedHearing, names_port, parse_hearing, parse_port_time, parse_time
from bot.core.hearing import (
    EOIR_HOTLINE,
    Hearing,
    describe,
    hearing_time,
    missed_help,
    port_instant,
    port_line,
    port_sentence,
    report_time,
)
from bot.core.i18n import DEFAULT_LANG, N_, NATIVE_NAMES, clock, day_month, tidy, translator, weekday_day_month
from bot.core.outcomes import Code
from bot.core.places import City, Court, Places, find_city, find_court, find_court_at, nearest_city
from bot.core.services import DEFAULT_TOPIC, TOPICS, Directory
from bot.core.text import bare

NEW = "new"
CHOOSE_LANGUAGE = "choose_language"
CHOOSE_CITY = "choose_city"
CHOOSE_COURT = "choose_court"
ASK_HEARING = "ask_hearing"
CHOOSE_DATE = "choose_date"
ASK_TIME = "ask_time"
CONFIRM_HEARING = "confirm_hearing"
ASK_PORT_TIME = "ask_port_time"
REGISTERED = "registered"
CONFIRM_DELETE = "confirm_delete"
ASK_CITY_NAME = "ask_city_name"  # "Other" in the city menu: the name, typed
ASK_COURT_PLACE = "ask_court_place"  # a court we could not find: its US city and state
CHOOSE_AMPM = "choose_ampm"  # a time before 6:00 or after 19:00: morning or evening?
ASK_CALLS = "ask_calls"  # CALL / VOZ: reminder calls too? (1 yes, 2 no)


# Where a person is in the conversation, as the console shows it (msgids).
STATE_NAMES = {
    NEW: N_("New"),
    CHOOSE_LANGUAGE: N_("Choosing a language"),
    CHOOSE_CITY: N_("Choosing a city"),
    CHOOSE_COURT: N_("Choosing a court"),
    ASK_CITY_NAME: N_("Typing a city"),
    ASK_COURT_PLACE: N_("Naming the court's city"),
    CHOOSE_AMPM: N_("Choosing a.m. or p.m."),
    ASK_HEARING: N_("Asked for the hearing date"),
    CHOOSE_DATE: N_("Choosing between two dates"),
    ASK_TIME: N_("Asked for the hearing time"),
    CONFIRM_HEARING: N_("Confirming the hearing"),
    ASK_PORT_TIME: N_("Asked for the time at the port"),
    REGISTERED: N_("Registered"),
    CONFIRM_DELETE: N_("Asked to delete everything"),
    ASK_CALLS: N_("Asked about reminder calls"),
}
EARLIEST, LATEST = time(6, 0), time(19, 0)  # hearing times outside these are asked about

MAX_DAYS_AHEAD = 366  # no hearing is set further out; it also bounds what one phone can make us plan
LANGUAGE_MENU = "\n".join(f"{i} {NATIVE_NAMES[lang]}" for i, lang in enumerate(LANGS, 1))


@dataclass(frozen=True)
class Person:
    """Everything the conversation knows about one person: one phone, whatever channel it writes from."""

    state: str = NEW
    lang: str | None = None
    city: str | None = None
    court: str | None = None
    hearing: Hearing | None = None
    pending: dict = field(default_factory=dict)  # answers awaiting confirmation (JSON-safe)
    opted_out: bool = False
    consent_at: datetime | None = None
    consent_method: str | None = None
    thread: bool = False  # a conversation with a volunteer is open: free text goes to it
    confused: int = 0  # "not understood" answers in a row (two offer a volunteer)
    calls: bool = False  # they asked for reminder calls too (CALL / VOZ, or a volunteer by phone)


@dataclass(frozen=True)
class Message:
    """One inbound message, channel-neutral."""

    channel: str = "sms"
    text: str = ""
    num_media: int = 0
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class SaveHearing:
    hearing: Hearing


@dataclass(frozen=True)
class SavePortTime:
    report_at: datetime


@dataclass(frozen=True)
class MoveCity:
    """The person now waits in another city: their hearing's clock for reminders follows."""

    city: str


@dataclass(frozen=True)
class OpenThread:
    """A volunteer is asked for (HUMANO, words of danger, or after misunderstandings)."""

    urgent: bool = False


@dataclass(frozen=True)
class ToThread:
    """What the person wrote, for the volunteer (stored encrypted, only while a thread is open)."""

    text: str


@dataclass(frozen=True)
class CloseThread:
    pass


@dataclass(frozen=True)
class Record:
    """The person's own answer about their active hearing (bot/core/outcomes.py): confirmed, went,
    missed, or a new date (recorded on the old hearing, before a SaveHearing replaces it)."""

    code: Code


@dataclass(frozen=True)
class FlagService:
    """A person says a listed entry is wrong: for a volunteer to check (their words, never who)."""

    service_id: int
    words: str


@dataclass(frozen=True)
class CallsOn:
    """The person asked for reminder calls: their consent, and how it was given."""

    method: str


@dataclass(frozen=True)
class CallsOff:
    pass


@dataclass(frozen=True)
class OptOut:
    pass


@dataclass(frozen=True)
class OptIn:
    pass


@dataclass(frozen=True)
class Erase:
    pass


@dataclass(frozen=True)
class Outcome:
    person: Person
    replies: tuple[str, ...]
    effects: tuple = ()
    understood: bool = True  # False: the bot did not understand (the thread takes it, or a volunteer is offered)


@dataclass(frozen=True)
class Turn:
    """What a handler sees: the person, the message, the clock, the places and the language."""

    person: Person
    message: Message
    now: datetime
    places: Places
    lang: str
    directory: Directory | None = None  # the shelters, read only when asked for
    code: str = "000"  # a fresh one-time code (the caller draws it: handlers stay pure)
    answer_hours: int = 24  # how soon volunteers usually answer a thread
    calls_on: bool = False  # reminder calls can be placed (a caller ID is configured)

    @property
    def _(self) -> Callable[[str], str]:
        return translator(self.lang)

    def reply(self, *texts: str, effects: tuple = (), **changes) -> Outcome:
        """The texts as SMS (`joined`): one SMS while they fit in two segments together."""
        person = replace(self.person, **changes) if changes else self.person
        return Outcome(person, joined(*texts, lang=self.lang), effects)

    def today(self) -> date:
        """Today where the person waits (or at the court, before we know the city)."""
        city = self.places.city(self.person.city)
        court = self.places.court(self.person.court)
        zone = city.zone if city else court.zone if court else self.places.cities[0].zone
        return self.now.astimezone(zone).date()


def joined(*texts: str, lang: str = "") -> tuple[str, ...]:
    """The texts as few SMS as fit: joined by line breaks while the SMS stays within two segments
    (several short SMS would each cost a segment); a text that would push it past two (a menu after
    "Welcome back.", a long confirmation after a warning) starts an SMS of its own."""
    out: list[str] = []
    for text in texts:
        if not text:
            continue
        text = tidy(text, lang)
        if out and segments.count(out[-1] + "\n" + text) <= segments.MAX_SEGMENTS:
            out[-1] += "\n" + text
        else:
            out.append(text)
    return tuple(out)


def offered(replies: tuple[str, ...], offer: str, lang: str) -> tuple[str, ...]:
    """The replies with `offer` added to the last SMS it fits in; where it fits in none, it takes the
    place of the first (the "not understood" line: the offer is the news), any menu after it stays."""
    for i in reversed(range(len(replies))):
        merged = joined(replies[i], offer, lang=lang)
        if len(merged) == 1:
            return (*replies[:i], merged[0], *replies[i + 1 :])
    return (offer, *replies[1:])


def handle(
    person: Person,
    message: Message,
    now: datetime,
    places: Places,
    directory: Directory | None = None,
    code: str = "000",
    answer_hours: int = 24,
    calls_on: bool = False,
) -> Outcome:
    """Answer one message. Keywords first, then words of danger, then a location pin, then the handler
    of the person's state. What the bot does not understand goes to an open thread with a volunteer,
    or, the second time in a row, ends with the offer of one.

    `code` is a random one-time code the caller drew, for a confirmation a spoofer must not be able
    to give blind (DELETE): it goes only to the real phone. `answer_hours`: how soon volunteers
    usually answer, said honestly when a thread opens. `calls_on`: reminder calls can be placed (CALL
    says so honestly when they cannot). A reply that would still need a third UCS-2
    segment goes with its accents folded to GSM-7, as reminders do (segments.fit)."""
    outcome = _handle(person, message, now, places, directory, code, answer_hours, calls_on)
    if any(segments.count(r) > segments.MAX_SEGMENTS for r in outcome.replies):
        return replace(outcome, replies=tuple(segments.fit(r) for r in outcome.replies))
    return outcome


def _handle(
    person: Person,
    message: Message,
    now: datetime,
    places: Places,
    directory: Directory | None,
    code: str,
    answer_hours: int,
    calls_on: bool,
) -> Outcome:
    keyword = kw.match(message.text)
    lang = person.lang or (keyword and keyword.lang) or kw.guess_language(message.text)
    turn = Turn(
        person, message, now.astimezone(UTC), places, lang or DEFAULT_LANG, directory, code, answer_hours, calls_on
    )
    outcome = answer(turn, keyword)
    if outcome.understood:
        return outcome if not outcome.person.confused else replace(outcome, person=replace(outcome.person, confused=0))
    if person.thread:  # the volunteer reads it instead of "not understood"
        return Outcome(replace(person, confused=0), (), (ToThread(message.text),))
    confused = person.confused + 1
    replies = outcome.replies
    if confused >= 2:  # the offer of a person, in an SMS it fits in (else instead of "not understood")
        _ = turn._
        replies = offered(replies, _("Reply HUMAN to write to a volunteer."), turn.lang)
    return replace(outcome, person=replace(outcome.person, confused=confused), replies=replies)


def answer(turn: Turn, keyword: kw.Keyword | None) -> Outcome:
    person, message, places = turn.person, turn.message, turn.places
    if person.opted_out and person.state != CONFIRM_DELETE:
        if not keyword and message.channel == "sms" and bare(message.text) == "yes":
            keyword = kw.Keyword(kw.START, None)  # Twilio lets an SMS number back in on YES too: so do we
        if not keyword or keyword.command not in (kw.START, kw.HELP, kw.DELETE):
            return Outcome(person, ())  # they said STOP: silence until START
    if keyword:
        return KEYWORD_HANDLERS[keyword.command](turn)
    if in_danger(message.text):
        return on_danger(turn)
    listing = person.pending.get("listed") and person.state not in (CONFIRM_HEARING, CONFIRM_DELETE, ASK_CALLS)
    if listing and (wrong := kw.wrong_with(message.text)) is not None:
        return on_wrong(turn, *wrong)
    if person.lang and person.state not in (NEW, CHOOSE_LANGUAGE, CHOOSE_CITY, ASK_CITY_NAME, CONFIRM_DELETE):
        rest = kw.moving(message.text)
        if rest == "" and (person.city or person.court):
            back = {"then": "move", "return": person.state, "kept": person.pending}
            return turn.reply(city_menu(turn), state=CHOOSE_CITY, pending=back)
        if rest and (city := find_city(message.text, places, numbers=False) or find_city(rest, places, False)):
            return move_to(turn, city)
        if (rest := kw.change_with(message.text)) is not None:
            return on_change(turn, rest)
    if person.lang and person.state in (ASK_HEARING, CHOOSE_DATE, ASK_TIME, CHOOSE_AMPM, CONFIRM_HEARING):
        court = find_court(message.text, places, anywhere=True)  # "es en la corte de Tucson": the paper's
        if court and court.key != person.court:
            turn = replace(turn, person=replace(person, court=court.key))
            if person.state == CONFIRM_HEARING:
                return continue_hearing(turn)  # the same hearing, asked again at its court
    pinned = message.latitude is not None and message.longitude is not None and not message.text.strip()
    if pinned and person.state != CHOOSE_CITY:  # (when asked for the city, a pin answers that)
        return on_location(turn)
    if not message.text.strip() and message.num_media:
        return on_picture(turn)
    return STATE_HANDLERS[person.state](turn)


def on_picture(turn: Turn) -> Outcome:
    """A photo with no words: say so, and what to write instead (a new person gets the welcome)."""
    _ = turn._
    state = CHOOSE_LANGUAGE if turn.person.state == NEW else turn.person.state
    cannot = _("I can't read pictures yet. Please write it in a text message.")
    return turn.reply(cannot, *prompt(turn, state), state=state)


# --- what each state asks -------------------------------------------------------------------


def prompt(turn: Turn, state: str) -> tuple[str, ...]:
    """The question a state asks, to repeat it after an interruption: a few texts, which `joined` puts
    in one SMS when they fit (the confirmation says the hearing, its port line and the question)."""
    if state == CONFIRM_HEARING:
        return confirm_question(turn)
    return (question(turn, state),)


def question(turn: Turn, state: str) -> str:
    """The question of any state but the confirmation (`prompt`), as one text."""
    _ = turn._
    p = turn.person
    if state in (NEW, CHOOSE_LANGUAGE):
        return welcome_text(turn)
    if state == CHOOSE_CITY:
        return city_menu(turn)
    if state == ASK_CITY_NAME:
        return _("Write the name of the city where you are now.")
    if state == CHOOSE_COURT:
        return court_question(turn)
    if state == ASK_COURT_PLACE:
        return _(
            "We could not find that court. Write the city and state of the court in the US, for example: {example}"
        ).format(example="Omaha, Nebraska")
    if state == CHOOSE_AMPM:
        return ampm_question(turn)
    if state == ASK_HEARING:
        return _("What day and time is your hearing? For example: {example}").format(example=_("March 9 8:30 AM"))
    if state == CHOOSE_DATE:
        return which_date(turn)
    if state == ASK_TIME:
        return _("What time is your hearing on {date}? For example: {example}").format(
            date=day_month(date.fromisoformat(p.pending["date"]), turn.lang), example=_("8:30 AM")
        )
    if state == ASK_PORT_TIME:
        return port_question(turn)
    if state == ASK_CALLS:
        return calls_question(turn)
    if state == CONFIRM_DELETE:
        return _(
            "Delete your number, hearing and messages? This cannot be undone. To delete everything, "
            "reply {code}. To keep it, reply NO."
        ).format(code=p.pending.get("code", ""))
    return _("Your hearing is saved. Reply HEARING to see it, CHANGE to change it, HELP for help.")


def welcome_text(turn: Turn) -> str:
    _ = turn._
    intro = _("Free hearing reminders. We are not the court. Reply STOP to end, HELP for help.")
    return f"{intro}\n{LANGUAGE_MENU}"


def city_menu(turn: Turn) -> str:
    _ = turn._
    cities = turn.places.menu
    other = _("Other")
    lines = [f"{i} {c.name}" for i, c in enumerate(cities, 1)] + [f"{len(cities) + 1} {other}"]
    return "\n".join([_("Which city are you in?"), *lines])


def court_question(turn: Turn) -> str:
    _ = turn._
    return _(
        "Which court is your hearing at? Write the city of the court on your paper, for example: {example}"
    ).format(example="San Diego, El Paso, Houston")


def ampm_question(turn: Turn) -> str:
    _ = turn._
    at = time.fromisoformat(turn.person.pending["time"])
    morning, evening = time(at.hour % 12, at.minute), time(at.hour % 12 + 12, at.minute)
    question = _("Is your hearing in the morning or in the evening? Reply 1 or 2.")
    return f"{question}\n1 {clock(morning, turn.lang)}\n2 {clock(evening, turn.lang)}"


def which_date(turn: Turn) -> str:
    """The two readings of a date, numbered like the menus: "Which date is it?", 1 ..., 2 ..., "Reply 1 or 2"."""
    _ = turn._
    first, second = (date.fromisoformat(turn.person.pending[k]) for k in ("date", "alt"))
    choices = [f"{i} {weekday_day_month(day, turn.lang)}" for i, day in enumerate((first, second), 1)]
    return "\n".join([_("Which date is it?"), *choices, _("Reply 1 or 2.")])


def pending_hearing(turn: Turn) -> Hearing:
    """The hearing being confirmed, as UTC instants computed in the court's IANA zone."""
    p = turn.person
    court = turn.places.known_court(p.court)
    local = datetime.combine(date.fromisoformat(p.pending["date"]), time.fromisoformat(p.pending["time"]))
    hearing = Hearing(local.replace(tzinfo=court.zone).astimezone(UTC), court.key, p.city)
    if p.pending.get("port"):
        hearing = replace(hearing, report_at=port_instant(hearing, time.fromisoformat(p.pending["port"]), turn.places))
    return hearing


def confirm_question(turn: Turn) -> tuple[str, ...]:
    _ = turn._
    return hearing_texts(turn, pending_hearing(turn), _("Is that right? Reply YES or NO."))


def hearing_texts(turn: Turn, hearing: Hearing, ending: str) -> tuple[str, ...]:
    """ "Your hearing: <day, time, court>.", the time to be at the port when the person gave one, then
    `ending`: three texts, one SMS when they fit (Portuguese, always UCS-2, needs two)."""
    _ = turn._
    said = _("Your hearing: {hearing}.").format(hearing=describe(hearing, turn.lang, turn.places))
    port = port_sentence(hearing, turn.lang, turn.places) if hearing.report_at else None
    return tuple(t for t in (said, port, ending) if t)


def day_warning(turn: Turn) -> str:
    """Before the confirmation, when the hearing's day is one the courts are closed: check the paper."""
    _ = turn._
    hearing = pending_hearing(turn)
    day = hearing.at.astimezone(turn.places.known_court(hearing.court).zone).date()
    if day in us_holidays(day.year):
        return _("That day is a US federal holiday: please check your paper.")
    if day.weekday() >= 5:
        return _("That day is a weekend: please check your paper.")
    return ""


@cache
def us_holidays(year: int) -> frozenset[date]:
    """US federal holidays, the observed days included (the courts are closed on them)."""
    return frozenset(holidays.country_holidays("US", years=[year]))


def port_question(turn: Turn) -> str:
    _ = turn._
    return _(
        "Does your paper say what time to be at the port of entry? Write the time, for example: {example}. "
        "If it does not say, reply NO."
    ).format(example=_("4:30 AM"))


def next_registration_step(turn: Turn, *lead: str, **changes) -> Outcome:
    """Go to the first thing still missing: language, city, the hearing, or nothing (registered).

    A hearing written before it was asked for ("audiencia 9 de marzo 8:30 Juárez" as a first
    message) waits in `pending` and is confirmed as soon as the city is known.
    """
    person = replace(turn.person, **changes)
    turn = replace(turn, person=person)
    if not person.lang:
        return Outcome(replace(person, state=CHOOSE_LANGUAGE), joined(*lead, welcome_text(turn), lang=turn.lang))
    if not (person.city or person.court):
        state = CHOOSE_CITY
    elif not person.court:
        state = CHOOSE_COURT
    elif person.pending.get("date"):
        return continue_hearing(turn, *lead)
    elif not person.hearing:
        state = ASK_HEARING
    else:
        state = REGISTERED
    person = replace(person, state=state, pending=hearing_parts(person.pending))
    return Outcome(person, joined(*lead, *prompt(replace(turn, person=person), state), lang=turn.lang))


HEARING_PARTS = ("date", "alt", "time", "port", "ampm", "midnight")


def hearing_parts(pending: dict) -> dict:
    return {k: v for k, v in pending.items() if k in HEARING_PARTS}


def parsed_parts(parsed: ParsedHearing) -> dict:
    """What a parsed message says, JSON-safe for `pending`. A lone port time is not the hearing's."""
    parts: dict[str, str | bool] = {"date": parsed.date.isoformat()}
    if parsed.ambiguous and parsed.alternative:
        parts["alt"] = parsed.alternative.isoformat()
    if parsed.port_time:
        parts["port"] = parsed.port_time.isoformat("minutes")
    if parsed.time and parsed.time != parsed.port_time:
        parts["time"] = parsed.time.isoformat("minutes")
    if parsed.unclear_time:
        parts["midnight"] = True  # "24:00", "medianoche": no hearing is then; the time is asked again
    return parts


def glean(turn: Turn) -> dict:
    """Changes from a message that gives the city or the hearing before we asked for them."""
    changes: dict[str, object] = {}
    city = find_city(turn.message.text, turn.places, numbers=False)
    if city and not (turn.person.city or turn.person.court):
        changes |= {"city": city.key, "court": city.court.key if city.court else None}
    if court := find_court(turn.message.text, turn.places, anywhere=True):
        changes["court"] = court.key  # the court on the paper, whatever city the person waits in
    # Before a language is chosen, try the guessed one first, then each ("9 mas" is only Kreyòl).
    langs = [turn.lang] if turn.person.lang else dict.fromkeys([turn.lang, *LANGS])
    for lang in langs:
        parsed = parse_hearing(turn.message.text, lang, turn.today())
        if parsed and parsed.date >= turn.today():
            changes["pending"] = parsed_parts(parsed)
            break
    return changes


def not_understood(turn: Turn, expectation: str) -> Outcome:
    """ "Sorry, I did not understand." and what is expected: one line when they fit in two segments, else
    (a menu) two SMS."""
    _ = turn._
    sorry = _("Sorry, I did not understand.")
    together = f"{sorry} {expectation}"
    texts = (together,) if segments.count(together) <= segments.MAX_SEGMENTS else (sorry, expectation)
    return replace(turn.reply(*texts), understood=False)


# --- state handlers ---------------------------------------------------------------------------


def on_new(turn: Turn) -> Outcome:
    return turn.reply(welcome_text(turn), state=CHOOSE_LANGUAGE, **glean(turn))


def on_choose_language(turn: Turn) -> Outcome:
    lang = kw.language_choice(turn.message.text, LANGS)
    if not lang:
        _ = turn._
        if changes := glean(turn):  # the hearing instead of a number: keep it, ask the language again
            return turn.reply(_("Reply with a number from 1 to 5:") + f"\n{LANGUAGE_MENU}", **changes)
        return not_understood(turn, _("Reply with a number from 1 to 5:") + f"\n{LANGUAGE_MENU}")
    turn = replace(turn, lang=lang)
    p = turn.person
    consent = {}
    if p.consent_at is None:
        # Choosing a language after a welcome that says what the service is, is the consent.
        consent = {
            "consent_at": turn.now,
            "consent_method": f"{turn.message.channel}: chose a language after the welcome message",
        }
    return next_registration_step(turn, lang=lang, **consent)


def on_choose_city(turn: Turn) -> Outcome:
    _ = turn._
    m = turn.message
    count = len(turn.places.menu)
    city = find_city(m.text, turn.places)
    if city is None and m.latitude is not None and m.longitude is not None:
        city = nearest_city(m.latitude, m.longitude, turn.places)
    if turn.person.pending.get("then") in TOPICS:
        return city_for_shelters(turn, city)
    if turn.person.pending.get("then") == "move":
        return move_to(turn, city) if city else not_understood(turn, city_menu(turn))
    gleaned = glean(turn)
    parts = gleaned.get("pending") or kept_parts(turn)
    if city:
        return placed(turn, city, gleaned.get("court"), parts)
    said = bare(m.text)
    if said == str(count + 1) or set(said.split()) & kw.OTHER_WORDS:
        return turn.reply(*prompt(turn, ASK_CITY_NAME), state=ASK_CITY_NAME, pending=parts)
    if court := gleaned.get("court"):  # "mi corte es en Houston": the court, and the city is still asked
        return turn.reply(city_menu(turn), court=court, pending=parts)
    gleaned = gleaned.get("pending", {})
    if gleaned:  # the hearing without the city: keep it, and ask for the city
        return turn.reply(city_menu(turn), pending=gleaned)
    return not_understood(turn, _("Please reply with the number of your city, from 1 to {n}.").format(n=count + 1))


def kept_parts(turn: Turn) -> dict:
    return hearing_parts(turn.person.pending)


def placed(turn: Turn, city: City | None, court: object, parts: dict) -> Outcome:
    """The city is known (or known to be none of ours): the court named, or the city's usual one."""
    usual = city.court.key if city and city.court else None
    court_key = court or turn.person.court or usual
    return next_registration_step(turn, city=city.key if city else None, court=court_key, pending=parts)


def on_ask_city_name(turn: Turn) -> Outcome:
    _ = turn._
    city = find_city(turn.message.text, turn.places, numbers=False)
    gleaned = glean(turn)
    parts = gleaned.get("pending") or kept_parts(turn)
    if city or gleaned.get("court"):
        return placed(turn, city, gleaned.get("court"), parts)
    lead = _("We do not have that city yet: we will use your court's clock.")
    return turn.reply(lead, court_question(turn), state=CHOOSE_COURT, city=None, pending=parts)


def on_choose_court(turn: Turn) -> Outcome:
    court = find_court(turn.message.text, turn.places) or find_court_at(turn.message.text, turn.places)
    if court:
        return court_chosen(turn, court)
    return turn.reply(*prompt(turn, ASK_COURT_PLACE), state=ASK_COURT_PLACE)


def court_chosen(turn: Turn, court: Court) -> Outcome:
    gleaned = glean(turn).get("pending")
    return next_registration_step(turn, court=court.key, pending=gleaned or kept_parts(turn))


def on_ask_court_place(turn: Turn) -> Outcome:
    """The US city and state of a court we could not find by its name: never a guessed clock."""
    _ = turn._
    court = find_court_at(turn.message.text, turn.places) or find_court(turn.message.text, turn.places)
    if court:
        return court_chosen(turn, court)
    return turn.reply(
        _(
            "Sorry, we do not know a court there. Check your paper or call {hotline}, then write the court's city."
        ).format(hotline=EOIR_HOTLINE)
    )


def on_ask_hearing(turn: Turn) -> Outcome:
    _ = turn._
    parsed = parse_hearing(turn.message.text, turn.lang, turn.today())
    if parsed is None:
        return not_understood(
            turn,
            _("Please write the day and time of your hearing, for example: {example}").format(
                example=_("March 9 8:30 AM")
            ),
        )
    if parsed.date < turn.today():
        return turn.reply(_("That date has passed. Please write the date of your next hearing."))
    return continue_hearing(replace(turn, person=replace(turn.person, pending=parsed_parts(parsed))))


def continue_hearing(turn: Turn, *lead: str) -> Outcome:
    """Ask what the pending hearing still lacks: which date, the time, then a YES."""
    pending = hearing_parts(turn.person.pending)
    confirming = replace(turn, person=replace(turn.person, pending=pending))
    if pending.get("time") == "00:00":  # midnight, "24:00": no hearing is then; ask again
        del pending["time"]
    if "alt" in pending:
        state = CHOOSE_DATE
    elif "time" not in pending:
        state = ASK_TIME
    elif not pending.get("ampm") and not EARLIEST <= time.fromisoformat(pending["time"]) < LATEST:
        state = CHOOSE_AMPM
    else:
        state = CONFIRM_HEARING
        hearing = pending_hearing(confirming)
        if "port" in pending and hearing.report_at is None:
            del pending["port"]  # not before the hearing: asked again once the hearing is saved
    if date.fromisoformat(pending["date"]) > turn.today() + timedelta(days=MAX_DAYS_AHEAD):
        _ = turn._
        far = _("That date is more than a year away. Please check it and write it again.")
        return turn.reply(*lead, far, state=ASK_HEARING, pending={})
    if date.fromisoformat(pending["date"]) < turn.today() or (
        state == CONFIRM_HEARING and pending_hearing(confirming).at <= turn.now
    ):
        _ = turn._
        passed = _("That date has passed. Please write the date of your next hearing.")
        return turn.reply(*lead, passed, state=ASK_HEARING, pending={})
    if pending.pop("midnight", None) and state == ASK_TIME:
        _ = turn._
        lead = (*lead, _("Midnight is not a time for a hearing."))
    if state == CONFIRM_HEARING:  # a weekend or a holiday: said first, in its own SMS if the two do not fit
        lead = (*lead, day_warning(confirming))
    person = replace(turn.person, state=state, pending=pending)
    return Outcome(person, joined(*lead, *prompt(replace(turn, person=person), state), lang=turn.lang))


def on_choose_date(turn: Turn) -> Outcome:
    said = bare(turn.message.text)
    pending = dict(turn.person.pending)
    if said in ("1", "2"):
        if said == "2":
            pending["date"] = pending["alt"]
        pending.pop("alt", None)
        return continue_hearing(replace(turn, person=replace(turn.person, pending=pending)))
    if parse_hearing(turn.message.text, turn.lang, turn.today()):
        return on_ask_hearing(turn)
    _ = turn._
    return not_understood(turn, which_date(turn))


def on_ask_time(turn: Turn) -> Outcome:
    text = turn.message.text
    if parse_hearing(text, turn.lang, turn.today()):
        return on_ask_hearing(turn)
    said = bare(text)
    at = parse_time(text, turn.lang)
    if at is None and said.isdigit() and int(said) <= 23:
        at = time(int(said), 0)  # a bare hour answering "what time?"; the person confirms it next
    if at is None:
        _ = turn._
        return not_understood(turn, _("Please write the time like this: {example}").format(example=_("8:30 AM")))
    pending = dict(turn.person.pending, time=at.isoformat("minutes"))
    return continue_hearing(replace(turn, person=replace(turn.person, pending=pending)))


def on_choose_ampm(turn: Turn) -> Outcome:
    """1 or 2 (or a.m./p.m., morning/evening) for a time the bot will not take at face value."""
    said = bare(turn.message.text)
    at = time.fromisoformat(turn.person.pending["time"])
    words = set(said.split())
    if said == "1" or words & kw.MORNING_WORDS:
        at = time(at.hour % 12, at.minute)
    elif said == "2" or words & kw.EVENING_WORDS:
        at = time(at.hour % 12 + 12, at.minute)
    elif parse_hearing(turn.message.text, turn.lang, turn.today()):
        return on_ask_hearing(turn)
    else:
        return not_understood(turn, ampm_question(turn))
    pending = dict(turn.person.pending, time=at.isoformat("minutes"), ampm=True)
    return continue_hearing(replace(turn, person=replace(turn.person, pending=pending)))


def on_confirm_hearing(turn: Turn) -> Outcome:
    _ = turn._
    text = turn.message.text
    if kw.is_yes(text):
        hearing = pending_hearing(turn)
        if report_time(hearing, turn.places) <= turn.now:  # not even the hearing-day message can go
            local = hearing.at.astimezone(turn.places.known_court(hearing.court).zone)
            saved = _(
                "Saved. It is too late for a reminder. Your hearing: {date}, {time}. Call {hotline} to confirm it."
            )
            saved = saved.format(
                date=weekday_day_month(local.date(), turn.lang),
                hotline=EOIR_HOTLINE,
                time=hearing_time(hearing, turn.lang, turn.places),
            )
            late: tuple = (SaveHearing(hearing),)
            if turn.person.hearing and turn.person.hearing.at <= turn.now:
                late = (Record(Code.NEW_DATE), *late)
            return turn.reply(saved, state=REGISTERED, hearing=hearing, pending={}, effects=late)
        effects: tuple = (SaveHearing(hearing),)
        if turn.person.hearing and turn.person.hearing.at <= turn.now:  # the judge gave a new date
            effects = (Record(Code.NEW_DATE), *effects)
        if turn.person.hearing:  # a CHANGE: the old date's reminders are cancelled, new ones planned
            saved = _(
                "Changed. Reminders for your old date are cancelled; we will remind you of the new one. "
                "Call {hotline} to confirm it."
            ).format(hotline=EOIR_HOTLINE)
        else:
            saved = _(
                "Saved. We will remind you before your hearing. Always confirm it with the court: "
                "call {hotline}. To change it, reply CHANGE."
            ).format(hotline=EOIR_HOTLINE)
        border = turn.places.known_court(hearing.court).border
        if hearing.report_at is None and border:  # the optional step, in its own SMS: the time to be at the port
            person = replace(turn.person, state=ASK_PORT_TIME, hearing=hearing, pending={})
            asked = tuple(tidy(text, turn.lang) for text in (saved, port_question(turn)))
            return Outcome(person, asked, effects)
        return turn.reply(saved, state=REGISTERED, hearing=hearing, pending={}, effects=effects)
    if kw.is_no(text):
        return turn.reply(_("OK. Please write the day and time of your hearing again."), state=ASK_HEARING, pending={})
    if parse_hearing(text, turn.lang, turn.today()):
        return on_ask_hearing(turn)  # a corrected date instead of NO
    return not_understood(turn, _("Reply YES if it is right, or NO to change it."))


def on_ask_port_time(turn: Turn) -> Outcome:
    text = turn.message.text
    if answered := answer_about_hearing(turn):  # the 1-day reminder came before the port question's answer
        return answered
    if kw.is_no(text) or kw.is_unknown(text):
        return turn.reply(assumed_port_time(turn), state=REGISTERED)
    if parse_hearing(text, turn.lang, turn.today()):
        return on_ask_hearing(turn)
    if parse_port_time(text, turn.lang):
        return set_port_time(turn)
    return not_understood(turn, port_question(turn))


def assumed_port_time(turn: Turn) -> str:
    """No time on the paper: say the one the reminders will assume, on the port's own clock, as 'about'."""
    _ = turn._
    hearing = turn.person.hearing
    assert hearing is not None, "asked only once the hearing is saved"
    port = turn.places.port_for(hearing.city, hearing.court)
    if port is None:
        return question(turn, REGISTERED)
    court = turn.places.known_court(hearing.court)
    zone = turn.places.zone_of_port(port)
    at = report_time(hearing, turn.places).astimezone(zone)
    city = turn.places.city(port.city)
    return _(
        "We will remind you to be at {crossing} at about {time} ({place} time), {hours} h before. Check your paper."
    ).format(
        crossing=port.name,
        hours=f"{court.reporting_lead_hours:g}",
        time=clock(at.time(), turn.lang),
        place=city.name if city else port.name,
    )


def set_port_time(turn: Turn) -> Outcome:
    """'puente 4:30' once the hearing is saved: the time to be at the port, checked against the hearing."""
    _ = turn._
    hearing = turn.person.hearing
    assert hearing is not None, "a port time is asked for, and read, only once the hearing is saved"
    at = parse_port_time(turn.message.text, turn.lang)
    report_at = port_instant(hearing, at, turn.places) if at else None
    if report_at is None:
        local = hearing.at.astimezone(turn.places.known_court(hearing.court).zone)
        return turn.reply(
            _(
                "The time at the port must be before your hearing ({time}). Please write the time again, or reply NO."
            ).format(time=clock(local.time(), turn.lang)),
            state=ASK_PORT_TIME,
        )
    hearing = replace(hearing, report_at=report_at)
    line = port_line(hearing, turn.lang, turn.places)
    if line is None:  # an interior court: there is no port to be at
        return turn.reply(*prompt(turn, REGISTERED), state=REGISTERED)
    return turn.reply(
        _("Saved: {port}.").format(port=line),
        state=REGISTERED,
        hearing=hearing,
        effects=(SavePortTime(report_at),),
    )


def on_registered(turn: Turn) -> Outcome:
    text = turn.message.text
    if answered := answer_about_hearing(turn):
        return answered
    if parse_hearing(text, turn.lang, turn.today()):
        return on_ask_hearing(turn)  # a new date: confirm it, then it replaces the old one
    court = find_court(text, turn.places, anywhere=True)
    if court and turn.person.hearing and court.key != turn.person.hearing.court:
        return same_hearing_at(turn, court)
    if turn.person.hearing and names_port(text, turn.lang) and parse_port_time(text, turn.lang):
        return set_port_time(turn)
    return replace(turn.reply(*prompt(turn, REGISTERED)), understood=False)


def same_hearing_at(turn: Turn, court: Court) -> Outcome:
    """ "Es en la corte de Tucson": the day and time on the paper stay, at the court it names (its clock)."""
    hearing = turn.person.hearing
    assert hearing is not None, "only a saved hearing moves to another court"
    local = hearing.at.astimezone(turn.places.known_court(hearing.court).zone)
    pending = {"date": local.date().isoformat(), "time": local.time().isoformat("minutes"), "ampm": True}
    moved = replace(turn.person, court=court.key, pending=pending)
    return continue_hearing(replace(turn, person=moved))


def on_confirm_delete(turn: Turn) -> Outcome:
    """Only the code sent to this phone erases: a spoofed From cannot see it, so YES alone is not enough."""
    _ = turn._
    saved = turn.person.pending
    if saved.get("code") and bare(turn.message.text) == saved["code"]:
        return Outcome(Person(), joined(_("Everything about you was deleted. Take care."), lang=turn.lang), (Erase(),))
    if kw.is_no(turn.message.text):
        return turn.reply(_("OK, nothing was deleted."), state=saved.get("return", NEW), pending=saved.get("kept", {}))
    return turn.reply(
        _("Nothing was deleted. To delete everything, reply {code}. To keep it, reply NO.").format(
            code=saved.get("code", "")
        )
    )


# --- reminder calls ---------------------------------------------------------------------------------------


def calls_question(turn: Turn) -> str:
    _ = turn._
    if turn.person.calls:
        return _("You get reminder calls now. Reply 1 to keep them, 2 to stop them.")
    return _(
        "Do you want calls too: one the day before your hearing, one to wake you on the day (maybe very "
        "early)? Reply 1 yes, 2 no."
    )


def on_calls(turn: Turn) -> Outcome:
    """CALL / VOZ / APPEL / APÈL: reminders as calls too, for people who read little. Asked, never assumed."""
    _ = turn._
    p = turn.person
    if not turn.calls_on:
        return turn.reply(_("We cannot make calls yet. We will keep sending you messages."))
    # Keep where the person was, so the answer puts them back exactly there (as DELETE does).
    saved = p.pending if p.state == ASK_CALLS else {"return": p.state, "kept": p.pending}
    return turn.reply(calls_question(turn), state=ASK_CALLS, pending=saved)


def on_ask_calls(turn: Turn) -> Outcome:
    _ = turn._
    p, said = turn.person, bare(turn.message.text)
    back, kept = p.pending.get("return", REGISTERED), p.pending.get("kept", {})
    if back in (NEW, ASK_CALLS):
        back = CHOOSE_LANGUAGE
    if said == "1" or kw.is_yes(turn.message.text):
        done = _(
            "Done: we will call you the day before your hearing and on the day, besides the messages. "
            "To stop the calls, reply CALL."
        )
        method = f"{turn.message.channel}: answered yes to the call question"
        effects: tuple = (CallsOn(method),)
        person = replace(p, calls=True, state=back, pending=kept)
    elif said == "2" or kw.is_no(turn.message.text):
        done = _("OK, no calls. You will keep getting messages.")
        effects = (CallsOff(),) if p.calls else ()
        person = replace(p, calls=False, state=back, pending=kept)
    else:
        return replace(turn.reply(calls_question(turn)), understood=False)
    again = () if back == REGISTERED else prompt(replace(turn, person=person), back)
    return Outcome(person, joined(done, *again, lang=turn.lang), effects)


STATE_HANDLERS = {
    NEW: on_new,
    CHOOSE_LANGUAGE: on_choose_language,
    CHOOSE_CITY: on_choose_city,
    CHOOSE_COURT: on_choose_court,
    ASK_CITY_NAME: on_ask_city_name,
    ASK_COURT_PLACE: on_ask_court_place,
    CHOOSE_AMPM: on_choose_ampm,
    ASK_HEARING: on_ask_hearing,
    CHOOSE_DATE: on_choose_date,
    ASK_TIME: on_ask_time,
    CONFIRM_HEARING: on_confirm_hearing,
    ASK_PORT_TIME: on_ask_port_time,
    REGISTERED: on_registered,
    CONFIRM_DELETE: on_confirm_delete,
    ASK_CALLS: on_ask_calls,
}


# --- keyword handlers -------------------------------------------------------------------------


def on_help(turn: Turn) -> Outcome:
    """What the bot is and its words; after STOP, first how to come back (START, which Twilio knows too)."""
    _ = turn._
    help_text = _(
        "Free hearing reminders. We are not the court: call {hotline} to confirm. "
        "Reply with one word: HEARING, CHANGE, SHELTER, SAFETY, LANGUAGE, STOP, DELETE."
    ).format(hotline=EOIR_HOTLINE)
    if turn.person.opted_out:
        return turn.reply(_("We are not sending you messages now. To come back, reply START."), help_text)
    return turn.reply(help_text)


def on_hearing(turn: Turn) -> Outcome:
    _ = turn._
    p = turn.person
    if p.hearing:
        call = _("Call {hotline} to confirm it.").format(hotline=EOIR_HOTLINE)
        return turn.reply(*hearing_texts(turn, p.hearing, call))
    if p.state == NEW:
        return turn.reply(_("You have no hearing saved yet."), welcome_text(turn), state=CHOOSE_LANGUAGE)
    return turn.reply(_("You have no hearing saved yet."), *prompt(turn, p.state))


def on_change(turn: Turn, rest: str = "") -> Outcome:
    """CHANGE: a new hearing; with a court in the same message, at that court; with a date, that date."""
    _ = turn._
    p = turn.person
    if not p.lang:
        return turn.reply(welcome_text(turn), state=CHOOSE_LANGUAGE)
    if not (p.city or p.court):
        return turn.reply(city_menu(turn), state=CHOOSE_CITY, pending={})
    court = find_court(rest, turn.places) if rest else None
    if court and court.key != p.court:
        turn = replace(turn, person=replace(p, court=court.key))
    if rest and (parsed := parse_hearing(rest, turn.lang, turn.today())) and parsed.date >= turn.today():
        return continue_hearing(replace(turn, person=replace(turn.person, pending=parsed_parts(parsed))))
    if court and court.key != p.court:
        lead = _("Your court is now {court}.").format(court=court.name)
        ask = _("Write the day and time of your hearing there. For example: {example}").format(
            example=_("March 9 8:30 AM")
        )
        return turn.reply(lead, ask, state=ASK_HEARING, pending={}, court=court.key)
    return turn.reply(
        _("Write the new day and time of your hearing. For example: {example}").format(example=_("March 9 8:30 AM")),
        state=ASK_HEARING,
        pending={},
    )


def move_to(turn: Turn, city: City) -> Outcome:
    """The person waits in another city now: their clock and shelters follow; the court and hearing stay."""
    _ = turn._
    p = turn.person
    back, kept = (
        (p.pending.get("return", p.state), p.pending.get("kept", {}))
        if p.pending.get("then")
        else (
            p.state,
            p.pending,
        )
    )
    court = p.court or (city.court.key if city.court else None)
    hearing = replace(p.hearing, city=city.key) if p.hearing else None
    said = _("Saved: you are in {city}.").format(city=city.name)
    if p.hearing:
        said += " " + _("Your hearing is still at the {court} court.").format(
            court=turn.places.known_court(p.hearing.court).name
        )
    moved = replace(p, city=city.key, court=court, hearing=hearing, state=back, pending=kept)
    again = () if back == REGISTERED else prompt(replace(turn, person=moved), back)
    return Outcome(moved, joined(said, *again, lang=turn.lang), (MoveCity(city.key),))


def on_language(turn: Turn) -> Outcome:
    _ = turn._
    return turn.reply(_("Choose your language:") + f"\n{LANGUAGE_MENU}", state=CHOOSE_LANGUAGE)


def on_stop(turn: Turn) -> Outcome:
    """STOP ends messages and calls: after START, calls are asked for again (CALL)."""
    _ = turn._
    return turn.reply(
        _("You will not get more messages. To come back, reply START."),
        opted_out=True,
        calls=False,
        effects=(OptOut(),),
    )


def on_start(turn: Turn) -> Outcome:
    _ = turn._
    p = turn.person
    state = CHOOSE_LANGUAGE if p.state == NEW else p.state
    lead = _("Welcome back.") if p.opted_out else ""
    effects = (OptIn(),) if p.opted_out else ()
    return turn.reply(lead, *prompt(turn, state), state=state, opted_out=False, effects=effects)


def on_delete(turn: Turn) -> Outcome:
    p = turn.person
    # Keep where the person was, so NO puts them back exactly there.
    saved = p.pending if p.state == CONFIRM_DELETE else {"return": p.state, "kept": p.pending}
    saved = {"code": turn.code, **saved}  # a new code, kept while the question stands
    asking = replace(turn, person=replace(p, pending=saved))
    return turn.reply(*prompt(asking, CONFIRM_DELETE), state=CONFIRM_DELETE, pending=saved)


# --- shelters and safety ---------------------------------------------------------------------------


def on_shelter(turn: Turn) -> Outcome:
    """The shelters of the person's city; the city menu first when we do not know it."""
    return about_the_city(turn, "shelters")


def about_the_city(turn: Turn, then: str) -> Outcome:
    """SHELTER, LEGAL, MEDICAL or FOOD (a services.TOPICS name): the list for the person's city, or the
    city menu first, then back to
    where they were (`city_for_shelters`)."""
    p = turn.person
    city = turn.places.city(p.city)
    if city:
        return listed_in(turn, city, then)
    back = {"then": then, "return": p.state, "kept": p.pending}
    return turn.reply(city_menu(turn), state=CHOOSE_CITY, pending=back)


def city_for_shelters(turn: Turn, city) -> Outcome:
    """The city asked for to list shelters: answer, then go back to where the person was."""
    _ = turn._
    p = turn.person
    back, kept = p.pending.get("return", NEW), p.pending.get("kept", {})
    if city is None:
        if (
            bare(turn.message.text) == str(len(turn.places.cities) + 1)
            or set(bare(turn.message.text).split()) & kw.OTHER_WORDS
        ):
            return turn.reply(
                _("We only list shelters in these cities. On WhatsApp, you can send your location."),
                state=back,
                pending=kept,
            )
        return not_understood(turn, city_menu(turn))
    placed = replace(turn, person=replace(p, city=city.key, court=p.court or city.court.key, state=back, pending=kept))
    answer = listed_in(placed, city, p.pending["then"])
    if back == CHOOSE_CITY and p.lang:  # they were registering: carry on with what comes next
        step = next_registration_step(replace(placed, person=answer.person))
        return Outcome(step.person, answer.replies + step.replies, answer.effects)
    return answer


def listed_in(turn: Turn, city: City, topic: str) -> Outcome:
    """A city's entries of what was asked for (shelters, legal help, medical care, food), numbered;
    what does not fit waits for MORE. Said plainly when there are none."""
    _ = turn._
    asked = TOPICS[topic]
    found = [(s, None) for s in turn.directory.in_city(city.key, asked.kinds)] if turn.directory else []
    if not found:
        none = _(asked.none).format(city=city.name, hotline=EOIR_HOTLINE)
        return turn.reply(none, pending={**_unlisted(turn.person.pending), "topic": topic})
    return paged(turn, found, _(asked.header).format(city=city.name), topic)


def on_location(turn: Turn) -> Outcome:
    """A location pin, from anyone: the nearest entries of what the person asked for last (shelters
    when nothing yet), with how far they are."""
    _ = turn._
    m = turn.message
    assert m.latitude is not None and m.longitude is not None, "handle sends only a pin here"
    asked = turn.person.pending.get("topic")
    topic: str = asked if isinstance(asked, str) and asked in TOPICS else DEFAULT_TOPIC
    found = turn.directory.nearest(m.latitude, m.longitude, TOPICS[topic].kinds) if turn.directory else []
    if not found:
        return turn.reply(_("We have nothing of this kind on a map yet. In an emergency, call 911."))
    return paged(turn, found, _(TOPICS[topic].nearest), topic)


LISTING = ("shelters", "listed")  # pending keys of a listing: ids only, never distances (they would locate the person)


def _unlisted(pending: dict) -> dict:
    return {k: v for k, v in pending.items() if k not in LISTING}


def paged(turn: Turn, found: list, header: str, topic: str) -> Outcome:
    """The first message of a list, its entries numbered from 1; what did not fit waits for MORE."""
    keep = TOPICS[topic].keep_header
    (text, placed), *_rest = advice.pages(found, header, turn.today(), turn.lang, keep_header=keep)
    ids = [s.id for s, _km in found]
    pending = {**_unlisted(turn.person.pending), "topic": topic, "listed": ids[:placed]}
    if ids[placed:]:
        pending["shelters"] = ids[placed:]
    return Outcome(replace(turn.person, pending=pending), (text,))


def on_more(turn: Turn) -> Outcome:
    """The next page of the last list, numbered on from the last page."""
    _ = turn._
    p = turn.person
    rest = [i for i in p.pending.get("shelters") or [] if isinstance(i, int)]
    found = turn.directory.by_ids(rest) if turn.directory else []
    if not found:
        return turn.reply(_("No more to show. Reply SHELTER, LEGAL, MEDICAL or FOOD to see a list again."))
    listed = [i for i in p.pending.get("listed") or [] if isinstance(i, int)]
    (text, placed), *_rest = advice.pages([(s, None) for s in found], "", turn.today(), turn.lang, len(listed) + 1)
    pending = {**_unlisted(p.pending), "listed": listed + [s.id for s in found[:placed]]}
    if found[placed:]:
        pending["shelters"] = [s.id for s in found[placed:]]
    return Outcome(replace(p, pending=pending), (text,))


def on_wrong(turn: Turn, number: int | None, words: str) -> Outcome:
    """WRONG / MAL / ERRADO / FAUX / MOVE after a list ("MAL 2 estaba cerrado"): that entry is flagged
    for a volunteer to check, with the person's words; which one is asked when the list had several."""
    _ = turn._
    listed = [i for i in turn.person.pending.get("listed") or [] if isinstance(i, int)]
    if number is None and len(listed) == 1:
        number = 1
    if number is None or not 1 <= number <= len(listed):
        return turn.reply(_("Which one is wrong? Reply WRONG and its number, for example WRONG 2."))
    found = turn.directory.by_ids([listed[number - 1]]) if turn.directory else []
    name = found[0].name if found else str(number)
    thanks = _("Thank you. A volunteer will check {name}.").format(name=name)
    return turn.reply(thanks, effects=(FlagService(listed[number - 1], words),))


def on_safety(turn: Turn) -> Outcome:
    return Outcome(turn.person, advice.safety(turn.lang))


# --- a person behind the bot -------------------------------------------------------------------------


def thread_opened(turn: Turn) -> str:
    _ = turn._
    return _(
        "A volunteer will read what you write here and answer, usually within {hours} hours. "
        "This is not legal advice. Reply FIN to leave."
    ).format(hours=turn.answer_hours)


def on_human(turn: Turn) -> Outcome:
    return turn.reply(thread_opened(turn), thread=True, confused=0, effects=(OpenThread(),))


def on_danger(turn: Turn) -> Outcome:
    """Words of danger: 911 and 089 at once, the safety advice, and a volunteer sees it first. No
    promise of a rescue the bot cannot keep."""
    _ = turn._
    now = _("If you are in danger now, call 911. To report extortion or a threat anonymously, call 089.")
    effects = (OpenThread(urgent=True), ToThread(turn.message.text))
    person = replace(turn.person, thread=True, confused=0)
    return Outcome(person, (now, *advice.safety(turn.lang), thread_opened(turn)), effects)


def on_leave(turn: Turn) -> Outcome:
    _ = turn._
    if not turn.person.thread:
        return turn.reply(_("You have no open conversation with a volunteer."), *prompt(turn, turn.person.state))
    left = _("You left the conversation with the volunteer. Reply HUMAN to write again.")
    return turn.reply(left, thread=False, effects=(CloseThread(),))


# --- after the hearing: did you go, a new date, and help after a missed one ------------------------------


def answer_about_hearing(turn: Turn) -> Outcome | None:
    """The numbers the reminders and the follow-up ask for. Before the hearing (the 1-day reminder):
    1 = I will go (recorded), 2 = I need help (a volunteer). After it (the follow-up): 1 = I went and
    have a new date (asked for, or in the same message), 2 = I went, no new date yet, 3 = I could
    not go (what to do now, and legal help near the person). None: not such an answer."""
    _ = turn._
    hearing = turn.person.hearing
    said = bare(turn.message.text)
    if hearing is None or not said:
        return None
    first, _sep, rest = said.partition(" ")
    if turn.now < hearing.at:
        if said == "1" or kw.is_yes(turn.message.text):
            thanks = _("Thank you, we noted that you will go. If you need help, reply 2.")
            return turn.reply(thanks, state=REGISTERED, effects=(Record(Code.CONFIRMED),))
        if said == "2":
            return on_human(turn)
        return None
    if first == "1":
        went = (Record(Code.ATTENDED),)
        parsed = parse_hearing(rest, turn.lang, turn.today()) if rest else None
        if parsed and parsed.date >= turn.today():  # "1 el 15 de marzo a las 8:30": the new date at once
            asking = replace(turn, person=replace(turn.person, pending=parsed_parts(parsed)))
            outcome = continue_hearing(asking)
            return replace(outcome, effects=went + outcome.effects)
        ask = _("Good. Write the new day and time of your hearing. For example: {example}").format(
            example=_("March 9 8:30 AM")
        )
        return turn.reply(ask, state=ASK_HEARING, pending={}, effects=went)
    if said == "2":
        thanks = _("Thank you for telling us. When you get a new date, write it here and we will remind you.")
        return turn.reply(thanks, state=REGISTERED, effects=(Record(Code.ATTENDED),))
    if said == "3":
        sorry = _("We are sorry. This is not legal advice.") + " " + missed_help(turn.lang)
        city = turn.places.city(turn.person.city)
        listed = listed_in(turn, city, "legal") if city else None
        replies = (segments.fit(tidy(sorry)), *(listed.replies if listed else ()))
        person = listed.person if listed else turn.person  # (the list's pages wait for MORE)
        return Outcome(replace(person, state=REGISTERED), replies, (Record(Code.MISSED),))
    return None


def on_legal(turn: Turn) -> Outcome:
    """LEGAL / ABOGADO / ADVOGADO / AVOCAT / AVOKA: legal-aid organisations near the person."""
    return about_the_city(turn, "legal")


def on_medical(turn: Turn) -> Outcome:
    """MEDICO / DOCTOR / MÉDECIN / DOKTÈ: medical care near the person."""
    return about_the_city(turn, "medical")


def on_food(turn: Turn) -> Outcome:
    """COMIDA / FOOD / NOURRITURE / MANJE: where to eat near the person."""
    return about_the_city(turn, "food")


KEYWORD_HANDLERS = {
    kw.HELP: on_help,
    kw.HEARING: on_hearing,
    kw.CHANGE: on_change,
    kw.LANGUAGE: on_language,
    kw.STOP: on_stop,
    kw.START: on_start,
    kw.DELETE: on_delete,
    kw.SHELTER: on_shelter,
    kw.MORE: on_more,
    kw.SAFETY: on_safety,
    kw.HUMAN: on_human,
    kw.LEAVE: on_leave,
    kw.LEGAL: on_legal,
    kw.CALLS: on_calls,
    kw.MEDICAL: on_medical,
    kw.FOOD: on_food,
}


# Someone registering and asking, in every language: the kinds of message whose first answer builds
# something on the way (each language's date patterns, its catalog, the holiday tables).
WARM_UP_SCRIPT = ("hola", "{menu}", "tijuana", "{day} 8:30", "{yes}", "4:30", "AUDIENCIA", "AYUDA")
WARM_UP_YES = {"es": "si", "en": "yes", "pt": "sim", "fr": "oui", "ht": "wi"}


@cache
def warm_up(places: Places) -> None:
    """Hold a made-up conversation in each language, in memory (nothing is stored or sent), once per
    process: what the first message of each kind would build (about 0.3 s: patterns compiled,
    catalogs and holiday tables loaded, modules imported) is ready before a web worker serves anyone,
    so that no person's message, nor those queued behind it at startup, waits for it."""
    now = datetime.now(UTC)
    ahead = now.date() + timedelta(days=60)
    day = ahead.replace(day=20).strftime("%d/%m/%Y")  # day 20: no day-month ambiguity in any language
    for menu, lang in enumerate(LANGS, 1):
        person = Person()
        for text in WARM_UP_SCRIPT:
            said = text.format(menu=menu, day=day, yes=WARM_UP_YES[lang])
            person = handle(person, Message(text=said), now, places).person
