"""/simulator (local mode only): a phone-shaped page to talk to the bot as a migrant would.

Each message goes through bot.web.receive, the same code path as the Twilio webhook, so a
developer can try the bot on their own machine. Only in local mode (HEARINGBOT_LOCAL_MODE=1, no
token) and only for a request from this machine, to this machine, not sent by another site's page:
anything else is a 404, since the page lets its user act as any phone number.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from bot.config import calls_on
from bot.core import inbound
from bot.core.phones import normalize
from bot.web import context
from bot.web.receive import receive
from bot.web.signature import local_request

bp = Blueprint("simulator", __name__, template_folder="templates")
DEFAULT_PHONE = "+5216560000000"
KEEP = 30  # lines of the conversation kept on the page


@bp.before_request
def local_mode_only():
    config = current_app.config
    if config.get("TWILIO_AUTH_TOKEN") or not config.get("LOCAL_MODE") or not local_request(request):
        abort(404)


@bp.get("/simulator")
def page():
    return render_template(
        "simulator.html", phone=session.get("sim_phone", DEFAULT_PHONE), lines=session.get("sim_lines", [])
    )


@bp.post("/simulator")
def send():
    phone = normalize(request.form.get("phone", "")) or DEFAULT_PHONE
    channel = "whatsapp" if request.form.get("channel") == "whatsapp" else "sms"
    text = request.form.get("body", "")
    if request.form.get("reset"):
        session.pop("sim_lines", None)
        return redirect(url_for("simulator.page"))
    replies = receive(
        context.get_db(),
        context.vault(),
        context.places(),
        inbound.parse(inbound.form_of(phone, channel, text)),
        context.now(),
        context.reminders(),
        context.prices(),
        context.answer_hours(),
        calls_on(current_app.config),
    )
    lines = session.get("sim_lines", []) + [["me", text]] + [["bot", r] for r in replies]
    session["sim_lines"] = lines[-KEEP:]
    session["sim_phone"] = phone
    return redirect(url_for("simulator.page"))
