"""Fixtures: the app on a fresh database, its client and CLI runner, a phone, the fake Twilio, console
members and a crowd of registered people. The plain helpers they are built from are in helpers.py."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.store import db as storage
from tests.fake_twilio import FakeTwilio
from tests.helpers import Phone, add_members, make_app, make_local_app, make_sending_app


@pytest.fixture(autouse=True)
def webhook_errors_fail_the_test(request, caplog):
    """The webhook turns any exception into a polite apology (a person never sees a stack trace); a
    test must still see it. Any ERROR the webhook logged fails the test, unless it is marked
    `webhook_errors_expected` (a fault injected on purpose)."""
    yield
    if request.node.get_closest_marker("webhook_errors_expected"):
        return
    errors = [
        r
        for r in caplog.get_records("call")
        if r.name in ("bot.web.webhook", "bot.web.voice") and r.levelno >= logging.ERROR
    ]
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


@pytest.fixture
def fake():
    """A local Twilio Messages API (fake_twilio.py) for the real twilio client to send to."""
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def app(request, tmp_path):
    """The app on a fresh database (helpers.make_app). In a test marked `fake_twilio`, one that sends
    through the real twilio client to the test's `fake` (helpers.make_sending_app)."""
    if request.node.get_closest_marker("fake_twilio"):
        return make_sending_app(tmp_path, request.getfixturevalue("fake"))
    return make_app(tmp_path)


@pytest.fixture
def local_app(tmp_path):
    """Local mode: no Twilio token, console transport."""
    return make_local_app(tmp_path)


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


@pytest.fixture
def phone(client):
    return Phone(client)


@pytest.fixture
def members(app):
    """The app with a volunteer, an operator and an admin (helpers.add_members)."""
    return add_members(app)


@pytest.fixture
def crowd(client, db):
    """Seven people: cities, languages, courts and hearing days to aim at (NOW is 2 February 2026)."""
    people = {
        "tj_es": ("+5216640000001", "1", "1", "el 23 de marzo a las 8:30"),  # Tijuana, San Diego court
        "tj_en": ("+5216640000002", "2", "1", "March 24 8:30 am"),
        "cj_es": ("+5216560000003", "1", "4", "el 23 de marzo a las 9:00"),  # Juárez, El Paso court
        "cj_ht": ("+5216560000004", "5", "4", "23 mas a 13è"),
        "ng_pt": ("+5216310000005", "3", "3", "dia 25 de março às 8h"),  # Nogales, El Paso court
        "mt_fr": ("+5218680000006", "4", "8", "le 23 mars à 8h"),  # Matamoros, Brownsville court
    }
    phones = {}
    for key, (number, lang, city, when) in people.items():
        phone = Phone(client, number)
        phone.text("hola"), phone.text(lang), phone.text(city), phone.text(when)
        phone.texts({"1": "si", "2": "yes", "3": "sim", "4": "oui", "5": "wi"}[lang])
        phone.text({"1": "no", "2": "no", "3": "não", "4": "non", "5": "non"}[lang])  # no time at the port
        phones[key] = phone
    stranger = Phone(client, "+5216640000099")
    stranger.text("hola")  # never chose a language: no consent, never a broadcast
    return phones
