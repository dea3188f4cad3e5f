"""Delivery you can trust: one person per phone, nothing after STOP, BORRAR or CAMBIAR, never twice.

Signed webhooks, the real twilio client against the fake Messages API, and real `flask scheduler`
processes where the promise is about processes (a graceful stop with a standby, a held request)."""

import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core import clock
from bot.core import places as places_module
from bot.core.phones import PhoneVault
from bot.store import broadcasts
from bot.store import db as storage
from bot.store.migrations import migrations
from bot.web.context import deps_of
from scheduler import lease, outbox
from scheduler.runner import Runner
from tests.helpers import (
    PERSON,
    PUBLIC_URL,
    ROOT,
    Phone,
    add_members,
    at,
    in_real_time,
    login,
    make_sending_app,
    register,
    rows,
    scheduler_env,
    tick,
)

pytestmark = pytest.mark.fake_twilio  # `app` sends through the real twilio client to `fake`

STOPPED = "Ya no le enviaremos mensajes. Para volver, responda START."


# --- a person is a phone number --------------------------------------------------------------------


def test_one_person_whatever_channel_it_writes_from(app, client, db):
    register(Phone(client, PERSON, channel="whatsapp"))
    sms = Phone(client, PERSON)
    assert sms.text("AUDIENCIA").startswith("Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso")
    (contact,) = db["contacts"].rows
    assert contact["channels"] == "sms,whatsapp" and contact["channel"] == "sms"  # preferred: the last one used
    assert contact["last_whatsapp_at"] and contact["last_sms_at"]
    assert db["hearings"].count == 1


def test_stop_start_and_delete_by_sms_reach_the_whatsapp_registration(app, client, db, fake):
    register(Phone(client, PERSON, channel="whatsapp"))
    at(app, "2026-03-02T17:00:05Z")  # d7; the WhatsApp window closed days ago and no template: by SMS
    assert tick(app)["sent"] == 1 and [r.form["To"] for r in fake.requests] == [PERSON]
    sms = Phone(client, PERSON)
    assert sms.text("BAJA") == STOPPED
    at(app, "2026-03-06T17:00:05Z")  # d3
    assert tick(app)["sent"] == 0 and len(fake.requests) == 1
    assert rows(db)["d3"]["status"] == "cancelled" and rows(db)["d3"]["reason"] == "opted_out"
    assert sms.text("ALTA").startswith("Hola de nuevo.")
    assert sms.erase().startswith("Borramos todos sus datos")
    for table in ("contacts", "hearings", "outbox"):
        assert db[table].count == 0, table
    at(app, "2026-03-08T17:00:05Z")  # d1: nobody left to remind
    assert tick(app)["sent"] == 0 and len(fake.requests) == 1


def test_reminders_follow_the_channel_the_person_last_wrote_from(app, client, db, fake):
    register(Phone(client, PERSON))  # by SMS
    at(app, "2026-03-02T10:00:00Z")
    assert Phone(client, PERSON, channel="whatsapp").text("AUDIENCIA").startswith("Su audiencia")
    at(app, "2026-03-02T17:00:05Z")  # within the WhatsApp window it opened: free text on WhatsApp
    tick(app)
    assert [r.form["To"] for r in fake.requests] == [f"whatsapp:{PERSON}"]
    assert rows(db)["d7"]["sent_as"] == "text"


