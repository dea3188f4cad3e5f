"""What the test modules share that is not a fixture: constants, the apps, a Phone, and the steps many
tests take (registering a person, logging a member in, one dispatcher tick).

Fixtures are in conftest.py, which builds them from these. A test module imports from here (or from
fake_twilio.py), never from conftest.py nor from another test module: tests/test_layers.py checks it.
"""

from __future__ import annotations

import itertools
import os
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from twilio.request_validator import RequestValidator

from app import create_app
from bot.core import phones
from bot.store import db as storage
from bot.store import staff
from bot.web import context
from bot.web.context import deps_of
from scheduler.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://bot.example.org"
WEBHOOK = f"{PUBLIC_URL}/twilio/messages"
NOW = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)  # the shared corpus's "today"
PERSON = "+5216561234567"  # a phone in Ciudad Juárez: Phone's number unless told otherwise
VOLUNTEER = "+5216641112233"
PASSWORD = "correct horse battery"  # every console member's, in add_members
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()

# --- apps -------------------------------------------------------------------------------------------------


def make_app(folder: Path, **extra):
    """The app as Twilio reaches it (signed webhooks, clock pinned at NOW), migrated, on its own database."""
    settings = {
        "INSTANCE_DIR": str(folder),
        "DATABASE": str(folder / "test.db"),
        "NOW": NOW,
        "SECRET_KEY": "test-secret-key-" + "k" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "PUBLIC_URL": PUBLIC_URL,
    }
    return _migrated(create_app({**settings, **extra}))


def make_local_app(folder: Path, **extra):
    """The app in local mode (no Twilio token, console transport), migrated, on its own database."""
    settings = {
        "INSTANCE_DIR": str(folder),
        "DATABASE": str(folder / "local.db"),
        "SECRET_KEY": "local-" + "k" * 32,
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_ACCOUNT_SID": "",
        "PUBLIC_URL": "",
        "LOCAL_MODE": True,
    }
    return _migrated(create_app({**settings, **extra}))


SENDING_KEY = "send-key-" + "k" * 32
ACCOUNT = "AC" + "1" * 32  # the sending app's Twilio account


def make_sending_app(folder: Path, fake, **extra):
    """An app that sends through the real twilio client to `fake` (a FakeTwilio), no rate limit."""
    settings = {
        "INSTANCE_DIR": str(folder),
        "DATABASE": str(folder / "send.db"),
        "SECRET_KEY": SENDING_KEY,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "PUBLIC_URL": PUBLIC_URL,
        "TWILIO_API_BASE": fake.base_url,
        "TWILIO_SMS_FROM": "+15005550006",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "SEND_RATE": 0,
        "NOW": NOW,
        "TWILIO_TIMEOUT_SECONDS": 2,
    }
    return _migrated(create_app({**settings, **extra}))


def scheduler_env(app, fake, **extra) -> dict:
    """The environment of a real `flask scheduler` process sending for a make_sending_app app."""
    return {
        **os.environ,
        "HEARINGBOT_DATABASE": app.config["DATABASE"],
        "HEARINGBOT_SECRET_KEY": SENDING_KEY,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_API_BASE": fake.base_url,
        "TWILIO_SMS_FROM": "+15005550006",
        "HEARINGBOT_PUBLIC_URL": PUBLIC_URL,
        "HEARINGBOT_SEND_RATE": "0",
        "HEARINGBOT_DISPATCH_INTERVAL": "0.2",
        "HEARINGBOT_LOG_LEVEL": "WARNING",
        **extra,
    }


def _migrated(app):
    with app.app_context():
        storage.migrate(context.get_db())
    return app


# --- a person's phone -------------------------------------------------------------------------------------

_sids = itertools.count(1)


