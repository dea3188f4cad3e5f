"""The console and the simulator in a real browser: Playwright driving Debian's /usr/bin/chromium.

Playwright never downloads a browser here (`make test` installs the `chromium` package with apt
when it is missing). Screenshots of each page land in tests/artifacts/ (ignored by git).
"""

import os
import re
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from bot.core.i18n import long_date, translator, weekday_day_month
from bot.core.outcomes import Code
from bot.store import db as storage
from bot.store import outcomes, staff
from bot.web import context
from bot.web.context import deps_of
from scheduler.runner import Runner
from scheduler.transport import ConsoleTransport
from tests.helpers import PASSWORD, hearing_words, make_local_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

if not CHROMIUM.exists() and os.environ.get("CI"):  # CI must run them: `make test` installs the package
    raise RuntimeError("/usr/bin/chromium is missing: the console's browser tests cannot run")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make test installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The whole app in local mode on a real port; `localhost` so Secure cookies work over HTTP."""
    tmp = tmp_path_factory.mktemp("browser")
    app = make_local_app(tmp, LOGIN_SLOWDOWN=False, SEND_RATE=0)
    with app.app_context():
        db = context.get_db()
        storage.migrate(db)
        staff.add(db, context.vault(), "ana", "admin", None, PASSWORD, None, context.now(), lang="en")
        staff.add(db, context.vault(), "lupe", "admin", None, PASSWORD, None, context.now(), lang="es")
    http = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://localhost:{http.server_port}"
    http.shutdown()


@pytest.fixture(scope="module")
def browser():

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser):
    context_ = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context_.new_page()
    context_.close()


HEARING_DAY = date.today() + timedelta(days=60)  # always ahead, whenever the suite runs


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def register(page, base):
    """A person registers through the simulator, as they would by SMS; the chat as the page shows it."""
    page.goto(f"{base}/simulator")
    page.click("button[name=reset]")
    page.wait_for_load_state()
    for said in ("hola", "1", "4", hearing_words(HEARING_DAY), "si", "no"):
        page.fill("#body", said)
        page.click("button[type=submit]:not([name=reset])")
        page.wait_for_load_state()
    return page.inner_text(".chat")


@pytest.fixture(scope="module")
def registered(server, page):
    _, base = server
    return register(page, base)


def next_tick(app) -> None:
    """The scheduler's next tick, its lease given back (a later tick, another runner, may send)."""
    run = Runner(deps_of(app), transport=ConsoleTransport(echo=False))
    try:
        run.tick()
    finally:
        run.release()


