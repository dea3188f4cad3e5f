"""What we send Twilio, checked against Twilio's own OpenAPI spec (../shared/twilio-oai): the messages
our transport builds through the real twilio client, a call placed through it, and the checker's own
refusals (the fake answers them as Twilio does, with a 400 and an error body)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException

from scheduler.transport import Outgoing, SendError, TwilioTransport
from tests import twilio_spec
from tests.fake_twilio import FakeTwilio, call_resource, message_resource
from tests.helpers import ACCOUNT, PERSON, PUBLIC_URL, TOKEN

CALLBACK = f"{PUBLIC_URL}/twilio/status"
TEMPLATE = "HX" + "a" * 32
CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
CALL_STATUSES = ["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]


def config(fake, **extra) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE": fake.base_url,
        "TWILIO_TIMEOUT_SECONDS": 2,
        "TWILIO_SMS_FROM": "+15005550006",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        **extra,
    }


def post(fake, resource: str, form: dict) -> tuple[int, dict]:
    """A raw POST of `form` (lists as repeated keys) to the fake: (HTTP status, JSON body)."""
    url = f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT}/{resource}.json"
    data = urllib.parse.urlencode(form, doseq=True).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# --- (d) the spec -----------------------------------------------------------------------------------------


def test_the_spec_is_found_beside_the_repository():
    assert twilio_spec.SPEC_PATH == Path(__file__).resolve().parents[2] / "shared/twilio-oai/twilio_api_v2010.json"
    assert twilio_spec.SPEC_PATH.is_file(), f"Twilio's spec is missing: {twilio_spec.SPEC_PATH}"
    paths = twilio_spec.spec()["paths"]
    assert twilio_spec.MESSAGES in paths and twilio_spec.CALLS in paths


def test_a_missing_spec_fails_loudly_and_a_strict_fake_will_not_start(monkeypatch, tmp_path):
    monkeypatch.setattr(twilio_spec, "SPEC_PATH", tmp_path / "nowhere.json")
    twilio_spec.spec.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="nowhere.json"):
            twilio_spec.spec()
        with pytest.raises(FileNotFoundError), FakeTwilio():
            pass
    finally:
        monkeypatch.undo()
        twilio_spec.spec.cache_clear()


def test_the_values_the_spec_gives_only_in_words_are_in_its_words():
    """DESCRIBED_ENUMS are read off the descriptions (the spec has no enum there): still true."""
    for (path, name), values in twilio_spec.DESCRIBED_ENUMS.items():
        described = twilio_spec.request_schema(path, "post")["properties"][name]["description"]
        assert all(f"`{value}`" in described for value in values), (name, described)


def test_a_calls_status_in_the_spec():
    schema = twilio_spec.resolve(twilio_spec.spec()["components"]["schemas"]["api.v2010.account.call"])
    assert twilio_spec.resolve(schema["properties"]["status"])["enum"] == CALL_STATUSES


def test_the_fakes_resources_have_the_spec_shapes():
    form = {"To": PERSON, "From": "+15005550006", "Body": "hola"}
    assert twilio_spec.response_problems(twilio_spec.MESSAGES, 201, message_resource(ACCOUNT, form)) == []
    assert twilio_spec.response_problems(twilio_spec.CALLS, 201, call_resource(ACCOUNT, form)) == []
    wrong = {**call_resource(ACCOUNT, form), "status": "sent", "sid": "SM" + "0" * 32, "colour": "red"}
    assert len(twilio_spec.response_problems(twilio_spec.CALLS, 201, wrong)) == 3


# --- (a) messages as our transport builds them ------------------------------------------------------------


@pytest.mark.parametrize(
    "outgoing, settings",
    [
        (Outgoing("sms", PERSON, "Su audiencia es mañana", CALLBACK, 35995), {}),
        (Outgoing("sms", PERSON, "Su audiencia", CALLBACK, 600), {"TWILIO_MESSAGING_SERVICE_SID": "MG" + "b" * 32}),
        (Outgoing("whatsapp", PERSON, "Su audiencia es mañana", CALLBACK, 36000), {}),
        (
            Outgoing("whatsapp", PERSON, "", CALLBACK, 7200, TEMPLATE, json.dumps({"1": "lunes 9 de marzo"})),
            {},
        ),
    ],
    ids=["sms", "sms-messaging-service", "whatsapp-text", "whatsapp-template"],
)
def test_the_messages_our_transport_sends_are_what_the_spec_allows(fake, outgoing, settings):
    try:
        sent = TwilioTransport(config(fake, **settings)).send(outgoing)
    except SendError:
        pytest.fail(f"the fake refused it: {fake.violations}")
    assert fake.violations == [] and re.fullmatch(r"SM[0-9a-f]{32}", sent.sid) and sent.status == "queued"
    (request,) = fake.requests
    assert twilio_spec.problems(twilio_spec.MESSAGES, "POST", request.form) == []
    form = request.form
    assert form["StatusCallback"] == CALLBACK and form["ValidityPeriod"] == str(outgoing.validity_seconds)
    if outgoing.content_sid:
        assert form["ContentSid"] == TEMPLATE and "Body" not in form
        assert json.loads(form["ContentVariables"]) == {"1": "lunes 9 de marzo"}


# --- (b) a call through the real client --------------------------------------------------------------------


def test_a_call_placed_through_the_real_client_is_what_the_spec_allows(fake):
    client = TwilioTransport(config(fake)).client
    call = client.calls.create(
        to=PERSON,
        from_="+15005550006",
        twiml="<Response><Say>hola</Say></Response>",
        status_callback=f"{PUBLIC_URL}/twilio/call-status",
        status_callback_event=CALL_EVENTS,
        status_callback_method="POST",
        timeout=30,
        time_limit=180,
    )
    assert fake.violations == []
    assert re.fullmatch(r"CA[0-9a-f]{32}", call.sid) and call.status == "queued"
    assert call.direction == "outbound-api" and call.to == PERSON and call._from == "+15005550006"
    (form,) = fake.calls_to(PERSON)
    assert form["StatusCallbackEvent"] == CALL_EVENTS  # repeated keys, kept as a list
    assert form["Timeout"] == "30" and form["TimeLimit"] == "180" and form["StatusCallbackMethod"] == "POST"
    assert fake.to(PERSON) == [] and fake.calls[0].resource == "calls" and fake.calls[0].authorized


def test_a_call_gets_the_scripted_failures_too(fake):
    fake.fail_next(PERSON, 21215, 400)
    client = TwilioTransport(config(fake)).client
    with pytest.raises(TwilioRestException) as refused:
        client.calls.create(to=PERSON, from_="+15005550006", url="https://bot.example.org/twiml/call")
    assert refused.value.status == 400 and refused.value.code == 21215
    assert client.calls.create(to=PERSON, from_="+15005550006", url="https://bot.example.org/twiml/call").sid
    assert len(fake.calls) == 2 and fake.violations == []


# --- (c) the checker refuses what Twilio's spec forbids ---------------------------------------------------

GOOD_CALL = {
    "To": PERSON,
    "From": "+15005550006",
    "Twiml": "<Response><Say>hola</Say></Response>",
    "StatusCallback": f"{PUBLIC_URL}/twilio/call-status",
    "StatusCallbackEvent": CALL_EVENTS,
    "Timeout": "30",
}


def without(form: dict, name: str) -> dict:
    return {k: v for k, v in form.items() if k != name}


@pytest.mark.parametrize(
    "form, problem, code",
    [
        (without(GOOD_CALL, "From"), "From: required", 21000),
        ({**GOOD_CALL, "Colour": "red"}, "Colour: not a parameter of this operation", 20001),
        ({**GOOD_CALL, "StatusCallbackEvent": ["ringing", "bogus"]}, "StatusCallbackEvent: 'bogus'", 21626),
        ({**GOOD_CALL, "Timeout": "abc"}, "Timeout: 'abc' is not an integer", 21000),
        ({**GOOD_CALL, "Record": "yes"}, "Record: 'yes' is not true or false", 21000),
        ({**GOOD_CALL, "StatusCallbackMethod": "PUT"}, "StatusCallbackMethod: 'PUT' is not one of GET, POST", 21000),
        ({**GOOD_CALL, "StatusCallback": "/twilio/call-status"}, "StatusCallback: '/twilio/call-status'", 21000),
        ({**GOOD_CALL, "To": "5216561234567"}, "To: '5216561234567' is not an E.164 number", 21000),
        ({**GOOD_CALL, "Twiml": "<Say>hola</Say>"}, "Twiml: TwiML's root is <Say>", 21000),
        (without(GOOD_CALL, "Twiml"), "Url or Twiml or ApplicationSid: one of them is required", 21000),
    ],
    ids=[
        "no-from",
        "unknown",
        "bogus-event",
        "timeout-abc",
        "record-yes",
        "put",
        "relative-url",
        "no-plus",
        "say",
        "no-twiml",
    ],
)
def test_a_call_the_spec_forbids_is_refused_with_400_and_listed(fake, form, problem, code):
    status, body = post(fake, "Calls", form)
    assert status == 400 and body["status"] == 400 and body["code"] == code
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}" and problem in body["message"]
    ((path, found),) = fake.violations
    assert path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json" and any(p.startswith(problem) for p in found)
    assert fake.calls == [] and fake.requests == []  # refused: never recorded as accepted


def test_the_good_call_itself_is_accepted(fake):
    status, body = post(fake, "Calls", GOOD_CALL)
    assert status == 201 and body["sid"].startswith("CA") and fake.violations == []


def test_the_real_client_gets_twilios_error_for_a_bogus_event(fake):
    client = TwilioTransport(config(fake)).client
    with pytest.raises(TwilioRestException) as refused:
        client.calls.create(to=PERSON, from_="+15005550006", url=CALLBACK, status_callback_event=["bogus"])
    assert refused.value.status == 400 and refused.value.code == 21626 and len(fake.violations) == 1


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"ValidityPeriod": "ten"}, "ValidityPeriod: 'ten' is not an integer"),
        ({"Bodyy": "hola"}, "Bodyy: not a parameter of this operation"),
        ({"ContentSid": "HX123"}, "ContentSid: 'HX123' is shorter than 34"),
        ({"To": "whatsapp:"}, "To: 'whatsapp:' is not an E.164 number"),
        ({"StatusCallback": "bot.example.org/status"}, "StatusCallback: 'bot.example.org/status' is not an http(s)"),
    ],
)
def test_a_message_the_spec_forbids_is_refused(fake, change, problem):
    status, body = post(fake, "Messages", {"To": PERSON, "From": "+15005550006", "Body": "hola", **change})
    assert status == 400 and problem in body["message"] and len(fake.violations) == 1 and fake.requests == []


def test_a_message_with_no_sender_or_no_content_is_refused(fake):
    assert post(fake, "Messages", {"To": PERSON, "Body": "hola"})[0] == 400
    assert post(fake, "Messages", {"To": PERSON, "From": "+15005550006"})[0] == 400
    assert [found for _, found in fake.violations] == [
        ["From or MessagingServiceSid: one of them is required"],
        ["Body or MediaUrl or ContentSid: one of them is required"],
    ]


def test_a_fake_that_is_not_strict_accepts_anything():
    with FakeTwilio(strict=False) as lax:
        status, body = post(lax, "Calls", {"To": PERSON, "Colour": "red", "StatusCallbackEvent": ["bogus"]})
        assert status == 201 and lax.violations == [] and lax.calls_to(PERSON)[0]["StatusCallbackEvent"] == ["bogus"]
