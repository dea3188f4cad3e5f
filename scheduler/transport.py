"""The one seam to the outside: Twilio's Messages API, or the console in local mode."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field

from bot.phones import address, mask
from bot.segments import count

log = logging.getLogger(__name__)


@dataclass
class Sent:
    sid: str
    status: str


@dataclass
class ConsoleTransport:
    """Local mode: prints what would be sent (phone masked) and keeps it for tests."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    echo: bool = True

    def send(self, channel: str, phone: str, body: str, callback_url: str | None = None) -> Sent:
        self.sent.append((channel, phone, body))
        if self.echo:
            # The console is the developer's stand-in phone, so it shows the text; logs never do.
            print(f"[console {channel} to {mask(phone)}, {count(body)} segment(s)]\n{body}\n", flush=True)
        return Sent(sid="SM" + secrets.token_hex(16), status="sent")


class TwilioTransport:
    """The official twilio client; TWILIO_API_BASE points it at another Messages API."""

    def __init__(self, config: dict):
        from twilio.rest import Client

        self.client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
        self.client.api.base_url = config["TWILIO_API_BASE"]
        self.config = config

    def send(self, channel: str, phone: str, body: str, callback_url: str | None = None) -> Sent:
        c = self.config
        params = {"to": address(channel, phone), "body": body}
        if channel == "whatsapp":
            params["from_"] = c["TWILIO_WHATSAPP_FROM"]
        elif c["TWILIO_MESSAGING_SERVICE_SID"]:
            params["messaging_service_sid"] = c["TWILIO_MESSAGING_SERVICE_SID"]
        else:
            params["from_"] = c["TWILIO_SMS_FROM"]
        if callback_url:
            params["status_callback"] = callback_url
        message = self.client.messages.create(**params)
        log.info("twilio accepted %s to %s", message.sid, mask(phone))
        return Sent(sid=message.sid, status=message.status)


def for_config(config: dict):
    """Twilio when credentials are configured, else the console (local mode)."""
    if config.get("TWILIO_AUTH_TOKEN") and config.get("TWILIO_ACCOUNT_SID"):
        return TwilioTransport(config)
    return ConsoleTransport()