def test_the_migration_merges_the_contacts_of_one_phone(tmp_path):
    """Before m008 a phone had a contact per channel: merged, keeping the newest hearing, the earliest
    consent, and opted out if either was; the older hearing's unsent reminders are cancelled."""
    db = storage.connect(tmp_path / "old.db")
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db, stop_before="m008_one_person_per_phone")
    vault = PhoneVault("old-key")
    phone_hash, phone_enc = vault.lookup_hash(PERSON), vault.encrypt(PERSON)
    other_hash = vault.lookup_hash("+5216640000001")

    def contact(channel, phone, **values):
        row = {
            "channel": channel,
            "phone_hash": phone,
            "phone_enc": phone_enc,
            "state": "registered",
            "lang": "es",
            "city": "ciudad_juarez",
            "court": "el_paso",
            "created_at": "2026-01-01T00:00:00Z",
            **values,
        }
        return db["contacts"].insert(row).last_pk

    def hearing(contact_id, at, created):
        return (
            db["hearings"]
            .insert(
                {
                    "contact_id": contact_id,
                    "hearing_at": at,
                    "court_zone": "America/Denver",
                    "court": "el_paso",
                    "city": "ciudad_juarez",
                    "status": "active",
                    "created_at": created,
                }
            )
            .last_pk
        )

    sms = contact(
        "sms",
        phone_hash,
        consent_at="2026-01-05T00:00:00Z",
        consent_method="sms: chose",
        last_inbound_at="2026-01-20T00:00:00Z",
        opted_out_at="2026-01-21T00:00:00Z",
    )
    wa = contact(
        "whatsapp",
        phone_hash,
        consent_at="2026-01-10T00:00:00Z",
        consent_method="whatsapp: chose",
        last_inbound_at="2026-01-25T00:00:00Z",
        state="ask_port_time",
    )
    alone = contact("sms", other_hash, last_inbound_at="2026-01-02T00:00:00Z")
    old, new = (
        hearing(sms, "2026-03-09T15:30:00Z", "2026-01-05T00:00:00Z"),
        hearing(wa, "2026-04-09T15:30:00Z", "2026-01-11T00:00:00Z"),
    )
    for hearing_id, contact_id, slot in ((old, sms, "d7"), (new, wa, "d7"), (new, wa, "d3")):
        db["outbox"].insert(
            {
                "contact_id": contact_id,
                "hearing_id": hearing_id,
                "channel": "sms",
                "kind": "reminder",
                "slot": slot,
                "lang": "es",
                "send_at": "2026-03-02T17:00:00Z",
                "status": "pending",
                "hearing_at": "2026-03-09T15:30:00Z" if hearing_id == old else "2026-04-09T15:30:00Z",
            }
        )
    db["inbound"].insert({"sid": "SM1", "contact_id": sms, "replies": "[]", "received_at": "2026-01-20T00:00:00Z"})
    storage.migrate(db)
    merged = {c["phone_hash"]: c for c in db["contacts"].rows}
    assert len(merged) == 2 and merged[other_hash]["channels"] == "sms"
    person = merged[phone_hash]
    assert person["id"] == wa  # the newest hearing's contact is kept
    assert person["channels"] == "sms,whatsapp" and person["channel"] == "whatsapp"
    assert (person["consent_at"], person["consent_method"]) == ("2026-01-05T00:00:00Z", "sms: chose")
    assert person["opted_out_at"] == "2026-01-21T00:00:00Z"  # opted out on one channel: opted out
    assert person["last_sms_at"] == "2026-01-20T00:00:00Z" and person["last_whatsapp_at"] == "2026-01-25T00:00:00Z"
    assert {h["id"]: (h["contact_id"], h["status"]) for h in db["hearings"].rows} == {
        old: (wa, "replaced"),
        new: (wa, "active"),
    }
    assert {r["status"] for r in db["outbox"].rows} == {"cancelled"}  # old date, and opted out
    assert next(db["inbound"].rows)["contact_id"] == wa
    assert alone in merged[other_hash].values()
    with pytest.raises(Exception, match="UNIQUE"):  # one contact per phone from now on
        db["contacts"].insert(
            {
                "channel": "sms",
                "phone_hash": phone_hash,
                "phone_enc": "x",
                "state": "new",
                "created_at": "2026-01-01T00:00:00Z",
            }
        )


# --- re-checked at the moment of sending -------------------------------------------------------------


def start_scheduler(env) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "app", "scheduler"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen, how=signal.SIGTERM) -> str:
    """Stop a scheduler as a service manager would; what it logged."""
    if process.poll() is None:
        process.send_signal(how)
    try:
        _, errors = process.communicate(timeout=20)
    finally:
        process.kill()
    return errors


