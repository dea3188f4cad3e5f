"""What reminders and follow-ups say, in the person's language: date, time and place first.

The wording follows what cut missed court dates in controlled studies (docs/reminders.md#the-wording):
the N-day reminders open with the date, the time and the court, then the port line; the first one
states the consequence plainly once ("if nobody goes, the judge can order removal without hearing
you"); the middle ones prompt a plan (getting to the port, papers, who keeps the children); the last
asks for an answer (1 = I will go, 2 = I need help). The evening before an early port time gives the
plan for the night; the day after the hearing, the follow-up asks how it went, and if no answer came,
the missed-hearing help says how to learn what the judge decided and where legal help is.

`VARIANTS` are wordings a shelter network can compare (data/reminders.json draws one per person):
`evidence` (the above) and `plain` (the same facts and questions, without the consequence and the plan
prompt). The clocks rule is bot/core/hearing.py's. Every text fits in two SMS segments in every
language for every city and court (tests/test_texts.py, tests/test_segments.py): a text that would
need a third UCS-2 segment goes with its accents folded to GSM-7 (bot/core/segments.fit). The same
values fill a WhatsApp template (data/whatsapp_templates.json, one per template kind below).
"""

from __future__ import annotations

import json

from bot.core import voice
from bot.core.hearing import EOIR_HOTLINE, Hearing, hearing_time, missed_help, port_line
from bot.core.i18n import tidy, translator, weekday_day_month
from bot.core.outcomes import Code
from bot.core.places import Places
from bot.core.segments import fit
from bot.core.status import CALL_WAKEUP, Kind, is_callback

EVIDENCE, PLAIN = "evidence", "plain"
VARIANTS = (EVIDENCE, PLAIN)
DEFAULT_VARIANT = EVIDENCE
INTERIOR = "_interior"  # template kind suffix: the same message for an interior court, with no port line
FOLLOWUP_SLOT, HELP_SLOT = "followup", "noanswer"  # the follow-up rows: "did you go?", then the help

# What each N-day reminder does, by its place in days_before (data/reminders.json): the first states
# the consequence, the last asks for an answer, those between prompt a plan.
FACTS, PLAN, ASK = "reminder", "reminder_plan", "reminder_ask"

# The numbered variables of each template kind (data/whatsapp_templates.json): a message's template
# kind, plus INTERIOR for a hearing at an interior court.
_HEARING = ("date", "time", "court")
ORDER: dict[str, tuple[str, ...]] = {
    FACTS: ("when", *_HEARING, "port_line"),
    FACTS + INTERIOR: ("when", *_HEARING),
    PLAN: ("when", *_HEARING, "port_line"),
    PLAN + INTERIOR: ("when", *_HEARING),
    ASK: ("when", *_HEARING, "port_line"),
    ASK + INTERIOR: ("when", *_HEARING),
    Kind.WAKEUP: ("time", "court", "port_line"),
    Kind.WAKEUP + INTERIOR: ("time", "court"),
    Kind.EVENING: (*_HEARING, "port_line"),
    Kind.EVENING + INTERIOR: _HEARING,
    Kind.FOLLOWUP: ("date",),
    "followup_help": ("date",),
    Kind.BROADCAST: ("text",),  # a volunteer's alert: its text, between the template's own words
    Kind.REPLY: (),  # "a volunteer answered: write back"; the answer itself goes once the window is open
}


def role(kind: str, slot: str | None, days_before: tuple[int, ...]) -> str:
    """The template kind of a row before the interior suffix: what the message does."""
    if kind == Kind.FOLLOWUP:
        return "followup_help" if slot == HELP_SLOT else Kind.FOLLOWUP
    if kind != Kind.REMINDER:
        return kind
    days = _days(slot)
    if days is None or not days_before or days == max(days_before):
        return FACTS  # (a reminder with no known slot says the facts and the consequence)
    return ASK if days == min(days_before) else PLAN


def event(kind: str, slot: str | None, days_before: tuple[int, ...]) -> Code | None:
    """What sending this message records about its hearing: the 1-day reminder (the denominator of
    confirmations), the follow-up (of attendance), the missed-hearing help (no answer came)."""
    name = role(kind, slot, days_before)
    return {ASK: Code.REMINDED, Kind.FOLLOWUP: Code.ASKED, "followup_help": Code.NO_ANSWER}.get(name)


def _days(slot: str | None) -> int | None:
    return int(slot[1:]) if slot and slot[:1] == "d" and slot[1:].isdigit() else None


def template_kind(
    kind: str, hearing: Hearing | None, places: Places, slot: str | None = None, days_before: tuple[int, ...] = ()
) -> str:
    """Which template a row goes as: its role, or role + INTERIOR for a hearing with no port."""
    name = role(kind, slot, days_before)
    if hearing is not None and name + INTERIOR in ORDER and places.port_for(hearing.city, hearing.court) is None:
        return name + INTERIOR
    return name


