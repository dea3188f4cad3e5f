"""The outbox's vocabulary: the one place a row's status and kind are spelled.

A row is planned `pending`, claimed `sending` by one dispatcher, handed to Twilio (`sent`), then
moved on by Twilio's callbacks (`delivered`, `read` on WhatsApp, `undelivered`, `failed`); a row
that is no longer wanted is `cancelled` (its `reason` says why) and one whose moment passed before
it could go is `expired`. The groups below are what every query, count and page uses, so a list
that says "all" shows all, and a count of "failed" means the same thing everywhere.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.i18n import N_


class Status(StrEnum):
    PENDING = "pending"  # planned, waiting for its time
    SENDING = "sending"  # claimed by a dispatcher; handed_at is set once Twilio has it
    SENT = "sent"  # Twilio accepted it
    DELIVERED = "delivered"  # the phone has it
    READ = "read"  # WhatsApp: the person opened it
    UNDELIVERED = "undelivered"  # the carrier could not deliver it
    FAILED = "failed"  # Twilio or we could not send it
    CANCELLED = "cancelled"  # no longer wanted (STOP, erased, a new hearing, an alert called off)
    EXPIRED = "expired"  # its moment passed before it could go


class Kind(StrEnum):
    REMINDER = "reminder"  # days or hours before a hearing
    WAKEUP = "wakeup"  # the hearing day's early message, before leaving for the port of entry
    EVENING = "evening"  # instead of the wake-up, the evening before, when the port time is before dawn
    BROADCAST = "broadcast"  # a volunteer's safety alert
    GOODBYE = "goodbye"  # the last message before a silent person's data is deleted
    REPLY = "reply"  # a volunteer's answer in a thread (its text sealed with the message key)
    FOLLOWUP = "followup"  # after a hearing: "did you go?" the next day, and help if no answer came
    CALL = "call"  # a reminder call (the day before, the hearing-day wake-up) or the call back after a call in


# The slots of calls (kind CALL): with the last N-day reminder, the hearing-day wake-up, and the call
# back after the person called the bot's number ("callback:<CallSid>", one per inbound call).
CALL_DAY_BEFORE, CALL_WAKEUP, CALLBACK = "call_d1", "call_wakeup", "callback"


def is_callback(slot: str | None) -> bool:
    """A call row that answers the person's own call (placed with or without calls consent)."""
    return (slot or "").startswith(f"{CALLBACK}:")


# What the console calls them (msgids, translated where shown): every status and kind has a name.
STATUS_NAMES = {
    Status.PENDING: N_("Waiting"),
    Status.SENDING: N_("Sending"),
    Status.SENT: N_("Accepted by Twilio"),
    Status.DELIVERED: N_("Delivered"),
    Status.READ: N_("Read"),
    Status.UNDELIVERED: N_("Not delivered"),
    Status.FAILED: N_("Failed"),
    Status.CANCELLED: N_("Cancelled"),
    Status.EXPIRED: N_("Expired"),
}
KIND_NAMES = {
    Kind.REMINDER: N_("Reminder"),
    Kind.WAKEUP: N_("Hearing-day message"),
    Kind.EVENING: N_("Evening-before message"),
    Kind.BROADCAST: N_("Alert"),
    Kind.GOODBYE: N_("Goodbye"),
    Kind.REPLY: N_("Volunteer's answer"),
    Kind.FOLLOWUP: N_("After the hearing"),
    Kind.CALL: N_("Call"),
}

ALL = tuple(Status)  # the order pages and filters list them in
WAITING = (Status.PENDING, Status.SENDING)  # not yet out
OUT = (Status.SENT, Status.DELIVERED, Status.READ, Status.UNDELIVERED, Status.FAILED)  # Twilio took it
REACHED = (Status.DELIVERED, Status.READ)
NOT_REACHED = (Status.UNDELIVERED, Status.FAILED)
STOPPED = (Status.CANCELLED, Status.EXPIRED)  # final without ever going out
RETRYABLE = NOT_REACHED + STOPPED  # what an operator may send again

# Twilio's message statuses -> ours, and how far along each of ours is: a callback never moves a row back.
FROM_TWILIO = {
    "accepted": Status.SENT,
    "scheduled": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
    "read": Status.READ,
}
# Twilio's call statuses -> ours: a call answered and ended is delivered; busy or not answered is
# undelivered (scheduler/delivery.py tries again later); canceled and failed are failed.
FROM_TWILIO_CALL = {
    "queued": Status.SENT,
    "initiated": Status.SENT,
    "ringing": Status.SENT,
    "in-progress": Status.SENT,
    "answered": Status.SENT,
    "completed": Status.DELIVERED,
    "busy": Status.UNDELIVERED,
    "no-answer": Status.UNDELIVERED,
    "canceled": Status.FAILED,
    "failed": Status.FAILED,
}
RANK = {
    Status.PENDING: 0,
    Status.SENDING: 0,
    Status.SENT: 1,
    Status.DELIVERED: 2,
    Status.UNDELIVERED: 2,
    Status.FAILED: 2,
    Status.READ: 3,
}


def sql_list(statuses: tuple[Status, ...]) -> str:
    """A group as SQL's IN list: "('delivered', 'read')". The values are ours, never a caller's."""
    return "(" + ", ".join(f"'{s.value}'" for s in statuses) + ")"