def wait_for(condition, seconds=30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def make_due(db, slot="d7"):
    db.execute("UPDATE outbox SET send_at = '2000-01-01T00:00:00Z', expires_at = NULL WHERE slot = ?", [slot])


def test_stop_delete_change_and_cancel_reach_rows_a_running_scheduler_already_claimed(tmp_path, fake):
    """A real scheduler claims a batch; Twilio holds its first request. Meanwhile Y deletes everything,
    Z says STOP, W changes the date, and the alert to everyone is cancelled. Once Twilio answers,
    only the request already on the wire (X's) and V's reminder are sent."""
    app = make_sending_app(tmp_path, fake)
    client = app.test_client()
    when = in_real_time(app)
    numbers = {name: f"+52165620000{n}" for n, name in enumerate("XYZWV")}
    phones = {name: Phone(client, number) for name, number in numbers.items()}
    for phone in phones.values():
        register(phone, when=when)
    db = storage.connect(app.config["DATABASE"])
    now = clock.utcnow()
    alert = broadcasts.create(db, "ana", "cli", broadcasts.Target(), {"es": "Retén en la carretera."}, "es", now)
    broadcasts.send(db, alert, "ana", now, places_module.load())
    make_due(db)
    fake.hold = threading.Event()
    scheduler = start_scheduler(scheduler_env(app, fake))
    try:
        assert fake.arrived.wait(30), "the scheduler never called Twilio"
        assert fake.requests[0].form["To"] == numbers["X"]
        assert db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0] == 10  # all claimed
        y, z, w = phones["Y"], phones["Z"], phones["W"]
        assert y.erase().startswith("Borramos todos sus datos")
        assert z.text("STOP") == STOPPED
        w.text("CAMBIAR")
        w.text(in_real_time(app).replace("a las 8:30", "a las 10:00"))
        assert w.text("si").startswith("Cambiado.")
        assert "3 queued messages stopped" in app.test_cli_runner().invoke(args=["broadcast", "cancel", "1"]).output
        fake.hold.set()
        assert wait_for(
            lambda: (
                not db.execute(
                    "SELECT count(*) FROM outbox WHERE status = 'sending' OR "
                    "(status = 'pending' AND send_at < '2001-01-01')"
                ).fetchone()[0]
            )
        )
    finally:
        fake.hold.set()
        errors = stop(scheduler)
    assert [r.form["To"] for r in fake.requests] == [numbers["X"], numbers["V"]], errors
    reasons = {(r["slot"], r["reason"]) for r in db["outbox"].rows if r["status"] == "cancelled"}
    assert ("d7", "opted_out") in reasons and ("d7", "hearing_changed") in reasons
    assert ("broadcast", "broadcast_cancelled") in reasons
    assert not db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0]


def test_a_graceful_stop_with_a_standby_running_messages_nobody_twice(tmp_path, fake):
    """SIGTERM to the scheduler holding the lease mid-batch, a standby already running: the request in
    flight finishes and is recorded, the rest goes back to pending, the standby sends it. Each of
    20 people gets their reminder exactly once."""
    app = make_sending_app(tmp_path, fake)
    client = app.test_client()
    when = in_real_time(app)
    numbers = [f"+5216563{n:06d}" for n in range(20)]
    for number in numbers:
        register(Phone(client, number), when=when)
    db = storage.connect(app.config["DATABASE"])
    make_due(db)
    fake.delay = 0.2  # a request is on the wire most of the time
    env = scheduler_env(app, fake, HEARINGBOT_SEND_RATE="2")
    first = start_scheduler(env)
    standby = None
    try:
        assert wait_for(lambda: len(fake.requests) >= 1)
        standby = start_scheduler(env)
        assert wait_for(lambda: len(fake.requests) >= 4)
        errors = stop(first)  # SIGTERM, mid-batch
        assert first.returncode == 0, errors
        # Nothing half-sent is left behind under the stopped one's name: any row 'sending' now is the
        # standby's own claim, made after the lease was given back.
        claimers = {r[0] for r in db.execute("SELECT DISTINCT claimed_by FROM outbox WHERE status = 'sending'")}
        assert claimers <= {lease.holder_of(db)}, claimers
        assert wait_for(
            lambda: db.execute("SELECT count(*) FROM outbox WHERE slot = 'd7' AND status != 'sent'").fetchone()[0] == 0
        )
    finally:
        stop(first)
        if standby:
            stop(standby)
    sent_to = [r.form["To"] for r in fake.requests]
    assert sorted(sent_to) == sorted(numbers)  # each once: 20 requests for 20 people
    assert len({r["sid"] for r in db["outbox"].rows if r["slot"] == "d7"}) == 20


