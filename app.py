"""create_app(config=None) and CLI registration; nothing else."""

from __future__ import annotations

import logging
import os

from flask import Flask

from bot import cli, context, places, webhook
from bot import config as settings
from bot.phones import PhoneVault
from scheduler import planner, whatsapp


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings.from_environment(config))
    logging.basicConfig(
        level=os.environ.get("HEARINGBOT_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    reminders = planner.load_settings(app.config["REMINDERS_FILE"])
    whatsapp.templates(app.config["WHATSAPP_TEMPLATES_FILE"])  # a broken file fails at start, not at 3 a.m.
    context.init_app(app, PhoneVault(app.config["SECRET_KEY"]), places.load(), reminders)
    app.register_blueprint(webhook.bp)
    cli.register(app)
    return app
