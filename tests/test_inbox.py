"""The inbox (issue 16): volunteers see open threads, urgent first, read them and answer; the answer
reaches Twilio (the real client against the fake Messages API) on the person's channel, inside and
outside WhatsApp's 24-hour window, and is never stored or sent in the clear anywhere but Twilio."""

from pathlib import Path

import pytest

from tests.helpers import PUBLIC_URL, Phone, add_members, at, login, post, tick, token

pytestmark = pytest.mark.fake_twilio  # `app` sends through the real twilio client to `fake`
ANSWER = "Hola, soy Ana del albergue. Llame al 089 y venga mañana temprano, pregunte por Wilber en la puerta."


def open_thread(client, number, text, channel="sms"):
    phone = Phone(client, number, channel=channel)
    phone.text("hola"), phone.text("1"), phone.text("4")
    phone.text(text)
    return phone


def raw(app) -> bytes:
    path = Path(app.config["DATABASE"])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_urgent_first_a_volunteer_reads_and_answers_and_twilio_gets_it(app, client, fake):
    add_members(app)
    open_thread(client, "+5216561230101", "HUMANO")
    open_thread(client, "+5216561230102", "me quieren secuestrar")
    staff = app.test_client()
    login(staff, "vol")
    inbox = staff.get("/admin/inbox", base_url=PUBLIC_URL).get_data(as_text=True)
    assert inbox.index("…0102") < inbox.index("…0101")  # urgent first
    assert "+5216561230102" not in inbox
    page = staff.get("/admin/inbox/2", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "me quieren secuestrar" in page and "911" in page  # what the person wrote, and the bot's answer
    answer = post(staff, "/admin/inbox/2/reply", data={"body": ANSWER, "csrf_token": token(staff, "/admin/inbox/2")})
    assert answer.status_code == 302
    tick(app)
    sent = fake.to("+5216561230102")
    assert [f["Body"] for f in sent] == [ANSWER] and sent[0]["To"] == "+5216561230102"
    assert ANSWER.encode() not in raw(app) and b"por Wilber en la puerta" not in raw(app)
    page = staff.get("/admin/inbox/2", base_url=PUBLIC_URL).get_data(as_text=True)
    assert ANSWER in page and "vol" in page
    assert staff.get("/admin/audit", base_url=PUBLIC_URL).status_code == 403  # a volunteer answers, no more


def test_on_whatsapp_inside_the_window_the_answer_goes_as_text(app, client, fake):
    add_members(app)
    open_thread(client, "+5216561230103", "HUMANO", channel="whatsapp")
    staff = app.test_client()
    login(staff, "vol")
    post(staff, "/admin/inbox/1/reply", data={"body": ANSWER, "csrf_token": token(staff, "/admin/inbox/1")})
    tick(app)
    form = fake.to("+5216561230103")[0]
    assert form["To"] == "whatsapp:+5216561230103" and form["Body"] == ANSWER


def test_on_whatsapp_outside_the_window_with_no_approved_template_it_goes_by_sms(app, client, fake):
    add_members(app)
    open_thread(client, "+5216561230104", "HUMANO", channel="whatsapp")
    at(app, "2026-02-05T15:00:00Z")  # three days later: the 24-hour window is closed
    staff = app.test_client()
    login(staff, "vol")
    post(staff, "/admin/inbox/1/reply", data={"body": ANSWER, "csrf_token": token(staff, "/admin/inbox/1")})
    tick(app)
    form = fake.to("+5216561230104")[0]
    assert form["To"] == "+5216561230104" and form["Body"] == ANSWER  # SMS to the same number


def test_an_empty_answer_is_refused_kindly_and_a_missing_thread_is_404(app, client, fake):
    add_members(app)
    open_thread(client, "+5216561230105", "HUMANO")
    staff = app.test_client()
    login(staff, "vol")
    post(staff, "/admin/inbox/1/reply", data={"body": "  ", "csrf_token": token(staff, "/admin/inbox/1")})
    tick(app)
    assert fake.to("+5216561230105") == []
    missing = post(staff, "/admin/inbox/99/reply", data={"body": "x", "csrf_token": token(staff, "/admin/inbox/1")})
    assert missing.status_code == 404


def test_outside_the_window_an_approved_template_asks_to_write_back_then_the_answer_follows(
    app, client, fake, tmp_path
):
    import json

    templates = json.loads(Path(app.config["WHATSAPP_TEMPLATES_FILE"]).read_text())
    templates["templates"]["es"]["reply"]["content_sid"] = "HX" + "e" * 32
    (tmp_path / "templates.json").write_text(json.dumps(templates))
    app.config["WHATSAPP_TEMPLATES_FILE"] = str(tmp_path / "templates.json")
    from scheduler import whatsapp

    app.extensions["hearingbot.templates"] = whatsapp.templates(str(tmp_path / "templates.json"))
    add_members(app)
    phone = open_thread(client, "+5216561230106", "HUMANO", channel="whatsapp")
    at(app, "2026-02-05T15:00:00Z")  # the window is closed
    staff = app.test_client()
    login(staff, "vol")
    post(staff, "/admin/inbox/1/reply", data={"body": ANSWER, "csrf_token": token(staff, "/admin/inbox/1")})
    tick(app)
    first = fake.to("+5216561230106")[0]
    assert first["ContentSid"] == "HX" + "e" * 32 and "Body" not in first  # "a volunteer answered: write back"
    phone.text("hola, aquí estoy")
    tick(app)
    assert fake.to("+5216561230106")[-1]["Body"] == ANSWER  # in the window the person's message opened
