"""create_app(config=None) and CLI registration; nothing else."""

from __future__ import annotations

import os

import click
from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import cli
from bot import config as settings
from bot.core import conversation, logs, places
from bot.core.phones import PhoneVault
from bot.core.voice import voices_of
from bot.store import services
from bot.web import clips, console, context, health, simulator, voice, webhook
from bot.web.console import auth
from scheduler import metrics, planner, whatsapp


def create_app(config: dict | None = None) -> Flask:
    os.umask(0o077)  # the database, its WAL and SHM, backups and the key file: readable by us only
    app = Flask(__name__, instance_relative_config=True, static_folder="bot/web/static")
    app.config.from_mapping(settings.from_environment(config))
    served = click.get_current_context(silent=True) is None  # gunicorn, tests: not a `flask` command
    if served:
        settings.check_web(app.config)  # `serve`, `scheduler` and `dispatch` check for themselves
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # the client's address, not the proxy's
    app.url_map.merge_slashes = False  # "//admin" is a 404, not a redirect built from the Host header
    logs.configure(app.config["LOG_FORMAT"], os.environ.get("HEARINGBOT_LOG_LEVEL", "INFO"))
    reminders = planner.load_settings(app.config["REMINDERS_FILE"])
    whatsapp.templates(app.config["WHATSAPP_TEMPLATES_FILE"])  # a broken file fails at start, not at 3 a.m.
    services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), places.load())  # so does a broken directory
    voices_of(app.config)  # and a broken voice file or clip manifest
    context.init_app(app, PhoneVault(app.config["HEARINGBOT_SECRET_KEY"]), places.load(), reminders)
    app.extensions["hearingbot.metrics"] = metrics.recorder(app.config)  # None unless a token opens /metrics
    if served:  # a web worker builds what first messages need before it serves anyone (once per process)
        conversation.warm_up(places.load())
    app.register_blueprint(webhook.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(simulator.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(clips.bp)
    csrf.init_app(app)
    csrf.exempt(webhook.bp)  # Twilio signs its requests instead
    csrf.exempt(voice.bp)
    app.jinja_env.globals["_"] = auth.gettext
    app.jinja_env.globals["ngettext"] = auth.ngettext
    app.context_processor(lambda: {"me": auth.current(), "lang": auth.lang()})
    app.after_request(security_headers)
    cli.register(app)
    return app


csrf = CSRFProtect()
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(response: Response) -> Response:
    """On every response: no framing, no sniffing, scripts and styles from our own files only, HTTPS
    only from now on; console pages (hearing times, last digits of phones) are never cached."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Always, not only when request.is_secure: behind the TLS proxy (no ProxyFix) every request looks
    # like plain http, and browsers ignore this header when it arrives over http (RFC 6797 §8.1).
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith(("/admin", "/simulator", "/healthz", "/metrics")):
        response.headers["Cache-Control"] = "no-store"
    return response
