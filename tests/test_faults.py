"""Faults: Twilio down then back, the database locked by a long writer, a database that cannot be
written, and malformed Twilio requests. (Crashes and two schedulers: tests/test_dispatch.py.)"""

import gc
import socket
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import clock
from bot.store import db as storage
from bot.web import context
from bot.web.context import deps_of
from scheduler.runner import Runner
from tests.fake_twilio import FakeTwilio
from tests.helpers import PUBLIC_URL, WEBHOOK, Phone, make_app, make_sending_app, register, rows, sign, tick


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once this closes


def test_twilio_down_for_a_while_then_back(tmp_path):
    with FakeTwilio() as fake:
        app = make_sending_app(tmp_path, fake)
        register(Phone(app.test_client()))
        db = storage.connect(app.config["DATABASE"])
        app.config["TWILIO_API_BASE"] = closed_port()  # connection refused
        app.config["NOW"] = clock.parse_iso("2026-03-02T17:00:05Z")
        for _ in range(3):  # the 7-day reminder keeps being retried, with backoff
            assert tick(app)["retry"] == 1
            app.config["NOW"] = clock.parse_iso(rows(db)["d7"]["send_at"])
        app.config["TWILIO_API_BASE"] = fake.base_url  # back
        assert tick(app)["sent"] == 1 and rows(db)["d7"]["attempts"] == 4
        # Down again across the 3-day reminder's whole useful day: it expires, and is never sent late.
        app.config["TWILIO_API_BASE"] = closed_port()
        app.config["NOW"] = clock.parse_iso("2026-03-06T17:00:05Z")
        while rows(db)["d3"]["status"] == "pending":
            tick(app)
            app.config["NOW"] = max(
                app.config["NOW"] + timedelta(minutes=15), clock.parse_iso(rows(db)["d3"]["send_at"])
            )
        assert rows(db)["d3"]["status"] in ("expired", "failed")
        app.config["TWILIO_API_BASE"] = fake.base_url
        app.config["NOW"] = clock.parse_iso("2026-03-08T16:00:05Z")
        tick(app)
        assert [r.form["Body"][:16] for r in fake.requests] == ["Su audiencia es ", "Su audiencia es "]  # d7 and d1
        assert rows(db)["wakeup"]["status"] == "pending"  # nothing lost


@pytest.mark.parametrize("code,status", [(20500, 500), (20429, 429)])
def test_twilio_errors_for_a_while_then_back(tmp_path, code, status):
    with FakeTwilio() as fake:
        app = make_sending_app(tmp_path, fake)
        register(Phone(app.test_client()))
        db = storage.connect(app.config["DATABASE"])
        fake.fail_next("+5216561234567", code, status, times=3)
        app.config["NOW"] = clock.parse_iso("2026-03-02T17:00:05Z")
        while rows(db)["d7"]["status"] == "pending":
            tick(app)
            app.config["NOW"] = clock.parse_iso(rows(db)["d7"]["send_at"])
        assert rows(db)["d7"]["status"] == "sent" and len(fake.requests) == 4


@pytest.mark.webhook_errors_expected  # a locked or read-only database, on purpose
def test_a_long_writer_does_not_make_the_webhook_miss_twilios_15_seconds(app, client, db):
    phone = Phone(client)
    blocker = storage.connect(app.config["DATABASE"])
    blocker.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    form = phone.form("hola")
    answer = phone.post(form)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200 and elapsed < 15
    assert b"Intente de nuevo en unos minutos" in answer.data  # the person is asked to write again
    blocker.execute("ROLLBACK")
    blocker.close()
    again = phone.post(form)  # the same MessageSid, retried: nothing was half-stored
    assert b"Avisos gratis" in again.data and db["contacts"].count == 1


@pytest.mark.webhook_errors_expected  # a locked or read-only database, on purpose
def test_a_database_that_cannot_be_written_is_logged_not_a_crash_loop(app, client, caplog, monkeypatch):
    register(Phone(client))
    path = app.config["DATABASE"]

    def read_only(_path, **_):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        return storage.Database(conn, execute_plugins=False)

    monkeypatch.setattr("scheduler.runner.storage.connect", read_only)
    app.config["NOW"] = clock.parse_iso("2026-03-02T17:00:05Z")
    run = Runner(deps_of(app))
    for _ in range(3):
        assert "readonly" in run.tick()["error"]
    assert "the database cannot be used" in caplog.text
    monkeypatch.setattr("bot.web.context.storage.connect", read_only)
    context.drop_idle(app)  # the next request opens its connection anew: read-only
    answer = Phone(client, "+5216561119999").post(Phone(client, "+5216561119999").form("hola"))
    assert answer.status_code == 200 and b"Intente de nuevo" in answer.data


def test_the_wal_anchor_is_closed_with_its_app_whatever_thread_opened_it(tmp_path):
    """The idle connection that keeps the WAL open between requests is opened by the first request, in
    whatever thread serves it, and lives as long as the app: when the app goes it is closed (never left
    for the garbage collector, which Python 3.13 warns about), and the WAL with it."""
    app = make_app(tmp_path)
    app.extensions.pop("hearingbot.anchor").close()  # migrating opened one in this thread: start afresh
    served = threading.Thread(target=lambda client: Phone(client).text("hola"), args=[app.test_client()])
    served.start(), served.join()
    anchor = app.extensions["hearingbot.anchor"]
    wal = tmp_path / "test.db-wal"
    assert wal.exists()  # kept open between requests
    del app
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        anchor.execute("SELECT 1")
    assert not wal.exists()  # the last connection checkpointed and removed it


# --- whatever Twilio (or someone pretending) posts ------------------------------------------------------

FIELDS = st.dictionaries(
    st.sampled_from(
        [
            "MessageSid",
            "From",
            "To",
            "Body",
            "NumMedia",
            "Latitude",
            "Longitude",
            "ButtonPayload",
            "WaId",
            "ProfileName",
            "MediaUrl0",
            "SmsMessageSid",
            "Address",
            "X",
        ]
    ),
    st.text(max_size=60),
    max_size=10,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(FIELDS)
def test_any_signed_form_gets_an_answer_never_a_500(client, form):
    answer = client.post(
        "/twilio/messages", data=form, headers={"X-Twilio-Signature": sign(form, WEBHOOK)}, base_url=PUBLIC_URL
    )
    assert answer.status_code in (200, 400), (form, answer.status_code)
    status = {k: v for k, v in form.items() if k in ("MessageSid", "MessageStatus", "ErrorCode")}
    callback = client.post(
        "/twilio/status",
        data=status,
        headers={"X-Twilio-Signature": sign(status, f"{PUBLIC_URL}/twilio/status")},
        base_url=PUBLIC_URL,
    )
    assert callback.status_code in (204, 400)
