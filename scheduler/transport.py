"""The one seam to the outside: Twilio's Messages and Calls APIs, or the console in local mode."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.phones import address, mask
from bot.core.segments import count

log = logging.getLogger(__name__)
MAX_VALIDITY_SECONDS = 36_000  # Twilio keeps a message queued at most 10 hours


@dataclass(frozen=True)
class Outgoing:
    """One message as it leaves: the channel it goes by, the E.164 number, and what Twilio needs."""

    channel: str  # "sms" or "whatsapp"
    to: str
    body: str
    callback_url: str | None = None
    validity_seconds: int | None = None
    content_sid: str | None = None  # a WhatsApp template, outside the 24-hour window
    content_variables: str | None = None  # its values, as JSON


@dataclass(frozen=True)
class OutgoingCall:
    """One call as it is placed: the E.164 number, the TwiML it plays (inline: the call says the
    hearing even if our web app is down when it is answered), what it says in words (the console
    shows them), and where Twilio posts its progress."""

    to: str
    twiml: str
    words: str = ""
    callback_url: str | None = None


# How long a reminder call rings before it counts as not answered, and the longest it may last.
RING_SECONDS = 30
CALL_LIMIT_SECONDS = 300
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


@dataclass(frozen=True)
class Sent:
    sid: str
    status: str


class Transport(Protocol):
    """What the dispatcher sends through: Twilio, or the console in local mode."""

    def send(self, message: Outgoing) -> Sent: ...

    def call(self, call: OutgoingCall) -> Sent: ...


class SendError(Exception):
    """Twilio refused or could not be reached: its error code and HTTP status, when there were any."""

    def __init__(self, code: int | None, http_status: int | None, reason: str = "", transient: bool = False):
        super().__init__(f"twilio error {code} (HTTP {http_status}) {reason}".strip())
        self.code = code
        self.http_status = http_status
        self.transient = transient  # a timeout or a dropped connection: nothing was refused


@dataclass
class ConsoleTransport:
    """Local mode: prints what would be sent (phone masked) and keeps it for tests."""

    sent: list[Outgoing] = field(default_factory=list)
    calls: list[OutgoingCall] = field(default_factory=list)
    echo: bool = True

    def send(self, message: Outgoing) -> Sent:
        self.sent.append(message)
        if self.echo:
            # The console is the developer's stand-in phone, so it shows the text; logs never do.
            how = f"template {message.content_sid}" if message.content_sid else f"{count(message.body)} segment(s)"
            print(f"[console {message.channel} to {mask(message.to)}, {how}]\n{message.body}\n", flush=True)
        return Sent(sid="SM" + secrets.token_hex(16), status="sent")

    def call(self, call: OutgoingCall) -> Sent:
        self.calls.append(call)
        if self.echo:
            print(f"[console call to {mask(call.to)}]\n{call.words}\n", flush=True)
        return Sent(sid="CA" + secrets.token_hex(16), status="queued")


class TwilioTransport:
    """The official twilio client, one pooled HTTP session; TWILIO_API_BASE points it elsewhere."""

    def __init__(self, config: Mapping):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        http = TwilioHttpClient(pool_connections=True, timeout=config["TWILIO_TIMEOUT_SECONDS"])
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it logs every request at INFO
        self.client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http)
        self.client.api.base_url = config["TWILIO_API_BASE"].rstrip("/")
        self.config = config

    def send(self, message: Outgoing) -> Sent:
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        c = self.config
        params: dict[str, str | int | None] = {"to": address(message.channel, message.to)}
        if message.channel == "whatsapp":
            params["from_"] = c["TWILIO_WHATSAPP_FROM"]
        elif c["TWILIO_MESSAGING_SERVICE_SID"]:
            params["messaging_service_sid"] = c["TWILIO_MESSAGING_SERVICE_SID"]
        elif c["TWILIO_SMS_FROM"]:
            params["from_"] = c["TWILIO_SMS_FROM"]
        else:
            raise SendError(None, None, "no SMS sender configured (TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID)")
        if message.content_sid:
            params |= {"content_sid": message.content_sid, "content_variables": message.content_variables}
        else:
            params["body"] = message.body
        if message.callback_url:
            params["status_callback"] = message.callback_url
        if message.validity_seconds:
            params["validity_period"] = max(1, min(MAX_VALIDITY_SECONDS, int(message.validity_seconds)))
        try:
            sent = self.client.messages.create(**params)
        except TwilioRestException as error:
            raise SendError(error.code, error.status, "refused") from error
        except RequestException as error:  # timeouts, refused connections: safe to retry
            raise SendError(None, None, type(error).__name__, transient=True) from error
        log.info("twilio accepted %s to %s", sent.sid, mask(message.to))
        return Sent(sid=sent.sid, status=sent.status)

    def call(self, call: OutgoingCall) -> Sent:
        """A call through the Calls API from TWILIO_VOICE_FROM, its TwiML inline, its progress posted
        to `callback_url`; refusals and timeouts raise SendError like messages."""
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        caller = self.config.get("TWILIO_VOICE_FROM")
        if not caller:
            raise SendError(None, None, "no caller ID configured (TWILIO_VOICE_FROM)")
        params: dict = {
            "to": call.to,
            "from_": caller,
            "twiml": call.twiml,
            "timeout": RING_SECONDS,
            "time_limit": CALL_LIMIT_SECONDS,
        }
        if call.callback_url:
            params |= {
                "status_callback": call.callback_url,
                "status_callback_event": CALL_EVENTS,
                "status_callback_method": "POST",
            }
        try:
            placed = self.client.calls.create(**params)
        except TwilioRestException as error:
            raise SendError(error.code, error.status, "refused") from error
        except RequestException as error:
            raise SendError(None, None, type(error).__name__, transient=True) from error
        log.info("twilio placed call %s to %s", placed.sid, mask(call.to))
        return Sent(sid=placed.sid, status=placed.status)


def check_account(config: Mapping) -> tuple[bool, str]:
    """One GET of the account ({TWILIO_API_BASE}/2010-04-01/Accounts/{sid}.json) with the configured
    credentials, for `doctor`: (True, why) when Twilio takes them and the account is active."""
    from requests import RequestException
    from twilio.base.exceptions import TwilioRestException

    client = TwilioTransport(config).client
    try:
        account = client.api.v2010.accounts(config["TWILIO_ACCOUNT_SID"]).fetch()
    except TwilioRestException as error:
        if error.status == 401:
            return False, "Twilio refused TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (401): copy both from the Console"
        return False, f"Twilio answered HTTP {error.status} (error {error.code}) for the account"
    except RequestException as error:
        return False, f"Twilio could not be reached at {config['TWILIO_API_BASE']} ({type(error).__name__})"
    if account.status != "active":
        return False, f"the Twilio account is {account.status}, not active"
    return True, "Twilio accepts the credentials; the account is active"


def for_config(config: Mapping) -> Transport:
    """Twilio when its token is configured; the console only in local mode, never as a fallback."""
    if config.get("TWILIO_AUTH_TOKEN"):
        return TwilioTransport(config)
    if config.get("LOCAL_MODE"):
        return ConsoleTransport()
    raise RuntimeError("no Twilio token and no local mode: nothing can be sent (see bot/config.check_sender)")
