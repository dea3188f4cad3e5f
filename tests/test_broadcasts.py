"""Broadcasts: who a target reaches, the preview, the CLI, cancelling, the dispatcher, and ALERTA by phone."""

import json
from datetime import timedelta

import pytest

from bot.core import clock
from bot.core import places as places_module
from bot.store import audit, broadcasts
from bot.store.broadcasts import Target
from bot.web.context import deps_of
from scheduler.runner import Runner
from scheduler.transport import ConsoleTransport

PLACES = places_module.load()
PRICES = {"sms": 0.10, "whatsapp": 0.02}


def reached(db, broadcast_id):
    return {
        row[0]
        for row in db.execute(
            "SELECT c.city || ':' || c.lang FROM outbox o JOIN contacts c ON c.id = o.contact_id "
            "WHERE o.broadcast_id = ?",
            [broadcast_id],
        )
    }


def sent(app, db, target, texts=None, fallback="es"):
    texts = texts or {"es": "Retén en la carretera al puente. No salgan hoy."}
    now = app.config["NOW"]
    broadcast_id = broadcasts.create(db, "ana", "cli", target, texts, fallback, now)
    broadcasts.send(db, broadcast_id, "ana", now, PLACES)
    return broadcast_id


def test_targets_combine_and_never_reach_the_opted_out(app, db, crowd):
    everyone = sent(app, db, Target())
    assert reached(db, everyone) == {
        "tijuana:es",
        "tijuana:en",
        "ciudad_juarez:es",
        "ciudad_juarez:ht",
        "nogales:pt",
        "matamoros:fr",
    }
    assert reached(db, sent(app, db, Target(city="tijuana"))) == {"tijuana:es", "tijuana:en"}
    assert reached(db, sent(app, db, Target(lang="es"))) == {"tijuana:es", "ciudad_juarez:es"}
    assert reached(db, sent(app, db, Target(court="el_paso"))) == {"ciudad_juarez:es", "ciudad_juarez:ht", "nogales:pt"}
    # Everyone with an El Paso hearing on 23 March (the court's day), then any court's 23 March.
    day = broadcasts.date(2026, 3, 23)
    el_paso_23 = Target(court="el_paso", hearing_from=day, hearing_to=day)
    assert reached(db, sent(app, db, el_paso_23)) == {"ciudad_juarez:es", "ciudad_juarez:ht"}
    assert reached(db, sent(app, db, Target(hearing_from=day, hearing_to=day))) == {
        "tijuana:es",
        "ciudad_juarez:es",
        "ciudad_juarez:ht",
        "matamoros:fr",
    }
    assert reached(db, sent(app, db, Target(city="ciudad_juarez", lang="ht"))) == {"ciudad_juarez:ht"}
    crowd["tj_es"].text("STOP")
    crowd["cj_es"].erase()
    assert reached(db, sent(app, db, Target())) == {"tijuana:en", "ciudad_juarez:ht", "nogales:pt", "matamoros:fr"}


def test_one_copy_each_and_texts_by_language_with_spanish_for_the_rest(app, db, crowd):
    texts = {"es": "Retén en la carretera.", "en": "Checkpoint on the road."}
    broadcast_id = sent(app, db, Target(), texts)
    bodies = dict(db.execute("SELECT lang, body FROM outbox WHERE broadcast_id = ?", [broadcast_id]).fetchall())
    assert bodies == {
        "es": "Retén en la carretera.",
        "en": "Checkpoint on the road.",
        "ht": "Retén en la carretera.",
        "pt": "Retén en la carretera.",
        "fr": "Retén en la carretera.",
    }
    assert db.execute("SELECT count(*) FROM outbox WHERE broadcast_id = ?", [broadcast_id]).fetchone()[0] == 6
    only_written = sent(app, db, Target(), texts, fallback=None)
    assert {r[0] for r in db.execute("SELECT lang FROM outbox WHERE broadcast_id = ?", [only_written])} == {"es", "en"}
    with pytest.raises(broadcasts.BroadcastError, match="not a draft"):
        broadcasts.send(db, broadcast_id, "ana", app.config["NOW"], PLACES)


