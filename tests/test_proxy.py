"""The production topology, for real: `make prod-local` (deploy/prod_local.py) starts Caddy (`tls
internal`) in front of gunicorn (2 workers) and one `flask scheduler`; these tests run that same script
on free ports and talk to it over HTTPS as Twilio and a browser would.

Signed webhooks go through the proxy to https://localhost:PORT/twilio/messages, the signature computed
on that public https URL; unsigned or wrongly signed ones get 403; a client's own X-Forwarded-For and
X-Forwarded-Proto change nothing (the app trusts exactly one hop: Caddy's); a status callback moves the
outbox row of a message the scheduler sent (to a fake Twilio). TLS is verified against the root of
Caddy's local CA, which the run writes into its folder. Ctrl-C stops every process.

Skipped only where there is no caddy binary (`make caddy` installs Debian's package).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.core.phones import PhoneVault
from bot.store import db as storage
from tests.fake_twilio import FakeTwilio
from tests.helpers import ACCOUNT, ROOT, TOKEN

pytestmark = pytest.mark.skipif(
    not shutil.which("caddy"),
    reason="no caddy binary: `make caddy` installs Debian's caddy package, which could not be installed here",
)
CLIENT = "127.0.0.2"  # the test's own source address: on loopback, but not the one Caddy uses to reach gunicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Topology:
    process: subprocess.Popen
    folder: Path
    port: int
    log: Path
    tls: ssl.SSLContext | None = None

    @property
    def public_url(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def database(self) -> str:
        return str(self.folder / "hearingbot.db")

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        """One HTTPS request from CLIENT through Caddy: (status, headers, body)."""
        body = urllib.parse.urlencode(form) if form is not None else None
        sent = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        connection = http.client.HTTPSConnection(
            "localhost", self.port, context=self.tls, timeout=20, source_address=(CLIENT, 0)
        )
        try:
            connection.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self) -> int:
        """Ctrl-C, as a terminal sends it: SIGINT to the whole foreground process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise


def start(folder: Path, fake: FakeTwilio) -> Topology:
    """deploy/prod_local.py (what `make prod-local` runs) on free ports, sending to `fake`."""
    port = free_port()
    env = {
        **os.environ,
        "PROD_LOCAL_PORT": str(port),
        "PROD_LOCAL_WEB_PORT": str(free_port()),
        "PROD_LOCAL_DIR": str(folder),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_API_BASE": fake.base_url,
        "HEARINGBOT_SEND_RATE": "0",
        "HEARINGBOT_DISPATCH_INTERVAL": "0.2",
        "HEARINGBOT_LOG_LEVEL": "WARNING",
    }
    log = folder.parent / f"{folder.name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "prod_local.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, which stop() signals as a terminal would
        )
    topology = Topology(process, folder, port, log)
    root = folder / "caddy" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"prod-local exited early:\n{log.read_text()[-3000:]}"
        try:
            if topology.tls is None and root.exists():
                topology.tls = ssl.create_default_context(cafile=str(root))  # Caddy's own CA: verified TLS
            if topology.tls and topology.request("GET", "/admin/login")[0] == 200:  # Caddy to a gunicorn worker
                return topology
        except (OSError, http.client.HTTPException):  # not written yet, not listening yet (ssl errors too)
            pass
        time.sleep(0.2)
    topology.stop()
    pytest.fail(f"prod-local did not come up in 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture(scope="module")
def topology(tmp_path_factory, fake):
    running = start(tmp_path_factory.mktemp("prod-local"), fake)
    yield running
    running.stop()


def signed(url: str, form: dict, token: str = TOKEN) -> dict:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


def message(n: int, body: str) -> dict:
    return {
        "MessageSid": f"SM{n:032d}",
        "AccountSid": ACCOUNT,
        "From": f"+52165612{n:05d}",
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


def test_a_signed_message_through_caddy_gets_twiml(topology):
    form = message(1, "hola")
    status, headers, body = topology.request(
        "POST", "/twilio/messages", form, signed(f"{topology.public_url}/twilio/messages", form)
    )
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    replies = [m.text or "" for m in ET.fromstring(body).iter("Message")]
    assert replies and "Avisos gratis" in replies[0]
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_unsigned_and_wrongly_signed_requests_are_refused(topology):
    form = message(2, "hola")
    url = f"{topology.public_url}/twilio/messages"
    assert topology.request("POST", "/twilio/messages", form)[0] == 403
    assert topology.request("POST", "/twilio/messages", form, signed(url, form, "another-token"))[0] == 403
    # Signed for plain http (what gunicorn itself receives behind the proxy), not the public https URL.
    plain = f"http://localhost:{topology.port}/twilio/messages"
    assert topology.request("POST", "/twilio/messages", form, signed(plain, form))[0] == 403
    tampered = {**form, "Body": "BORRAR"}
    assert topology.request("POST", "/twilio/messages", tampered, signed(url, form))[0] == 403


def test_a_client_cannot_choose_the_address_or_scheme_the_app_sees(topology):
    """ProxyFix trusts exactly one hop, and Caddy drops what a client sends as X-Forwarded-*: the app
    sees the address Caddy saw (CLIENT, not the proxy's 127.0.0.1 nor the spoofed one) and https."""
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}
    status, headers, page = topology.request("GET", "/admin/login", headers=spoofed)
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page)[1].decode()
    form = {"username": "nobody", "password": "wrong", "csrf_token": token}
    referer = {"Referer": f"{topology.public_url}/admin/login", "Cookie": cookie}
    assert topology.request("POST", "/admin/login", form, {**spoofed, **referer})[0] == 401
    db = storage.connect(topology.database)
    addresses = [r["key"] for r in db.query("SELECT key FROM throttles WHERE key LIKE 'login:ip:%'")]
    assert addresses == [f"login:ip:{CLIENT}"]  # the failed login counted against the real client
    # Over https, Flask-WTF insists on a same-origin Referer: refused without one, so the app saw
    # https (Caddy's word) and not the client's "http" (which would have skipped that check).
    assert topology.request("POST", "/admin/login", form, {**spoofed, "Cookie": cookie})[0] == 400


