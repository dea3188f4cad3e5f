"""A whole life with the bot, in each language, through the signed webhook and the real twilio client
against the fake Messages API: registering, the 7-, 3- and 1-day reminders with what each says, a
"1" to the 1-day reminder, the hearing, the follow-up the day after, a new date and its new reminders;
the missed-hearing path with the legal-aid list; no answer at all; the message variants; the
outcomes recorded (codes and times only, never a text)."""

from datetime import UTC, datetime

import pytest

from bot.core.i18n import translator
from bot.core.segments import count, fold
from tests.fake_twilio import FakeTwilio
from tests.helpers import ROOT, Phone, at, make_sending_app, register, tick

# How a person registers in each language: the language's number, Ciudad Juárez (4 in the menu), the
# hearing (9 March 2026, 08:30 at El Paso, 14:30Z), YES, and NO to the port time; then a new date.
SCRIPTS = {
    "es": ("hola", "1", "el 9 de marzo a las 8:30", "si", "no", "el 20 de abril a las 9"),
    "en": ("hello", "2", "March 9 8:30 am", "yes", "no", "April 20 9:00 am"),
    "pt": ("olá", "3", "9 de março 8:30", "sim", "não", "20 de abril 9:00"),
    "fr": ("bonjour", "4", "9 mars 8h30", "oui", "non", "20 avril 9h00"),
    "ht": ("bonjou", "5", "9 mas 8:30", "wi", "non", "20 avril 9:00"),
}
# The same moments for everyone in Ciudad Juárez (America/Ciudad_Juarez: MST until 8 March, then MDT).
D7, D3, D1 = "2026-03-02T17:00:05Z", "2026-03-06T17:00:05Z", "2026-03-08T16:00:05Z"
EVENING = "2026-03-09T02:00:05Z"  # at the port at about 04:30 (the court's 4 hours): 20:00 the evening before
FOLLOWUP, HELP = "2026-03-10T16:00:05Z", "2026-03-12T16:00:05Z"  # 10:00 the day after, and two days later


@pytest.fixture
def fake():
    with FakeTwilio() as running:
        yield running


def sent(fake) -> list[str]:
    return [r.form["Body"] for r in fake.requests]


def outcomes(db) -> list[tuple[str, str]]:
    return [(r["code"], r["at"]) for r in db.query("SELECT code, at FROM outcomes ORDER BY id")]


def registered(app, lang: str) -> Phone:
    hello, number, when, yes, no, _new = SCRIPTS[lang]
    phone = Phone(app.test_client())
    phone.text(hello), phone.text(number), phone.text("4"), phone.text(when)
    saved, *port = phone.texts(yes)
    assert port, (lang, saved)  # the port question comes in its own SMS
    phone.text(no)
    return phone


