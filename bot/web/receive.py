"""One inbound message, end to end: dedupe by MessageSid, run the conversation, store the outcome, plan.

The webhook and the simulator both come through here (and `chat` through the webhook), so a terminal
chat is exactly a phone. No Flask here: it takes a parsed `Inbound` and the dependencies it needs.
The path goes down the layers only: bot.core (the conversation) -> bot.store (people, inbound) ->
scheduler.planner (the outbox rows).
"""

from __future__ import annotations

import logging
import random
import secrets
from datetime import datetime

from sqlite_utils import Database

from bot.core import conversation
from bot.core import keywords as kw
from bot.core.i18n import DEFAULT_LANG, translator
from bot.core.inbound import Inbound
from bot.core.outcomes import pick
from bot.core.phones import PhoneVault, mask
from bot.core.places import Places
from bot.store import inbound, people, services
from bot.store.db import write_transaction
from bot.web import alerts
from scheduler import planner
from scheduler.planner import Settings

log = logging.getLogger(__name__)
ALWAYS = {kw.STOP, kw.START, kw.DELETE}  # these always take effect; their answer goes at most once a minute


def slow_down(lang: str | None) -> str:
    _ = translator(lang or DEFAULT_LANG)
    return _("You are sending many messages. Please wait a minute, then write again.")


def receive(
    db: Database,
    vault: PhoneVault,
    places: Places,
    message: Inbound,
    now: datetime,
    reminders: Settings,
    prices: dict[str, float],
    answer_hours: int,
    calls_on: bool = False,
) -> list[str]:
    """Answer one Twilio inbound message; a repeated MessageSid gets the first answer again.
    `calls_on`: reminder calls can be placed (bot.config.calls_on)."""
    sid, phone, channel, text = message.sid, message.phone, message.message.channel, message.message.text
    with write_transaction(db):
        # The write lock is held before anything is read: two workers with the same person queue
        # up here, and a retried MessageSid waits for the first to commit, then finds its answer.
        replayed = inbound.claim(db, sid, now)
        if replayed is not None:
            log.info("replayed %s from %s", sid, mask(phone))
            return replayed
        phone_hash = vault.lookup_hash(phone)
        alert = alerts.handle(db, vault, places, phone_hash, text, now, prices)
        if alert is not None:  # a volunteer's ALERTA or PIN: not part of any conversation
            inbound.record(db, sid, alert)
            log.info("%s %s from %s: volunteer alert path", channel, sid, mask(phone))
            return alert
        contact = people.find(db, phone_hash)
        if contact.id is None:
            inbound.watch_new_numbers(db, now)
        keyword = kw.match(text)
        always = keyword.command if keyword and keyword.command in ALWAYS else None
        # STOP, START, DELETE and the YES that confirms a DELETE always take effect, flood or not.
        exempt = always or contact.person.state == conversation.CONFIRM_DELETE
        window = inbound.flooding(db, contact.id, now)
        warn = window is not None and contact.id is not None and not inbound.warned(db, contact.id, now, window)
        if window and not exempt:  # flooding: one "slow down", then silence; nothing else changes
            limited = [slow_down(contact.person.lang)] if warn else []
            inbound.record(db, sid, limited, contact.id, warned=warn)
            log.warning("%s %s from %s: rate limited", channel, sid, mask(phone))
            return limited
        code = f"{secrets.randbelow(900) + 100}"  # three digits, for a confirmation only this phone can see
        directory = services.Directory(db)
        outcome = conversation.handle(
            contact.person, message.message, now, places, directory, code, answer_hours, calls_on
        )
        variant = pick(reminders.weights, random.random())  # kept only at the first hearing (registration)
        applied = people.apply(db, vault, contact, channel, phone, outcome, now, places, variant)
        contact_id = applied.contact_id
        if applied.replan:  # a new hearing, port time, language, or START: the reminders follow
            planner.plan_contact(db, contact_id, now, places, reminders, applied.revive)
        replies = list(outcome.replies)
        repeated = always != kw.DELETE or contact.person.state == conversation.CONFIRM_DELETE  # (a new code: said)
        if always and repeated and inbound.answered(db, contact_id, always, now):
            replies = []  # done again, but answered once a minute at most: a loop of STOPs costs nothing
        warn = bool(window and warn and contact_id is not None)  # (nobody to warn once erased)
        if warn:
            replies.append(slow_down(outcome.person.lang))
        kept = [] if message.message.latitude is not None else replies  # distances to shelters would locate them
        inbound.record(db, sid, kept, contact_id, always, warn)
    log.info(
        "%s %s from %s: %s -> %s (%d replies)",
        channel,
        sid,
        mask(phone),
        contact.person.state,
        outcome.person.state,
        len(replies),
    )
    return replies