def test_a_status_callback_through_caddy_moves_the_row_the_scheduler_sent(topology, fake):
    secret = (topology.folder / "secret_key").read_text().strip()
    db = storage.connect(topology.database)
    with db.atomic():
        row_id = (
            db["outbox"]
            .insert(
                {
                    "contact_id": None,
                    "channel": "sms",
                    "to_enc": PhoneVault(secret).encrypt("+5216561230000"),
                    "kind": "reminder",
                    "lang": "es",
                    "body": "Su audiencia es mañana.",
                    "send_at": "2020-01-01T00:00:00Z",  # due now
                    "hearing_at": "2099-03-09T14:30:00Z",
                    "status": "pending",
                }
            )
            .last_pk
        )

    def row() -> dict:
        return db["outbox"].get(row_id)

    deadline = time.monotonic() + 20
    while row()["status"] != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert row()["status"] == "sent", "the scheduler process did not send it"
    [sent] = fake.to("+5216561230000")
    callback = f"{topology.public_url}/twilio/status"
    assert sent["StatusCallback"] == callback  # Twilio is told the public URL, through the proxy
    form = {"MessageSid": row()["sid"], "MessageStatus": "delivered", "AccountSid": ACCOUNT}
    assert topology.request("POST", "/twilio/status", form, signed(callback, form))[0] == 204
    assert row()["status"] == "delivered"
    assert topology.request("POST", "/twilio/status", form)[0] == 403  # unsigned: refused
    alive = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "scheduler_alive.py")],
        env={**os.environ, "HEARINGBOT_DATABASE": topology.database},
    )
    assert alive.returncode == 0  # compose's health check of the scheduler agrees it is running


def test_ctrl_c_stops_every_process(tmp_path, fake):
    topology = start(tmp_path / "run", fake)
    db = storage.connect(topology.database)
    deadline = time.monotonic() + 20
    while not db["leases"].count and time.monotonic() < deadline:  # the scheduler's first tick
        time.sleep(0.1)
    assert db["leases"].count == 1
    assert topology.stop() == 0
    with pytest.raises(ProcessLookupError):
        os.killpg(topology.process.pid, 0)  # nothing left in its process group: caddy, gunicorn, scheduler
    assert db["leases"].count == 0  # the scheduler stopped gracefully: it gave its lease back