def said(lang: str, msgid: str) -> str:
    """A sentence of the catalog as the person reads it (accents folded, as a long text may be)."""
    return fold(translator(lang)(msgid))


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_a_whole_life_in_each_language(tmp_path, fake, lang):
    app = make_sending_app(tmp_path, fake)
    from bot.store import db as storage

    db = storage.connect(app.config["DATABASE"])
    phone = registered(app, lang)
    contact = db["contacts"].get(1)
    assert contact["lang"] == lang and contact["variant"] == "evidence"  # drawn at registration and kept

    for moment in (D7, D3, D1):
        at(app, moment), tick(app)
    d7, d3, d1 = (fold(b) for b in sent(fake))
    for body in (d7, d3, d1):  # date, time and place first; each at most two segments
        assert "9" in body.split(":")[1] and "El Paso" in body and "Puente Paso del Norte" in body, body
    assert said(lang, "If nobody goes, the judge can order removal without hearing you.") in d7
    assert said(lang, "Plan today: how you will get there, your papers, who keeps the children.") in d3
    assert said(lang, "Reply 1 if you will go, 2 if you need help.") in d1
    assert all(count(b) <= 2 for b in sent(fake))

    thanks = phone.text("1")  # to the 1-day reminder
    assert thanks == translator(lang)("Thank you, we noted that you will go. If you need help, reply 2.")
    assert [code for code, _at in outcomes(db)] == ["reminded", "confirmed"]
    assert outcomes(db)[1][1] == D1  # the time the person answered

    at(app, EVENING), tick(app)  # the plan for the night
    assert said(lang, "Tonight, tell your shelter you leave early, and get your papers ready.") in fold(sent(fake)[-1])
    at(app, FOLLOWUP), tick(app)
    followup = fold(sent(fake)[-1])
    assert followup.startswith(said(lang, "Did you go to your hearing on {date}? Reply with a number:")[:6])
    assert said(lang, "3 I could not go") in followup and count(sent(fake)[-1]) <= 2

    *_, new_date = SCRIPTS[lang]
    asked = phone.text("1")  # I went, and I have a new date
    assert asked.startswith(
        translator(lang)("Good. Write the new day and time of your hearing. For example: {example}")[:5]
    )
    assert "20" in phone.text(new_date)  # the confirmation question names the new day
    phone.texts(SCRIPTS[lang][3])  # YES: the new date replaces the old
    assert [code for code, _at in outcomes(db)] == ["reminded", "confirmed", "asked", "attended", "new_date"]
    old, new = db.query("SELECT id, status, hearing_at FROM hearings ORDER BY id")
    assert (old["status"], new["status"], new["hearing_at"]) == ("replaced", "active", "2026-04-20T15:00:00Z")
    help_row = db.execute("SELECT status, reason FROM outbox WHERE hearing_id = ? AND slot = 'noanswer'", [old["id"]])
    assert help_row.fetchone() == ("cancelled", "answered")  # they answered: no missed-hearing help
    planned = {
        r["slot"]: (r["send_at"], r["status"])
        for r in db.query("SELECT slot, send_at, status FROM outbox WHERE hearing_id = ?", [new["id"]])
    }
    assert planned == {  # 20 April 09:00 MDT; 10:00 MDT in Juárez is 16:00Z
        "d7": ("2026-04-13T16:00:00Z", "pending"),
        "d3": ("2026-04-17T16:00:00Z", "pending"),
        "d1": ("2026-04-19T16:00:00Z", "pending"),
        "wakeup": ("2026-04-20T02:00:00Z", "pending"),  # at the port at about 05:00: the evening before
        "followup": ("2026-04-21T16:00:00Z", "pending"),
        "noanswer": ("2026-04-23T16:00:00Z", "pending"),
    }
    at(app, "2026-04-13T16:00:05Z"), tick(app)
    assert "20" in sent(fake)[-1] and said(
        lang, "If nobody goes, the judge can order removal without hearing you."
    ) in fold(sent(fake)[-1])


def test_the_spanish_and_kreyol_texts_as_a_person_receives_them(tmp_path, fake):
    """Written out whole: what the closing note quotes."""
    app = make_sending_app(tmp_path, fake)
    for n, lang in enumerate(("es", "ht")):
        phone = registered(app, lang) if n == 0 else None
        if phone is None:
            hello, number, when, yes, no, _new = SCRIPTS[lang]
            other = Phone(app.test_client(), "+5216569990000")
            other.text(hello), other.text(number), other.text("4"), other.text(when), other.text(yes), other.text(no)
    for moment in (D7, D1, FOLLOWUP):
        at(app, moment), tick(app)
    by_to: dict[str, list[str]] = {}
    for r in fake.requests:
        by_to.setdefault(r.form["To"], []).append(r.form["Body"])
    es, ht = by_to["+5216561234567"], by_to["+5216569990000"]
    assert es == [
        "Su audiencia es en 7 dias: lunes 9 de marzo, 8:30 a.m., corte de El Paso. Hora para presentarse en Puente "
        "Paso del Norte: aprox. 4:30 a.m. (hora de Ciudad Juarez). Si nadie va, el juez puede ordenar su "
        "deportacion sin escuchar su caso.",
        "Su audiencia es mañana: lunes 9 de marzo, 8:30 a.m., corte de El Paso. Hora para presentarse en Puente "
        "Paso del Norte: aprox. 4:30 a.m. (hora de Ciudad Juarez). Responda 1 si va a ir, 2 si necesita ayuda.",
        "¿Fue a su audiencia del lunes 9 de marzo? Responda 1, 2 o 3:\n1 Fui y tengo nueva fecha\n"
        "2 Fui, sin nueva fecha por ahora\n3 No pude ir",
    ]
    assert ht == [
        "Odyans ou se nan 7 jou: lendi 9 mas, 8:30 AM, tribinal El Paso. Ou dwe rive nan Puente Paso del Norte anviwon "
        "4:30 AM (lè Ciudad Juarez). Si pèsonn pa ale, jij la ka bay lòd pou depòte w san li pa tande w.",
        "Odyans ou se demen: lendi 9 mas, 8:30 AM, tribinal El Paso. Ou dwe rive nan Puente Paso del Norte anviwon "
        "4:30 AM (lè Ciudad Juarez). Reponn 1 si w ap ale, 2 si w bezwen èd.",
        "Ou te ale nan odyans ou lendi 9 mas a? Reponn 1, 2 oswa 3:\n1 Wi, e mwen gen yon nouvo dat\n"
        "2 Wi, mwen poko gen nouvo dat\n3 Mwen pa t ka ale",
    ]
    assert [count(b) for b in es + ht] == [2, 2, 1, 2, 2, 1]


