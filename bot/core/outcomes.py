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
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import N_


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
