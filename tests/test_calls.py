"""Reminder calls, end to end: CALL / VOZ through the signed webhook, the call rows and their UTC times,
the calls the real twilio client places against the fake Calls API (checked against Twilio's OpenAPI
spec), their status callbacks, STOP, the call back after a person calls the bot's number (never to
the caller's number: to the registered one), the keys pressed during a call, and the console's switch."""

import xml.etree.ElementTree as ET

import pytest

from bot.core import phones
from bot.core.i18n import translator
from bot.store import calls
from tests.helpers import (
    PERSON,
    PUBLIC_URL,
    Phone,
    add_members,
    at,
    login,
    make_app,
    make_sending_app,
    post,
    register,
    sign,
    tick,
    token,
)

CALLER_ID = "+15005550009"
# Ciudad Juárez (America/Ciudad_Juarez, MDT from 8 March 2026), hearing 9 March 08:30 at El Paso (14:30Z),
# at the port at about 04:30 (the court's 4 hours: 10:30Z).
DAY_BEFORE = "2026-03-08T16:00:00Z"  # 10:00 the day before, in the civil window
WAKE_UP = "2026-03-09T09:00:00Z"  # 03:00: 90 minutes before the port, at night: they asked for it
OTHER = "+5216567654321"


@pytest.fixture
def app(tmp_path, fake):
    """The sending app (against conftest's fake Twilio) with a caller ID: conftest's db, phone and
    members use this one."""
    return make_sending_app(tmp_path, fake, TWILIO_VOICE_FROM=CALLER_ID)


def calls_of(db) -> dict:
    return {r["slot"]: r for r in db.query("SELECT * FROM outbox WHERE kind = 'call' ORDER BY id")}


def with_calls(phone: Phone) -> str:
    register(phone)
    asked = phone.text("VOZ")
    assert "1" in asked and "2" in asked, asked
    return phone.text("1")


def voice_post(client, path: str, **form):
    form = {"AccountSid": client.application.config["TWILIO_ACCOUNT_SID"], **form}
    url = f"{PUBLIC_URL}{path}"
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(form, url)}, base_url=PUBLIC_URL)