def test_could_not_go_gets_what_to_do_and_the_legal_aid_near_them(tmp_path, fake):
    app = make_sending_app(tmp_path, fake)
    from bot.store import db as storage

    db = storage.connect(app.config["DATABASE"])
    phone = Phone(app.test_client())
    register(phone)
    at(app, FOLLOWUP), tick(app)
    sorry, *pages = phone.texts("3")
    while "OTROS" in pages[-1]:  # the rest of the list, page by page
        pages += phone.texts("OTROS")
    legal = "\n".join(pages)
    assert sorry == (
        "Lo sentimos. Esto no es un consejo legal. Llame al 1-800-898-7180 (desde México 001-800-898-7180), en "
        "inglés o español y con su A-Number, para saber qué dijo el juez. Para ayuda legal gratis cerca de "
        "usted, responda ABOGADO."
    )
    assert fold(legal).startswith(fold("Ayuda legal gratis cerca de Ciudad Juárez (no son la corte; esto no es"))
    assert fold("Las Americas Immigrant Advocacy Center: Sin dirección publicada. Tel. +1 915 544 5126.") in fold(legal)
    hias = next(line for line in legal.splitlines() if "HIAS:" in line)
    assert "Tel." not in hias and "llame antes" not in hias  # never "call first" without a number
    assert count(sorry) <= 2 and all(count(page) <= 2 for page in pages)
    assert [code for code, _at in outcomes(db)] == ["asked", "missed"]
    assert db.execute("SELECT status, reason FROM outbox WHERE slot = 'noanswer'").fetchone() == (
        "cancelled",
        "answered",
    )
    at(app, HELP), tick(app)
    assert len(fake.requests) == 1  # the follow-up only: the help is not sent again
    assert phone.texts("ABOGADO") == pages[:1]  # the keyword lists them any time (the first page, then MORE)


def test_no_answer_after_the_follow_up_sends_the_missed_hearing_help(tmp_path, fake):
    app = make_sending_app(tmp_path, fake)
    from bot.store import db as storage

    db = storage.connect(app.config["DATABASE"])
    register(Phone(app.test_client()))
    at(app, FOLLOWUP), tick(app)
    at(app, HELP), tick(app)
    assert fold(sent(fake)[-1]) == fold(
        "¿No pudo ir a su audiencia del lunes 9 de marzo? Llame al 1-800-898-7180 (desde México 001-800-898-7180), "
        "en inglés o español y con su A-Number, para saber qué dijo el juez. Para ayuda legal gratis cerca de "
        "usted, responda ABOGADO."
    )
    assert [code for code, _at in outcomes(db)] == ["asked", "no_answer"]
    assert outcomes(db)[1][1] == HELP


def test_answers_before_and_after_the_hearing(app, client, db):
    """Before the hearing, 1 = I will go and 2 = I need help (a volunteer); after it, 2 = I went with no
    new date, and a date written plainly replaces the hearing, recorded as a new date."""
    phone = Phone(client)
    register(phone)
    assert phone.text("2").startswith("Una persona voluntaria leerá")  # a thread with a volunteer
    assert db["threads"].count == 1
    phone.text("FIN")
    at(app, "2026-03-09T20:00:00Z")  # the afternoon after the hearing
    assert phone.text("2") == (
        "Gracias por avisarnos. Cuando tenga nueva fecha, mande la fecha y la hora en un mensaje y le enviaremos "
        "avisos."
    )
    assert [code for code, _at in outcomes(db)] == ["attended"]
    assert "4 de mayo de 2026, 10:30 a.m." in phone.text("me dieron nueva fecha el 4 de mayo a las 10:30")
    phone.texts("si")
    assert [code for code, _at in outcomes(db)] == ["attended", "new_date"]
    before = Phone(client, "+5216560000001")
    register(before, when="el 20 de marzo a las 9")
    assert before.text("1") == "Gracias, anotamos que va a ir. Si necesita ayuda, responda 2."


