"""Twilio's own OpenAPI description of its REST API v2010 (../shared/twilio-oai), as a checker.

`problems(path_template, method, form)` lists what the spec forbids in an
application/x-www-form-urlencoded request body: a required property missing, a property the
operation does not name, a value that does not fit its type (string; integer: digits; number;
boolean: true/false; array: each item), an enum, a pattern or length, or a `format` cheap to check
(uri, phone-number, endpoint, date-time, twiml, iso-country-code). A form is a dict of str, or of
list[str] where the key came more than once or the property is an array (form arrays arrive as
repeated keys: `array_properties` says which to keep as lists).

`response_problems(path_template, status, payload)` checks a JSON answer against the response
schema: no field it does not name, no null where it is not nullable, types, enums, patterns. (The
v2010 resources mark no field `required`, so nothing is required there.)

Real Twilio only warns about an unknown parameter (warning 20001: "were not recognized and were
ignored"); the checker calls it a problem, so a misspelt parameter in our code cannot go unnoticed.

The spec file is loaded once, on first use; when it is missing the first use raises
FileNotFoundError (a test that needs it fails, it never skips).
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "twilio-oai" / "twilio_api_v2010.json"
MESSAGES = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
CALLS = "/2010-04-01/Accounts/{AccountSid}/Calls.json"
FORM = "application/x-www-form-urlencoded"

# Values the spec gives only in a property's description ("Can be: `initiated`, `ringing`, ..."),
# not as an enum; tests/test_twilio_spec.py checks each one still appears in that description.
DESCRIBED_ENUMS = {
    (CALLS, "StatusCallbackEvent"): ("initiated", "ringing", "answered", "completed"),
    (CALLS, "RecordingStatusCallbackEvent"): ("in-progress", "completed", "absent"),  # space-separated
}
SPACE_SEPARATED = {(CALLS, "RecordingStatusCallbackEvent")}
# "At least one of" rules the spec states in descriptions, not in `required`.
ONE_OF = {
    MESSAGES: (("From", "MessagingServiceSid"), ("Body", "MediaUrl", "ContentSid")),
    CALLS: (("Url", "Twiml", "ApplicationSid"),),
}
TWIML_MAX = 4000  # the Twiml property's description: "Max 4000 characters."

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CHANNEL = re.compile(r"^(whatsapp|messenger|rcs|client|sip):\S+$")
ENDPOINT = re.compile(r"^(client|sip):\S+$")
SHORT_CODE = re.compile(r"^\d{3,8}$")
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
INTEGER = re.compile(r"^-?\d+$")


class SpecMissing(FileNotFoundError):
    pass


@functools.cache
def spec() -> dict:
    if not SPEC_PATH.is_file():
        raise SpecMissing(f"Twilio's OpenAPI spec is not at {SPEC_PATH} (twilio/twilio-oai, spec/json)")
    return json.loads(SPEC_PATH.read_text())


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec()["components"]["schemas"][name]
    return schema


@functools.cache
def request_schema(path_template: str, method: str) -> dict:
    operation = spec()["paths"][path_template][method.lower()]
    return resolve(operation["requestBody"]["content"][FORM]["schema"])


@functools.cache
def array_properties(path_template: str, method: str = "post") -> frozenset[str]:
    """The properties a form carries as repeated keys (kept as lists when parsed)."""
    properties = request_schema(path_template, method).get("properties", {})
    return frozenset(name for name, s in properties.items() if resolve(s).get("type") == "array")


def problems(path_template: str, method: str, form: dict) -> list[str]:
    schema = request_schema(path_template, method)
    properties = schema.get("properties", {})
    found = [f"{name}: required" for name in schema.get("required", []) if name not in form]
    for group in ONE_OF.get(path_template, ()):
        if not any(name in form for name in group):
            found.append(f"{' or '.join(group)}: one of them is required")
    for name, value in form.items():
        if name not in properties:
            found.append(f"{name}: not a parameter of this operation")
            continue
        prop = resolve(properties[name])
        values = value if isinstance(value, list) else [value]
        if prop.get("type") != "array":
            if len(values) != 1:
                found.append(f"{name}: given {len(values)} times")
            found += [f"{name}: {p}" for v in values for p in _value_problems(prop, v, name)]
            continue
        items = resolve(prop.get("items", {}))
        allowed = DESCRIBED_ENUMS.get((path_template, name))
        for v in values:
            parts = v.split() if (path_template, name) in SPACE_SEPARATED else [v]
            for part in parts:
                found += [f"{name}: {p}" for p in _value_problems(items, part, name)]
                if allowed and part not in allowed:
                    found.append(f"{name}: {part!r} is not one of {', '.join(allowed)}")
    return found


def _value_problems(schema: dict, value: str, name: str) -> list[str]:
    kind = schema.get("type", "string")
    if kind == "integer" and not INTEGER.match(value):
        return [f"{value!r} is not an integer"]
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return [f"{value!r} is not a number"]
    if kind == "boolean" and value not in ("true", "false"):
        return [f"{value!r} is not true or false"]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{value!r} is not one of {', '.join(map(str, schema['enum']))}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        found.append(f"{value!r} is shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{value!r} is longer than {schema['maxLength']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{value!r} does not match {schema['pattern']}")
    if not schema.get("x-twilio", {}).get("ignoreFormat"):
        why = _format_problem(schema.get("format"), value, name)
        if why:
            found.append(why)
    return found


def _format_problem(fmt: str | None, value: str, name: str) -> str | None:
    if fmt == "uri" and not value.startswith(("http://", "https://")):
        return f"{value!r} is not an http(s) URL"
    if fmt == "phone-number":
        ok = E164.match(value) or CHANNEL.match(value)
        if name != "To":  # a sender may also be a short code or an alphanumeric sender ID
            ok = ok or SHORT_CODE.match(value) or ALPHANUMERIC_SENDER.match(value)
        return None if ok else f"{value!r} is not an E.164 number or a channel address"
    if fmt == "endpoint" and not (E164.match(value) or ENDPOINT.match(value)):
        return f"{value!r} is not an E.164 number, a client: or a sip: address"
    if fmt == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not an ISO 8601 date-time"
    if fmt == "iso-country-code" and not re.fullmatch(r"[A-Z]{2}", value):
        return f"{value!r} is not an ISO country code"
    if fmt == "twiml":
        if len(value) > TWIML_MAX:
            return f"TwiML longer than {TWIML_MAX} characters"
        try:
            root = ET.fromstring(value)
        except ET.ParseError as error:
            return f"TwiML is not well-formed XML ({error})"
        if root.tag != "Response":
            return f"TwiML's root is <{root.tag}>, not <Response>"
    return None


def response_problems(path_template: str, status: int, payload: dict, method: str = "post") -> list[str]:
    """What the spec's response schema for `status` forbids in `payload` (an empty list when the
    operation has no JSON schema for that status)."""
    responses = spec()["paths"][path_template][method.lower()]["responses"]
    content = responses.get(str(status), {}).get("content", {}).get("application/json")
    if not content:
        return []
    schema = resolve(content["schema"])
    properties = schema.get("properties", {})
    found = [f"{name}: required" for name in schema.get("required", []) if name not in payload]
    for name, value in payload.items():
        if name not in properties:
            found.append(f"{name}: not a field of {path_template}'s {status} answer")
            continue
        prop = resolve(properties[name])
        if value is None:
            if not prop.get("nullable") and "$ref" not in properties[name]:  # an enum by $ref says nothing
                found.append(f"{name}: null but not nullable")
            continue
        expected = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict}
        kind = prop.get("type")
        if kind in expected and not isinstance(value, expected[kind]):
            found.append(f"{name}: {value!r} is not a {kind}")
            continue
        if kind == "string":
            found += [f"{name}: {p}" for p in _value_problems({**prop, "format": None}, value, name)]
    return found