def spoken(response) -> str:
    """Everything a TwiML answer says (Say text, SSML included), in order."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/xml"
    return " ".join(" ".join(e.itertext()) for e in ET.fromstring(response.data).iter("Say"))


def call_sid(n: int) -> str:
    return f"CA{n:032x}"


# --- asking for calls ---------------------------------------------------------------------------------------


def test_voz_asks_and_yes_plans_the_day_before_and_the_wake_up_call(phone, db):
    done = with_calls(phone)
    assert "CALL" in done or "LLAMADA" in done.upper(), done
    contact = db.query("SELECT calls_at, calls_method FROM contacts").__next__()
    assert contact["calls_at"] == "2026-02-02T15:00:00Z"
    assert contact["calls_method"].startswith("sms: ")
    found = calls_of(db)
    assert set(found) == {"call_d1", "call_wakeup"}
    assert (found["call_d1"]["send_at"], found["call_d1"]["expires_at"]) == (DAY_BEFORE, "2026-03-09T02:00:00Z")
    assert (found["call_wakeup"]["send_at"], found["call_wakeup"]["expires_at"]) == (WAKE_UP, "2026-03-09T10:30:00Z")
    assert {r["channel"] for r in found.values()} == {"voice"}
    assert found["call_wakeup"]["priority"] == 0


def test_no_keeps_messages_only_and_turns_calls_off(phone, db):
    with_calls(phone)
    phone.text("LLAMADA")
    phone.text("2")
    assert db.execute("SELECT calls_at FROM contacts").fetchone()[0] is None
    assert {(r["status"], r["reason"]) for r in calls_of(db).values()} == {("cancelled", "calls_off")}


@pytest.mark.parametrize("word", ["VOZ", "LLAMADA", "CALL", "VOICE", "LIGAÇÃO", "APPEL", "VOIX", "APÈL", "VWA"])
def test_every_language_has_its_words(phone, word):
    register(phone)
    assert "1" in phone.text(word)


def test_without_a_caller_id_the_bot_says_it_cannot_call(tmp_path):
    phone = Phone(make_app(tmp_path).test_client())
    register(phone)
    answer = phone.text("VOZ")
    assert "1" not in answer and "2" not in answer, answer  # no question it could not keep


# --- reminder calls -----------------------------------------------------------------------------------------


def test_the_day_before_call_goes_through_the_calls_api_as_twilio_specifies(app, phone, db, fake):
    with_calls(phone)
    at(app, "2026-03-08T16:00:05Z")
    tick(app)
    placed = fake.calls_to(PERSON)
    assert len(placed) == 1 and not fake.violations
    form = placed[0]
    assert form["From"] == CALLER_ID
    assert form["StatusCallback"] == f"{PUBLIC_URL}/twilio/voice/status"
    twiml = ET.fromstring(form["Twiml"])
    words = " ".join(" ".join(e.itertext()) for e in twiml.iter("Say"))
    assert words.count("9 de marzo") == 2, words  # said twice
    assert "El Paso" in words and "Puente Paso del Norte" in words
    gather = next(twiml.iter("Gather"))
    assert gather.get("action") == f"{PUBLIC_URL}/twilio/voice/gather" and gather.get("numDigits") == "1"
    row = calls_of(db)["call_d1"]
    assert row["status"] == "sent" and row["sid"].startswith("CA") and row["sent_as"] == "call"


def test_the_wake_up_call_rings_at_three_in_the_morning_and_messages_still_go(app, phone, db, fake):
    with_calls(phone)
    at(app, "2026-03-09T09:00:05Z")
    tick(app)
    assert len(fake.calls_to(PERSON)) == 1
    assert calls_of(db)["call_wakeup"]["status"] == "sent"


def test_a_call_not_answered_rings_again_then_stops_without_judging_the_number(app, phone, db, fake):
    with_calls(phone)
    client = app.test_client()
    for moment in ("2026-03-08T16:00:05Z", "2026-03-08T16:10:06Z", "2026-03-08T16:20:07Z"):
        at(app, moment)
        tick(app)
        row = calls_of(db)["call_d1"]
        assert voice_post(client, "/twilio/voice/status", CallSid=row["sid"], CallStatus="no-answer").status_code == 204
    row = calls_of(db)["call_d1"]
    assert (row["status"], row["reason"], row["attempts"]) == ("undelivered", "no-answer", 3)
    assert len(fake.calls_to(PERSON)) == 3
    assert db.execute("SELECT unreachable_at FROM contacts").fetchone()[0] is None  # messages go on


def test_an_answered_call_is_delivered(app, phone, db, fake):
    with_calls(phone)
    at(app, "2026-03-08T16:00:05Z")
    tick(app)
    sid = calls_of(db)["call_d1"]["sid"]
    client = app.test_client()
    for status in ("initiated", "ringing", "in-progress", "completed", "ringing"):
        voice_post(client, "/twilio/voice/status", CallSid=sid, CallStatus=status)
    assert calls_of(db)["call_d1"]["status"] == "delivered"  # forward only


def test_after_stop_no_call_is_placed_and_start_does_not_bring_calls_back(app, phone, db, fake):
    with_calls(phone)
    phone.text("STOP")
    assert {(r["status"], r["reason"]) for r in calls_of(db).values()} == {("cancelled", "opted_out")}
    assert db.execute("SELECT calls_at FROM contacts").fetchone()[0] is None
    phone.text("START")
    for moment in ("2026-03-08T16:00:05Z", "2026-03-09T09:00:05Z"):
        at(app, moment)
        tick(app)
    assert fake.calls_to(PERSON) == []
    assert len(fake.to(PERSON)) > 0  # the messages came back with START


def test_a_call_claimed_before_stop_is_refused_at_the_last_check(app, phone, db, fake):
    """The re-check before dialling: STOP stored between the claim and the request stops the call."""
    with_calls(phone)
    db.execute("UPDATE contacts SET opted_out_at = '2026-03-08T15:59:00Z'")
    db.conn.commit()
    at(app, "2026-03-08T16:00:05Z")
    tick(app)
    assert fake.calls_to(PERSON) == []
    assert calls_of(db)["call_d1"]["status"] == "cancelled"


def test_calls_turned_off_are_refused_at_the_last_check(app, phone, db, fake):
    with_calls(phone)
    db.execute("UPDATE contacts SET calls_at = NULL")
    db.conn.commit()
    at(app, "2026-03-08T16:00:05Z")
    tick(app)
    assert fake.calls_to(PERSON) == []
    assert (calls_of(db)["call_d1"]["status"], calls_of(db)["call_d1"]["reason"]) == ("cancelled", "calls_off")


def test_delete_erases_the_consent_with_the_person(phone, db):
    with_calls(phone)
    phone.erase()
    assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert calls_of(db) == {}


# --- a person calls the bot's number --------------------------------------------------------------------------


def test_a_registered_caller_is_called_back_at_the_registered_number_and_hears_no_hearing(app, phone, db, fake):
    register(phone)  # no calls asked for: calling us is asking
    client = app.test_client()
    heard = spoken(voice_post(client, "/twilio/voice", CallSid=call_sid(1), From=PERSON, Direction="inbound"))
    assert "marzo" not in heard and "El Paso" not in heard, heard  # caller ID can be spoofed
    tick(app)
    placed = fake.calls_to(PERSON)
    assert len(placed) == 1
    assert "9 de marzo" in placed[0]["Twiml"]


def test_the_call_back_goes_to_the_stored_number_never_to_the_caller(app, phone, db, fake):
    """The caller's number and the stored one differ (the stored one is what the person registered):
    one call to the stored number, none to the caller."""
    register(phone)
    vault = phones.PhoneVault(app.config["HEARINGBOT_SECRET_KEY"])
    db.execute("UPDATE contacts SET phone_enc = ?", [vault.encrypt(OTHER)])  # same lookup hash as PERSON
    db.conn.commit()
    voice_post(app.test_client(), "/twilio/voice", CallSid=call_sid(2), From=PERSON, Direction="inbound")
    tick(app)
    assert len(fake.calls_to(OTHER)) == 1
    assert fake.calls_to(PERSON) == []


def test_a_second_call_within_ten_minutes_is_not_called_back_again(app, phone, db, fake):
    register(phone)
    client = app.test_client()
    voice_post(client, "/twilio/voice", CallSid=call_sid(3), From=PERSON, Direction="inbound")
    at(app, "2026-02-02T15:05:00Z")
    voice_post(client, "/twilio/voice", CallSid=call_sid(4), From=PERSON, Direction="inbound")
    tick(app)
    assert len(fake.calls_to(PERSON)) == 1


def test_an_unknown_caller_hears_how_to_register_and_is_not_called(app, db, fake):
    heard = spoken(voice_post(app.test_client(), "/twilio/voice", CallSid=call_sid(5), From=OTHER))
    assert heard
    tick(app)
    assert fake.calls == [] and calls_of(db) == {}


def test_a_caller_who_said_stop_is_not_called_back(app, phone, db, fake):
    register(phone)
    phone.text("STOP")
    spoken(voice_post(app.test_client(), "/twilio/voice", CallSid=call_sid(6), From=PERSON))
    tick(app)
    assert fake.calls_to(PERSON) == [] and calls_of(db) == {}


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/gather", "/twilio/voice/status"])
def test_unsigned_voice_webhooks_are_refused(app, path):
    form = {"CallSid": call_sid(7), "From": PERSON, "CallStatus": "completed", "Digits": "1"}
    assert app.test_client().post(path, data=form, base_url=PUBLIC_URL).status_code == 403
    bad = {"X-Twilio-Signature": sign(form, f"{PUBLIC_URL}/elsewhere")}
    assert app.test_client().post(path, data=form, headers=bad, base_url=PUBLIC_URL).status_code == 403


# --- keys pressed during a call -----------------------------------------------------------------------------


def placed_call(app, phone, db) -> str:
    with_calls(phone)
    at(app, "2026-03-08T16:00:05Z")
    tick(app)
    return calls_of(db)["call_d1"]["sid"]


def test_one_says_the_hearing_again_as_it_stands_now(app, phone, db):
    sid = placed_call(app, phone, db)
    response = voice_post(app.test_client(), "/twilio/voice/gather", CallSid=sid, Digits="1")
    assert "9 de marzo" in spoken(response)
    assert next(ET.fromstring(response.data).iter("Gather")).get("numDigits") == "1"


def test_two_opens_a_conversation_with_a_volunteer(app, phone, db, members):
    sid = placed_call(app, phone, db)
    heard = spoken(voice_post(app.test_client(), "/twilio/voice/gather", CallSid=sid, Digits="2"))
    assert heard
    thread = db.query("SELECT * FROM threads").__next__()
    assert thread["status"] == "open"
    volunteer = app.test_client()
    login(volunteer, "vol")
    page = volunteer.get("/admin/inbox", base_url=PUBLIC_URL).get_data(as_text=True)
    assert f"/admin/inbox/{thread['id']}" in page


def test_a_key_for_a_call_that_is_not_ours_says_goodbye_only(app, db):
    heard = spoken(voice_post(app.test_client(), "/twilio/voice/gather", CallSid=call_sid(9), Digits="1"))
    assert "marzo" not in heard
    assert db.execute("SELECT count(*) FROM threads").fetchone()[0] == 0


# --- the console ----------------------------------------------------------------------------------------------


def test_a_volunteer_turns_calls_on_for_a_person_who_asked_by_phone(app, phone, db, members):
    register(phone)
    phone.text("HUMANO")
    thread_id = db.execute("SELECT id FROM threads").fetchone()[0]
    volunteer = app.test_client()
    login(volunteer, "vol")
    page = f"/admin/inbox/{thread_id}"
    form = {"calls": "on", "csrf_token": token(volunteer, page)}
    post(volunteer, f"{page}/calls", data=form)
    contact = db.query("SELECT calls_at, calls_method FROM contacts").__next__()
    assert contact["calls_at"] and "vol" in contact["calls_method"]
    assert set(calls_of(db)) == {"call_d1", "call_wakeup"}
    logged = [r["action"] for r in db.query("SELECT action FROM audit")]
    assert "calls on" in logged
    operator = app.test_client()
    login(operator, "op")
    row = operator.get("/admin/people", base_url=PUBLIC_URL).get_data(as_text=True).split("<tbody>")[1]
    assert ">on</td>" in row


def test_a_new_person_can_ask_for_calls_first_and_then_register(phone, db):
    asked = phone.text("VOZ")
    assert "1" in asked
    welcome = phone.text("1")
    assert "Español" in welcome  # back where they were: the language menu
    register(phone)
    assert set(calls_of(db)) == {"call_d1", "call_wakeup"}


def test_the_dashboard_says_which_languages_are_still_spoken_in_spanish(app, members, tmp_path):
    staff = app.test_client()
    login(staff, "op")
    page = staff.get("/admin", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Kreyòl" in page and "223 of 223" in page  # no recording ships with the code
    quiet = make_app(tmp_path / "no-calls")  # no caller ID: nothing to warn about
    add_members(quiet)
    operator = quiet.test_client()
    login(operator, "op")
    assert "223 of 223" not in operator.get("/admin", base_url=PUBLIC_URL).get_data(as_text=True)


@pytest.mark.webhook_errors_expected
def test_a_fault_during_a_call_is_a_spoken_apology_never_a_stack_trace(app, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(calls, "call_in", broken)
    heard = spoken(voice_post(app.test_client(), "/twilio/voice", CallSid=call_sid(10), From=PERSON))
    sorry = translator("es")("Sorry, something went wrong on our side. Please try again in a few minutes.")
    assert heard.startswith(sorry), heard
    assert "disk" not in heard
    assert any(r.name == "bot.web.voice" and r.levelname == "ERROR" for r in caplog.records)
    status = voice_post(app.test_client(), "/twilio/voice/status", CallSid=call_sid(10), CallStatus="completed")
    assert status.status_code == 204  # (an unknown call: nothing to do)
