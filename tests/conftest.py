"""Fixtures: app on a fresh database, client, runner, and a Phone that sends signed messages."""

from __future__ import annotations

import itertools
import logging
import re
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from bot.store import db as storage
from bot.web import context

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://bot.example.org"
WEBHOOK = f"{PUBLIC_URL}/twilio/messages"
NOW = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)  # the shared corpus's "today"
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def webhook_errors_fail_the_test(request, caplog):
    """The webhook turns any exception into a polite apology (a person never sees a stack trace); a
    test must still see it. Any ERROR the webhook logged fails the test, unless it is marked
    `webhook_errors_expected` (a fault injected on purpose)."""
    yield
    if request.node.get_closest_marker("webhook_errors_expected"):
        return
    errors = [r for r in caplog.get_records("call") if r.name == "bot.web.webhook" and r.levelno >= logging.ERROR]
    assert not errors, f"the webhook apologised for: {[r.getMessage() for r in errors]}"


@pytest.fixture(autouse=True)
def close_all_databases(monkeypatch):
    """Every SQLite connection a test opens is closed after it (Python 3.13 warns on a leaked one)."""
    opened = []
    real = storage.connect

    def connect(path, **kwargs):
        db = real(path, **kwargs)
        if threading.current_thread() is threading.main_thread():  # other threads close their own
            opened.append(db)
        return db

    monkeypatch.setattr(storage, "connect", connect)
    yield
    for db in opened:
        db.close()


def make_local_app(folder, **extra):
    """The app in local mode (no Twilio token, console transport), migrated, on its own database."""
    settings = {"INSTANCE_DIR": str(folder), "DATABASE": str(folder / "local.db"), "SECRET_KEY": "local-" + "k" * 32,
                "TWILIO_AUTH_TOKEN": "", "TWILIO_ACCOUNT_SID": "", "PUBLIC_URL": "", "LOCAL_MODE": True}  # fmt: skip
    app = create_app({**settings, **extra})
    with app.app_context():
        storage.migrate(context.get_db())
    return app


def make_app(folder, **extra):
    """The app as Twilio reaches it (signed webhooks, clock pinned at NOW), migrated, on its own database."""
    settings = {
        "INSTANCE_DIR": str(folder),
        "DATABASE": str(folder / "test.db"),
        "SECRET_KEY": "test-secret-key-" + "k" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "PUBLIC_URL": PUBLIC_URL,
        "NOW": NOW,
    }
    app = create_app({**settings, **extra})
    with app.app_context():
        storage.migrate(context.get_db())
    return app


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A separate connection to inspect what the app stored."""
    conn = storage.connect(app.config["DATABASE"])
    yield conn
    conn.close()


def sign(form: dict, url: str = WEBHOOK, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def replies_of(response) -> list[str]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    return [m.text or "" for m in ET.fromstring(response.data).iter("Message")]


class Phone:
    """A person's phone: text() posts a correctly signed Twilio webhook and returns the replies."""

    def __init__(self, client, number: str = "+5216561234567", channel: str = "sms"):
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


@pytest.fixture
def phone(client):
    return Phone(client)
