"""The registration flow, as scripts through the signed webhook, in all five languages."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.segments import count
from tests.helpers import Phone, register

SCRIPTS = {
    "es": [
        ("hola", "Avisos gratis de su audiencia. No somos la corte. STOP: salir. AYUDA: ayuda."),
        ("1", "¿En qué ciudad está?\n1 Tijuana\n2 Mexicali\n3 Nogales\n4 Ciudad Juárez"),
        ("ciudad juarez", "¿Qué día y a qué hora es su audiencia? Por ejemplo: 9 de marzo 8:30 a.m."),
        (
            "el 9 de marzo a las 8:30",
            "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso.\n¿Es correcto? Responda SI o NO.",
        ),
        ("SÍ", "Guardado. Le avisaremos antes de su audiencia. Siempre confirme con la corte: llame al"),
        (
            "tengo que estar en el puente a las 4:30",
            "Guardado: hora para presentarse en Puente Paso del Norte: 4:30 a.m. (hora de Ciudad Juárez).",
        ),
    ],
    "en": [
        ("Hello", "Free hearing reminders. We are not the court. Reply STOP to end, HELP for help."),
        ("English", "Which city are you in?\n1 Tijuana"),
        ("tijuana", "What day and time is your hearing? For example: March 9 8:30 AM"),
        (
            "March 19 at 9am",
            "Your hearing: Thursday, March 19, 2026, 9:00 AM, San Diego court.\nIs that right? Reply YES or NO.",
        ),
        ("yes", "Saved. We will remind you before your hearing."),
        ("no", "We will remind you to be at El Chaparral at about 5:00 AM (Tijuana time), 4 h before."),
    ],
    "pt": [
        ("Olá, tudo bem?", "Lembretes grátis da audiência. Não somos o tribunal. STOP: sair. AJUDA: ajuda."),
        ("Português", "Em que cidade você está?"),
        ("reynosa", "Qual o dia e a hora da sua audiência? Por exemplo: 9 de março 8h30"),
        (
            "dia 2 de abril às 14h30",
            "Sua audiência: quinta-feira, 2 de abril de 2026, 14h30, tribunal de Brownsville.\n"
            "Está certo? Responda SIM ou NÃO.",
        ),
        ("Sim", "Salvo. Vamos lembrar você antes da audiência."),
        ("às 10h", "Salvo: horário para chegar a Puente Nuevo: 10h00 (hora de Matamoros)."),
    ],
    "fr": [
        ("Bonjour", "Rappels gratuits. Ce n'est pas le tribunal. STOP : arrêter. AIDE : aide."),
        ("4", "Dans quelle ville ?"),
        ("Matamoros", "Quel jour et à quelle heure est votre audience ? Par exemple : 9 mars 8h30"),
        (
            "le 13 mars à 7h45",
            "Votre audience : vendredi 13 mars 2026, 7h45, tribunal de Brownsville.\n"
            "Est-ce correct ? Répondez OUI ou NON.",
        ),
        ("OUI", "Enregistré. Vous recevrez des rappels avant l'audience."),
        ("à 3h30 au pont", "Enregistré : soyez à Puente Nuevo à 3h30 (heure de Matamoros)."),
    ],
    "ht": [
        ("Bonjou", "Rapèl odyans gratis. Nou pa tribinal la. STOP pou sispann, ÈD pou jwenn èd."),
        ("Kreyol", "Nan ki vil ou ye?"),
        ("Nogales", "Ki jou ak ki lè odyans ou ye? Pa egzanp: 9 mas 8:30 AM"),
        (
            "15 jiyè a 8è30",
            "Odyans ou: mèkredi 15 jiyè 2026, 8:30 AM (lè El Paso), tribinal El Paso.\nSe sa? Reponn WI oswa NON.",
        ),
        ("wi", "Nou anrejistre odyans ou. N ap raple w anvan odyans lan."),
        (
            "m pa konnen",
            "N ap raple w pou w rive nan Garita DeConcini anviwon 3:30 AM (lè Nogales), 4 èdtan anvan.",
        ),
    ],
}
EXPECTED = {  # (court zone, local date and time, local time at the port) the stored UTC instants must match
    "es": ("America/Denver", datetime(2026, 3, 9, 8, 30), datetime(2026, 3, 9, 4, 30)),
    "en": ("America/Los_Angeles", datetime(2026, 3, 19, 9, 0), None),
    "pt": ("America/Chicago", datetime(2026, 4, 2, 14, 30), datetime(2026, 4, 2, 10, 0)),
    "fr": ("America/Chicago", datetime(2026, 3, 13, 7, 45), datetime(2026, 3, 13, 3, 30)),
    "ht": ("America/Denver", datetime(2026, 7, 15, 8, 30), None),
}


def utc_text(local: datetime | None, zone: str) -> str | None:
    return local and local.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("lang", SCRIPTS)
def test_registration_script(client, db, lang):
    phone = Phone(client, "+5216561110000")
    for said, expected in SCRIPTS[lang]:
        answers = phone.texts(said)
        assert answers[0].startswith(expected), (said, answers)
        assert all(count(answer) <= 2 for answer in answers), answers
    zone, local, port = EXPECTED[lang]
    contact = db.execute("SELECT * FROM contacts").fetchall()
    assert len(contact) == 1
    row = next(db["contacts"].rows)
    assert row["lang"] == lang and row["state"] == "registered"
    assert row["consent_at"] == "2026-02-02T15:00:00Z"
    assert row["consent_method"] == "sms: chose a language after the welcome message"
    hearing = next(db["hearings"].rows)
    assert hearing["hearing_at"] == utc_text(local, zone)
    assert hearing["report_at"] == utc_text(port, zone)
    assert hearing["court_zone"] == zone and hearing["status"] == "active"


def test_language_menu_is_numbered_in_every_welcome(phone):
    assert phone.text("buenas").endswith("1 Español\n2 English\n3 Português\n4 Français\n5 Kreyòl")


def test_ambiguous_numeric_date_asks_which(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("tijuana")
    assert phone.text("03/04/2026 10:00") == (
        "¿Qué fecha es?\n1 viernes 3 de abril\n2 miércoles 4 de marzo\nResponda 1 o 2."
    )  # numbered, like the menus
    assert phone.text("2").startswith("Su audiencia: miércoles, 4 de marzo de 2026, 10:00 a.m., corte de San Diego.")
    phone.text("si")
    assert next(db["hearings"].rows)["hearing_at"] == "2026-03-04T18:00:00Z"  # PST, UTC-8


def test_date_without_time_asks_for_the_time(phone):
    phone.text("hola"), phone.text("1"), phone.text("reynosa")
    assert phone.text("el 20 de febrero").startswith("¿A qué hora es su audiencia el 20 de febrero?")
    assert phone.text("a las 9 de la mañana").startswith("Su audiencia: viernes, 20 de febrero de 2026, 9:00 a.m.")


def test_past_date_is_refused_kindly_and_nothing_saved(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("reynosa")
    answer = phone.text("01/02/2026 9:00")
    assert answer == "Esa fecha ya pasó. Escriba la fecha de su próxima audiencia."
    assert db["hearings"].count == 0
    assert phone.text("hoy a las 8:00") == answer  # earlier today, in Reynosa's clock


def test_no_means_write_it_again(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("reynosa"), phone.text("9 de marzo 8:30")
    assert phone.text("no") == "Bien. Escriba otra vez el día y la hora de su audiencia."
    assert db["hearings"].count == 0


def test_other_city_asks_for_the_court(phone, db):
    phone.text("hola"), phone.text("1")
    assert phone.text("otra") == "Escriba el nombre de la ciudad donde está ahora."
    assert phone.texts("Querétaro") == [  # UCS-2 ("Todavía"): two SMS rather than one of three segments
        "Todavía no tenemos esa ciudad: usaremos la hora de su corte.",
        "¿En qué corte es su audiencia? Escriba la ciudad de la corte que dice su papel, por ejemplo: "
        "San Diego, El Paso, Houston",
    ]
    assert phone.text("El Paso").startswith("¿Qué día")
    phone.text("9 de marzo 8:30"), phone.text("si")
    hearing = next(db["hearings"].rows)
    assert hearing["court"] == "el_paso" and hearing["city"] is None


def test_whatsapp_location_picks_the_nearest_city(client, db):
    phone = Phone(client, "+5218991234567", channel="whatsapp")
    phone.text("hola"), phone.text("1")
    assert phone.text("", Latitude="26.08", Longitude="-98.29").startswith("¿Qué día")
    row = next(db["contacts"].rows)
    assert row["city"] == "reynosa" and row["channel"] == "whatsapp"


def test_unknown_answers_repeat_what_is_expected(phone):
    assert phone.text("hola").startswith("Avisos")
    assert phone.text("quiero ayuda con mi caso").startswith("Perdón, no entendí. Responda con un número del 1 al 5")
    phone.text("1")
    assert phone.text("Querétaro") == "Perdón, no entendí. Responda con el número de su ciudad, del 1 al 9."
    phone.text("8")
    assert phone.text("no se").startswith("Perdón, no entendí. Escriba el día y la hora de su audiencia")
    phone.text("9 de marzo 8:30")
    assert phone.text("tal vez") == "Perdón, no entendí. Responda SI si es correcto, o NO para cambiarlo."


def test_a_new_date_after_registering_replaces_the_old_after_confirmation(phone, db):
    register(phone)
    assert phone.text("CAMBIAR").startswith("Escriba el nuevo día y hora de su audiencia.")
    assert phone.text("10 de abril 9:00").startswith("Su audiencia: viernes, 10 de abril de 2026, 9:00 a.m.")
    assert [h["status"] for h in db["hearings"].rows] == ["active"]  # not replaced before YES
    phone.text("si")
    rows = {h["status"]: h["hearing_at"] for h in db["hearings"].rows}
    assert rows == {"replaced": "2026-03-09T14:30:00Z", "active": "2026-04-10T15:00:00Z"}
    assert phone.text("AUDIENCIA").startswith("Su audiencia: viernes, 10 de abril de 2026, 9:00 a.m.")


def test_language_can_change_later_and_keeps_the_hearing(phone, db):
    register(phone)
    assert phone.text("IDIOMA").startswith("Elija su idioma:\n1 Español")
    assert phone.text("2") == ("Your hearing is saved. Reply HEARING to see it, CHANGE to change it, HELP for help.")
    assert phone.text("HEARING").startswith("Your hearing: Monday, March 9, 2026, 8:30 AM, El Paso court.")
    assert db["hearings"].count == 1


CONFIRM_JUAREZ = (
    "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso.\n¿Es correcto? Responda SI o NO."
)


def test_whole_hearing_in_the_first_message_goes_straight_to_confirmation(phone, db):
    assert phone.text("audiencia 9 de marzo 8:30 Juárez").startswith("Avisos gratis")
    assert phone.text("1") == CONFIRM_JUAREZ
    assert phone.texts("si")[0].startswith("Guardado.")
    hearing = next(db["hearings"].rows)
    assert (hearing["hearing_at"], hearing["city"]) == ("2026-03-09T14:30:00Z", "ciudad_juarez")


def test_whole_hearing_when_asked_for_the_city(phone):
    phone.text("hola"), phone.text("1")
    assert phone.text("audiencia 9 de marzo 8:30 Juárez") == CONFIRM_JUAREZ


def test_hearing_without_the_city_is_kept_while_the_city_is_asked(phone):
    phone.text("hola"), phone.text("1")
    assert phone.text("mi audiencia es el 9 de marzo a las 8:30").startswith("¿En qué ciudad está?\n1 Tijuana")
    assert phone.text("4") == CONFIRM_JUAREZ


def test_port_time_in_the_first_message_is_confirmed_and_saved(phone, db):
    phone.text("mi audiencia es el 9 de marzo a las 8:30 y tengo que estar en el puente a las 4:30, estoy en juarez")
    assert phone.texts("1") == [  # the port line is UCS-2 ("Juárez"): beside the rest it would need three segments
        "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso.",
        "Hora para presentarse en Puente Paso del Norte: 4:30 a.m. (hora de Ciudad Juárez).\n"
        "¿Es correcto? Responda SI o NO.",
    ]
    assert len(phone.texts("si")) == 1  # no question about the port: it is known
    hearing = next(db["hearings"].rows)
    assert (hearing["hearing_at"], hearing["report_at"]) == ("2026-03-09T14:30:00Z", "2026-03-09T10:30:00Z")
    assert phone.texts("AUDIENCIA") == [
        "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso.",
        "Hora para presentarse en Puente Paso del Norte: 4:30 a.m. (hora de Ciudad Juárez).\n"
        "Llame al 1-800-898-7180 para confirmarla.",
    ]


def test_port_question_after_saving_checks_the_time_and_can_be_skipped(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("4"), phone.text("el 9 de marzo a las 8:30")
    saved, question = phone.texts("si")
    assert question == (
        "¿Su papel dice a qué hora estar en la garita o el puente? Escriba la hora, por ejemplo: 4:30 a.m. "
        "Si no dice, responda NO."
    )
    assert count(saved) == 1 and count(question) == 1  # GSM-7: no accent dropped, none needed
    assert phone.text("a las 10") == (
        "La hora en la garita o el puente debe ser antes de su audiencia (8:30 a.m.). "
        "Escriba la hora de nuevo o responda NO."
    )
    assert next(db["hearings"].rows)["report_at"] is None
    assert phone.text("no sé") == (
        "Le avisaremos: hora para presentarse en Puente Paso del Norte, aprox. 4:30 a.m. (hora de Ciudad Juárez), "
        "4 h antes. Revise su papel."
    )
    # Later, "puente 4" sets it: an hour for the port is read as written (4 a.m.).
    assert phone.text("puente a las 4") == (
        "Guardado: hora para presentarse en Puente Paso del Norte: 4:00 a.m. (hora de Ciudad Juárez)."
    )
    assert next(db["hearings"].rows)["report_at"] == "2026-03-09T10:00:00Z"


def test_port_time_in_nogales_summer_shows_both_clocks(phone, db):
    """The clock of the place where the person acts first, named; the court's second, as it differs."""
    phone.text("hola"), phone.text("1"), phone.text("nogales"), phone.text("15 de julio a las 8:30")
    phone.text("si")
    answer = phone.text("4:30")
    assert answer == (
        "Guardado: hora para presentarse en Garita DeConcini: 3:30 a.m. (hora de Nogales) [4:30 a.m. hora de El Paso]."
    )
    assert next(db["hearings"].rows)["report_at"] == "2026-07-15T10:30:00Z"  # MDT, UTC-6


