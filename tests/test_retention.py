"""Retention, erasure on disk, backups and abuse limits: checked in the raw database files too."""

import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from bot.store import db as storage
from bot.store import retention
from tests.helpers import NOW, Phone, register


def raw(app) -> bytes:
    """Every byte SQLite keeps for the database: the file, its WAL and its shared memory."""
    base = Path(app.config["DATABASE"])
    return b"".join(p.read_bytes() for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists())


def purge_at(app, moment):
    db = storage.connect(app.config["DATABASE"])
    try:
        return retention.purge(db, moment)
    finally:
        db.close()


def test_a_hearing_and_its_messages_go_30_days_after_it(app, client, db):
    register(Phone(client))  # 9 March 2026
    other = Phone(client, "+5216561110002")
    register(other, when="el 20 de abril a las 9")
    assert purge_at(app, NOW + timedelta(days=60))["hearings"] == 0
    counts = purge_at(app, datetime_(2026, 4, 9))  # 31 days after 9 March
    assert counts["hearings"] == 1
    assert [h["hearing_at"] for h in db["hearings"].rows] == ["2026-04-20T15:00:00Z"]
    assert {r["hearing_id"] for r in db["outbox"].rows} == {2}


def datetime_(y, m, d):
    from datetime import UTC, datetime

    return datetime(y, m, d, 12, 0, tzinfo=UTC)


def test_inbound_answers_are_kept_seven_days_at_most(app, client, db):
    register(Phone(client))
    assert db["inbound"].count == 6
    purge_at(app, NOW + timedelta(days=7, minutes=1))
    assert db["inbound"].count == 0
    blob = raw(app)
    assert b"Guardado. Le avisaremos" not in blob  # overwritten, not just unlinked
    assert b"Avisos gratis" not in blob


def test_silent_people_get_a_goodbye_then_are_erased(app, client, db):
    register(Phone(client), when="el 9 de marzo a las 8:30")
    stopped = Phone(client, "+5216561110003")
    register(stopped, when="el 10 de marzo a las 8:30")
    stopped.text("STOP")
    later = NOW + timedelta(days=181)
    counts = purge_at(app, later)
    assert counts["goodbyes"] == 1 and counts["erased"] == 1  # the one who said STOP gets no message
    goodbye = next(db["outbox"].rows_where("kind = 'goodbye'"))
    assert goodbye["body"].startswith("No sabemos de usted desde hace 6 meses") and goodbye["status"] == "pending"
    assert purge_at(app, later + timedelta(days=1))["erased"] == 1
    assert db["contacts"].count == 0 and db["outbox"].count == 0 and db["hearings"].count == 0


def test_writing_again_cancels_the_goodbye(app, client, db):
    phone = Phone(client)
    register(phone)
    purge_at(app, NOW + timedelta(days=181))
    app.config["NOW"] = NOW + timedelta(days=181, hours=2)
    phone.text("hola")
    assert purge_at(app, NOW + timedelta(days=183))["erased"] == 0 and db["contacts"].count == 1


def test_raw_files_hold_no_phone_and_nothing_of_an_erased_person(app, client, db):
    keep, gone = Phone(client, "+5216561117777"), Phone(client, "+5216561118888")
    register(keep, when="el 9 de marzo a las 8:30")
    register(gone, when="el 11 de marzo a las 7:41")
    gone.erase()
    storage.scrub(db)
    blob = raw(app)
    for digits in (b"6561117777", b"6561118888", b"5216561117777"):
        assert digits not in blob
    assert b"2026-03-11T13:41:00Z" not in blob  # the erased person's hearing
    assert b"7:41 a.m." not in blob and b"2026-03-09T14:30:00Z" in blob


def test_backup_is_a_consistent_copy_while_the_bot_writes(app, client, runner, tmp_path):
    for n in range(5):
        register(Phone(client, f"+52165612{n:05d}"))
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0 and "backup written" in result.output
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM contacts").fetchone() == (5,)
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0  # never overwrites


def test_purge_command_prints_counts(runner):
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and '"hearings": 0' in result.output


