"""`chat`: talk to the bot from the terminal, through the real webhook, as a phone would."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import click
from flask import Flask, current_app
from sqlite_utils import Database
from twilio.request_validator import RequestValidator

from bot import config as settings
from bot.cli.common import with_db
from bot.core import inbound
from bot.core.phones import normalize


@click.command("chat")
@click.option("--phone", required=True, help="The phone to be, e.g. +5216561234567")
@click.option("--channel", type=click.Choice(["sms", "whatsapp"]), default="sms")
@with_db(check=settings.check_web)
def chat(db: Database, phone: str, channel: str) -> None:
    """Talk to the bot from the terminal, through the real webhook, as that phone would."""
    sender = normalize(phone)
    if not sender:
        raise click.BadParameter("not a phone number", param_hint="--phone")
    client = current_app.test_client()
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    base = "http://localhost" if current_app.config["LOCAL_MODE"] else current_app.config["PUBLIC_URL"].rstrip("/")
    url = (base or "http://localhost") + "/twilio/messages"
    click.echo("Type a message and press Enter; Ctrl-D to leave.")
    for line in sys.stdin:
        form = inbound.form_of(sender, channel, line.rstrip("\n"))
        headers = {}
        if token:
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, form)
        response = client.post(url, data=form, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        if response.status_code != 200:
            click.echo(f"(HTTP {response.status_code})")
            continue
        for message in ET.fromstring(response.data).iter("Message"):
            click.echo(f"< {message.text or ''}\n")


def init_app(app: Flask) -> None:
    app.cli.add_command(chat)
