"""`flask --app app doctor`: a good deploy passes (exit 0); each thing a deploy gets wrong is a FAIL
line that names it (exit 1); local mode says which checks do not apply."""

import contextlib
import json
import os
import secrets
import sqlite3
from pathlib import Path

import pytest

from bot.core import places
from bot.web.context import deps_of
from scheduler.runner import Runner
from tests.helpers import ROOT, TOKEN, at, make_local_app, make_sending_app


def approved_templates(folder) -> str:
    """data/whatsapp_templates.json with every content_sid filled, as after Meta approved them all."""
    data = json.loads((ROOT / "data" / "whatsapp_templates.json").read_text())
    for by_kind in data["templates"].values():
        for template in by_kind.values():
            template["content_sid"] = "HX" + secrets.token_hex(16)
    path = folder / "templates.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def good(tmp_path, fake):
    """A deploy done right: strong key, sender, public URL, approved templates, a running scheduler."""
    fake.auth_token = TOKEN
    app = make_sending_app(
        tmp_path,
        fake,
        SECRET_KEY="doctor-" + secrets.token_urlsafe(40),
        WHATSAPP_TEMPLATES_FILE=approved_templates(tmp_path),
    )
    run = Runner(deps_of(app))
    run.tick()  # the scheduler holds the lease
    yield app
    with contextlib.suppress(sqlite3.Error):  # (a test may have deleted the database)
        run.release()


def doctor(app, *args):
    result = app.test_cli_runner().invoke(args=["doctor", *args])
    lines = {line.split(":")[0].split(maxsplit=1)[1]: line for line in result.output.splitlines()}
    return result.exit_code, lines


def test_a_good_deploy_passes_every_check(good, fake):
    code, lines = doctor(good)
    assert code == 0, lines
    assert set(lines) == {
        "mode",
        "twilio settings",
        "public url",
        "secret key",
        "database",
        "file permissions",
        "scheduler lease",
        "whatsapp templates",
        "data files",
        "voice clips",
        "metrics",
        "twilio credentials",
    }
    for name, line in lines.items():
        assert line.startswith("ok ") or name in ("metrics", "voice clips"), line  # (no recordings ship)
    assert "account is active" in lines["twilio credentials"]
    assert "places, services, reminders load" in lines["data files"]
    assert fake.requests == []  # it only reads the account: no message was sent


@pytest.mark.parametrize(
    "change,name,words",
    [
        ({"TWILIO_ACCOUNT_SID": ""}, "twilio settings", "TWILIO_ACCOUNT_SID is not set (TWILIO_AUTH_TOKEN is)"),
        ({"TWILIO_ACCOUNT_SID": "AC123"}, "twilio settings", "TWILIO_ACCOUNT_SID is not AC followed by 32 hex"),
        ({"TWILIO_SMS_FROM": ""}, "twilio settings", "no SMS sender: set TWILIO_SMS_FROM or TWILIO_MESSAGING"),
        ({"TWILIO_WHATSAPP_FROM": "+14155238886"}, "twilio settings", "TWILIO_WHATSAPP_FROM must look like whatsapp:"),
        ({"PUBLIC_URL": ""}, "public url", "HEARINGBOT_PUBLIC_URL is not set"),
        ({"HEARINGBOT_SECRET_KEY": "ab" * 20}, "secret key", "HEARINGBOT_SECRET_KEY has only 2 different characters"),
        ({"LOCAL_MODE": True}, "mode", "HEARINGBOT_LOCAL_MODE=1 and TWILIO_AUTH_TOKEN are both set"),
        ({"TWILIO_AUTH_TOKEN": ""}, "mode", "TWILIO_AUTH_TOKEN is not set"),
        ({"REMINDERS_FILE": str(ROOT / "README.md")}, "data files", "the reminders file does not load"),
        (
            {"WHATSAPP_TEMPLATES_FILE": str(ROOT / "data" / "whatsapp_templates.json")},
            "whatsapp templates",
            "TWILIO_WHATSAPP_FROM is set but no template has an approved content_sid",
        ),
    ],
)
def test_each_broken_setting_is_a_fail_that_names_it(good, change, name, words):
    good.config.update(change)
    code, lines = doctor(good)
    assert code == 1
    assert lines[name].startswith("FAIL") and words in lines[name], lines[name]


def test_a_broken_places_file_fails(good, monkeypatch):
    def broken():
        raise ValueError("Tijuana has no zone")

    monkeypatch.setattr(places, "load", broken)
    code, lines = doctor(good)
    assert code == 1 and "the places file does not load: ValueError: Tijuana has no zone" in lines["data files"]


def test_files_others_can_read_fail(good, tmp_path):
    os.chmod(good.config["DATABASE"], 0o644)
    code, lines = doctor(good)
    assert code == 1 and lines["file permissions"].startswith("FAIL")
    assert good.config["DATABASE"] in lines["file permissions"] and "chmod 600" in lines["file permissions"]


def test_a_stale_lease_fails(good):
    at(good, "2026-02-02T15:02:00Z")  # two minutes on: the lease (60 s) ran out
    code, lines = doctor(good)
    assert code == 1 and "lease expired 60 s ago: the scheduler is not running" in lines["scheduler lease"]


def test_no_lease_at_all_fails(tmp_path, fake):
    app = make_sending_app(tmp_path, fake, SECRET_KEY="doctor-" + secrets.token_urlsafe(40), TWILIO_WHATSAPP_FROM="")
    code, lines = doctor(app, "--offline")
    assert code == 1 and "no scheduler holds the lease" in lines["scheduler lease"]
    assert lines["whatsapp templates"].startswith("skip") and "--offline" in lines["twilio credentials"]


def test_credentials_twilio_refuses_fail(good, fake):
    fake.auth_token = "another-token"
    code, lines = doctor(good)
    assert code == 1 and "(401)" in lines["twilio credentials"] and lines["twilio credentials"].startswith("FAIL")


def test_missing_templates_are_a_warning_listing_them(good, tmp_path):
    data = json.loads(Path(good.config["WHATSAPP_TEMPLATES_FILE"]).read_text())
    data["templates"]["ht"]["followup"]["content_sid"] = None
    for template in data["templates"]["fr"].values():
        template["content_sid"] = None
    path = tmp_path / "some.json"
    path.write_text(json.dumps(data))
    good.config["WHATSAPP_TEMPLATES_FILE"] = str(path)
    code, lines = doctor(good)
    assert code == 0
    assert lines["whatsapp templates"].startswith("warn") and "fr: all 14; ht: followup" in lines["whatsapp templates"]


def test_a_missing_database_fails(good):
    os.unlink(good.config["DATABASE"])
    code, lines = doctor(good)
    assert code == 1 and "does not exist: run flask --app app init-db" in lines["database"]
    assert lines["scheduler lease"].startswith("skip")


def test_local_mode_says_which_checks_do_not_apply(tmp_path):
    app = make_local_app(tmp_path, SECRET_KEY="local-" + secrets.token_urlsafe(40))
    code, lines = doctor(app)
    assert code == 0, lines
    assert "local mode" in lines["mode"]
    for name in ("twilio settings", "public url", "twilio credentials"):
        assert lines[name].startswith("skip") and "local mode" in lines[name], lines[name]
    assert lines["scheduler lease"].startswith("warn")  # make run runs one; a lone doctor may find none
