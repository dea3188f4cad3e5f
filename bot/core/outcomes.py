"""What happened at a hearing, as the person told us: the outcome vocabulary, and how to compare rates.

Per hearing the bot records events, never a message's text: `reminded` (the 1-day reminder went to
Twilio) and `asked` (the follow-up after the hearing went), which are the denominators; then the
person's own answers: `confirmed` ("1 = I will go" to the 1-day reminder), `attended` ("I went"),
`new_date` (a new date after the hearing), `missed` ("I could not go"); and `no_answer` (the
follow-up got no answer: the missed-hearing help went instead). A changed plan is recorded only
from the person's own answer.

A hearing's outcome is the strongest of its events (`final`), and rates carry a 95% Wilson interval
(`wilson`), so a shelter network comparing two wordings sees how sure the difference is.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import N_, NATIVE_NAMES
from bot.core.places import Places


class Code(StrEnum):
    REMINDED = "reminded"  # the 1-day reminder was handed to Twilio
    CONFIRMED = "confirmed"  # the person answered 1 = "I will go"
    ASKED = "asked"  # the follow-up the day after the hearing was handed to Twilio
    ATTENDED = "attended"  # the person says they went (with or without a new date)
    NEW_DATE = "new_date"  # a new date confirmed after the hearing (they went: the judge gave it)
    MISSED = "missed"  # the person says they could not go
    NO_ANSWER = "no_answer"  # no answer to the follow-up: the missed-hearing help went


# The outcomes a hearing is shown with (the console and `report outcomes`), strongest first.
SHOWN = (Code.NEW_DATE, Code.ATTENDED, Code.MISSED, Code.NO_ANSWER, Code.CONFIRMED)
# An answer to the follow-up: the missed-hearing help is no longer due.
ANSWERS = (Code.ATTENDED, Code.NEW_DATE, Code.MISSED)
WENT = (Code.ATTENDED, Code.NEW_DATE)  # self-reported attendance

CODE_NAMES = {
    Code.REMINDED: N_("Reminded the day before"),
    Code.CONFIRMED: N_("Confirmed"),
    Code.ASKED: N_("Asked after the hearing"),
    Code.ATTENDED: N_("Went"),
    Code.NEW_DATE: N_("New date"),
    Code.MISSED: N_("Missed"),
    Code.NO_ANSWER: N_("No answer"),
}


def final(codes: Iterable[str]) -> Code | None:
    """The outcome a hearing is shown with: the strongest of its events (None: nothing yet)."""
    held = set(codes)
    return next((c for c in SHOWN if c in held), None)


@dataclass(frozen=True)
class Rate:
    """k of n, with its 95% Wilson score interval (0..1); n = 0 gives (0, 0, 1)."""

    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else 0.0


def wilson(k: int, n: int, z: float = 1.959964) -> Rate:
    """The Wilson score interval for k successes in n trials (sound for small n and rates near 0 or 1)."""
    if not 0 <= k <= n:
        raise ValueError(f"successes {k} must be between 0 and trials {n}")
    if n == 0:
        return Rate(0, 0, 0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Rate(k, n, max(0.0, centre - half), min(1.0, centre + half))


def pick(weights: dict[str, float], draw: float) -> str:
    """The variant a `draw` in [0, 1) falls on, by weight (the caller draws: this stays pure)."""
    total = sum(weights.values())
    if not weights or total <= 0:
        raise ValueError("message variants need at least one positive weight")
    at = draw * total
    for name, weight in weights.items():
        if at < weight:
            return name
        at -= weight
    return next(name for name, weight in reversed(weights.items()) if weight > 0)


# --- the report: hearings grouped by city, language, court or variant -----------------------------

BY = ("city", "lang", "court", "variant")  # what the report groups hearings by (columns of `outcomes`)
NONE = "none"  # a hearing reminded or asked about, with no answer yet
COLUMNS = (*(c.value for c in SHOWN), NONE)  # the outcome counts of a group, in the order shown
BITS = {code: 1 << i for i, code in enumerate(Code)}  # a hearing's events as one integer: SQL sums them


def codes_of(mask: int) -> set[Code]:
    """The events a sum of BITS stands for."""
    return {code for code, bit in BITS.items() if mask & bit}


@dataclass(frozen=True)
class Group:
    """The hearings that share a city, a language, a court or a variant: how each ended, and the rates.

    `outcomes` counts each hearing once, by its final outcome (COLUMNS; 'confirmed' is confirmed and
    nothing after). Confirmation: of the hearings reminded the day before, those the person confirmed.
    Attendance: of the hearings asked about after, those the person went to (or got a new date at)."""

    key: str | None
    hearings: int
    outcomes: dict[str, int]
    confirmation: Rate
    attendance: Rate


def tally(hearings: Iterable[tuple[str | None, Iterable[str], int]]) -> list[Group]:
    """(key, a hearing's event codes, how many hearings are so) -> one Group a key, most hearings first.

    A numerator counts only hearings in its denominator (a confirmation with no reminder recorded is
    left out of the rate), so k <= n always holds."""
    counts: dict[str | None, Counter[str]] = {}
    for key, codes, n in hearings:
        held = set(codes)
        c = counts.setdefault(key, Counter())
        c["hearings"] += n
        c[str(final(held) or NONE)] += n
        if Code.REMINDED in held:
            c["reminded"] += n
            c["confirmed_of_reminded"] += n if Code.CONFIRMED in held else 0
        if Code.ASKED in held:
            c["asked"] += n
            c["went_of_asked"] += n if held & set(WENT) else 0
    groups = [
        Group(
            key,
            c["hearings"],
            {column: c[column] for column in COLUMNS},
            wilson(c["confirmed_of_reminded"], c["reminded"]),
            wilson(c["went_of_asked"], c["asked"]),
        )
        for key, c in counts.items()
    ]
    return sorted(groups, key=lambda g: (-g.hearings, g.key is None, g.key or ""))


def percent(rate: Rate, lang: str = "en") -> str:
    """'62% (48–74%)': the rate and its 95% interval in whole percents ('62 % (48–74 %)' in French);
    '—' when nothing was counted."""
    if not rate.n:
        return "—"
    sign = " %" if lang == "fr" else "%"
    whole = lambda x: int(x * 100 + 0.5)  # noqa: E731 - half up, as people round
    return f"{whole(rate.value)}{sign} ({whole(rate.low)}–{whole(rate.high)}{sign})"


def key_name(by: str, key: str | None, places: Places) -> str | None:
    """A group's key as people know it: a city's or a court's name, a language's own name; a variant
    as it is named in the settings. None for hearings recorded with no city (or no variant)."""
    if key is None or key == "":
        return None
    if by == "city":
        city = places.city(key)
        return city.name if city else key
    if by == "court":
        court = places.court(key)
        return court.name if court else key
    if by == "lang":
        return NATIVE_NAMES.get(key, key)
    return key
