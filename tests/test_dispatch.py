"""Dispatching: the real twilio client against a local fake Messages API, the error policy, the
WhatsApp window, status callbacks, the lease and a scheduler killed mid-batch."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest

from bot.core import clock
from bot.core import places as places_module
from bot.store import db as storage
from bot.web.context import deps_of
from scheduler import lease, outbox, runner
from scheduler.ratelimit import TokenBucket
from scheduler.runner import Runner
from tests.helpers import (
    ACCOUNT,
    PERSON,
    PUBLIC_URL,
    ROOT,
    Phone,
    at,
    in_real_time,
    make_sending_app,
    register,
    rows,
    scheduler_env,
    sign,
    tick,
)

pytestmark = pytest.mark.fake_twilio  # `app` sends through the real twilio client to `fake`


def test_a_due_reminder_reaches_twilio_with_callback_and_validity(app, client, db, fake):
    register(Phone(client))  # Juárez, 9 March 08:30 El Paso; d7 at 2 March 17:00Z
    at(app, "2026-03-02T17:00:05Z")
    counts = tick(app)
    assert counts == {"sent": 1, "retry": 0, "failed": 0, "expired": 0, "cancelled": 0}
    (request,) = fake.requests
    assert request.account == ACCOUNT and request.authorized
    form = request.form
    assert form["To"] == PERSON and form["From"] == "+15005550006"
    assert form["Body"].startswith("Su audiencia es en 7 dias: lunes 9 de marzo, 8:30 a.m., corte de El Paso.")
    assert form["StatusCallback"] == "https://bot.example.org/twilio/status"
    # Useful until the end of that day's civil window, 20:00 in Juárez (03:00Z): about 10 hours,
    # and never more than Twilio's 36,000 s.
    assert int(form["ValidityPeriod"]) == 35995
    d7 = rows(db)["d7"]
    assert d7["status"] == "sent" and d7["sid"].startswith("SM") and d7["sent_as"] == "text"
    assert tick(app)["sent"] == 0  # nothing is sent twice


def test_hearing_day_messages_go_first_and_passed_hearings_never(app, client, db, fake):
    register(Phone(client))
    register(Phone(client, "+5216561230000"), when="el 8 de marzo a las 8:30")
    at(app, "2026-03-09T02:30:00Z")  # 20:30 in Juárez: everything of both is due; the 8 March hearing has passed
    counts = tick(app)
    assert counts["sent"] == 1 and counts["expired"] == 7  # 3 reminders of the first, all 4 of the second
    # At the port at about 04:30: the hearing-day message is the evening before, and says so.
    assert fake.requests[0].form["Body"].startswith("Su audiencia es mañana: lunes 9 de marzo, 8:30 a.m., corte")


def test_rate_limit_is_a_token_bucket():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        clock[0] += seconds

    bucket = TokenBucket(2, burst=2, clock=lambda: clock[0], sleep=sleep)
    for _ in range(6):
        bucket.wait()
    assert slept == [0.5, 0.5, 0.5, 0.5] and clock[0] == 2.0  # 2 at once, then 2 per second
    TokenBucket(0).wait()  # 0: no limit


def test_opted_out_at_twilio_21610_stops_everything(app, client, db, fake):
    register(Phone(client))
    fake.fail_next(PERSON, 21610, 400)
    at(app, "2026-03-02T17:00:05Z")
    assert tick(app)["failed"] == 1
    assert len(fake.requests) == 1  # never retried
    assert db["contacts"].get(1)["opted_out_at"] == "2026-03-02T17:00:05Z"
    assert {s: r["status"] for s, r in rows(db).items()} == {
        "d7": "failed",
        "d3": "cancelled",
        "d1": "cancelled",
        "wakeup": "cancelled",
        "followup": "cancelled",
        "noanswer": "cancelled",
    }
    assert rows(db)["d7"]["error_code"] == "21610"


@pytest.mark.parametrize(("code", "status"), [(20429, 429), (20500, 500), (None, None)])
def test_throttling_server_errors_and_timeouts_retry_with_backoff(app, client, db, fake, code, status):
    register(Phone(client))
    if code:
        fake.fail_next(PERSON, code, status)
    else:
        fake.slow_next(PERSON, 3)  # longer than the client's 2 s timeout
    at(app, "2026-03-02T17:00:05Z")
    assert tick(app)["retry"] == 1
    d7 = rows(db)["d7"]
    retry_at = datetime.fromisoformat(d7["send_at"].replace("Z", "+00:00"))
    assert d7["status"] == "pending" and d7["attempts"] == 1
    assert timedelta(seconds=15) <= retry_at - app.config["NOW"] <= timedelta(seconds=45)  # 30 s, jittered
    app.config["NOW"] = retry_at
    assert tick(app)["sent"] == 1 and rows(db)["d7"]["status"] == "sent"


def test_retries_are_bounded(app, client, db, fake):
    register(Phone(client))
    fake.fail_next(PERSON, 20500, 500, times=10)
    at(app, "2026-03-02T17:00:05Z")
    for _ in range(8):
        tick(app)
        app.config["NOW"] += timedelta(minutes=20)
    d7 = rows(db)["d7"]
    assert d7["status"] == "failed" and d7["attempts"] == 6 and len(fake.requests) == 6


def test_whatsapp_inside_the_window_is_free_text(app, client, db, fake):
    register(Phone(client, channel="whatsapp"))
    at(app, "2026-02-03T10:00:00Z")  # move the d7 slot up so it is due within 24 h of the last message
    db.execute("UPDATE outbox SET send_at = '2026-02-03T10:00:00Z' WHERE slot = 'd7'")
    tick(app)
    form = fake.requests[0].form
    assert form["To"] == f"whatsapp:{PERSON}" and form["From"] == "whatsapp:+14155238886" and "Body" in form


def app_with_template(tmp_path, fake, content_sid: str):
    """An app whose Spanish reminder has an approved WhatsApp template, and a WhatsApp person."""
    templates = tmp_path / "templates.json"
    raw = json.loads((ROOT / "data" / "whatsapp_templates.json").read_text())
    raw["templates"]["es"]["reminder"]["content_sid"] = content_sid
    templates.write_text(json.dumps(raw))
    app = make_sending_app(tmp_path, fake, WHATSAPP_TEMPLATES_FILE=str(templates))
    register(Phone(app.test_client(), channel="whatsapp"))
    return app


def test_whatsapp_outside_the_window_uses_the_template_or_else_sms(tmp_path, fake):
    app = app_with_template(tmp_path, fake, "HX" + "a" * 32)
    at(app, "2026-03-02T17:00:05Z")  # a month after the last message
    tick(app)
    form = fake.requests[0].form
    assert form["To"] == f"whatsapp:{PERSON}" and form["ContentSid"] == "HX" + "a" * 32 and "Body" not in form
    assert json.loads(form["ContentVariables"]) == {
        "1": "en 7 días",
        "2": "lunes 9 de marzo",
        "3": "8:30 a.m.",
        "4": "El Paso",
        "5": "Hora para presentarse en Puente Paso del Norte: aprox. 4:30 a.m. (hora de Ciudad Juárez)",
    }
    # No template for the evening-before message: it goes by SMS to the same number.
    at(app, "2026-03-09T02:00:01Z")
    tick(app)
    wake = fake.requests[-1].form
    assert (
        wake["To"] == PERSON
        and wake["From"] == "+15005550006"
        and wake["Body"].startswith("Su audiencia es mañana: lunes")
    )
    db = storage.connect(app.config["DATABASE"])
    assert {r["slot"]: r["sent_as"] for r in db["outbox"].rows if r["status"] == "sent"} == {
        "d7": "template",
        "wakeup": "sms",
    }


def test_63016_resends_as_the_template(tmp_path, fake):
    app = app_with_template(tmp_path, fake, "HX" + "b" * 32)
    db = storage.connect(app.config["DATABASE"])
    db.execute("UPDATE contacts SET last_whatsapp_at = '2026-03-02T10:00:00Z'")  # the window looks open
    fake.fail_next(f"whatsapp:{PERSON}", 63016, 400)
    at(app, "2026-03-02T17:00:05Z")
    tick(app)
    first, second = fake.requests[0].form, fake.requests[1].form
    assert "Body" in first and second["ContentSid"] == "HX" + "b" * 32
    assert rows(db)["d7"]["sent_as"] == "template" and rows(db)["d7"]["status"] == "sent"


# --- status callbacks ------------------------------------------------------------------------------


def callback(client, sid, status, error=None, signed=True):
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT}
    if error:
        form["ErrorCode"] = str(error)
    url = f"{PUBLIC_URL}/twilio/status"
    headers = {"X-Twilio-Signature": sign(form, url) if signed else "forged"}
    return client.post("/twilio/status", data=form, headers=headers, base_url=PUBLIC_URL)


def sent_d7(app, client, db):
    register(Phone(client))
    at(app, "2026-03-02T17:00:05Z")
    tick(app)
    return rows(db)["d7"]["sid"]


def test_status_callbacks_only_move_forward(app, client, db):
    sid = sent_d7(app, client, db)
    assert callback(client, sid, "delivered", signed=False).status_code == 403
    assert callback(client, sid, "sent").status_code == 204
    assert callback(client, sid, "delivered").status_code == 204
    assert callback(client, sid, "sent").status_code == 204  # late and out of order: ignored
    assert callback(client, sid, "delivered").status_code == 204  # a repeat: harmless
    assert rows(db)["d7"]["status"] == "delivered"
    assert callback(client, sid, "read").status_code == 204
    assert rows(db)["d7"]["status"] == "read"
    assert callback(client, "SMunknown", "delivered").status_code == 204


def test_30003_is_tried_again_later_a_bounded_number_of_times(app, client, db, fake):
    sid = sent_d7(app, client, db)
    callback(client, sid, "undelivered", 30003)
    d7 = rows(db)["d7"]
    assert (d7["status"], d7["send_at"], d7["error_code"]) == ("pending", "2026-03-02T17:30:05Z", "30003")
    for _ in range(2):
        at(app, rows(db)["d7"]["send_at"])
        tick(app)
        callback(client, rows(db)["d7"]["sid"], "undelivered", 30003)
    assert rows(db)["d7"]["status"] == "undelivered" and len(fake.requests) == 3


@pytest.mark.parametrize("code", [30005, 30006, 63014])
def test_dead_numbers_and_blocks_stop_everything(app, client, db, code):
    sid = sent_d7(app, client, db)
    callback(client, sid, "undelivered" if code != 63014 else "failed", code)
    contact = db["contacts"].get(1)
    assert contact["unreachable_code"] == str(code) and contact["unreachable_at"]
    assert {s: r["status"] for s, r in rows(db).items() if s != "d7"} == {
        "d3": "cancelled",
        "d1": "cancelled",
        "wakeup": "cancelled",
        "followup": "cancelled",
        "noanswer": "cancelled",
    }


def test_21610_in_a_callback_opts_the_person_out(app, client, db):
    sid = sent_d7(app, client, db)
    callback(client, sid, "failed", 21610)
    assert db["contacts"].get(1)["opted_out_at"]
    assert rows(db)["wakeup"]["status"] == "cancelled"


# --- CLI -------------------------------------------------------------------------------------------


def test_queue_send_now_retry_and_cancel(app, client, db, fake):
    register(Phone(client))
    cli = app.test_cli_runner()
    d3 = rows(db)["d3"]["id"]
    assert cli.invoke(args=["queue", "send-now", str(d3)]).exit_code == 0
    assert rows(db)["d3"]["send_at"] == "2026-02-02T15:00:00Z"
    assert json.loads(cli.invoke(args=["dispatch", "--once"]).output)["sent"] == 1
    assert rows(db)["d3"]["status"] == "sent"
    result = cli.invoke(args=["queue", "cancel", str(d3)])
    assert result.exit_code != 0 and "is sent, not pending" in result.output
    d1 = rows(db)["d1"]["id"]
    assert cli.invoke(args=["queue", "cancel", str(d1)]).exit_code == 0
    assert rows(db)["d1"]["status"] == "cancelled"
    assert cli.invoke(args=["queue", "retry", str(d1)]).exit_code == 0
    assert rows(db)["d1"]["status"] == "pending" and rows(db)["d1"]["send_at"] == "2026-02-02T15:00:00Z"
    assert "no message 999" in cli.invoke(args=["queue", "retry", "999"]).output
    listed = json.loads(cli.invoke(args=["queue", "list", "--json", "--status", "sent"]).output)
    assert [item["sid"] for item in listed] == [rows(db)["d3"]["sid"]]


# --- one scheduler at a time, and crashes ------------------------------------------------------------


def test_a_second_scheduler_stays_idle_while_the_first_holds_the_lease(app, client, db, fake):
    register(Phone(client))
    at(app, "2026-03-09T02:30:00Z")  # the evening before: the hearing-day message is due
    first, second = Runner(deps_of(app)), Runner(deps_of(app))
    assert first.tick()["sent"] == 1
    assert second.tick() == {"idle": True, "lease_holder": first.holder}
    first.release()
    assert "idle" not in second.tick()


def test_two_running_schedulers_send_each_reminder_once(tmp_path, fake):
    app = make_sending_app(tmp_path, fake, DISPATCH_INTERVAL_SECONDS=0.05)
    client = app.test_client()
    when = in_real_time(app)
    for n in range(20):
        register(Phone(client, f"+52165600{n:05d}"), when=when)
    db = storage.connect(app.config["DATABASE"])
    db.execute("UPDATE outbox SET send_at = ?, expires_at = NULL", [clock.iso(clock.utcnow())])
    schedulers = [runner.build(deps_of(app)) for _ in range(2)]
    for s in schedulers:
        s.start()
    deadline = time.monotonic() + 20
    while db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    for s in schedulers:
        s.shutdown(wait=True)
    assert db["outbox"].count == 120 and {r["status"] for r in db["outbox"].rows} == {"sent"}
    sent_to = [r.form["To"] for r in fake.requests]
    assert len(sent_to) == 120 and {sent_to.count(to) for to in sent_to} == {6}  # each message exactly once


def test_rows_left_sending_by_a_dead_scheduler_are_sent_after_takeover(app, client, db, fake):
    register(Phone(client))
    at(app, "2026-03-09T02:30:00Z")  # the evening before: the hearing-day message is due
    outbox.claim_due(db, app.config["NOW"], limit=10)  # a scheduler claimed the batch, then died
    lease.acquire(db, "dead:1:x", app.config["NOW"], timedelta(seconds=60))
    assert Runner(deps_of(app)).tick()["idle"]  # its lease still runs
    app.config["NOW"] += timedelta(seconds=61)
    assert Runner(deps_of(app)).tick()["sent"] == 1  # the hearing-day message, recovered; the rest expired


def test_kill_9_in_the_middle_of_a_batch_then_restart_sends_everything(tmp_path, fake):
    """A real scheduler process is killed while Twilio holds its request; a restart sends every due
    reminder. The one in flight reached Twilio once before the kill and once after: a duplicate,
    never a loss (docs/reminders.md: delivery guarantees)."""
    app = make_sending_app(tmp_path, fake)
    client = app.test_client()
    when = in_real_time(app)
    for n in range(5):
        register(Phone(client, f"+52165610{n:05d}"), when=when)
    db = storage.connect(app.config["DATABASE"])
    db.execute("UPDATE outbox SET send_at = '2000-01-01T00:00:00Z', expires_at = NULL WHERE slot = 'd7'")
    env = scheduler_env(app, fake, HEARINGBOT_LEASE_SECONDS="1")
    command = [sys.executable, "-m", "flask", "--app", "app", "scheduler"]
    fake.hold = threading.Event()
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fake.arrived.wait(30), "the scheduler never called Twilio"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    in_flight = fake.requests[0].form["To"]
    assert db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] >= 1
    fake.hold.set()
    fake.hold = None
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and db.execute("SELECT count(*) FROM outbox WHERE slot = 'd7' AND status != 'sent'").fetchone()[0]
        ):
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(10)
    assert {r["status"] for r in db["outbox"].rows if r["slot"] == "d7"} == {"sent"}
    sent_to = [r.form["To"] for r in fake.requests]
    assert set(sent_to) == {f"+52165610{n:05d}" for n in range(5)}
    assert sent_to.count(in_flight) == 2 and len(sent_to) == 6


def test_a_broadcast_to_whatsapp_outside_the_window_uses_the_alert_template(tmp_path, fake):
    from bot.store import broadcasts

    templates = tmp_path / "templates.json"
    raw = json.loads((ROOT / "data" / "whatsapp_templates.json").read_text())
    raw["templates"]["es"]["broadcast"]["content_sid"] = "HX" + "c" * 32
    templates.write_text(json.dumps(raw))
    app = make_sending_app(tmp_path, fake, WHATSAPP_TEMPLATES_FILE=str(templates))
    register(Phone(app.test_client(), channel="whatsapp"))
    register(Phone(app.test_client(), "+5216561230001"))  # an SMS person
    db = storage.connect(app.config["DATABASE"])
    at(app, "2026-02-05T12:00:00Z")  # three days after their last message
    now = app.config["NOW"]
    broadcast_id = broadcasts.create(db, "ana", "cli", broadcasts.Target(), {"es": "Retén en la carretera."}, "es", now)
    broadcasts.send(db, broadcast_id, "ana", now, places_module.load())
    tick(app)
    by_to = {r.form["To"]: r.form for r in fake.requests}
    whatsapp = by_to[f"whatsapp:{PERSON}"]
    assert whatsapp["ContentSid"] == "HX" + "c" * 32 and json.loads(whatsapp["ContentVariables"]) == {
        "1": "Retén en la carretera."
    }
    assert by_to["+5216561230001"]["Body"] == "Retén en la carretera."