def test_a_poison_row_fails_alone_and_the_batch_goes_on(app, client, db, fake, caplog):
    """An operator renamed a court in places.json: that person's reminder cannot be written. It is
    failed with a reason (no phone, no text in the log), shown in the console; the others go."""
    for n, city in enumerate(("5", "1", "7", "8")):  # Piedras Negras (Laredo court), Tijuana, Reynosa, Matamoros
        register(Phone(client, f"+52166400000{n}"), city=city)
    make_due(db)
    places = app.extensions["hearingbot.places"]
    app.extensions["hearingbot.places"] = replace(places, courts=tuple(c for c in places.courts if c.key != "laredo"))
    with caplog.at_level(logging.INFO):
        counts = tick(app)
    assert counts["sent"] == 3 and counts["failed"] == 1
    (poison,) = [r for r in db["outbox"].rows if r["status"] == "failed"]
    assert poison["reason"] == "render_error" and poison["claimed_by"] is None
    assert not db.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"outbox {poison['id']}: render_error" in logged and "+52166" not in logged and "Su audiencia" not in logged
    add_members(app)  # an operator reads the message log
    login(client, "op")
    page = client.get("/admin/messages", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Could not be written (check places.json): this one failed, the others went." in page
    assert "render_error" not in page  # our reason in words, not its code


def test_rows_left_sending_go_back_on_every_tick_not_only_at_takeover(app, client, db, fake):
    register(Phone(client, PERSON))
    at(app, "2026-03-02T17:00:05Z")
    run = Runner(deps_of(app))
    assert run.tick()["sent"] == 1  # d7; the runner holds the lease from now on
    make_due(db, "d3")
    make_due(db, "d1")
    now = app.config["NOW"]
    (d3,) = outbox.claim_due(db, now, 1, run.holder)  # claimed by this very holder, then a crash mid-run
    db.execute("UPDATE outbox SET handed_at = ? WHERE id = ?", [clock.iso(now), d3["id"]])  # maybe at Twilio
    (d1,) = outbox.claim_due(db, now, 1, run.holder)  # claimed, never handed over
    assert run.tick()["sent"] == 1  # the d1 at once; the d3 may be at Twilio: it waits one lease
    assert rows(db)["d3"]["status"] == "sending"
    app.config["NOW"] = now + timedelta(seconds=app.config["LEASE_SECONDS"] + 1)
    assert run.tick()["sent"] == 1 and rows(db)["d3"]["status"] == "sent"
    run.release()


def test_a_dispatcher_that_lost_its_lease_sends_nothing_more(app, client, db, fake):
    for n in range(3):
        register(Phone(client, f"+52166400010{n}"))
    make_due(db)
    now = app.config["NOW"]
    claimed = outbox.claim_due(db, now, 10, "old-holder")
    lease.acquire(db, "new-holder", now, timedelta(seconds=60))  # the old one's lease ran out; taken
    checked = outbox.hand_over(db, claimed[0]["id"], "old-holder", now, timedelta(seconds=60))
    assert checked.outcome == "lost" and not fake.requests
