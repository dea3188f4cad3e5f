"""Attacks from ../shared/reviews/security.md, each reproduced and shown refused."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from bot import config as settings
from bot.store import db as storage
from tests.helpers import PUBLIC_URL, ROOT, Phone, replies_of

KEY = "a-long-enough-secret-key-0123456789abcdef"


def bare_env(tmp_path, **extra) -> dict:
    """An environment with no Twilio variables and no local mode, as a forgotten EnvironmentFile leaves it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HEARINGBOT_"))}
    return {**env, "HEARINGBOT_DATABASE": str(tmp_path / "prod.db"), "HEARINGBOT_SECRET_KEY": KEY, **extra}


# --- H1: local mode only when asked for -------------------------------------------------------------


def test_a_production_web_server_without_the_token_refuses_to_start(tmp_path):
    """The README's production command with TWILIO_AUTH_TOKEN missing: gunicorn cannot boot the app."""
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:0", "app:create_app()"]
    result = subprocess.run(command, cwd=ROOT, env=bare_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN is not set" in result.stderr and "HEARINGBOT_LOCAL_MODE=1" in result.stderr


@pytest.mark.parametrize(
    "command,extra,missing",
    [
        (["scheduler"], {}, "TWILIO_AUTH_TOKEN is not set"),
        (["serve"], {}, "TWILIO_AUTH_TOKEN is not set"),
        (
            ["dispatch", "--once"],
            {"TWILIO_AUTH_TOKEN": "t"},
            "TWILIO_ACCOUNT_SID, TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID not set",
        ),
        (["scheduler"], {"TWILIO_AUTH_TOKEN": "t", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32}, "TWILIO_SMS_FROM or"),
        (["chat", "--phone", "+5216561234567"], {}, "TWILIO_AUTH_TOKEN is not set"),
        (["scheduler"], {"TWILIO_AUTH_TOKEN": "t", "HEARINGBOT_LOCAL_MODE": "1"}, "both set"),
    ],
)
def test_the_scheduler_and_sending_commands_refuse_a_partial_configuration(tmp_path, command, extra, missing):
    """Nothing is marked sent that Twilio never got, and no text is printed to a log instead."""
    env = bare_env(tmp_path, **extra)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        input="",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert missing in result.stderr


FORM = {"MessageSid": "SM" + "a" * 32, "From": "+5216561234567", "Body": "AUDIENCIA"}


@pytest.mark.parametrize(
    "how",
    [
        {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}},  # from another machine
        {"headers": {"Host": "rebind.evil.example:5000"}},  # DNS rebinding: a foreign name for 127.0.0.1
        {"headers": {"Origin": "https://evil.example"}},  # a page of another site posting from a browser
        {"headers": {"Sec-Fetch-Site": "cross-site"}},
        {"headers": {"X-Forwarded-For": "198.51.100.7"}},
    ],  # through a same-host proxy: from elsewhere
)
def test_local_mode_refuses_anything_but_this_machines_own_tools(local_app, how):
    client = local_app.test_client()
    kwargs = {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}, **how}
    assert client.post("/twilio/messages", data=FORM, **kwargs).status_code == 403
    assert client.get("/simulator", **kwargs).status_code == 404
    near = client.post("/twilio/messages", data=FORM, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert replies_of(near)[-1].startswith("Avisos gratis")  # after "no hearing saved yet", in its own SMS


def test_without_local_mode_unsigned_loopback_requests_are_refused(app, client):
    """A token is set: the loopback peer of a same-host proxy earns nothing; the simulator is gone."""
    assert client.post("/twilio/messages", data=FORM, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    assert client.get("/simulator", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


# --- M5: keys ------------------------------------------------------------------------------------------


def test_a_short_secret_key_is_refused_and_sessions_get_their_own_key(tmp_path):
    with pytest.raises(settings.ConfigError, match="at least 32"):
        settings.from_environment({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    config = settings.from_environment({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": KEY})
    assert config["HEARINGBOT_SECRET_KEY"] == KEY and config["SECRET_KEY"] != KEY and KEY not in config["SECRET_KEY"]


def test_several_workers_creating_the_key_at_once_all_read_the_same_one(tmp_path):
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); from pathlib import Path; from bot.config import _secret_key; "
        "print(_secret_key(Path(sys.argv[1])))"
    )
    env = {k: v for k, v in os.environ.items() if k != "HEARINGBOT_SECRET_KEY"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / "instance"), str(ROOT)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    keys = {w.communicate(timeout=60)[0].strip() for w in workers}
    assert all(w.returncode == 0 for w in workers)
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "instance").iterdir() if p.name != "secret_key"]  # no temporary left


# --- M8, L8: files ---------------------------------------------------------------------------------------


def test_the_database_its_wal_and_backups_are_readable_by_the_bot_only(app, client, runner, tmp_path):
    register = Phone(client)
    register.text("hola")
    folder = Path(app.config["DATABASE"]).parent
    for name in ("test.db", "test.db-wal", "test.db-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_backup_never_writes_through_a_symlink(app, runner, tmp_path):
    elsewhere = tmp_path / "attacker" / "stolen.db"
    elsewhere.parent.mkdir()
    link = tmp_path / "nightly.db"
    link.symlink_to(elsewhere)  # dangling: Path.exists() is False
    result = runner.invoke(args=["backup", str(link)])
    assert result.exit_code != 0 and not elsewhere.exists()
    result = runner.invoke(args=["shelters", "export", str(link)])
    assert result.exit_code != 0 and not elsewhere.exists()


# --- M7, L6: what an unsigned caller can make us do ---------------------------------------------------------


def test_a_huge_body_is_refused_before_any_signature_work(client):
    body = "&".join(f"p{i}=v" for i in range(190_000))
    response = client.post(
        "/twilio/messages",
        data=body,
        base_url=PUBLIC_URL,
        headers={"X-Twilio-Signature": "x", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_a_malformed_signature_is_refused_without_parsing(client):
    response = client.post("/twilio/messages", data=FORM, base_url=PUBLIC_URL, headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 403


def test_a_reframed_message_sid_is_refused(client, phone, db):
    """Twilio signs name+value with no separators: 'SM…' + 'NumMedia' + '0' re-framed into the SID keeps the
    signature valid. A SID must look like Twilio's, and the AccountSid must be ours."""
    phone.text("hola")
    form = phone.form("1")
    reframed = {k: v for k, v in form.items() if k != "NumMedia"}
    reframed["MessageSid"] = form["MessageSid"] + "NumMedia" + "0"
    assert phone.post(reframed).status_code == 400
    assert phone.post(dict(form, AccountSid="AC" + "9" * 32)).status_code == 403
    assert replies_of(phone.post(form))[0].startswith("¿En qué ciudad")


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(tmp_path):
    """HEARINGBOT_PROXY_HOPS=1: the console's per-address limit sees clients, not the proxy."""
    from flask import request

    app = create_app(
        {
            "INSTANCE_DIR": str(tmp_path),
            "DATABASE": str(tmp_path / "p.db"),
            "SECRET_KEY": KEY,
            "TWILIO_AUTH_TOKEN": "t",
            "PUBLIC_URL": "",
            "PROXY_HOPS": 1,
        }
    )
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    client = app.test_client()
    client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["198.51.100.7"]


def test_shelter_lists_after_a_pin_keep_ids_only_and_are_dropped_after_a_day(app, client, db):
    from datetime import timedelta

    from bot.store import retention

    phone = Phone(client, channel="whatsapp")
    answer = phone.text("", Latitude="32.5290", Longitude="-117.0380")
    assert " km" in answer  # the person is told how far
    (contact,) = db["contacts"].rows
    import json

    kept = json.loads(contact["state_data"])["shelters"]
    assert kept and all(isinstance(i, int) for i in kept)  # ids, nearest first; no distance that locates them
    assert db["inbound"].get(phone.last_sid)["replies"] == "[]"  # nor the answer with its distances
    assert phone.text("MAS")  # MORE still works, without distances
    retention.purge(db, app.config["NOW"] + timedelta(days=1, hours=1))
    assert "shelters" not in json.loads(db["contacts"].get(contact["id"])["state_data"])


def test_phones_in_other_digit_scripts_are_the_same_person():
    """A number typed in Arabic-Indic or fullwidth digits is the same E.164 key, not a second person."""
    from bot.core.phones import normalize

    assert normalize("+٥٢١٦٥٦١٢٣٤٥٦٧") == normalize("＋５２１６５６１２３４５６７") == "+5216561234567"


def test_a_wide_alert_by_phone_waits_for_an_operator(app, client, runner, monkeypatch):
    from bot.store import broadcasts

    monkeypatch.setattr(broadcasts, "APPROVAL_OVER", 1)
    for n in range(2):
        phone = Phone(client, f"+52166400000{n}")
        phone.text("hola"), phone.text("1"), phone.text("1")
    assert (
        runner.invoke(
            args=["staff", "add", "rosa", "--phone", "+5216641112233"], input="a long password\n482615\n"
        ).exit_code
        == 0
    )
    volunteer = Phone(client, "+5216641112233")
    code = volunteer.text("ALERTA Tijuana Retén").split()[1]
    assert volunteer.text(f"{code} 482615") == (
        "La alerta 1 llega a mucha gente: espera la aprobación de un operador en la consola."
    )
    db = storage.connect(app.config["DATABASE"])
    assert db.execute("SELECT status FROM broadcasts").fetchone()[0] == "awaiting_approval"
    assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'broadcast'").fetchone()[0] == 0


def test_a_burst_of_new_numbers_is_logged_once(client, monkeypatch, caplog):
    from bot.store import inbound

    monkeypatch.setattr(inbound, "NEW_PER_HOUR", 3)
    for n in range(5):
        Phone(client, f"+52166500000{n}").text("hola")
    assert sum("new numbers wrote in the last hour" in r.getMessage() for r in caplog.records) == 1