# --- abuse -------------------------------------------------------------------------------------------


def test_a_flood_gets_one_slow_down_then_silence_but_stop_always_works(app, client, db):
    phone = Phone(client)
    register(phone)  # 6 messages this minute
    for _ in range(14):
        assert phone.text("hola") != ""
    assert phone.text("hola") == "Está enviando muchos mensajes. Espere un minuto y escriba de nuevo."
    assert phone.text("hola") == ""
    assert phone.text("STOP") == "Ya no le enviaremos mensajes. Para volver, responda START."
    app.config["NOW"] = NOW + timedelta(minutes=2)
    assert phone.text("ALTA").startswith("Hola de nuevo.")


def test_nobody_reads_another_persons_hearing(client):
    first, second = Phone(client, "+5216561110010"), Phone(client, "+5216561110011")
    register(first, when="el 9 de marzo a las 8:30")
    register(second, when="el 10 de abril a las 9:00")
    assert "9 de marzo" in first.text("AUDIENCIA") and "10 de abril" not in first.text("AUDIENCIA")
    assert "10 de abril" in second.text("AUDIENCIA") and "9 de marzo" not in second.text("AUDIENCIA")


def test_a_hearing_more_than_a_year_away_is_checked(phone):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert phone.text("el 9 de marzo de 2028 a las 8:30") == (
        "Esa fecha es en más de un año. Revísela y escríbala otra vez."
    )


def test_delete_is_confirmed_even_in_a_flood(client, db):
    """Found by the soak: the YES to DELETE was held back by the rate limit, leaving the person stored."""
    phone = Phone(client)
    register(phone)
    for _ in range(15):
        phone.text("hola")
    assert phone.erase() == "Borramos todos sus datos. Cuídese."
    assert db["contacts"].count == 0


def test_stop_start_and_delete_are_answered_at_most_once_a_minute_each(app, client, db):
    phone = Phone(client)
    register(phone)
    assert phone.text("STOP") == "Ya no le enviaremos mensajes. Para volver, responda START."
    assert phone.text("ALTA").startswith("Hola de nuevo.")
    assert phone.text("STOP") == ""  # done again (opted out), but no second answer within the minute
    assert db["contacts"].get(1)["opted_out_at"] is not None
    assert phone.text("ALTA") == ""
    assert db["contacts"].get(1)["opted_out_at"] is None
    assert phone.text("BORRAR").startswith("¿Borrar su teléfono")
    assert phone.text("no") == "Bien, no se borró nada."
    asked = phone.text("BORRAR")  # a new question, with a new code: said, even within the minute
    assert asked.startswith("¿Borrar su teléfono")
    assert phone.text("BORRAR") == ""  # the same question again: not repeated within the minute
    assert phone.text(re.search(r"\d{3}", asked)[0]) == "Borramos todos sus datos. Cuídese."
    app.config["NOW"] = NOW + timedelta(minutes=1, seconds=1)
    assert phone.text("STOP") == "Ya no le enviaremos mensajes. Para volver, responda START."


def test_the_slow_down_warning_goes_once_even_when_a_keyword_crosses_the_limit(app, client, db):
    phone = Phone(client)
    register(phone)  # 6 messages this minute
    for _ in range(14):
        phone.text("hola")
    crossing = phone.texts("STOP")  # the 21st message of the minute: it opts out, and warns
    assert crossing == [
        "Ya no le enviaremos mensajes. Para volver, responda START.",
        "Está enviando muchos mensajes. Espere un minuto y escriba de nuevo.",
    ]
    assert db["contacts"].get(1)["opted_out_at"] is not None
    assert phone.text("hola") == ""  # no second warning
    assert phone.texts("ALTA") == [
        "Hola de nuevo.\nYa guardamos su audiencia. Responda AUDIENCIA para verla, "
        "CAMBIAR para cambiarla o AYUDA si necesita ayuda."
    ]
    assert phone.text("AUDIENCIA") == ""  # still flooding: silence
    assert sum(r["warned"] or 0 for r in db["inbound"].rows) == 1
