"""Keywords work at any step, in every language, any case, with or without accents."""

import re

import pytest

from tests.helpers import Phone, register

HELP = {
    "HELP": "Free hearing reminders. We are not the court: call 1-800-898-7180 to confirm. Reply with one word:",
    "ayuda": "Avisos gratis. No somos la corte: llame al 1-800-898-7180 para confirmar. Responda con una palabra:",
    "Ajuda": "Lembretes grátis. Não somos o tribunal: ligue 1-800-898-7180. Responda:",
    "aide": "Rappels gratuits. Nous ne sommes pas le tribunal : appelez le 1-800-898-7180 pour vérifier. "
    "Répondez par un mot :",
    "ÈD": "Rapèl gratis pou odyans ou. Nou pa tribinal la: rele 1-800-898-7180 pou konfime. Reponn ak yon mo:",
    "ed": "Rapèl gratis pou odyans ou.",
}
STOPPED = {
    "es": "Ya no le enviaremos mensajes. Para volver, responda START.",
    "en": "You will not get more messages. To come back, reply START.",
    "pt": "Você não vai receber mais mensagens. Para voltar, responda START.",
    "fr": "Vous ne recevrez plus de messages. Pour revenir, répondez START.",
    "ht": "Ou p ap resevwa mesaj ankò. Pou retounen, reponn START.",
}
SAVED = "Ya guardamos su audiencia. Responda AUDIENCIA para verla, CAMBIAR para cambiarla o AYUDA si necesita ayuda."


@pytest.mark.parametrize("word", HELP)
def test_help_in_every_language_from_the_first_message(client, word):
    assert Phone(client).text(word).startswith(HELP[word])


@pytest.mark.parametrize(
    "word",
    [
        "STOP",
        "alto",
        "Baja",
        "PARAR",
        "cancelar",
        "ARRET",
        "arrêt",
        "Sispann",
        "UNSUBSCRIBE",
        "end",
        "QUIT",
        "stopall",
        "CANCEL",
        "stop.",
    ],
)
def test_stop_words_opt_out_then_silence_until_start(phone, db, word):
    register(phone)
    assert phone.text(word) == STOPPED["es"]
    assert db["contacts"].get(1)["opted_out_at"] == "2026-02-02T15:00:00Z"
    assert phone.text("hola") == ""
    assert phone.text(word) == ""  # one confirmation only
    assert phone.text("AUDIENCIA") == ""
    assert phone.text("START") == f"Hola de nuevo.\n{SAVED}"
    assert db["contacts"].get(1)["opted_out_at"] is None
    assert db["hearings"].count == 1  # nothing stored was lost


@pytest.mark.parametrize("word", ["START", "start", "alta", "COMEÇAR", "comecar", "Commencer", "KÒMANSE", "unstop"])
def test_start_words(phone, word):
    """START (what every confirmation names, and what Twilio itself opts back in on) and the local words."""
    register(phone)
    phone.text("STOP")
    assert phone.text(word).startswith("Hola de nuevo.")


@pytest.mark.parametrize("lang, choice", [("es", "1"), ("en", "2"), ("pt", "3"), ("fr", "4"), ("ht", "5")])
def test_every_language_says_start_to_come_back(client, lang, choice):
    """After a Twilio STOP only START, YES or UNSTOP let messages through again: START in every language."""
    phone = Phone(client)
    phone.text("hola"), phone.text(choice)
    assert phone.text("STOP") == STOPPED[lang]
    assert phone.text("START") != ""


def test_help_after_stop_says_how_to_come_back(phone, db):
    register(phone)
    phone.text("STOP")
    (answer,) = phone.texts("AYUDA")  # one SMS: the two fit in two GSM-7 segments
    assert answer.startswith("Ahora no le enviamos mensajes. Para volver, responda START.\nAvisos gratis.")
    assert db["contacts"].get(1)["opted_out_at"] is not None  # HELP does not opt back in
    assert phone.text("START").startswith("Hola de nuevo.")
    assert phone.texts("AYUDA")[0].startswith("Avisos gratis.")  # back in: HELP alone


def test_yes_after_stop_opts_back_in_by_sms_as_twilio_does(phone, client, db):
    register(phone)
    phone.text("STOP")
    assert phone.text("YES") == f"Hola de nuevo.\n{SAVED}"
    assert db["contacts"].get(1)["opted_out_at"] is None
    whatsapp = Phone(client, "+5216641230000", channel="whatsapp")  # Twilio's STOP handling is SMS only
    register(whatsapp)
    whatsapp.text("STOP")
    assert whatsapp.text("YES") == "" and db["contacts"].get(2)["opted_out_at"] is not None


def test_stop_cancels_pending_outbox_rows(phone, db):
    register(phone)
    db["outbox"].insert(
        {
            "contact_id": 1,
            "channel": "sms",
            "to_enc": "x",
            "kind": "reminder",
            "lang": "es",
            "body": "b",
            "send_at": "2026-03-02T16:00:00Z",
            "status": "pending",
        }
    )
    phone.text("STOP")
    assert next(db["outbox"].rows)["status"] == "cancelled"


@pytest.mark.parametrize("word", ["AUDIENCIA", "audiencia", "Audiência", "HEARING", "audience", "ODYANS"])
def test_hearing_word_shows_the_hearing_in_court_time(phone, word):
    register(phone)
    assert phone.text(word) == (
        "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m., corte de El Paso.\n"
        "Llame al 1-800-898-7180 para confirmarla."
    )


