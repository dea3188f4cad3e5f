"""Phones are encrypted at rest, looked up by keyed hash, and never in logs with message bodies."""

import logging
from pathlib import Path

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from bot.core.phones import PhoneVault, mask, normalize, split_address
from tests.helpers import Phone, register

NUMBER = "+5216567654321"


def test_no_phone_in_clear_anywhere_in_the_database_files(app, client, db):
    register(Phone(client, NUMBER))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in Path(app.config["DATABASE"]).parent.glob("test.db*"))
    assert b"6567654321" not in raw
    row = next(db["contacts"].rows)
    assert PhoneVault("test-secret-key-" + "k" * 32).decrypt(row["phone_enc"]) == NUMBER
    assert row["phone_hash"] == PhoneVault("test-secret-key-" + "k" * 32).lookup_hash(NUMBER)
    assert row["phone_hash"] != PhoneVault("another-key").lookup_hash(NUMBER)


def test_logs_never_show_a_full_phone_or_a_body(client, caplog):
    caplog.set_level(logging.DEBUG)
    phone = Phone(client, NUMBER)
    register(phone, when="el 9 de marzo a las 8:30")
    phone.text("mi secreto es 1234")
    logged = caplog.text
    assert "6567654321" not in logged and NUMBER not in logged
    assert "secreto" not in logged and "9 de marzo" not in logged
    assert "…4321" in logged


def test_normalisation_makes_one_person_one_key():
    assert normalize("+52 1 656 765 4321") == normalize("+5216567654321")
    assert split_address("whatsapp:+5216567654321") == ("whatsapp", "+5216567654321")
    assert mask("+5216567654321") == "…4321" and mask(None) == "…"


@given(st.from_regex(r"\+[1-9][0-9]{5,14}|\+1[0-9]{10}|\+52[0-9]{10,11}", fullmatch=True))
def test_e164_fast_path_gives_the_key_phonenumbers_would(raw):
    try:
        parsed = phonenumbers.parse(raw, None)
        slow = (
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_possible_number(parsed)
            else raw
        )
    except phonenumbers.NumberParseException:
        slow = raw
    assert normalize(raw) == slow


def test_consent_is_recorded_with_time_and_way(client, db):
    phone = Phone(client, NUMBER, channel="whatsapp")
    phone.text("hola")
    assert next(db["contacts"].rows)["consent_at"] is None  # the welcome alone is not consent
    phone.text("1")
    row = next(db["contacts"].rows)
    assert row["consent_at"] == "2026-02-02T15:00:00Z"
    assert row["consent_method"] == "whatsapp: chose a language after the welcome message"
