"""Twilio's webhooks, thin: POST /twilio/messages (answered in TwiML) and POST /twilio/status."""

from __future__ import annotations

import logging
import re
import time

from flask import Blueprint, Response, abort, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from bot.config import calls_on
from bot.core import inbound
from bot.core.i18n import DEFAULT_LANG, translator
from bot.web import context
from bot.web.receive import receive
from bot.web.signature import trusted
from scheduler import delivery

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__, url_prefix="/twilio")


def twiml(replies: list[str]) -> Response:
    response = MessagingResponse()
    for text in replies:
        response.message(text)
    return Response(str(response), mimetype="application/xml")


MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")  # what Twilio's SIDs look like, nothing re-framed into one


@bp.before_request
def start_clock() -> None:
    g.webhook_started = time.perf_counter()


@bp.after_request
def stop_clock(response: Response) -> Response:
    """Each answer's time into the latency histogram (when /metrics is on), refusals and apologies too."""
    recorder = context.recorder()
    if recorder is not None and "webhook_started" in g:
        route = (request.endpoint or "").rpartition(".")[2]
        recorder.webhook_seconds(route, time.perf_counter() - g.webhook_started)
    return response


@bp.before_request
def small_bodies_only() -> None:
    """Twilio's forms are a few KB: anything larger is refused before the signature is computed."""
    limit = current_app.config["WEBHOOK_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        abort(413)
    request.max_content_length = limit  # a body with no length (chunked) is cut off at the same size


def ours(form) -> bool:
    """The AccountSid Twilio sends is the one we run with (when configured)."""
    account = current_app.config.get("TWILIO_ACCOUNT_SID")
    return not account or not form.get("AccountSid") or form.get("AccountSid") == account


@bp.post("/messages")
def messages() -> Response:
    if not trusted(request, current_app.config) or not ours(request.form):
        abort(403)
    if not MESSAGE_SID.fullmatch(request.form.get("MessageSid", "")):
        abort(400)
    try:
        message = inbound.parse(request.form)
    except ValueError:
        abort(400)  # no sender
    if (recorder := context.recorder()) is not None:
        recorder.inbound_message(message.message.channel)
    replies = receive(
        context.get_db(),
        context.vault(),
        context.places(),
        message,
        context.now(),
        context.reminders(),
        context.prices(),
        context.answer_hours(),
        calls_on(current_app.config),
    )
    return twiml(replies)


@bp.post("/status")
def status() -> Response:
    """A delivery status callback: signed like messages; moves the row forward, applies the policy."""
    if not trusted(request, current_app.config) or not ours(request.form):
        abort(403)
    form = request.form
    if not form.get("MessageSid") or not form.get("MessageStatus"):
        abort(400)
    delivery.status_callback(
        context.get_db(),
        form["MessageSid"],
        form["MessageStatus"],
        form.get("ErrorCode"),
        context.now(),
        context.reminders(),
    )
    return Response(status=204)


def failed(error: Exception, logger: logging.Logger) -> Response | HTTPException | None:
    """What a webhook answers when it fails: an HTTP error as it is; anything else logged (no body, no
    phone), then a 500 to a status callback (Twilio retries it), or None: the caller says sorry."""
    if isinstance(error, HTTPException):
        return error
    logger.exception("%s failed: %s", request.path, type(error).__name__)
    return Response(status=500) if request.path.endswith("/status") else None


@bp.errorhandler(Exception)
def apologise(error: Exception) -> Response | HTTPException:
    """A person never gets silence or a stack trace: log it, say sorry."""
    if (answer := failed(error, log)) is not None:
        return answer
    _ = translator(DEFAULT_LANG)
    return twiml([_("Sorry, something went wrong on our side. Please try again in a few minutes.")])
