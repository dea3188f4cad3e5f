"""A local stand-in for Twilio's Messages and Calls APIs, for the real twilio client to talk to.

It answers POST /2010-04-01/Accounts/{AccountSid}/Messages.json and .../Calls.json with the shapes of
Twilio's spec (../shared/twilio-oai): 201 and a message or call resource, or an error body {code,
message, more_info, status}; and GET /2010-04-01/Accounts/{AccountSid}.json (what `doctor` asks)
with the account, or a 401 when `auth_token` is set and the request's Basic credentials are not that
account and token.

With `strict` (the default) every POST is checked against the spec (tests/twilio_spec.py): a request
it forbids (a missing or unknown parameter, a value of the wrong type, outside an enum, a bad URL or
number) gets Twilio's 400 error shape and is listed in `violations` as (path, problems), never in
`requests`/`calls`. A strict fake needs the spec file: without it, entering the fake raises.

Tests script answers per recipient (`fail_next(to, code, status)`, for messages and calls alike),
slow answers (`delay`, `slow_next`), hold requests (`hold`), and read every accepted request:
`requests` (messages: `to(number)`) and `calls` (`calls_to(number)`). `on_accept(form, resource)` is
called for every message or call it accepts, after its answer is written (bench/storm.py posts
Twilio's status callbacks and replies from there). Used by tests and the benchmarks.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import twilio_spec

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")
CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Calls\.json$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)\.json$")
ERRORS = {  # Twilio's messages for the codes the policy acts on
    21610: "Attempt to send to unsubscribed recipient",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    30003: "Unreachable destination handset",
    63016: "Failed to send freeform message because you are outside the allowed window.",
    63014: "This message could not be delivered because the recipient has blocked your business.",
}
UNKNOWN_PARAMETER = 20001  # Twilio only warns about these; a strict fake refuses them
INVALID_STATUS_CALLBACK_EVENT = 21626
INVALID_REQUEST = 21000  # the fake's code for any other request the spec forbids


@dataclass
class Received:
    account: str
    form: dict
    authorized: bool
    at: float
    resource: str = "messages"  # or "calls"


@dataclass
class FakeTwilio:
    """Start with `with FakeTwilio() as fake:`; `fake.base_url` is for TWILIO_API_BASE."""

    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)  # accepted messages
    calls: list[Received] = field(default_factory=list)  # accepted calls
    violations: list[tuple[str, list[str]]] = field(default_factory=list)  # (path, problems), refused
    strict: bool = True  # check every POST against Twilio's spec (tests/twilio_spec.py)
    record: bool = True
    _scripts: dict = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    hold: threading.Event | None = None  # when set by a test, requests wait for it
    arrived: threading.Event = field(default_factory=threading.Event)
    connections: set = field(default_factory=set)  # client (host, port) pairs: how many TCP connections
    log_path: str | None = None  # when set, one line per accepted message: time, sid, To (for the soak)
    auth_token: str | None = None  # when set, GET of the account checks the credentials against it
    on_accept: Callable[[dict, dict], None] | None = None  # (form, resource) of each accepted message

    def fail_next(self, to: str, code: int, status: int, times: int = 1) -> None:
        """The next `times` requests to `to` get Twilio's error `code` with HTTP `status`."""
        for _ in range(times):
            self._scripts[to].append((code, status))

    def slow_next(self, to: str, seconds: float) -> None:
        self._scripts[to].append(("slow", seconds))

    def __enter__(self) -> FakeTwilio:
        fake = self
        if self.strict:
            twilio_spec.spec()  # loaded now: a missing spec fails here, loudly

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client's pooled connection is reused
            wbufsize = 1 << 16  # one write per answer (flushed by the server), so no Nagle stall
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                match = ACCOUNT_PATH.match(self.path)
                if not match:
                    return self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                sent = self.headers.get("Authorization", "").removeprefix("Basic ")
                expected = base64.b64encode(f"{match['account']}:{fake.auth_token}".encode()).decode()
                if fake.auth_token is not None and sent != expected:
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                self._answer(200, {"sid": match["account"], "status": "active", "friendly_name": "fake"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                route = ROUTES.get(self.path.rsplit("/", 1)[-1])
                match = route and route.pattern.match(self.path)
                if not match:
                    return self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                form = parse_form(raw, route.template)
                fake.connections.add(self.client_address)
                if fake.strict:
                    found = twilio_spec.problems(route.template, "POST", form)
                    if found:
                        with fake._lock:
                            fake.violations.append((self.path, found))
                        return self._answer(400, refusal(found))
                authorized = self.headers.get("Authorization", "").startswith("Basic ")
                if fake.record:
                    received = Received(match["account"], form, authorized, time.monotonic(), route.name)
                    with fake._lock:
                        (fake.calls if route.name == "calls" else fake.requests).append(received)
                fake.arrived.set()
                if fake.hold is not None:
                    fake.hold.wait(30)
                with fake._lock:
                    scripted = fake._scripts[_one(form.get("To", ""))]
                    action = scripted.popleft() if scripted else None
                if fake.delay:
                    time.sleep(fake.delay)
                if action and action[0] == "slow":
                    time.sleep(action[1])
                elif action:
                    code, status = action
                    return self._answer(
                        status,
                        {
                            "code": code,
                            "message": ERRORS.get(code, "Error"),
                            "more_info": f"https://www.twilio.com/docs/errors/{code}",
                            "status": status,
                        },
                    )
                resource = route.build(match["account"], form)
                if fake.log_path:
                    with fake._lock, open(fake.log_path, "a") as log:
                        log.write(f"{time.time():.3f} {resource['sid']} {_one(form.get('To', ''))}\n")
                self._answer(201, resource)
                if fake.on_accept is not None:
                    self.wfile.flush()  # the client has its SID before anything is done about it
                    fake.on_accept(form, resource)

            def _answer(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)  # quick shutdown
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def to(self, number: str) -> list[dict]:
        """The forms of every request sent to a number (SMS 'to' or 'whatsapp:to')."""
        return [r.form for r in self.requests if r.form.get("To", "").removeprefix("whatsapp:") == number]

    def calls_to(self, number: str) -> list[dict]:
        """The forms of every call placed to a number."""
        return [r.form for r in self.calls if r.form.get("To") == number]


def _one(value):
    """A form value as one string (a repeated key, refused by a strict fake, counts by its first)."""
    return value[0] if isinstance(value, list) else value


def parse_form(raw: str, template: str) -> dict:
    """A form as Twilio reads it: one string per key, a list for an array property (repeated keys,
    StatusCallbackEvent=initiated&StatusCallbackEvent=ringing) or for any key given more than once.
    Without the spec (a fake that is not strict), only repeated keys become lists."""
    try:
        arrays = twilio_spec.array_properties(template)
    except FileNotFoundError:
        arrays = frozenset()
    parsed = urllib.parse.parse_qs(raw, keep_blank_values=True)
    return {k: v if k in arrays or len(v) > 1 else v[0] for k, v in parsed.items()}


def refusal(found: list[str]) -> dict:
    """Twilio's error body for a request the spec forbids."""
    if any(p.startswith("StatusCallbackEvent:") for p in found):
        code = INVALID_STATUS_CALLBACK_EVENT
    elif all(p.endswith("not a parameter of this operation") for p in found):
        code = UNKNOWN_PARAMETER
    else:
        code = INVALID_REQUEST
    return {
        "code": code,
        "message": "; ".join(found),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": 400,
    }


def message_resource(account: str, form: dict) -> dict:
    """A message resource as Twilio returns it on 201 (api.v2010.account.message)."""
    sid = "SM" + secrets.token_hex(16)
    now = format_datetime(datetime.now(UTC), usegmt=True)
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "body": form.get("Body", ""),
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
        "to": form.get("To"),
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }


def call_resource(account: str, form: dict) -> dict:
    """A call resource as Twilio returns it on 201 (api.v2010.account.call)."""
    sid = "CA" + secrets.token_hex(16)
    now = format_datetime(datetime.now(UTC), usegmt=True)
    base = f"/2010-04-01/Accounts/{account}/Calls/{sid}"
    return {
        "account_sid": account,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": form.get("From"),
        "from_formatted": form.get("From"),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": None,
        "status": "queued",
        "subresource_uris": {
            name: f"{base}/{name.title().replace('_', '')}.json"
            for name in ("events", "notifications", "recordings", "payments", "streams", "transcriptions")
        },
        "to": form.get("To"),
        "to_formatted": form.get("To"),
        "trunk_sid": None,
        "uri": f"{base}.json",
    }


@dataclass(frozen=True)
class Route:
    name: str  # "messages" or "calls": Received.resource
    pattern: re.Pattern
    template: str  # the spec's path
    build: Callable[[str, dict], dict]  # the 201 resource


ROUTES = {
    "Messages.json": Route("messages", PATH, twilio_spec.MESSAGES, message_resource),
    "Calls.json": Route("calls", CALLS_PATH, twilio_spec.CALLS, call_resource),
}
