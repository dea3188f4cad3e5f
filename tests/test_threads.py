"""A person behind the bot (issue 16): a thread with a volunteer opened by a keyword, by words of
danger, or after two misunderstandings, in every language; what is written in it is stored only
encrypted, never in the database or its WAL in clear, and goes with DELETE and with retention."""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import parse_iso
from bot.store import retention
from tests.helpers import Phone, register

LANG_MENU = {"es": "1", "en": "2", "pt": "3", "fr": "4", "ht": "5"}
ASK = {"es": "HUMANO", "en": "HUMAN", "pt": "PESSOA", "fr": "HUMAIN", "ht": "MOUN"}
LEAVE = {"es": "FIN", "en": "DONE", "pt": "FIM", "fr": "FIN", "ht": "FINI"}
DANGER = {
    "es": "me quieren secuestrar, estoy en la calle",
    "en": "someone is following me near the bridge",
    "pt": "estão me ameaçando e pedindo dinheiro",
    "fr": "des hommes me suivent depuis ce matin",
    "ht": "yo ap swiv mwen depi maten",
}
SECRET = "mi hermano se llama Wilber y vive en la calle Ocho 123"


def thread(db) -> dict | None:
    return next(db.query("SELECT * FROM threads ORDER BY id DESC LIMIT 1"), None)


def raw_files(app) -> bytes:
    path = Path(app.config["DATABASE"])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.mark.parametrize("lang", LANG_MENU)
def test_a_keyword_opens_a_thread_and_what_follows_goes_to_it_encrypted(app, client, db, lang):
    phone = Phone(client)
    phone.text("hola"), phone.text(LANG_MENU[lang])
    opened = phone.text(ASK[lang])
    assert "24" in opened and LEAVE[lang] in opened  # the usual answer time, said honestly; how to leave
    assert thread(db)["status"] == "open" and not thread(db)["urgent"]
    assert phone.texts(SECRET) == []  # for the volunteer, not "not understood"
    stored = list(db.query("SELECT author, body_enc FROM thread_messages ORDER BY id"))
    assert [m["author"] for m in stored][-1] == "person"
    assert SECRET.encode() not in raw_files(app) and b"Wilber" not in raw_files(app)
    assert phone.text(LEAVE[lang])  # an answer in the person's language
    assert thread(db)["status"] == "closed"
    assert phone.text(SECRET) != ""  # the thread is closed: the bot answers again


@pytest.mark.parametrize("lang", LANG_MENU)
def test_words_of_danger_answer_at_once_with_911_and_089_and_open_an_urgent_thread(client, db, lang):
    phone = Phone(client)
    phone.text("hola"), phone.text(LANG_MENU[lang])
    replies = phone.texts(DANGER[lang])
    assert "911" in replies[0] and "089" in replies[0]
    assert any(LEAVE[lang] in r for r in replies)
    assert thread(db)["urgent"] == 1 and thread(db)["status"] == "open"
    assert db.execute("SELECT count(*) FROM thread_messages WHERE author = 'person'").fetchone()[0] == 1


def test_danger_words_skip_the_automation_even_from_a_new_number(client, db):
    replies = Phone(client).texts("me quieren secuestrar")
    assert "911" in replies[0] and thread(db)["urgent"] == 1


@pytest.mark.parametrize("lang", LANG_MENU)
def test_two_misunderstandings_offer_a_volunteer_who_is_one_word_away(client, db, lang):
    phone = Phone(client)
    phone.text("hola"), phone.text(LANG_MENU[lang])
    first = phone.text("zzz qqq")
    assert ASK[lang] not in first
    assert ASK[lang] in phone.text("xxx www")
    phone.text(ASK[lang])
    assert thread(db)["status"] == "open"


def test_delete_and_retention_remove_threads(app, client, db):
    phone = Phone(client)
    register(phone)
    phone.text("HUMANO"), phone.text(SECRET)
    phone.erase()
    assert db["threads"].count == 0 and db["thread_messages"].count == 0
    other = Phone(client, "+5216561230077")
    register(other)
    other.text("HUMANO"), other.text(SECRET), other.text("FIN")
    closed_at = thread(db)["closed_at"]
    keep = retention.from_config(app.config)
    later = parse_iso(closed_at) + timedelta(days=keep.thread_days, minutes=1)
    counts = retention.purge(db, later, keep)
    assert counts["threads"] == 1 and db["thread_messages"].count == 0