def test_after_the_hearing_1_with_the_date_in_the_same_message(app, client, db):
    phone = Phone(client)
    register(phone)
    at(app, "2026-03-10T16:00:05Z")
    assert "lunes, 4 de mayo de 2026, 10:30 a.m." in phone.text("1 el 4 de mayo a las 10:30")
    phone.texts("si")
    assert [code for code, _at in outcomes(db)] == ["attended", "new_date"]


@pytest.mark.parametrize(
    ("word", "lang", "header"),
    [
        ("ABOGADO", "es", "Ayuda legal gratis cerca de Tijuana"),
        ("LEGAL", "en", "Free legal help near Tijuana"),
        ("ADVOGADO", "pt", "Ajuda jurídica gratuita perto de Tijuana"),
        ("AVOCAT", "fr", "Aide juridique gratuite près de Tijuana"),
        ("AVOKA", "ht", "Gen èd legal gratis toupre Tijuana"),
    ],
)
def test_legal_lists_the_city_s_legal_aid_in_each_language(client, word, lang, header):
    phone = Phone(client)
    hello, number, *_ = SCRIPTS[lang]
    phone.text(hello), phone.text(number), phone.text("1")  # Tijuana
    pages = phone.texts(word)
    while any(more in pages[-1] for more in ("OTROS", "MORE", "MAIS", "PLUS", "PLIS")):
        pages += phone.texts({"es": "OTROS", "en": "MORE", "pt": "MAIS", "fr": "PLUS", "ht": "PLIS"}[lang])
    listing = "\n".join(pages)
    assert fold(listing).startswith(fold(header)) and "Al Otro Lado" in listing and "Tel. +1 213 634 0999" in listing
    assert all(count(page) <= 2 for page in pages)


def test_legal_asks_the_city_first_and_says_plainly_when_none_is_listed(client):
    phone = Phone(client)
    phone.text("hola"), phone.text("1")
    assert phone.text("ABOGADO").startswith("¿En qué ciudad está?")
    assert phone.text("5").startswith("Por ahora no tenemos ayuda legal en la lista cerca de Piedras Negras.")
    # (data/services.csv: no legal aid or migrant-rights group found in a public source there yet)


def test_each_person_is_drawn_a_variant_and_the_plain_one_drops_the_consequence(tmp_path, fake):
    reminders = tmp_path / "reminders.json"
    raw = (ROOT / "data" / "reminders.json").read_text().replace('"evidence": 1', '"evidence": 1, "plain": 1')
    reminders.write_text(raw)
    app = make_sending_app(tmp_path, fake, REMINDERS_FILE=str(reminders))
    from bot.store import db as storage

    db = storage.connect(app.config["DATABASE"])
    client = app.test_client()
    for n in range(24):
        register(Phone(client, f"+52165600{n:05d}"))
    drawn = {r["variant"] for r in db["contacts"].rows}
    assert drawn == {"evidence", "plain"}
    at(app, D7), tick(app)
    variant_of = {r["id"]: r["variant"] for r in db["contacts"].rows}
    consequence = "Si nadie va, el juez puede ordenar su deportacion"
    for row in db.query("SELECT contact_id, body FROM outbox WHERE slot = 'd7'"):
        assert (consequence in row["body"]) == (variant_of[row["contact_id"]] == "evidence"), row
    phone = Phone(client, "+5216560000000")
    first = variant_of[1]
    phone.text("CAMBIAR"), phone.text("el 20 de abril a las 9"), phone.text("si")
    assert db["contacts"].get(1)["variant"] == first  # kept: drawn once, at registration


def test_erasing_a_person_erases_their_outcomes(tmp_path, fake):
    app = make_sending_app(tmp_path, fake)
    from bot.store import db as storage

    db = storage.connect(app.config["DATABASE"])
    phone = Phone(app.test_client())
    register(phone)
    at(app, D1), tick(app)
    phone.text("1")
    assert db["outcomes"].count == 2
    phone.erase()
    assert db["outcomes"].count == 0


def test_outcome_rows_hold_codes_and_times_never_text(app, client, db):
    phone = Phone(client)
    register(phone)
    at(app, "2026-03-09T20:00:00Z")
    phone.text("3")
    (row,) = db.query("SELECT * FROM outcomes")
    assert set(row) == {
        "id",
        "contact_id",
        "hearing_id",
        "code",
        "at",
        "hearing_at",
        "city",
        "lang",
        "court",
        "variant",
    }
    assert (row["code"], row["city"], row["lang"], row["court"]) == ("missed", "ciudad_juarez", "es", "el_paso")
    assert datetime.fromisoformat(row["at"].replace("Z", "+00:00")) == datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