def test_preview_counts_people_segments_and_cost(app, db, crowd):
    long_text = "Atención: " + "retén en la carretera al puente, " * 4  # UCS-2 (á), 3 segments
    shown = broadcasts.preview(db, Target(), {"es": long_text, "en": "Checkpoint on the road."}, "es", PLACES, PRICES)
    assert shown.people == 6
    assert shown.by_lang["es"] == {"people": 2, "sms": 2, "whatsapp": 0, "segments": 3}
    assert shown.by_lang["en"] == {"people": 1, "sms": 1, "whatsapp": 0, "segments": 1}
    assert shown.cost == round(5 * 3 * 0.10 + 1 * 0.10, 2)  # es, ht, pt, fr people get the Spanish text
    assert shown.fallbacks == {"ht": "es", "pt": "es", "fr": "es"} and shown.without_text == 0  # and it says so
    assert "  pt: 1 people (1 SMS, 0 WhatsApp), 3 segment(s) per SMS, with the es text" in shown.lines()
    assert db["outbox"].count == 6 * 6  # the preview queued nothing (only the reminders and follow-ups are there)
    alone = broadcasts.preview(db, Target(), {"en": "Checkpoint on the road."}, None, PLACES, PRICES)
    assert (alone.people, alone.fallbacks, alone.without_text) == (1, {}, 5)
    assert alone.without_by_lang == {"es": 2, "ht": 1, "pt": 1, "fr": 1}


def test_cli_previews_asks_sends_lists_and_cancels(app, db, crowd):
    cli = app.test_cli_runner()
    args = [
        "broadcast",
        "send",
        "--text",
        "Audiencias del 23 de marzo suspendidas.",
        "--text-en",
        "Hearings of 23 March are postponed.",
        "--court",
        "El Paso",
        "--hearing-from",
        "2026-03-23",
        "--hearing-to",
        "2026-03-23",
        "--author",
        "ana",
    ]
    refused = cli.invoke(args=args, input="n\n")
    assert "To court El Paso, hearings 2026-03-23 to 2026-03-23:" in refused.output
    assert "2 people; about 0.20 USD" in refused.output and "not sent" in refused.output
    assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'broadcast'").fetchone()[0] == 0
    result = cli.invoke(args=args, input="y\n")
    assert "broadcast 1: 2 messages queued" in result.output
    queued = [i for i in json.loads(cli.invoke(args=["queue", "list", "--json"]).output) if i["kind"] == "broadcast"]
    assert len(queued) == 2 and all(i["hearing_at"] is None and i["to"].startswith("…") for i in queued)
    listed = json.loads(cli.invoke(args=["broadcast", "list", "--json"]).output)
    assert listed[0] | {"created_at": None, "sent_at": None} == {
        "id": 1,
        "author": "ana",
        "via": "cli",
        "status": "sending",
        "created_at": None,
        "sent_at": None,
        "target": "court El Paso, hearings 2026-03-23 to 2026-03-23",
        "filters": {"court": "el_paso", "hearing_from": "2026-03-23", "hearing_to": "2026-03-23"},
        "texts": {"es": "Audiencias del 23 de marzo suspendidas.", "en": "Hearings of 23 March are postponed."},
        "queued": 2,
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "cancelled": 0,
        "pending": 2,
        "people": 2,
        "approved_by": None,
    }
    assert "broadcast 1 cancelled: 2 queued messages stopped" in cli.invoke(args=["broadcast", "cancel", "1"]).output
    assert json.loads(cli.invoke(args=["broadcast", "list", "--json"]).output)[0]["status"] == "cancelled"
    assert cli.invoke(args=["broadcast", "cancel", "1"]).exit_code != 0
    actions = [e["action"] for e in audit.entries(db)]
    assert actions[:2] == ["broadcast cancelled", "broadcast sent"]
    sent_entry = audit.entries(db)[1]
    assert sent_entry["actor"] == "ana" and sent_entry["details"]["queued"] == 2
    assert sent_entry["details"]["texts"]["en"] == "Hearings of 23 March are postponed."
    nobody = cli.invoke(args=["broadcast", "send", "--text", "x", "--city", "Reynosa", "--yes"])
    assert nobody.exit_code != 0 and "nobody matches" in nobody.output
    assert cli.invoke(args=["broadcast", "send", "--text", "x", "--city", "Querétaro"]).exit_code != 0


