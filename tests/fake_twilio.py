"""A local stand-in for Twilio's Messages API, for the real twilio client to talk to.

It answers POST /2010-04-01/Accounts/{AccountSid}/Messages.json with the shapes of Twilio's spec
(../shared/twilio-oai): 201 and a message resource, or an error body {code, message, more_info,
status}; and GET /2010-04-01/Accounts/{AccountSid}.json (what `doctor` asks) with the account, or a
401 when `auth_token` is set and the request's Basic credentials are not that account and token.
Tests script answers per recipient (`fail_next(to, code, status)`), slow answers (`delay`), and read
every request it received (`requests`); `on_accept(form, resource)` is called for every message it
accepts, after its answer is written (bench/storm.py posts Twilio's status callbacks and replies from
there). Used by tests and the benchmarks.
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

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)\.json$")
ERRORS = {  # Twilio's messages for the codes the policy acts on
    21610: "Attempt to send to unsubscribed recipient",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    30003: "Unreachable destination handset",
    63016: "Failed to send freeform message because you are outside the allowed window.",
    63014: "This message could not be delivered because the recipient has blocked your business.",
}


@dataclass
class Received:
    account: str
    form: dict
    authorized: bool
    at: float


@dataclass
class FakeTwilio:
    """Start with `with FakeTwilio() as fake:`; `fake.base_url` is for TWILIO_API_BASE."""

    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
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
                match = PATH.match(self.path)
                if not match:
                    return self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                form = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
                fake.connections.add(self.client_address)
                authorized = self.headers.get("Authorization", "").startswith("Basic ")
                if fake.record:
                    with fake._lock:
                        fake.requests.append(Received(match["account"], form, authorized, time.monotonic()))
                fake.arrived.set()
                if fake.hold is not None:
                    fake.hold.wait(30)
                with fake._lock:
                    scripted = fake._scripts[form.get("To", "")]
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
                resource = message_resource(match["account"], form)
                if fake.log_path:
                    with fake._lock, open(fake.log_path, "a") as log:
                        log.write(f"{time.time():.3f} {resource['sid']} {form.get('To', '')}\n")
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
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