def sign(form: dict, url: str = WEBHOOK, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def replies_of(response) -> list[str]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


class Phone:
    """A person's phone: text() posts a correctly signed Twilio webhook and returns the replies."""

    def __init__(self, client, number: str = PERSON, channel: str = "sms"):
        self.client = client
        self.number = number
        self.channel = channel
        self.last_sid = None

    @property
    def address(self) -> str:
        return f"whatsapp:{self.number}" if self.channel == "whatsapp" else self.number

    def form(self, body: str = "", **extra) -> dict:
        self.last_sid = f"SM{next(_sids):032d}"
        form = {
            "MessageSid": self.last_sid,
            "AccountSid": self.client.application.config["TWILIO_ACCOUNT_SID"] or "AC" + "0" * 32,
            "From": self.address,
            "To": "whatsapp:+14155238886" if self.channel == "whatsapp" else "+15005550006",
            "Body": body,
            "NumMedia": "0",
        }
        form.update({k: str(v) for k, v in extra.items()})
        return form

    def post(self, form: dict, signature: str | None = None):
        headers = {"X-Twilio-Signature": sign(form) if signature is None else signature}
        return self.client.post("/twilio/messages", data=form, headers=headers, base_url=PUBLIC_URL)

    def texts(self, body: str, **extra) -> list[str]:
        """Send one message; every SMS the bot answers with."""
        return replies_of(self.post(self.form(body, **extra)))

    def erase(self, word: str = "BORRAR") -> str:
        """DELETE, then the one-time code the bot sent to this phone: the answer to the code."""
        asked = self.text(word)
        return self.text(re.search(r"\b(\d{3})\b", asked)[1])

    def text(self, body: str, **extra) -> str:
        """Send one message; the bot's answer ('' for silence), its SMS separated by a blank line."""
        return "\n\n".join(self.texts(body, **extra))


def register(phone: Phone, city="4", when="el 9 de marzo a las 8:30") -> str:
    """Register in Spanish, by default in Ciudad Juárez for 9 March 08:30 at El Paso; no time at the port.
    The answer to the confirmation."""
    phone.text("hola")
    phone.text("1")
    phone.text(city)
    phone.text(when)
    saved, *port_question = phone.texts("si")
    if port_question:
        phone.text("no")  # no time at the port: the optional step is skipped
    return saved


def hearing_words(day: date) -> str:
    """How a person writes a hearing on that day at 8:30, in Spanish."""
    return f"el {day.day} de {MONTHS[day.month - 1]} de {day.year} a las 8:30"


# --- the clock and the dispatcher -------------------------------------------------------------------------


def at(app, moment: str) -> None:
    app.config["NOW"] = datetime.fromisoformat(moment.replace("Z", "+00:00"))


def in_real_time(app) -> str:
    """For tests that run on the real clock: NOW becomes now, and a hearing two months ahead of it."""
    app.config["NOW"] = None
    return hearing_words((datetime.now(UTC) + timedelta(days=60)).date())


def tick(app) -> dict:
    """One dispatcher run, as `dispatch --once` does it: take the lease, send, give it back."""
    run = Runner(deps_of(app))
    try:
        return run.tick()
    finally:
        run.release()


def rows(db) -> dict:
    """The outbox by slot (d7, d3, d1, wakeup): one person's reminders."""
    return {r["slot"]: r for r in db["outbox"].rows}


def queued(db) -> int:
    """Broadcast messages in the outbox."""
    return db.execute("SELECT count(*) FROM outbox WHERE kind = 'broadcast'").fetchone()[0]


# --- outbox rows -------------------------------------------------------------------------------------------


def add_row(app, **overrides) -> int:
    """One outbox row written straight to the database (not planned from a hearing), to PERSON."""
    vault = phones.PhoneVault(app.config["HEARINGBOT_SECRET_KEY"])
    row = {
        "contact_id": None,
        "channel": "sms",
        "to_enc": vault.encrypt(PERSON),
        "kind": "reminder",
        "lang": "es",
        "body": "Su audiencia es mañana.",
        "send_at": "2026-03-08T16:00:00Z",
        "hearing_at": "2099-03-09T14:30:00Z",
        "status": "pending",
    } | overrides
    db = storage.connect(app.config["DATABASE"])
    with db.atomic():
        row_id = db["outbox"].insert(row).last_pk
    db.close()
    return row_id


# --- the console ------------------------------------------------------------------------------------------


def add_members(app):
    """A volunteer, an operator and an admin, all with PASSWORD and English pages."""
    app.config["LOGIN_SLOWDOWN"] = False
    with app.app_context():
        db = context.get_db()
        for name, role in (("vol", "volunteer"), ("op", "operator"), ("adm", "admin")):
            staff.add(db, context.vault(), name, role, None, PASSWORD, None, context.now(), lang="en")
    return app


def post(client, path, **kwargs):
    """A POST as a browser sends it: over HTTPS with a same-origin Referer (Flask-WTF checks it)."""
    return client.post(path, base_url=PUBLIC_URL, headers={"Referer": f"{PUBLIC_URL}/admin/"}, **kwargs)


def token(client, path="/admin/login") -> str:
    page = client.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def login(client, name, password=PASSWORD):
    return post(client, "/admin/login", data={"username": name, "password": password, "csrf_token": token(client)})
