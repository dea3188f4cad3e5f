"""Knowing it is alive and what it does: GET /healthz, GET /metrics (Bearer token, else 404) and the
JSON log format; none of them shows a phone or anything a person wrote."""

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import ConfigError
from bot.core import logs
from bot.core.clock import iso
from bot.web.context import deps_of
from scheduler.runner import Runner
from tests import helpers
from tests.helpers import NOW, PERSON, PUBLIC_URL, ROOT, TOKEN, Phone, at, make_app, make_sending_app, scheduler_env

METRICS_TOKEN = "metrics-" + secrets.token_urlsafe(24)
BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}
DIGITS = PERSON.lstrip("+")


def add_row(app, **overrides) -> int:
    """One outbox row to PERSON, due 10 minutes before NOW unless told otherwise."""
    return helpers.add_row(app, **{"send_at": iso(NOW - timedelta(minutes=10)), **overrides})


# --- /healthz ---------------------------------------------------------------------------------------------


def test_healthz_says_the_database_is_ok_and_nobody_holds_the_lease_yet(client):
    Phone(client).text("hola")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    health = response.get_json()
    assert health["database"] == "ok"
    assert health["scheduler"] == {
        "held": False,
        "holder": None,
        "renewed_seconds_ago": None,
        "expires_in_seconds": None,
        "status": "none",
    }
    assert health["outbox"] == {"due": 0, "oldest_due_age_seconds": None, "sending": 0}
    assert DIGITS[-8:] not in response.get_data(as_text=True)


def test_healthz_shows_the_lease_age_after_a_tick_and_its_expiry(app, client):
    run = Runner(deps_of(app))
    try:
        run.tick()  # takes the lease at NOW for 60 s
        at(app, iso(NOW + timedelta(seconds=25)))
        scheduler = client.get("/healthz").get_json()["scheduler"]
        assert scheduler["status"] == "ok" and scheduler["holder"] == run.holder
        assert scheduler["renewed_seconds_ago"] == 25.0 and scheduler["expires_in_seconds"] == 35.0
        at(app, iso(NOW + timedelta(seconds=90)))  # the scheduler died: its lease ran out 30 s ago
        response = client.get("/healthz")
        assert response.status_code == 200  # reported, not an error: restarting the web would not help
        assert response.get_json()["scheduler"]["status"] == "expired"
        assert response.get_json()["scheduler"]["expires_in_seconds"] == -30.0
    finally:
        run.release()


def test_healthz_counts_the_due_backlog_and_its_oldest_age(app, client):
    add_row(app)
    add_row(app, send_at=iso(NOW - timedelta(minutes=2)))
    add_row(app, send_at=iso(NOW + timedelta(days=1)))  # not due yet
    response = client.get("/healthz")
    assert response.get_json()["outbox"] == {"due": 2, "oldest_due_age_seconds": 600.0, "sending": 0}
    assert "mañana" not in response.get_data(as_text=True) and DIGITS[-8:] not in response.get_data(as_text=True)


def test_healthz_is_503_when_the_database_cannot_be_read(app, client, tmp_path):
    path = app.config["DATABASE"]
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"this is not a database " * 200)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    os.replace(garbage, path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "unreadable", "error": "DatabaseError"}


# --- /metrics ---------------------------------------------------------------------------------------------


def scrape(client) -> dict:
    """The samples of one scrape: {(name, (label, value), ...): value}."""
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert DIGITS[-8:] not in text and "hola" not in text and "mañana" not in text
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_is_404_while_no_token_is_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert client.get("/metrics", headers=BEARER).status_code == 404


def test_metrics_is_404_without_the_right_bearer_token(tmp_path):
    client = make_app(tmp_path, METRICS_TOKEN=METRICS_TOKEN).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": METRICS_TOKEN}).status_code == 404
    assert client.get("/metrics", headers=BEARER).status_code == 200


