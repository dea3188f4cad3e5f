"""ALERTA from a volunteer's phone: the preview quotes the alert and carries a one-time code bound to
that draft; only `<code> <PIN>` sends it. A spoofed From never makes the real PIN send its own text."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest

from bot.store import audit
from bot.store import db as storage
from tests.helpers import ROOT, TOKEN, VOLUNTEER, Phone, queued, sign

PIN = "482615"


@pytest.fixture
def volunteer(app, client, runner):
    result = runner.invoke(
        args=["staff", "add", "rosa", "--role", "volunteer", "--phone", "+52 1 664 111 2233"],
        input=f"a long password\n{PIN}\n",
    )
    assert result.exit_code == 0, result.output
    return Phone(client, VOLUNTEER)


def code_of(preview: str) -> str:
    return re.search(r"Alerta (\d{4}) ", preview)[1]


def test_the_preview_quotes_the_alert_and_code_and_pin_send_it(app, db, crowd, volunteer):
    preview = volunteer.text("ALERTA Tijuana Retén en la carretera al puente")  # 31 characters: cut
    code = code_of(preview)
    assert preview == (
        f'Alerta {code} a 2 personas (Tijuana, 0.20 USD): "Retén en la car...ra al puente" '
        f"Envíe {code} y su PIN en 10 min."
    )
    assert queued(db) == 0
    assert volunteer.text(f"{code} {PIN}") == "Enviada: la alerta 1 va a 2 personas."
    bodies = [r[0] for r in db.execute("SELECT body FROM outbox WHERE kind = 'broadcast'")]
    assert bodies == ["Retén en la carretera al puente"] * 2
    assert audit.entries(db)[0]["actor"] == "rosa"
    assert not volunteer.text(f"{code} {PIN}").startswith("Enviada")  # the draft is spent: nothing more to send
    assert queued(db) == 2


def test_a_long_alert_is_quoted_by_its_start_and_its_end(app, db, crowd, volunteer):
    text = "Cierre temporal de la garita El Chaparral por operativo, usen la de Otay Mesa hasta nuevo aviso"
    preview = volunteer.text(f"ALERTA TODOS {text}")
    assert '"Cierre temporal...nuevo aviso"' in preview


def test_a_spoofed_alerta_after_the_real_one_never_gets_the_real_pin(app, db, crowd, volunteer):
    """H2: the attacker sends ALERTA with the volunteer's From right after the real one. The real
    volunteer answers with the code they saw and the PIN: only their own alert goes."""
    real = volunteer.text("ALERTA Tijuana Cierre temporal de la garita El Chaparral hoy")
    spoofed = volunteer.text("ALERTA TODOS La corte cambió su cita: deposite 500 USD al +52 656 000 6666")
    assert spoofed.startswith("Se canceló su alerta anterior.")  # the real phone is told
    assert volunteer.text(f"{code_of(real)} {PIN}") == "Ese código no es el de su última alerta. No se envió nada."
    assert volunteer.text(PIN) == "Para enviar la alerta, responda con su código, un espacio y su PIN."
    assert queued(db) == 0
    statuses = dict(db.execute("SELECT id, status FROM broadcasts").fetchall())
    assert statuses == {1: "cancelled", 2: "draft"}


def test_wrong_pins_or_codes_lock_for_1_then_4_then_24_hours_in_the_audit_log(app, db, crowd, volunteer):
    def three_wrong():
        code = code_of(volunteer.text("ALERTA ALL Cuidado"))
        assert volunteer.text(f"{code} 111111") == "PIN incorrecto. Intente de nuevo."
        assert volunteer.text("9999 222222") == "Ese código no es el de su última alerta. No se envió nada."
        return volunteer.text(f"{code} 333333"), code

    for hours in (1, 4, 24):
        locked, code = three_wrong()
        assert locked == f"Las alertas desde este teléfono quedan bloqueadas {hours} h tras PIN incorrectos."
        assert volunteer.text(f"{code} {PIN}") == locked  # even the right one
        app.config["NOW"] += timedelta(hours=hours, minutes=1)
    assert [e["details"]["lock"] for e in audit.entries(db) if e["action"] == "phone path locked"] == [3, 2, 1]
    code = code_of(volunteer.text("ALERTA ALL Cuidado"))
    assert volunteer.text(f"{code} {PIN}").startswith("Enviada")
    assert queued(db) == 6


def test_the_code_must_come_within_ten_minutes(app, db, crowd, volunteer):
    code = code_of(volunteer.text("ALERTA Nogales Cuidado en la garita"))
    app.config["NOW"] += timedelta(minutes=11)
    assert not volunteer.text(f"{code} {PIN}").startswith("Enviada")
    assert queued(db) == 0


def test_the_volunteer_path_has_its_own_flood_limit(app, db, crowd, volunteer):
    answers = [volunteer.text("ALERTA Tijuana Retén") for _ in range(15)]
    assert all(a for a in answers[:12]) and answers[12:] == ["", "", ""]
    assert db["broadcasts"].count == 12  # nothing more is drafted past the limit


def test_alert_words_from_anyone_else_are_an_ordinary_message(client, db, crowd):
    stranger = Phone(client, "+5216649990000")
    assert stranger.text("ALERTA Tijuana Retén").startswith("Avisos gratis de su audiencia.")  # the welcome
    assert crowd["tj_es"].text("ALERTA Tijuana Retén") == (
        "Ya guardamos su audiencia. Responda AUDIENCIA para verla, CAMBIAR para cambiarla o AYUDA si necesita ayuda."
    )
    assert db["broadcasts"].count == 0


def test_alert_without_a_city_or_text_explains(volunteer):
    assert volunteer.text("ALERTA") == "Escriba: ALERTA, luego una ciudad o TODOS, y el texto."
    assert volunteer.text("ALERTA Querétaro hay un retén") == "Escriba: ALERTA, luego una ciudad o TODOS, y el texto."


def test_pins_are_6_to_8_digits_and_can_be_changed(runner, volunteer, db):
    add = ["staff", "add", "luis", "--phone", "+5216641110000"]
    assert "6 to 8 digits" in runner.invoke(args=[*add, "--pin", "4826"], input="a long password\n").output
    assert runner.invoke(args=["staff", "pin", "rosa", "--pin", "12345"]).exit_code != 0
    assert runner.invoke(args=["staff", "pin", "rosa", "--pin", "7654321"]).output == "new PIN set for rosa\n"
    code = code_of(volunteer.text("ALERTA Tijuana Retén"))
    assert volunteer.text(f"{code} {PIN}") == "PIN incorrecto. Intente de nuevo."
    assert volunteer.text(f"{code} 7654321").startswith("Enviada")


def test_a_pin_cannot_be_brute_forced_from_the_database_alone(app, db, volunteer):
    """M8: the stored hash is of the PIN peppered with a key derived from the secret."""
    from werkzeug.security import check_password_hash

    (stored,) = db.execute("SELECT pin_hash FROM staff WHERE name = 'rosa'").fetchone()
    assert not check_password_hash(stored, PIN)


def test_a_spoofed_alerta_never_sends_through_a_real_server(tmp_path):
    """H2 end to end: gunicorn serving the app; the spoofer's signed webhooks (a spoofed From reaches us
    signed by Twilio) go over HTTP like Twilio's; the real PIN never sends the spoofer's draft."""
    from app import create_app

    key = "volunteer-server-key-" + "k" * 32
    database = tmp_path / "v.db"
    env = {
        **os.environ,
        "HEARINGBOT_DATABASE": str(database),
        "HEARINGBOT_SECRET_KEY": key,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "3" * 32,
    }
    env.pop("HEARINGBOT_LOCAL_MODE", None)
    setup = create_app(
        {
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE": str(database),
            "SECRET_KEY": key,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": "AC" + "3" * 32,
        }
    )
    cli = setup.test_cli_runner()
    assert cli.invoke(args=["init-db"]).exit_code == 0
    assert (
        cli.invoke(args=["staff", "add", "rosa", "--phone", VOLUNTEER], input=f"a long password\n{PIN}\n").exit_code
        == 0
    )
    port = 5800 + os.getpid() % 100
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/twilio/messages"
    sids = iter(range(1, 100))

    def text(body: str) -> str:
        form = {
            "MessageSid": f"SM{next(sids):032x}",
            "AccountSid": "AC" + "3" * 32,
            "From": VOLUNTEER,
            "To": "+15005550006",
            "Body": body,
        }
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(form).encode(), headers={"X-Twilio-Signature": sign(form, url=url)}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read().decode()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                text("hola")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read()
                time.sleep(0.2)
        real = text("ALERTA Tijuana Cierre temporal de la garita hoy")
        code = re.search(r"Alerta (\d{4}) ", real)[1]
        text("ALERTA TODOS La corte cambió su cita: deposite 500 USD")  # the spoofer, right after
        assert "No se envió nada" in text(f"{code} {PIN}")
        assert "Para enviar la alerta" in text(PIN)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    db = storage.connect(database)
    assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'broadcast'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM broadcasts WHERE status NOT IN ('draft', 'cancelled')").fetchone()[0] == 0
