"""The console over HTTP: logins, roles, CSRF, lockout, headers, and the simulator in local mode."""

import re
from datetime import timedelta

import pytest

from bot.core.status import ALL
from bot.store import audit, staff
from bot.store import db as storage
from bot.web import context
from scheduler import outbox
from tests.helpers import PASSWORD, PUBLIC_URL, Phone, login, post, register, token

ROUTES = {  # GET pages and the least role that may see them
    "/admin": "volunteer",
    "/admin/broadcasts": "volunteer",
    "/admin/shelters": "volunteer",
    "/admin/shelters/new": "volunteer",
    "/admin/shelters/1": "volunteer",
    "/admin/shelters.csv": "volunteer",
    "/admin/queue": "operator",
    "/admin/messages": "operator",
    "/admin/people": "operator",
    "/admin/staff": "admin",
    "/admin/audit": "admin",
}
POSTS = {  # actions and the least role
    "/admin/broadcasts/preview": "volunteer",
    "/admin/broadcasts/1/cancel": "volunteer",
    "/admin/queue/1/cancel": "operator",
    "/admin/staff/vol/disable": "admin",
}
ORDER = ("volunteer", "operator", "admin")


def test_anonymous_users_go_to_the_login_page_everywhere(members, client):
    for path in [*ROUTES, *POSTS]:
        answer = post(client, path) if path in POSTS else client.get(path, base_url=PUBLIC_URL)
        assert answer.status_code in (302, 400), path  # a POST without its CSRF token stops even sooner
        if answer.status_code == 302:
            assert "/admin/login" in answer.headers["Location"]


@pytest.mark.parametrize("who", ["vol", "op", "adm"])
def test_each_role_sees_its_pages_and_gets_403_elsewhere(members, client, db, who):
    register(Phone(client))  # a person, a hearing, reminders: something in every page
    role = {"vol": "volunteer", "op": "operator", "adm": "admin"}[who]
    assert login(client, who).status_code == 302
    for path, needed in ROUTES.items():
        answer = client.get(path, base_url=PUBLIC_URL)
        allowed = ORDER.index(role) >= ORDER.index(needed)
        assert answer.status_code == (200 if allowed else 403), (who, path, answer.status_code)
    csrf = token(client, "/admin")
    for path, needed in POSTS.items():
        answer = post(client, path, data={"csrf_token": csrf})
        if ORDER.index(role) < ORDER.index(needed):
            assert answer.status_code == 403, (who, path)
        else:
            assert answer.status_code in (200, 302), (who, path, answer.status_code)


def test_a_form_without_its_csrf_token_is_refused(members, client):
    assert post(client, "/admin/login", data={"username": "adm", "password": PASSWORD}).status_code == 400
    login(client, "adm")
    assert post(client, "/admin/queue/1/cancel").status_code == 400
    assert post(client, "/admin/broadcasts", data={"text_es": "x"}).status_code == 400


def test_wrong_passwords_lock_the_account_for_a_while(members, client, db):
    for _ in range(4):
        assert "Wrong name or password." in login(client, "op", "nope").get_data(as_text=True)
    assert "Too many wrong passwords" in login(client, "op", "nope").get_data(as_text=True)
    assert "Too many wrong passwords" in login(client, "op").get_data(as_text=True)  # even the right one
    members.config["NOW"] += timedelta(minutes=16)
    assert login(client, "op").status_code == 302
    actions = [e["action"] for e in audit.entries(db)]
    assert actions[:3] == ["login", "login refused", "login locked"] and actions.count("login failed") == 4


def test_slow_down_waits_longer_after_each_wrong_password(members):
    waited = []
    with members.app_context():
        db = context.get_db()
        for _ in range(4):
            staff.login(db, "vol", "nope", context.now(), sleep=waited.append)
    assert waited == [0.5, 1.0]


def test_session_cookie_flags_and_security_headers(members, client):
    answer = login(client, "vol")
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for path in ("/admin/login", "/admin"):
        headers = client.get(path, base_url=PUBLIC_URL).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/admin", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "<script>" not in page and " onclick=" not in page and " style=" not in page  # nothing inline