def log_in(page, base, name="ana"):
    page.goto(f"{base}/admin")
    if "/admin/login" in page.url:
        page.fill("#username", name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin")


def test_the_simulator_registers_a_person(server, page):
    chat = register(page, server[1])
    assert f"{long_date(HEARING_DAY, 'es')}, 8:30 a.m., corte de El Paso" in chat
    assert (
        "Le avisaremos: hora para presentarse en Puente Paso del Norte, aprox. 4:30 a.m. (hora de Ciudad Juárez), "
        "4 h antes" in chat
    )
    shot(page, "simulator")


def test_log_in_and_see_the_dashboard(server, page):
    _, base = server
    page.context.clear_cookies()
    page.goto(f"{base}/admin")
    assert "/admin/login" in page.url
    log_in(page, base)
    assert "people registered" in page.inner_text("main")
    assert page.locator("svg.chart").count() == 1
    shot(page, "dashboard")


def test_the_persons_reminders_are_in_the_queue(server, page, registered):
    _, base = server
    log_in(page, base)
    page.goto(f"{base}/admin/queue")
    text = page.inner_text("table.list")
    day = weekday_day_month(HEARING_DAY, "es")
    assert "…0000" in text and f"Su audiencia es en 7 dias: {day}, 8:30 a.m., corte de El Paso." in text
    assert "+5216560000000" not in page.content()
    shot(page, "queue")


def test_send_a_broadcast_with_its_preview_and_watch_it_go(server, page, registered):
    app, base = server
    log_in(page, base)
    page.goto(f"{base}/admin/broadcasts")
    page.fill("#text_es", "Retén en la carretera al puente.")
    expect(page.locator("#preview")).to_contain_text("1 person")  # the CSP forbids eval: no wait_for_function
    assert "Español: 1 person, 1 SMS segment(s) each" in page.inner_text("#preview")
    shot(page, "broadcast-preview")
    page.click("#send")  # first the confirm step: nothing is sent yet
    page.wait_for_load_state()
    assert "Send to 1 person" in page.inner_text("#confirmation") and page.locator(".flash").count() == 0
    page.click("#confirm")
    page.wait_for_load_state()
    assert "Broadcast 1: 1 message queued." in page.inner_text(".flash")  # one person: one message
    next_tick(app)
    expect(page.locator("tr[data-progress] .status").first).to_have_text("All sent", timeout=10_000)
    assert page.locator("tr[data-progress] progress").first.get_attribute("value") == "1"
    shot(page, "broadcast-sent")


def test_edit_a_shelter(server, page):
    _, base = server
    log_in(page, base)
    page.goto(f"{base}/admin/shelters")
    page.click("text=Casa del Migrante Nazareth (segunda casa)")
    page.fill("#phone", "+52 867 714 5612")
    page.fill("#verified_at", date.today().isoformat())
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_load_state()
    assert "Entry saved." in page.inner_text(".flash")
    assert "+52 867 714 5612" in page.inner_text("table.list")
    shot(page, "shelters")


@pytest.fixture(scope="module")
def phone_page(browser):
    """A volunteer's phone at the bridge: 390 x 844."""
    context_ = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context_.new_page()
    context_.close()


# --- on a phone: 390 x 844, a Mexican Spanish browser (issue 16) ------------------------------------------

PHONE = {"width": 390, "height": 844}
RAW_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d"


@pytest.fixture(scope="module")
def phone(browser):
    context_ = browser.new_context(viewport=PHONE, locale="es-MX", device_scale_factor=2, is_mobile=True)
    yield context_.new_page()
    context_.close()


def test_on_a_phone_a_volunteer_answers_an_urgent_thread_and_sees_it_sent(server, page, phone_page):
    app, base = server
    page.goto(f"{base}/simulator")  # a person writes words of danger
    page.click("button[name=reset]")
    page.fill("#phone", "+5216561230999")
    for said in ("hola", "1", "me están siguiendo unos hombres cerca del puente"):
        page.fill("#body", said)
        page.click("button[type=submit]:not([name=reset])")
        page.wait_for_load_state()
    assert "911" in page.inner_text(".chat")
    log_in(phone_page, base)
    phone_page.goto(f"{base}/admin/inbox")
    first = phone_page.locator("table.list tbody tr").first
    assert "…0999" in first.inner_text() and first.get_attribute("class") == "urgent"
    shot(phone_page, "phone-inbox")
    first.locator("a").first.click()
    phone_page.wait_for_load_state()
    assert "me están siguiendo unos hombres" in phone_page.inner_text("main")
    phone_page.fill("#body", "Estamos con usted. Si puede, entre a una tienda y llame al 911.")
    phone_page.click("form button[type=submit]:has-text('Send')")
    phone_page.wait_for_load_state()
    shot(phone_page, "phone-thread")
    assert "on its way" in phone_page.inner_text(".flash")
    next_tick(app)
    phone_page.goto(f"{base}/admin/messages")
    rows = phone_page.inner_text("table.list")
    assert "Volunteer's answer" in rows and "Accepted by Twilio" in rows and "…0999" in rows
    shot(phone_page, "phone-messages")


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)
    # A card's value is one grid item: a cell holding several nodes would spill them under its label.
    spilled = page.evaluate(
        "() => [...document.querySelectorAll('table.list td[data-label]')].filter(td => [...td.childNodes]"
        ".filter(n => n.nodeType === 1 || n.textContent.trim()).length > 1).map(td => td.outerHTML)"
    )
    assert spilled == [], spilled


def test_on_a_phone_the_login_page_speaks_the_browsers_language(server, phone):
    _, base = server
    phone.context.clear_cookies()
    phone.goto(f"{base}/admin/login")
    assert phone.get_attribute("html", "lang") == "es"
    assert translator("es")("Password") in phone.inner_text("main")
    no_sideways_scroll(phone)
    shot(phone, "phone-login")
    log_in(phone, base, "lupe")