def values(hearing: Hearing, lang: str, places: Places, days: int | None = None) -> dict[str, str]:
    """What a message names, formatted for the person's language; no port_line for an interior court."""
    _ = translator(lang)
    court = places.known_court(hearing.court)
    named = {
        "date": weekday_day_month(hearing.at.astimezone(court.zone).date(), lang),
        "time": hearing_time(hearing, lang, places),
        "court": court.name,
        "when": _("tomorrow") if days in (None, 1) else _("in {days} days").format(days=days),
    }
    if line := port_line(hearing, lang, places):
        named["port_line"] = line[:1].upper() + line[1:]
    return named


def _body(name: str, port: bool, variant: str, lang: str) -> list[str]:
    """The sentences of one message, in order (each a msgid of its own)."""
    _ = translator(lang)
    place = ["{port_line}."] if port else []
    lead = _("Your hearing is {when}: {date}, {time}, {court} court.")
    if name == Kind.WAKEUP:
        return [
            _("Your hearing is today: {time}, {court} court."),
            *place,
            _("Bring your papers. To check it, call {hotline}."),
        ]
    if name == Kind.EVENING:
        return [lead, *place, _("Tonight, tell your shelter you leave early, and get your papers ready.")]
    if name == Kind.FOLLOWUP:
        return [
            _("Did you go to your hearing on {date}? Reply with a number:"),
            "\n" + _("1 Yes, and I have a new date"),
            "\n" + _("2 Yes, no new date yet"),
            "\n" + _("3 I could not go"),
        ]
    if name == "followup_help":
        return [_("Missed your hearing on {date}?"), missed_help(lang)]
    said = [lead, *place]
    if variant == EVIDENCE and name == FACTS:
        said.append(consequence(lang))
    if variant == EVIDENCE and name == PLAN:
        said.append(_("Plan today: how you will get there, your papers, who keeps the children."))
    if name == ASK:
        said.append(_("Reply 1 if you will go, 2 if you need help."))
    return said


def consequence(lang: str) -> str:
    _ = translator(lang)
    return _("If nobody goes, the judge can order removal without hearing you.")


def render(
    kind: str,
    hearing: Hearing,
    lang: str,
    places: Places,
    slot: str | None = None,
    variant: str = DEFAULT_VARIANT,
    days_before: tuple[int, ...] = (7, 3, 1),
) -> tuple[str, dict[str, str]]:
    """(SMS body, WhatsApp content_variables) of one message about a hearing."""
    named = values(hearing, lang, places, _days(slot))
    name = role(kind, slot, days_before)
    sentences = _body(name, "port_line" in named, variant if variant in VARIANTS else DEFAULT_VARIANT, lang)
    body = " ".join(sentences).replace(" \n", "\n").format(hotline=EOIR_HOTLINE, **named)
    order = ORDER[template_kind(kind, hearing, places, slot, days_before)]
    return fit(tidy(body, lang)), {str(i): named[key] for i, key in enumerate(order, 1)}


def template_text(name: str, lang: str, variant: str = DEFAULT_VARIANT) -> str:
    """The text to submit to Meta for a template kind, with {{1}}, {{2}}... where ORDER's values go:
    the same sentences as the SMS (tests/test_planner.py keeps data/whatsapp_templates.json equal)."""
    _ = translator(lang)
    base = name.removesuffix(INTERIOR)
    named = {"when": _("tomorrow"), **{key: f"{{{{{i}}}}}" for i, key in enumerate(ORDER[name], 1)}}
    body = " ".join(_body(base, "port_line" in named, variant, lang)).replace(" \n", "\n")
    return tidy(body.format(hotline=EOIR_HOTLINE, **named))


def call_what(row: dict) -> str:
    """What a call row is for (bot/core/voice.WHATS): the call back, the wake-up, or the day before."""
    slot = row.get("slot")
    return "callback" if is_callback(slot) else "wakeup" if slot == CALL_WAKEUP else "reminder"


def for_row(
    row: dict,
    lang: str | None,
    hearing: Hearing | None,
    places: Places,
    variant: str | None = None,
    days_before: tuple[int, ...] = (7, 3, 1),
) -> tuple[str | None, dict]:
    """What an outbox row says: its own text (an alert), or its hearing's message in `lang` (a call:
    the words it will say)."""
    if row["body"] is not None or hearing is None:
        return row["body"], json.loads(row["template_vars"] or "{}")
    if row["kind"] == Kind.CALL:
        return voice.hearing_script(hearing, lang or row["lang"], places, voice.load_voices(), call_what(row)).text, {}
    return render(
        row["kind"], hearing, lang or row["lang"], places, row.get("slot"), variant or DEFAULT_VARIANT, days_before
    )