def test_a_weekday_that_contradicts_the_date_is_asked_about(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert phone.text("martes 9 de marzo a las 8:30") == (
        "¿Qué fecha es?\n1 lunes 9 de marzo\n2 martes 10 de marzo\nResponda 1 o 2."
    )
    assert phone.text("2").startswith("Su audiencia: martes, 10 de marzo de 2026, 8:30 a.m.")
    phone.text("si")
    assert next(db["hearings"].rows)["hearing_at"] == "2026-03-10T14:30:00Z"


@pytest.mark.parametrize(
    ("lang", "choice", "text", "expected"),
    [
        ("en", "2", "court March 9 at 8:30 am, Juarez", "Your hearing: Monday, March 9, 2026, 8:30 AM, El Paso court."),
        (
            "pt",
            "3",
            "audiência 9 de março 8h30 Juárez",
            "Sua audiência: segunda-feira, 9 de março de 2026, 8h30, tribunal de El Paso.",
        ),
        (  # "d'El Paso": French elides "de" before a vowel
            "fr",
            "4",
            "audience le 9 mars à 8h30, Juárez",
            "Votre audience : lundi 9 mars 2026, 8h30, tribunal d'El Paso.",
        ),
        ("ht", "5", "odyans 9 mas a 8è30 Juarez", "Odyans ou: lendi 9 mas 2026, 8:30 AM, tribinal El Paso."),
    ],
)
def test_whole_hearing_first_in_every_language(client, lang, choice, text, expected):
    phone = Phone(client, "+5216561110001")
    phone.text(text)
    assert phone.text(choice).startswith(expected)


def test_a_hearing_too_soon_for_any_reminder_says_so_instead_of_promising_one(app, client, db):
    """07:00 in Tijuana: a hearing at 08:00 today leaves no time for even the hearing-day message."""
    app.config["NOW"] = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
    phone = Phone(client)
    phone.text("hola"), phone.text("1"), phone.text("1")
    assert phone.text("hoy a las 8").startswith(
        "Su audiencia: lunes, 2 de febrero de 2026, 8:00 a.m., corte de San Diego."
    )
    answer = phone.texts("si")
    assert answer == [
        "Guardado. Ya no hay tiempo para avisarle. Su audiencia: lunes 2 de febrero, 8:00 a.m. "
        "Llame al 1-800-898-7180 para confirmarla."
    ]
    assert count(answer[0]) <= 2
    assert db["hearings"].count == 1  # saved; no reminder could be planned, only what comes after
    assert [r["slot"] for r in db["outbox"].rows] == ["followup", "noanswer"]
    assert phone.text("AUDIENCIA").startswith("Su audiencia: lunes, 2 de febrero de 2026, 8:00 a.m.")