def test_on_a_phone_the_queue_is_cards_with_their_actions_in_view(server, phone, registered):
    _, base = server
    log_in(phone, base, "lupe")
    phone.goto(f"{base}/admin/queue")
    first = phone.locator("table.list tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
    assert phone.locator("table.list thead").bounding_box()["height"] <= 1  # the column names moved into the cards
    cell = first.locator("td").nth(1)
    shown_label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert shown_label == f'"{translator("es")("When")}"'  # each value beside its column's name
    when = cell.inner_text()
    assert "(hora de Ciudad Juárez)" in when and not re.search(RAW_ISO, phone.inner_text("main"))
    for button in first.locator("td.actions button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], button.inner_text()
    assert first.locator("td.actions button").count() == 2  # send now, cancel
    assert translator("es")("Waiting") in first.inner_text()
    no_sideways_scroll(phone)
    shot(phone, "phone-queue")


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/admin/people",
        "/admin/messages",
        "/admin/staff",
        "/admin/audit",
        "/admin/outcomes",
        "/admin/shelters",
        "/admin/shelters/check",
    ],
)
def test_on_a_phone_no_page_scrolls_sideways(server, phone, registered, path):
    _, base = server
    log_in(phone, base, "lupe")
    phone.goto(f"{base}{path}")
    no_sideways_scroll(phone)
    assert not re.search(RAW_ISO, phone.inner_text("main"))
    for button in phone.locator("main button").all():
        box = button.bounding_box()
        assert box is None or box["x"] + box["width"] <= PHONE["width"], (path, button.inner_text())
    shot(phone, "phone-" + (path.rsplit("/", 1)[-1] or "home"))


def test_on_a_phone_a_volunteer_marks_the_oldest_entry_checked_today(server, phone):
    _, base = server
    log_in(phone, base, "lupe")
    phone.goto(f"{base}/admin/shelters/check")
    first = phone.locator("ul.tocheck li").first
    name = first.locator("strong").inner_text()
    first.locator("button").click()
    phone.wait_for_load_state()
    assert name in phone.inner_text(".flash")
    assert name not in phone.inner_text("ul.tocheck")
    no_sideways_scroll(phone)
    shot(phone, "phone-to-check")


def test_on_a_phone_the_outcomes_are_cards_in_spanish(server, phone, registered):
    app, base = server
    with app.app_context():  # the registered person was reminded and confirmed (issue 17)
        db = context.get_db()
        for (hearing_id,) in db.execute("SELECT id FROM hearings").fetchall():
            outcomes.record(db, hearing_id, Code.REMINDED, context.now())
            outcomes.record(db, hearing_id, Code.CONFIRMED, context.now())
    log_in(phone, base, "lupe")
    phone.goto(f"{base}/admin/outcomes")
    first = phone.locator("table.list tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
    main = phone.inner_text("main")
    assert "Ciudad Juárez" in main and "El Paso" in main and "Español" in main and "100%" in main
    assert translator("es")("Confirmation") in main
    no_sideways_scroll(phone)
    shot(phone, "phone-outcomes")


def test_on_a_phone_a_broadcast_is_checked_before_it_goes(server, phone, registered):
    _, base = server
    log_in(phone, base, "lupe")
    phone.goto(f"{base}/admin/broadcasts")
    phone.fill("#text_en", "Road block on the way to the bridge.")
    phone.fill("#text_es", "Retén en el camino al puente.")
    expect(phone.locator("#preview")).to_contain_text("Español")
    no_sideways_scroll(phone)
    shot(phone, "phone-broadcast-compose")
    before = phone.locator("tr[data-progress]").count()
    phone.click("#send")
    phone.wait_for_load_state()
    confirm = phone.locator("#confirmation")
    expect(confirm).to_be_visible()
    assert "Español" in confirm.inner_text() and "USD" in confirm.inner_text()
    assert phone.locator("tr[data-progress]").count() == before  # nothing stored before the confirmation
    box = phone.locator("#confirm").bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    no_sideways_scroll(phone)
    shot(phone, "phone-broadcast-confirm")
    phone.click("#confirm")
    phone.wait_for_load_state()
    assert phone.locator("tr[data-progress]").count() == before + 1
    no_sideways_scroll(phone)
    shot(phone, "phone-broadcast-sent")
