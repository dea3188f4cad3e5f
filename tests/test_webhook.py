"""POST /twilio/messages: signatures, local mode, idempotency and whatever Twilio may send."""

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from bot.store import db as storage
from bot.web import context
from tests.helpers import Phone, register, replies_of, sign


def test_forged_signature_is_refused_and_nothing_stored(phone, db):
    form = phone.form("hola")
    assert phone.post(form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert phone.post(form, signature="").status_code == 403
    assert db["contacts"].count == 0 and db["inbound"].count == 0


def test_signature_over_another_url_or_tampered_body_is_refused(phone):
    form = phone.form("hola")
    assert phone.post(form, signature=sign(form, url="https://evil.example/twilio/messages")).status_code == 403
    signed = sign(form)
    form["Body"] = "BORRAR"
    assert phone.post(form, signature=signed).status_code == 403


def test_unknown_new_fields_are_covered_by_the_signature(phone):
    form = phone.form("hola", SomeFieldTwilioAddsLater="x", ProfileName="Ana", WaId="5216561234567")
    assert replies_of(phone.post(form))[0].startswith("Avisos gratis")


def test_local_mode_accepts_unsigned_from_loopback_only(tmp_path):
    app = create_app(
        {
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE": str(tmp_path / "l.db"),
            "SECRET_KEY": "k-" + "k" * 32,
            "TWILIO_AUTH_TOKEN": "",
            "PUBLIC_URL": "",
            "LOCAL_MODE": True,
        }
    )
    with app.app_context():
        storage.migrate(context.get_db())
    client = app.test_client()
    form = {"MessageSid": "SM" + "1" * 32, "From": "+5216561234567", "Body": "hola"}
    far = client.post("/twilio/messages", data=form, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403
    near = client.post("/twilio/messages", data=form, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert replies_of(near)[0].startswith("Avisos gratis")
    v6 = client.post(
        "/twilio/messages", data=dict(form, MessageSid="SM" + "2" * 32), environ_base={"REMOTE_ADDR": "::1"}
    )
    assert v6.status_code == 200


def test_replayed_message_sid_gets_the_same_answer_and_no_second_effect(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("tijuana"), phone.text("9 de marzo 8:30")
    form = phone.form("si")
    first = replies_of(phone.post(form))
    second = replies_of(phone.post(form))
    assert first == second and first[0].startswith("Guardado.") and len(first) == 2
    assert db["hearings"].count == 1
    # A replay of an earlier step does not move the conversation back either.
    assert next(db["contacts"].rows)["state"] == "ask_port_time"


def test_missing_message_sid_or_from_is_a_bad_request(phone):
    form = phone.form("hola")
    del form["MessageSid"]
    assert phone.post(form).status_code == 400


@pytest.mark.parametrize("sender", ["", "hola", "whatsapp:", "whatsapp:abc"])
def test_a_sender_that_is_no_phone_is_a_bad_request_and_nothing_is_stored(phone, db, sender):
    """The webhook parses the form into an Inbound value first: no phone, no answer, no row."""
    assert phone.post(phone.form("hola") | {"From": sender}).status_code == 400
    assert db["inbound"].count == 0 and db["contacts"].count == 0


PHOTO = {"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x", "MediaContentType0": "image/jpeg"}


def test_pictures_get_a_kind_answer_that_says_what_to_write(phone):
    phone.text("hola")
    answer = phone.text("", **PHOTO)
    assert answer.startswith("Aún no puedo leer fotos. Por favor escríbalo en un mensaje de texto.\n")
    assert "\n1 Español\n2 English" in answer  # the language menu again
    phone.text("1")
    answer = phone.text("", **PHOTO)
    assert answer.startswith("Aún no puedo leer fotos.") and "¿En qué ciudad está?\n1 Tijuana" in answer


def test_a_photo_as_the_first_message_gets_the_welcome_and_the_menu(phone):
    answer = phone.text("", **PHOTO)
    assert answer.startswith("Aún no puedo leer fotos.")
    assert "STOP: salir. AYUDA: ayuda.\n1 Español" in answer
    assert phone.text("1").startswith("¿En qué ciudad está?")  # the next "1" chooses the language


def test_empty_body_repeats_what_is_expected(phone):
    phone.text("hola")
    assert phone.text("").startswith("Perdón, no entendí. Responda con un número del 1 al 5")


def test_whatsapp_button_payload_counts_as_the_answer(client):
    phone = Phone(client, channel="whatsapp")
    phone.text("hola"), phone.text("1"), phone.text("tijuana"), phone.text("9 de marzo 8:30")
    assert phone.text("Sí, es correcto", ButtonPayload="YES").startswith("Guardado.")


def test_long_and_strange_bodies(phone):
    phone.text("hola")
    assert phone.text("a" * 1600).startswith("Perdón, no entendí.")
    assert "HUMANO" in phone.text("🙏🏽 ayúdenme 😭 \u202e\x00")  # the second miss in a row offers a person


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(st.text(max_size=300), min_size=1, max_size=6))
def test_any_bodies_never_break_the_webhook(client, bodies):
    phone = Phone(client, "+5216569990000")
    for body in bodies:
        response = phone.post(phone.form(body))
        assert response.status_code == 200
        assert len(replies_of(response)) <= 1


def test_concurrent_messages_from_one_person_lose_nothing(app, db):
    """Many threads, own connections: each message applied once, in some order, none lost."""
    errors = []

    def worker(n):
        client = app.test_client()
        phone = Phone(client, f"+52165600{n:05d}")
        try:
            register(phone)
            form = phone.form("AUDIENCIA")
            for _ in range(3):  # Twilio retrying the same MessageSid, concurrently with others
                assert replies_of(phone.post(form))[0].startswith("Su audiencia:")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    assert db["contacts"].count == 12 and db["hearings"].count == 12
    assert db["inbound"].count == 12 * 7  # 5 to register, NO to the port question, 1 answered


def test_signature_is_checked_against_the_public_url_behind_a_proxy(client, phone):
    # Behind a proxy the app sees another host; Twilio signed HEARINGBOT_PUBLIC_URL + path.
    form = phone.form("hola")
    response = client.post(
        "/twilio/messages", data=form, headers={"X-Twilio-Signature": sign(form)}, base_url="http://127.0.0.1:8000"
    )  # a same-host proxy
    assert replies_of(response)[0].startswith("Avisos gratis")
    again = phone.form("hola")
    internal = sign(again, url="http://127.0.0.1:8000/twilio/messages")
    assert phone.post(again, signature=internal).status_code == 403


def test_an_unknown_button_payload_gives_way_to_the_button_text_then_the_body(client):
    phone = Phone(client, channel="whatsapp")
    phone.text("hola"), phone.text("1"), phone.text("tijuana"), phone.text("9 de marzo 8:30")
    assert phone.text("Sí", ButtonPayload="btn_confirm_yes", ButtonText="Sí").startswith("Guardado.")
    answer = phone.text("no", ButtonPayload="opaque-123")  # the Body: NO
    assert answer.startswith("Le avisaremos: hora para presentarse en")


@pytest.mark.parametrize(
    "latitude,longitude",
    [
        ("nan", "inf"),
        ("NaN", "-117.03"),
        ("32.5", "-inf"),
        ("95", "-117.03"),
        ("32.5", "181"),
        ("1e999", "0"),
        ("32.5", ""),
    ],
)
def test_impossible_coordinates_are_no_pin_never_a_500(client, db, latitude, longitude, caplog):
    phone = Phone(client, channel="whatsapp")
    response = phone.post(phone.form("", Latitude=latitude, Longitude=longitude))
    assert replies_of(response)[0].startswith("Avisos gratis")  # read as an empty first message: the welcome
    assert db["inbound"].get(phone.last_sid)["replies"] != ""  # answered and stored: Twilio's retry is a replay
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("greeting", ["ola", "Alo", "buenas", "Ola, buenas noches", "alo?"])
def test_ola_alo_and_buenas_are_spanish_greetings(client, greeting):
    assert Phone(client).text(greeting).startswith("Avisos gratis de su audiencia.")


@pytest.mark.parametrize(
    "greeting,welcome",
    [("Olá, tudo bem?", "Lembretes grátis"), ("oi", "Lembretes grátis"), ("alo, bonjou", "Rapèl odyans gratis")],
)
def test_ola_and_alo_with_words_of_another_language(client, greeting, welcome):
    assert Phone(client).text(greeting).startswith(welcome)