def test_a_short_metrics_token_or_an_unknown_log_format_stops_the_start(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="HEARINGBOT_METRICS_TOKEN"):
        make_app(tmp_path, METRICS_TOKEN="short")
    monkeypatch.setenv("HEARINGBOT_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="HEARINGBOT_LOG_FORMAT='xml' is neither 'text'"):
        make_app(tmp_path)


def test_metrics_move_with_a_webhook_and_a_dispatch(tmp_path, fake):
    app = make_sending_app(tmp_path, fake, METRICS_TOKEN=METRICS_TOKEN)
    client = app.test_client()
    before = scrape(client)
    for name in (
        "hearingbot_inbound_messages_total",
        "hearingbot_webhook_seconds_count",
        "hearingbot_dispatch_tick_seconds_count",
        "hearingbot_outbox_due",
        "hearingbot_outbox_oldest_due_age_seconds",
        "hearingbot_scheduler_lease_held",
    ):
        assert any(key[0] == name for key in before), name
    assert before[("hearingbot_inbound_messages_total", ("channel", "sms"))] == 0

    Phone(client).text("hola")
    Phone(client, "+5216640000002", channel="whatsapp").text("hello")
    add_row(app)
    add_row(app, status="undelivered", error_code="30005", sid="SM" + "1" * 32)
    add_row(app, status="failed", error_code="render_error")  # not a Twilio code: no free text in a label
    middle = scrape(client)
    assert middle[("hearingbot_inbound_messages_total", ("channel", "sms"))] == 1
    assert middle[("hearingbot_inbound_messages_total", ("channel", "whatsapp"))] == 1
    messages = ("hearingbot_webhook_seconds_count", ("route", "messages"))
    assert middle[messages] == before[messages] + 2
    assert middle[("hearingbot_outbox_due",)] == 1 and middle[("hearingbot_outbox_oldest_due_age_seconds",)] == 600
    assert middle[("hearingbot_outbox_twilio_errors", ("code", "30005"))] == 1
    assert middle[("hearingbot_outbox_twilio_errors", ("code", "other"))] == 1

    run = Runner(deps_of(app))
    try:
        assert run.tick()["sent"] == 1
        after = scrape(client)
    finally:
        run.release()
    tick = ("hearingbot_dispatch_tick_seconds_count",)
    assert after[tick] == before[tick] + 1
    assert after[("hearingbot_outbox_messages", ("kind", "reminder"), ("status", "sent"))] == 1
    assert after[("hearingbot_outbox_due",)] == 0 and after[("hearingbot_scheduler_lease_held",)] == 1


def test_the_scheduler_process_ticks_show_in_the_web_process_metrics(tmp_path, fake):
    """Two processes, one folder: the tick histogram the `flask scheduler` process writes is what the
    web's /metrics reads (prometheus_client's multiprocess files beside the database)."""
    app = make_sending_app(tmp_path, fake, METRICS_TOKEN=METRICS_TOKEN)
    client = app.test_client()
    app.config["NOW"] = None  # the scheduler process runs on the real clock
    env = scheduler_env(app, fake, HEARINGBOT_METRICS_TOKEN=METRICS_TOKEN)
    command = [sys.executable, "-m", "flask", "--app", "app", "scheduler"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        ticks = 0.0
        while time.monotonic() < deadline and ticks < 2:
            time.sleep(0.3)
            ticks = scrape(client).get(("hearingbot_dispatch_tick_seconds_count",), 0.0)
        assert ticks >= 2
        assert scrape(client)[("hearingbot_scheduler_lease_held",)] == 1
        assert client.get("/healthz").get_json()["scheduler"]["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)  # a graceful end: the lease is given back
        try:
            _, errors = process.communicate(timeout=30)
        finally:
            process.kill()  # (nothing left to kill once it has ended)
    assert process.returncode == 0, errors


# --- logs -------------------------------------------------------------------------------------------------

SECRET_WORDS = "mi esposo tiene miedo de la calle"


def test_json_logs_of_a_signed_webhook_hold_no_phone_and_no_body(client):
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        phone = Phone(client)
        phone.text("hola")
        phone.text(SECRET_WORDS)
        phone.text(f"llámeme al {PERSON}")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries and all(set(e) >= {"time", "level", "logger", "message"} for e in entries)
    assert any(e["logger"] == "bot.web.receive" and "…4567" in e["message"] for e in entries)
    text = stream.getvalue()
    assert DIGITS not in text and DIGITS[-8:] not in text
    assert "miedo" not in text and "llámeme" not in text


def test_a_phone_that_slipped_into_a_log_message_is_masked_in_either_format():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "to %s and whatsapp:%s", (PERSON, PERSON), None)
    for name in ("text", "json"):
        line = logs.formatter(name).format(record)
        assert DIGITS not in line and line.count("…4567") == 2, line
    assert json.loads(logs.formatter("json").format(record))["message"] == "to …4567 and whatsapp:…4567"


def test_the_json_format_is_what_a_served_process_writes(tmp_path):
    """`chat` in its own process, signed with the token, HEARINGBOT_LOG_FORMAT=json: every line on
    stderr is one JSON object, with the phone masked and no word the person wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HEARINGBOT_", "PROMETHEUS_"))}
    env |= {
        "HEARINGBOT_DATABASE": str(tmp_path / "json.db"),
        "HEARINGBOT_SECRET_KEY": "json-logs-" + secrets.token_urlsafe(32),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "HEARINGBOT_PUBLIC_URL": PUBLIC_URL,
        "HEARINGBOT_LOG_FORMAT": "json",
        "HEARINGBOT_LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "chat", "--phone", PERSON]
    result = subprocess.run(
        command, cwd=ROOT, env=env, input=f"hola\n{SECRET_WORDS}\n", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert any(e["logger"] == "bot.web.receive" and "…4567" in e["message"] for e in entries), entries
    assert DIGITS not in result.stderr and "miedo" not in result.stderr
