"""The console over HTTP: logins, roles, CSRF, lockout, headers, and the simulator in local mode."""

import re
from datetime import timedelta

import pytest

from app import create_app
from bot.config import ConfigError
from bot.core.conversation import STATE_NAMES
from bot.core.dates import LANGS
from bot.core.i18n import NATIVE_NAMES, translator
from bot.core.phones import PhoneVault
from bot.core.status import ALL, KIND_NAMES, STATUS_NAMES, Kind, Status
from bot.store import audit, broadcasts, staff
from bot.store import db as storage
from bot.web import context
from bot.web.console import routes
from scheduler import outbox
from tests.helpers import PASSWORD, PUBLIC_URL, ROOT, Phone, login, make_app, post, queued, register, token

ROUTES = {  # GET pages and the least role that may see them
    "/admin": "volunteer",
    "/admin/broadcasts": "volunteer",
    "/admin/shelters": "volunteer",
    "/admin/shelters/new": "volunteer",
    "/admin/shelters/1": "volunteer",
    "/admin/shelters.csv": "volunteer",
    "/admin/outcomes": "volunteer",
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
    "/admin/staff/vol/enable": "admin",
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
    assert "…9876" in queue and "Su audiencia es en 7 dias: lunes 9 de marzo" in queue


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
        total = int(re.search(r"<p>(\d+) messages?</p>", page)[1])  # "1 message", "2 messages"
        kinds = re.findall(r'data-label="Kind">(Reminder|Hearing-day message|Evening-before message)</td>', page)
        return total, set(re.findall(r"…(\d{4})", page)), kinds

    everyone = db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    assert shown("status=pending")[0] == everyone
    total, phones, kinds = shown("status=pending&city=tijuana&kind=evening")  # at the port at 04:30: the evening before
    assert (total, phones, kinds) == (1, {"0002"}, ["Evening-before message"])
    assert shown("status=pending&city=tijuana&kind=wakeup")[0] == 0
    day = db.execute("SELECT substr(send_at, 1, 10) FROM outbox WHERE slot = 'd7' ORDER BY id LIMIT 1").fetchone()[0]
    total, phones, kinds = shown(f"status=all&date={day}&city=ciudad_juarez")
    assert total == 1 and phones == {"0001"} and kinds == ["Reminder"]


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
    context.drop_idle(client.application)  # the requests' connections are opened anew, traced
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


# --- times on named clocks, codes in words (issue 16) -------------------------------------------------

RAW_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
PAGES = [path for path in ROUTES if not path.endswith(".csv")]


def busy(client, db):
    """Something on every page: two people (one mid-conversation), a failed message, a broadcast, audit rows."""
    register(Phone(client, "+5216561230001"))  # Ciudad Juárez, El Paso court
    half = Phone(client, "+5216641230002")
    half.text("hola"), half.text("1")  # Spanish, now choosing a city
    db.execute("UPDATE outbox SET status = 'failed', error_code = '30005' WHERE slot = 'd7'")
    db.conn.commit()


def test_times_are_shown_on_named_clocks_never_as_raw_iso(members, client, db):
    busy(client, db)
    login(client, "adm")
    csrf = token(client, "/admin/broadcasts")
    post(client, "/admin/broadcasts", data={"csrf_token": csrf, "text_es": "Cuidado.", "confirmed": "1"})
    for path in PAGES:
        page = client.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
        assert not RAW_ISO.search(page), (path, RAW_ISO.search(page)[0])
        assert "(UTC)" not in page, path
    queue = client.get("/admin/queue?status=all", base_url=PUBLIC_URL).get_data(as_text=True)
    # NOW is 2 Feb 2026; the d3 reminder goes on 6 March at 10:00 in Juárez (17:00 UTC): the person's clock
    assert "Fri, Mar 6, 10:00 AM (Ciudad Juárez time)" in queue
    people = client.get("/admin/people", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Mon, Mar 9, 8:30 AM (El Paso time)" in people  # the hearing on its court's clock
    audit_page = client.get("/admin/audit", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "Mon, Feb 2, 7:00 AM (Tijuana time)" in audit_page  # 15:00 UTC on the console's clock
    assert "Mon, Feb 2, 7:00 AM (Tijuana time)" in client.get("/admin/broadcasts", base_url=PUBLIC_URL).get_data(
        as_text=True
    )


def test_the_console_clock_is_a_setting_and_must_be_a_real_zone(app, client, tmp_path):
    app.config["CONSOLE_ZONE"] = "America/Ciudad_Juarez"
    add = app.test_cli_runner().invoke
    add(args=["staff", "add", "ana", "--role", "admin", "--lang", "es"], input=PASSWORD + "\n")
    app.config["LOGIN_SLOWDOWN"] = False
    login(client, "ana")
    page = client.get("/admin/audit", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "lun 2 de feb, 8:00 a.m. (hora de Ciudad Juárez)" in page  # Spanish words, Juárez's clock
    with pytest.raises(ConfigError, match="HEARINGBOT_CONSOLE_ZONE"):
        make_app(tmp_path / "other", CONSOLE_ZONE="Mars/Olympus_Mons")
    other = create_app({**app.config, "CONSOLE_ZONE": "America/Mexico_City", "DATABASE": app.config["DATABASE"]})
    with other.test_request_context("/admin"):
        assert routes.display.console_clock().name == "Ciudad de México"  # a city on that clock names it


def test_codes_are_shown_in_the_members_language_by_their_names(app, client, db):
    app.config["LOGIN_SLOWDOWN"] = False
    with app.app_context():
        staff.add(context.get_db(), context.vault(), "lupe", "admin", None, PASSWORD, None, context.now(), "es")
    busy(client, db)
    login(client, "lupe")
    _ = translator("es")
    people = client.get("/admin/people", base_url=PUBLIC_URL).get_data(as_text=True)
    assert _(STATE_NAMES["choose_city"]) in people and _(STATE_NAMES["registered"]) in people
    assert "choose_city" not in people and ">registered<" not in people
    assert "Español" in people and ">es<" not in people
    queue = client.get("/admin/queue?status=all", base_url=PUBLIC_URL).get_data(as_text=True)
    assert _(KIND_NAMES[Kind.REMINDER]) in queue and _(STATUS_NAMES[Status.PENDING]) in queue
    assert _(STATUS_NAMES[Status.FAILED]) in queue and _("The number does not exist.") in queue
    assert not re.search(r">\s*(pending|reminder|wakeup|evening|failed)\s*<", queue)  # no code as a label
    staff_page = client.get("/admin/staff", base_url=PUBLIC_URL).get_data(as_text=True)
    assert _(staff.ROLE_NAMES["volunteer"]) in staff_page and not re.search(r">(volunteer|operator|admin)<", staff_page)
    assert all(f">{NATIVE_NAMES[lang]}<" in staff_page for lang in LANGS)  # the language menu, by their own names
    audit_page = client.get("/admin/audit", base_url=PUBLIC_URL).get_data(as_text=True)
    assert _(audit.ACTION_NAMES["staff added"]) in audit_page and "{}" not in audit_page
    home = client.get("/admin", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "<td>Español</td>" in home and "<td>-</td>" not in home


def test_every_status_kind_role_state_and_action_has_a_name():
    assert set(STATUS_NAMES) == set(Status) and set(KIND_NAMES) == set(Kind)
    assert set(staff.ROLE_NAMES) == set(staff.ROLES)
    assert set(broadcasts.STATUS_NAMES) == {"draft", "awaiting_approval", "sending", "sent", "cancelled"}
    from bot.core.conversation import STATE_HANDLERS

    assert set(STATE_HANDLERS) == set(STATE_NAMES)  # every state has a handler, and a name
    recorded = {"broadcast sent", "broadcast approved", "queue send-now", "queue retry", "queue cancel"}  # by variable
    for source in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "scheduler").rglob("*.py")]:
        text = source.read_text()
        recorded |= set(re.findall(r'audit\.record\(\s*[\w.]+,\s*[^,]+,\s*"([^"]+)"', text))
        recorded |= set(re.findall(r'_act\(\s*"([^"]+)"', text))
    assert len(recorded) > 15 and recorded <= set(audit.ACTION_NAMES), recorded - set(audit.ACTION_NAMES)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("pt-BR", "pt"),
        ("fr-CA,fr;q=0.8", "fr"),
        ("ht", "ht"),
        ("de-DE", "en"),
        ("", "en"),
    ],
)
def test_the_login_page_speaks_the_browsers_language(members, app, header, lang):
    browser = app.test_client()
    headers = {"Accept-Language": header} if header else {}
    page = browser.get("/admin/login", base_url=PUBLIC_URL, headers=headers).get_data(as_text=True)
    _ = translator(lang)
    assert f'<html lang="{lang}">' in page and _("Password") in page and _("Log in") in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    wrong = browser.post(
        "/admin/login",
        base_url=PUBLIC_URL,
        headers={**headers, "Referer": f"{PUBLIC_URL}/admin/"},
        data={"username": "op", "password": "nope", "csrf_token": csrf},
    )
    assert _("Wrong name or password.") in wrong.get_data(as_text=True)


def test_once_logged_in_the_members_language_wins_over_the_browsers(members, client):
    login(client, "op")  # English pages
    page = client.get("/admin", base_url=PUBLIC_URL, headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "people registered" in page


# --- broadcasts: a confirm step ------------------------------------------------------------------------


def test_a_broadcast_is_checked_before_it_is_sent_and_says_who_gets_which_text(members, client, db, crowd):
    login(client, "vol")
    csrf = token(client, "/admin/broadcasts")
    form = {"csrf_token": csrf, "text_es": "Puente cerrado.", "text_pt": "Ponte fechada."}
    check = post(client, "/admin/broadcasts", data=form)
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and db["broadcasts"].count == 0 and queued(db) == 0  # nothing stored yet
    assert "Check before sending" in page and "6 people, about 0.60 USD" in page
    assert "Español: 2 people, 1 SMS segment(s) each" in page
    assert "Português: 1 person, 1 SMS segment(s) each" in page
    assert "English: 1 person gets the Español text, 1 SMS segment(s) each" in page  # the fallback, said
    assert "Kreyòl: 1 person gets the Español text" in page and "Français: 1 person gets the Español text" in page
    assert 'id="confirm">Send to 6 people</button>' in page
    assert '<textarea id="text_pt" name="text_pt" rows="2" >Ponte fechada.</textarea>' in page  # kept to edit
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.split('id="composer"')[0]))
    assert (
        hidden["confirmed"] == "1" and hidden["text_es"] == "Puente cerrado." and hidden["text_pt"] == "Ponte fechada."
    )
    only = post(client, "/admin/broadcasts", data=form | {"only_written": "on"}).get_data(as_text=True)
    assert "3 people get nothing (no text in their language)" not in only  # said language by language
    assert "English: 1 person gets nothing (no text in their language)" in only
    sent = post(client, "/admin/broadcasts", data={**hidden, "csrf_token": csrf})
    assert sent.status_code == 302 and queued(db) == 6
    assert broadcasts.get(db, 1)["status"] == "sending"
    preview = post(client, "/admin/broadcasts/preview", data=form).json
    assert preview["fallbacks"] == {"en": "es", "fr": "es", "ht": "es"}
    assert "English: 1 person gets the Español text, 1 SMS segment(s) each" in preview["lines"]