def test_people_page_masks_phones_and_shows_no_bodies(members, client):
    register(Phone(client, "+5216561239876"))
    login(client, "op")
    page = client.get("/admin/people", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "…9876" in page and "+5216561239876" not in page and "6561239876" not in page
    queue = client.get("/admin/queue", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "…9876" in queue and "Su audiencia: lunes 9 de marzo" in queue


def test_message_log_explains_twilio_codes(members, client, db):
    register(Phone(client))
    db.execute("UPDATE outbox SET status = 'undelivered', error_code = '30003', sid = 'SMx' WHERE slot = 'd7'")
    login(client, "op")
    page = client.get("/admin/messages", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "30003: The phone was off or out of reach; tried again later." in page


def test_console_speaks_the_staff_members_language(app, client):
    app.config["LOGIN_SLOWDOWN"] = False
    with app.app_context():
        staff.add(context.get_db(), context.vault(), "lupe", "operator", None, PASSWORD, None, context.now(), "es")
    login(client, "lupe")
    page = client.get("/admin", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "personas registradas" in page and "Panel" in page


def test_staff_added_and_disabled_from_the_console(members, client, db):
    login(client, "adm")
    csrf = token(client, "/admin/staff")
    answer = post(
        client,
        "/admin/staff",
        data={"csrf_token": csrf, "name": "nuevo", "role": "volunteer", "lang": "es", "password": "short"},
    )
    assert answer.status_code == 422 and "at least 10 characters" in answer.get_data(as_text=True)
    post(
        client,
        "/admin/staff",
        data={"csrf_token": csrf, "name": "nuevo", "role": "volunteer", "lang": "es", "password": PASSWORD},
    )
    post(client, "/admin/staff/nuevo/disable", data={"csrf_token": csrf})
    row = next(db["staff"].rows_where("name = ?", ["nuevo"]))
    assert row["disabled_at"] and row["password_hash"].startswith("scrypt:")


# --- the simulator ------------------------------------------------------------------------------------


def test_simulator_talks_through_the_webhook_path_in_local_mode_only(local_app, client):
    assert client.get("/simulator", base_url=PUBLIC_URL).status_code == 404  # a token is configured
    sim = local_app.test_client()
    page = sim.get("/simulator", base_url="https://localhost").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    for said in ("hola", "1"):
        sim.post(
            "/simulator",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/simulator"},
            data={"csrf_token": csrf, "body": said, "phone": "+5216560001111"},
        )
    page = sim.get("/simulator", base_url="https://localhost").get_data(as_text=True)
    assert "Avisos gratis de su audiencia." in page and "¿En qué ciudad está?" in page
    db = storage.connect(local_app.config["DATABASE"])
    assert db["contacts"].count == 1 and db["inbound"].count == 2  # stored exactly as webhook messages are


def test_the_queue_lists_every_status_under_all(members, client, db):
    """ "all" means all: expired and read rows too (the list used to be spelled apart, and missed them)."""
    register(Phone(client))
    ids = [r["id"] for r in db.query("SELECT id FROM outbox ORDER BY id")]
    for row_id, status in zip(ids, ("expired", "read", "cancelled", "delivered"), strict=False):
        db.execute("UPDATE outbox SET status = ? WHERE id = ?", [status, row_id])
    db.conn.commit()
    login(client, "op")
    page = client.get("/admin/queue?status=all", base_url=PUBLIC_URL).get_data(as_text=True)
    assert f"{len(ids)} messages" in page
    for status in ("expired", "read", "cancelled", "delivered", "pending"):
        assert f'<option value="{status}"' in page, status


def test_the_queue_filters_by_kind_city_and_day_in_sql(members, client, db):
    """Kind, city and day narrow the list and its count; the page shows at most PAGE rows of them."""
    register(Phone(client, "+5216561230001"))  # Ciudad Juárez
    register(Phone(client, "+5216641230002"), city="1")  # Tijuana
    login(client, "op")

    def shown(query):
        page = client.get(f"/admin/queue?{query}", base_url=PUBLIC_URL).get_data(as_text=True)
        total = int(re.search(r"<p>(\d+) messages</p>", page)[1])
        return total, set(re.findall(r"…(\d{4})", page)), re.findall(r"<td>(reminder|wakeup|evening)</td>", page)

    everyone = db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    assert shown("status=pending")[0] == everyone
    total, phones, kinds = shown("status=pending&city=tijuana&kind=evening")  # at the port at 04:30: the evening before
    assert (total, phones, kinds) == (1, {"0002"}, ["evening"])
    assert shown("status=pending&city=tijuana&kind=wakeup")[0] == 0
    day = db.execute("SELECT substr(send_at, 1, 10) FROM outbox WHERE slot = 'd7' ORDER BY id LIMIT 1").fetchone()[0]
    total, phones, kinds = shown(f"status=all&date={day}&city=ciudad_juarez")
    assert total == 1 and phones == {"0001"} and kinds == ["reminder"]


# --- at scale: what bench/console.py measures, kept from coming back -------------------------------------


@pytest.mark.parametrize(
    "statuses", [("pending",), ALL, ("failed", "cancelled"), ("pending", "sent"), ("read",), ("nonsense",)]
)
@pytest.mark.parametrize("limit", [3, 200])
def test_the_queue_by_status_alone_lists_and_counts_the_same_rows_from_its_indexes(app, client, db, statuses, limit):
    """Statuses alone are read in parts (pending, the others), each from its index; the page is still
    the first rows of all of them by send time, priority and id, and the count is theirs."""
    register(Phone(client, "+5216561230001"))
    register(Phone(client, "+5216641230002"), city="1")
    ids = [r["id"] for r in db.query("SELECT id FROM outbox ORDER BY send_at, priority, id")]
    mixed = ("pending", "failed", "sent", "pending", "cancelled", "read", "pending", "delivered")
    for row_id, status in zip(ids, mixed * len(ids), strict=False):
        db.execute(
            "UPDATE outbox SET status = ?, updated_at = ? WHERE id = ?", [status, f"2026-02-0{row_id % 3 + 1}", row_id]
        )
    db.conn.commit()
    marks = ", ".join("?" * len(statuses))
    expected = [
        r[0]
        for r in db.execute(f"SELECT id FROM outbox WHERE status IN ({marks}) ORDER BY send_at, priority, id", statuses)
    ]
    with app.app_context():
        which = outbox.Filter(tuple(statuses))
        listed = outbox.listing(context.get_db(), context.vault(), context.places(), which, limit)
        total = outbox.count(context.get_db(), which)
    assert [r["id"] for r in listed] == expected[:limit] and total == len(expected)
    assert ("nonsense",) != statuses or total == 0


SCAN = re.compile(r"SCAN (outbox|o|contacts)")  # the whole table, row by row (an index scan says USING)


def test_no_console_page_reads_every_message_or_every_person(members, client, db, monkeypatch):
    """Each query of the console's pages reads the outbox and the contacts through an index (m012):
    at 400,000 messages one that reads the whole table costs 50-100 ms (bench/console.py). Only the
    queue filtered by kind, city or day reads the table, where one scan beats an index walk."""
    register(Phone(client))
    db.execute(
        "UPDATE outbox SET status = 'delivered', sid = 'SMx', updated_at = '2026-02-02T10:00:00Z' WHERE slot = 'd7'"
    )
    db.execute("UPDATE contacts SET consent_at = created_at")
    db.conn.commit()
    statements: list[str] = []
    real = storage.connect

    def connect(path, **kwargs):
        conn = real(path, **kwargs)
        conn.conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(storage, "connect", connect)
    login(client, "op")
    for page in (
        "/admin",
        "/admin/queue",
        "/admin/queue?status=all",
        "/admin/queue?status=failed",
        "/admin/messages",
        "/admin/people",
        "/admin/broadcasts",
    ):
        statements.clear()
        assert client.get(page, base_url=PUBLIC_URL).status_code == 200, page
        selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
        assert selects, page
        for sql in selects:
            plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
            assert not [step for step in plan if SCAN.fullmatch(step)], (page, sql, plan)
