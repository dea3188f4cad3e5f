"""Twilio's voice webhooks, thin: POST /twilio/voice (a call to the bot's number), /twilio/voice/gather
(a key pressed during one of our calls) and /twilio/voice/status (a call's progress). Signed like
the message webhooks; each answers TwiML built with the twilio library's VoiceResponse
(scheduler/voice.py). What is decided is in bot/store/calls.py; what is said, in bot/core/voice.py.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.exceptions import HTTPException

from bot.core import voice
from bot.core.i18n import DEFAULT_LANG
from bot.core.phones import mask, split_address
from bot.store import calls
from bot.store.db import write_transaction
from bot.web import context, webhook
from bot.web.signature import trusted
from scheduler import delivery
from scheduler.voice import twiml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")
bp.before_request(webhook.start_clock)
bp.after_request(webhook.stop_clock)
bp.before_request(webhook.small_bodies_only)

CALL_SID = re.compile(r"CA[0-9a-f]{32}")


def _signed_call() -> str:
    """The request is Twilio's, for our account, about a call: its CallSid."""
    if not trusted(request, current_app.config) or not webhook.ours(request.form):
        abort(403)
    sid = request.form.get("CallSid", "")
    if not CALL_SID.fullmatch(sid):
        abort(400)
    return sid


def _base() -> str:
    return (current_app.config["PUBLIC_URL"] or request.url_root).rstrip("/")


def _say(script: voice.Script, gather: bool = False) -> Response:
    base = _base()
    played = twiml(script, f"{base}/voice", f"{base}/twilio/voice/gather" if gather else None)
    return Response(played, mimetype="application/xml")


@bp.post("")
def call_in() -> Response:
    """Never the hearing to the caller (caller ID can be spoofed): a call back to the registered number."""
    sid = _signed_call()
    _channel, phone = split_address(request.form.get("From", ""))
    db = context.get_db()
    with write_transaction(db):
        answer = calls.call_in(db, context.vault(), phone, sid, context.now())
    log.info("call %s from %s: %s", sid, mask(phone), answer.key)
    return _say(voice.notice(answer.key, answer.lang, context.voices()))


@bp.post("/gather")
def gather() -> Response:
    """1: the hearing again, as it stands now; 2: a volunteer writes to the person; else goodbye."""
    sid = _signed_call()
    digits = request.form.get("Digits", "")[:4]
    db = context.get_db()
    with write_transaction(db):
        answer = calls.pressed(db, context.vault(), sid, digits, context.now())
    log.info("call %s: key %s -> %s", sid, digits[:1] or "-", answer.key)
    voices = context.voices()
    if answer.key == calls.AGAIN:
        return _say(
            voice.hearing_script(answer.hearing, answer.lang, context.places(), voices, "callback"), gather=True
        )
    return _say(voice.notice(answer.key, answer.lang, voices))


@bp.post("/status")
def status() -> Response:
    """A call's progress: forward only; not answered rings again later (scheduler/delivery.py)."""
    sid = _signed_call()
    form = request.form
    if not form.get("CallStatus"):
        abort(400)
    delivery.call_status(
        context.get_db(), sid, form["CallStatus"], form.get("ErrorCode"), context.now(), context.reminders()
    )
    return Response(status=204)


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """A caller never hears a stack trace: log it, say sorry in Spanish, hang up."""
    if (answer := webhook.failed(error, log)) is not None:
        return answer
    return _say(voice.notice(calls.SORRY, DEFAULT_LANG, context.voices()))