def test_dispatcher_sends_alerts_after_reminders_and_drops_a_cancelled_batch(app, db, crowd):
    now = app.config["NOW"]
    broadcast_id = sent(app, db, Target())
    db.execute("UPDATE outbox SET send_at = ? WHERE slot = 'd7'", [clock.iso(now)])  # reminders due too
    claimed = __import__("scheduler.outbox", fromlist=["claim_due"]).claim_due(db, now, limit=100)
    kinds = [r["kind"] for r in claimed]
    assert kinds == ["reminder"] * 6 + ["broadcast"] * 6  # alerts last: lower priority
    assert broadcasts.cancel(db, broadcast_id, "ana", now) == 6  # after the batch was claimed, not yet sent
    db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")  # as a restart would
    run = Runner(deps_of(app), transport=ConsoleTransport(echo=False))
    counts = run.tick()
    assert counts["sent"] == 6 and counts["cancelled"] == 0  # the reminders went; the alerts never came back
    assert {(r["status"], r["reason"]) for r in db["outbox"].rows if r["kind"] == "broadcast"} == {
        ("cancelled", "broadcast_cancelled")
    }


def test_cancel_reaches_rows_already_claimed(app, db, crowd):
    now = app.config["NOW"]
    broadcast_id = sent(app, db, Target())
    from scheduler import outbox

    claimed = outbox.claim_due(db, now, limit=100, holder="scheduler-1")
    assert broadcasts.cancel(db, broadcast_id, "ana", now) == len(claimed) == 6
    assert outbox.hand_over(db, claimed[0]["id"], "scheduler-1", now, timedelta(seconds=60)).outcome == "gone"
    assert {r["status"] for r in db["outbox"].rows if r["kind"] == "broadcast"} == {"cancelled"}


def test_staff_add_checks_its_input(runner):
    add = ["staff", "add", "Luis"]
    assert runner.invoke(args=[*add, "--phone", "+5216641110000", "--pin", "4826"], input="a long password\n").exit_code
    assert "at least 10 characters" in runner.invoke(args=add, input="short\n").output
    assert runner.invoke(args=[*add, "--role", "operator"], input="a long password\n").exit_code == 0
    assert "already exists" in runner.invoke(args=[*add, "--role", "operator"], input="a long password\n").output
    assert "luis" in runner.invoke(args=["staff", "list"]).output  # names are stored lowercase
    assert runner.invoke(args=["staff", "disable", "Luis"]).exit_code == 0
    assert "disabled" in runner.invoke(args=["staff", "list"]).output


def test_a_broadcast_all_out_reads_sent_and_reading_writes_nothing(app, db, crowd):
    """The list derives 'sent' from the rows: GET pages and `broadcast list` never write."""
    broadcast_id = sent(app, db, Target())
    db.execute("UPDATE outbox SET status = 'delivered' WHERE broadcast_id = ?", [broadcast_id])
    db.conn.commit()
    before = db.conn.total_changes
    listed = broadcasts.listing(db, PLACES)
    assert db.conn.total_changes == before
    assert [b["status"] for b in listed if b["id"] == broadcast_id] == ["sent"]
    assert broadcasts.get(db, broadcast_id)["status"] == "sending"
    with pytest.raises(broadcasts.BroadcastError, match="already sent"):
        broadcasts.cancel(db, broadcast_id, "ana", app.config["NOW"])


def test_the_list_counts_every_broadcast_in_one_query(app, db, crowd):
    """Each broadcast's counts, as `counts` gives them, from one query over the outbox however many
    broadcasts there are (the console's list asked once per broadcast)."""
    made = [sent(app, db, Target()), sent(app, db, Target(city="tijuana")), sent(app, db, Target(lang="pt"))]
    db.execute("UPDATE outbox SET status = 'delivered' WHERE broadcast_id = ? AND id % 2 = 0", [made[0]])
    broadcasts.cancel(db, made[1], "ana", app.config["NOW"])
    draft = broadcasts.create(db, "ana", "cli", Target(), {"es": "Nada aún."}, "es", app.config["NOW"])
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    listed = {b["id"]: b for b in broadcasts.listing(db, PLACES)}
    db.conn.set_trace_callback(None)
    assert len([sql for sql in statements if "FROM outbox" in sql]) == 1
    for broadcast_id in [*made, draft]:
        assert {k: listed[broadcast_id][k] for k in broadcasts.counts(db, broadcast_id)} == broadcasts.counts(
            db, broadcast_id
        )
    assert listed[draft]["queued"] == 0 and listed[made[1]]["status"] == "cancelled"