def test_hearing_word_before_registering(phone):
    phone.text("hola"), phone.text("1")
    # The lead line and the city menu (UCS-2: "Ciudad Juárez") do not fit in two segments: two SMS.
    assert phone.texts("audiencia") == [
        "Todavía no tiene una audiencia guardada.",
        "¿En qué ciudad está?\n1 Tijuana\n2 Mexicali\n3 Nogales\n4 Ciudad Juárez\n5 Piedras Negras\n6 Nuevo Laredo"
        "\n7 Reynosa\n8 Matamoros\n9 Otra",
    ]


@pytest.mark.parametrize("word", ["CAMBIAR", "change", "MUDAR", "changer", "CHANJE"])
def test_change_words(phone, word):
    register(phone)
    assert phone.text(word).startswith("Escriba el nuevo día y hora de su audiencia.")


@pytest.mark.parametrize("word", ["IDIOMA", "LANGUAGE", "idiome", "LANGUE", "lang"])
def test_language_words(phone, word):
    phone.text("hola")
    phone.text("1")
    assert phone.text(word).startswith("Elija su idioma:\n1 Español")
    assert phone.text("Français").startswith("Dans quelle ville ?")


def test_keywords_interrupt_any_step_and_the_step_resumes(phone):
    phone.text("hola"), phone.text("1"), phone.text("tijuana")
    phone.text("9 de marzo 8:30")
    assert phone.text("AYUDA").startswith("Avisos gratis")
    assert phone.text("si").startswith("Guardado.")


@pytest.mark.parametrize("word", ["BORRAR", "delete", "APAGAR", "Supprimer", "efase"])
def test_delete_erases_everything_about_the_person(phone, client, db, word):
    other = Phone(client, "+5218681112222")
    register(other)
    register(phone)
    db["outbox"].insert(
        {
            "contact_id": 2,
            "channel": "sms",
            "to_enc": "x",
            "kind": "reminder",
            "lang": "es",
            "body": "b",
            "send_at": "2026-03-02T16:00:00Z",
            "status": "pending",
        }
    )
    asked = phone.text(word)
    code = re.search(r"\d{3}", asked)[0]
    assert asked == (
        "¿Borrar su teléfono, su audiencia y sus mensajes? No se puede deshacer. Para borrar todo, "
        f"responda {code}. Para conservarlo, responda NO."
    )
    # YES alone is what a blind spoofer would send: nothing happens, and the real phone is told why.
    assert phone.text("sí") == f"No se borró nada. Para borrar todo, responda {code}. Para conservarlo, responda NO."
    assert db["contacts"].count == 2
    assert phone.text(code) == "Borramos todos sus datos. Cuídese."
    # Only the other person is left: no contact, hearing, inbound message or queued message of ours.
    assert db["contacts"].count == 1 and db["hearings"].count == 1
    assert {r["contact_id"] for r in db["outbox"].rows} == {1}  # the other person's reminders only
    assert db.execute("SELECT count(*) FROM inbound WHERE contact_id = 2").fetchone()[0] == 0
    assert (
        db.execute("SELECT count(*) FROM inbound WHERE contact_id IS NOT NULL AND contact_id != 1").fetchone()[0] == 0
    )
    # A later hello starts from zero.
    assert phone.text("hola").startswith("Avisos gratis de su audiencia.")
    assert phone.text("audiencia").startswith("Todavía no tiene una audiencia guardada.")


def test_delete_no_keeps_everything_and_resumes_where_it_was(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("tijuana"), phone.text("9 de marzo 8:30")
    phone.text("BORRAR")
    assert phone.text("no") == "Bien, no se borró nada."
    assert phone.text("si").startswith("Guardado.")
    assert db["hearings"].count == 1


def test_delete_works_after_stop(phone, db):
    register(phone)
    phone.text("STOP")
    assert phone.erase() == "Borramos todos sus datos. Cuídese."
    assert db["contacts"].count == 0


def test_keywords_are_single_words_only(phone):
    phone.text("hola"), phone.text("1")
    assert phone.text("stop the bus").startswith("Perdón, no entendí.")


@pytest.mark.parametrize(
    "phrase",
    [
        "STOP por favor",
        "Stop please!",
        "por favor BAJA",
        "ya no quiero mensajes",
        "Ya no quiero recibir más avisos",
        "no me manden más",
        "No me envíen mas mensajes, gracias",
        "dejen de enviarme mensajes",
        "quiero darme de baja",
        "no more messages please",
        "Please stop texting me",
        "pare de enviar",
        "parem de mandar mensagens",
        "não quero mais mensagens",
        "arrêtez",
        "Arrêtez de m'envoyer des messages",
        "je ne veux plus de messages",
        "sispann voye",
        "Tanpri sispann voye mesaj",
        "pa voye m mesaj ankò",
    ],
)
def test_natural_opt_out_phrases_in_every_language(phone, db, phrase):
    register(phone)
    assert phone.text(phrase) == STOPPED["es"]  # the person's language, whatever the phrase's
    assert db["contacts"].get(1)["opted_out_at"] is not None
    assert {r["status"] for r in db["outbox"].rows} == {"cancelled"}


@pytest.mark.parametrize(
    "message",
    [
        "no tengo la hora, es el 20 de marzo",
        "No",
        "stop the bus",
        "el bus no para en la garita a las 4",
        "I stopped at the port, my hearing is March 20 at 9",
        "no sé la hora del puente",
        "no quiero perder mi audiencia",
    ],
)
def test_a_message_that_merely_contains_no_or_stop_is_not_an_opt_out(phone, db, message):
    register(phone)
    phone.text(message)
    assert db["contacts"].get(1)["opted_out_at"] is None


def test_an_opt_out_phrase_as_a_first_message_opts_out_in_its_language(client, db):
    phone = Phone(client)
    assert phone.text("Stop texting me") == STOPPED["en"]
    assert db["contacts"].get(1)["opted_out_at"] is not None
