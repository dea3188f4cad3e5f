"""The CLI: init-db, chat, queue list, dispatch --once; and the README documents every command."""

import json
import re

from bot.store import db as storage
from tests.helpers import ROOT, add_row


def test_init_db_is_idempotent(runner):
    assert "database ready" in runner.invoke(args=["init-db"]).output
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_queue_list_json_is_empty_until_reminders_exist(runner):
    result = runner.invoke(args=["queue", "list", "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_queue_list_json_fields_soonest_first_phone_masked(local_app):
    add_row(local_app, send_at="2026-03-08T16:00:00Z")
    add_row(local_app, send_at="2026-03-02T16:00:00Z", status="pending")
    add_row(local_app, status="sent", sid="SM123")
    runner = local_app.test_cli_runner()
    items = json.loads(runner.invoke(args=["queue", "list", "--json"]).output)
    assert [i["send_at"] for i in items] == ["2026-03-02T16:00:00Z", "2026-03-08T16:00:00Z"]
    assert set(items[0]) >= {"id", "to", "channel", "kind", "status", "send_at", "hearing_at", "lang", "body", "sid"}
    assert items[0]["to"] == "…4567" and items[0]["hearing_at"].endswith("Z")
    sent = json.loads(runner.invoke(args=["queue", "list", "--json", "--status", "sent"]).output)
    assert [i["sid"] for i in sent] == ["SM123"]
    assert "…4567" in runner.invoke(args=["queue", "list"]).output


def test_dispatch_once_sends_due_rows_through_the_console(local_app, capsys):
    due = add_row(local_app, send_at="2020-01-01T00:00:00Z")
    later = add_row(local_app, send_at="2099-01-01T00:00:00Z")
    passed = add_row(local_app, send_at="2020-01-01T00:00:00Z", hearing_at="2020-01-02T00:00:00Z")
    result = local_app.test_cli_runner().invoke(args=["dispatch", "--once"])
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert counts == {"sent": 1, "retry": 0, "failed": 0, "expired": 1, "cancelled": 0}
    db = storage.connect(local_app.config["DATABASE"])
    status = {r["id"]: r["status"] for r in db["outbox"].rows}
    assert status == {due: "sent", later: "pending", passed: "expired"}
    assert next(db["outbox"].rows_where("id = ?", [due]))["sid"].startswith("SM")


def test_chat_talks_to_the_bot_like_a_phone(local_app):
    runner = local_app.test_cli_runner()
    result = runner.invoke(args=["chat", "--phone", "+52 656 123 4567"], input="hola\n1\ntijuana\n")
    assert result.exit_code == 0, result.output
    assert "Avisos gratis de su audiencia" in result.output
    assert "¿En qué ciudad está?" in result.output
    assert "¿Qué día y a qué hora es su audiencia?" in result.output


def test_chat_signs_its_requests_when_a_token_is_set(runner):
    result = runner.invoke(args=["chat", "--phone", "+5216561234567", "--channel", "whatsapp"], input="hello\n")
    assert "Free hearing reminders." in result.output


def test_readme_documents_every_command_route_and_variable(app):
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make run") < readme.index("make test") < 600
    for name, command in app.cli.commands.items():
        assert f"flask --app app {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert f"{name} {sub}" in readme, (name, sub)
    for variable in (
        "HEARINGBOT_DATABASE",
        "HEARINGBOT_SECRET_KEY",
        "HEARINGBOT_PUBLIC_URL",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_SMS_FROM",
        "TWILIO_MESSAGING_SERVICE_SID",
        "TWILIO_WHATSAPP_FROM",
        "TWILIO_API_BASE",
        "HEARINGBOT_DISPATCH_INTERVAL",
    ):
        assert variable in readme, variable
    for source in (ROOT / "bot" / "config.py", ROOT / "app.py"):  # every variable the code reads, too
        for variable in re.findall(r'(?:env|environ\.get)\("((?:HEARINGBOT|TWILIO)_[A-Z_]+)"', source.read_text()):
            assert variable in readme, variable
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            assert rule.rule in readme, rule.rule


def test_serve_runs_the_web_server_and_the_scheduler_together(local_app, monkeypatch):
    seen = {}

    def fake_run_simple(host, port, app, **options):
        from apscheduler.schedulers.base import STATE_RUNNING

        seen.update(host=host, port=port, reloader=options.get("use_reloader"))
        seen["jobs"] = [job.id for job in app.extensions.get("hearingbot.scheduler").get_jobs()]
        seen["running"] = app.extensions["hearingbot.scheduler"].state == STATE_RUNNING

    monkeypatch.setattr("bot.cli.serve.run_simple", fake_run_simple)
    result = local_app.test_cli_runner().invoke(args=["serve", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert seen == {
        "host": "127.0.0.1",
        "port": 5099,
        "reloader": False,
        "jobs": ["dispatch", "purge"],
        "running": True,
    }
