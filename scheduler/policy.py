"""What to do when Twilio says no, by its error codes; one place for sends and callbacks.

Pure: `decide` gives a Decision, and scheduler.outbox.carry_out applies it to the row and the person.

- 20429 / HTTP 429, 5xx, timeouts: retry with exponential backoff and jitter, a bounded number of times.
- 30003 (handset unreachable): try again later, `unreachable_retries` times.
- 21610 (the person texted STOP to Twilio): mark opted out, cancel what is pending, never retry.
- 30005 / 30006 (unknown number, landline): mark the number unreachable, cancel what is pending.
- 63016 (WhatsApp outside the 24-hour window): send again as the approved template, once.
- 63014 (the person blocked us on WhatsApp): mark unreachable, stop.
- Anything else: failed, kept for the operator (`queue list --status failed`, `queue retry ID`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from scheduler.planner import Settings

RETRY, LATER, OPT_OUT, UNREACHABLE, TEMPLATE, STOP, FAIL = (
    "retry",
    "later",
    "opt_out",
    "unreachable",
    "template",
    "stop",
    "fail",
)
OPTED_OUT = 21610
UNREACHABLE_CODES = {30005, 30006}
HANDSET_UNREACHABLE = 30003
OUTSIDE_WINDOW = 63016
BLOCKED = 63014
TOO_MANY_REQUESTS = 20429


@dataclass(frozen=True)
class Decision:
    action: str
    delay: timedelta = timedelta(0)


def backoff(attempts: int, settings: Settings, rand: Callable[[], float] = random.random) -> timedelta:
    """base * 2^(attempts-1), capped, times a jitter in [0.5, 1.5) so retries do not come in waves."""
    seconds = min(settings.retry_cap_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * (0.5 + rand()))


def decide(
    code: int | None,
    http_status: int | None,
    attempts: int,
    settings: Settings,
    transient: bool = False,
    forced_template: bool = False,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """The action for one failure of a message already tried `attempts` times."""
    if code == OPTED_OUT:
        return Decision(OPT_OUT)
    if code in UNREACHABLE_CODES:
        return Decision(UNREACHABLE)
    if code == BLOCKED:
        return Decision(STOP)
    if code == OUTSIDE_WINDOW:
        return Decision(FAIL if forced_template else TEMPLATE)
    if code == HANDSET_UNREACHABLE:
        if attempts <= settings.unreachable_retries:
            return Decision(LATER, timedelta(seconds=settings.unreachable_retry_seconds))
        return Decision(FAIL)
    throttled = code == TOO_MANY_REQUESTS or http_status == 429
    if transient or throttled or (http_status or 0) >= 500:
        if attempts < settings.max_send_attempts:
            return Decision(RETRY, backoff(attempts, settings, rand))
    return Decision(FAIL)