def test_the_confirm_step_says_when_a_volunteers_broadcast_will_wait_for_approval(members, client, db, monkeypatch):
    monkeypatch.setattr(broadcasts, "APPROVAL_OVER", 0)
    register(Phone(client))
    login(client, "vol")
    page = post(
        client, "/admin/broadcasts", data={"csrf_token": token(client, "/admin/broadcasts"), "text_es": "Cuidado."}
    ).get_data(as_text=True)
    assert "More than 0 people: it will wait for an operator&#39;s approval." in page


# --- decrypt only what is shown -------------------------------------------------------------------------


def test_pages_decrypt_only_the_rows_they_show(members, client, db, monkeypatch):
    for n in range(4):
        register(Phone(client, f"+52165612300{n:02d}"))
    db.execute("UPDATE outbox SET status = 'sent', sid = 'SM' || id")
    db.conn.commit()
    monkeypatch.setattr(routes, "PAGE", 3)
    seen = []
    real = PhoneVault.decrypt
    monkeypatch.setattr(PhoneVault, "decrypt", lambda self, token: seen.append(token) or real(self, token))
    login(client, "op")
    for path, shown in (("/admin/people", 3), ("/admin/messages", 3), ("/admin/queue?status=all", 3)):
        seen.clear()
        page = client.get(path, base_url=PUBLIC_URL).get_data(as_text=True)
        assert len(re.findall(r"…\d{4}", page)) == shown and len(seen) == shown, (path, len(seen))


def test_short_dates_in_every_language():
    from datetime import date

    from bot.core.i18n import short_date

    day = date(2027, 3, 9)
    assert [short_date(day, lang) for lang in LANGS] == [
        "mar 9 de mar",
        "Tue, Mar 9",
        "ter., 9 de mar.",
        "mar. 9 mars",
        "madi 9 mas",
    ]
    assert (
        short_date(day, "es", year=True) == "mar, 9 de mar de 2027" and short_date(day, "ht", year=True)[-4:] == "2027"
    )
