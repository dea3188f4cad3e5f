"""The directory through the signed webhook and the console: legal help, medical care and food by kind in
five languages, a location pin after asking for a kind, a restricted shelter that never loses who it takes,
WRONG from a person to the console's "to check" page, "checked today" into the audit log, and the
migration that turned the shelters into the directory keeping what volunteers had."""

import re

import pytest

from bot.core import places as places_module
from bot.core.segments import count, fold
from bot.store import audit, services
from bot.store import db as storage
from bot.store.migrations import migrations
from tests.helpers import PUBLIC_URL, Phone, login, post, token

PLACES = places_module.load()
LANG_CHOICE = {"es": "1", "en": "2", "pt": "3", "fr": "4", "ht": "5"}
JUAREZ = "4"
MORE = {"es": "OTROS", "en": "MORE", "pt": "MAIS", "fr": "PLUS", "ht": "PLIS"}
# What each kind is asked with, and the header of its list in Ciudad Juárez, as each language says it.
ASKED = {
    "medical": (
        {"es": "MEDICO", "en": "DOCTOR", "pt": "SAÚDE", "fr": "MÉDECIN", "ht": "DOKTÈ"},
        "Médicos Sin Fronteras",
    ),
    "food": (
        {"es": "COMIDA", "en": "FOOD", "pt": "COMIDA", "fr": "NOURRITURE", "ht": "MANJE"},
        "Comedor de la Catedral",
    ),
    "legal": ({"es": "ABOGADO", "en": "LAWYER", "pt": "ADVOGADO", "fr": "AVOCAT", "ht": "AVOKA"}, "Las Americas"),
}
HEADERS = {
    "medical": "Medical care in {city}:",
    "food": "Food in {city}:",
    "legal": "Free legal help near {city} (they are not the court; this is not advice):",
}


def in_juarez(client, lang: str, number: str = "+5216561112222") -> Phone:
    phone = Phone(client, number)
    phone.text("hola"), phone.text(LANG_CHOICE[lang]), phone.text(JUAREZ)
    return phone


def listing(phone: Phone, word: str, lang: str) -> list[str]:
    pages = phone.texts(word)
    while MORE[lang] in pages[-1]:
        pages += phone.texts(MORE[lang])
    return pages


@pytest.mark.parametrize("lang", LANG_CHOICE)
@pytest.mark.parametrize("kind", ASKED)
def test_each_kind_is_listed_in_each_language(client, kind, lang):
    from bot.core.i18n import translator

    words, name = ASKED[kind]
    pages = listing(in_juarez(client, lang), words[lang], lang)
    header = translator(lang)(HEADERS[kind]).format(city="Ciudad Juárez")
    assert fold(pages[0]).startswith(fold(header)), (kind, lang, pages[0])
    assert name in "\n".join(pages) and "\n1 " in pages[0]  # numbered, for WRONG
    assert all(count(page) <= 2 for page in pages)
    assert "Tijuana" not in "\n".join(pages)  # the person's city only


def test_a_kind_with_nothing_listed_says_so_plainly(client):
    phone = Phone(client, "+5218781112222")
    phone.text("hola"), phone.text("1"), phone.text("5")  # Piedras Negras: no medical care listed
    assert phone.text("MEDICO") == (
        "Aún no tenemos atención médica en Piedras Negras. En una emergencia, llame al 911."
    )


def test_a_location_pin_lists_the_nearest_of_the_kind_asked_for_last(client, db):
    phone = in_juarez(client, "es")
    db.execute("UPDATE services SET latitude = 31.74, longitude = -106.48 WHERE name LIKE 'Comedor de la Catedral%'")
    db.conn.commit()
    phone.text("COMIDA")
    nearest = phone.text("", Latitude="31.7400", Longitude="-106.4850")
    assert fold(nearest).startswith(fold("Comida más cerca de usted:\n1 Comedor de la Catedral"))
    phone.text("ALBERGUE")
    assert phone.text("", Latitude="31.7400", Longitude="-106.4850").startswith("Albergues cercanos:")


@pytest.mark.parametrize("lang", LANG_CHOICE)
def test_a_restricted_shelter_keeps_who_it_takes_on_every_page_in_every_language(client, lang):
    """Reynosa's Casa del Migrante Guadalupe takes women and children only: listed, paged, after MORE."""
    from bot.core.i18n import translator

    phone = Phone(client, "+5218991112222")
    phone.text("hola"), phone.text(LANG_CHOICE[lang]), phone.text("7")  # Reynosa
    pages = listing(phone, {"es": "ALBERGUE", "en": "SHELTER", "pt": "ABRIGO", "fr": "ABRI", "ht": "KAY"}[lang], lang)
    _ = translator(lang)
    who = fold(_("Takes: {who}.").format(who=", ".join((_("women"), _("children")))))
    line = next(fold(p) for p in pages if "Guadalupe" in p)
    assert who in line.split("Guadalupe")[1].split("\n")[0], (lang, line)


# --- kept true by volunteers ----------------------------------------------------------------------------


def test_wrong_after_a_list_flags_that_entry_for_the_console(client, db, members):
    phone = in_juarez(client, "es")
    first = phone.text("ALBERGUE")
    name = re.search(r"(?:^|\n)1 ([^:]+):", first)[1]
    phone.text("OTROS")  # the next page: entries numbered on
    assert phone.text("MAL").startswith("¿Cuál está mal? Responda MAL y su número")  # several were listed
    assert phone.text("MAL 1 estaba cerrado el lunes") == f"Gracias. Un voluntario revisará {name}."
    (service_id,) = db.execute("SELECT id FROM services WHERE name = ? AND city = 'ciudad_juarez'", [name]).fetchone()
    raw = db.execute("SELECT service_id, words_enc FROM service_flags").fetchall()
    assert raw[0][0] == service_id and "cerrado" not in raw[0][1]  # the words are kept sealed
    volunteer = client.application.test_client()
    login(volunteer, "vol")
    page = volunteer.get("/admin/shelters/check", base_url=PUBLIC_URL).get_data(as_text=True)
    first_item = page.split('<ul class="tocheck">')[1].split("</li>")[0]
    assert name in first_item and "estaba cerrado el lunes" in first_item  # flagged: first
    listed = volunteer.get("/admin/shelters", base_url=PUBLIC_URL).get_data(as_text=True)
    assert 'class="bad">1</td>' in listed


def test_mal_is_only_a_flag_after_a_list(client, db):
    phone = in_juarez(client, "es")  # asked for the hearing's day: nothing was listed
    answer = phone.text("mal")  # "me siento mal"
    assert "MAL" not in answer and "revisará" not in answer, answer
    assert answer.startswith("Perdón, no entendí.")
    assert db.execute("SELECT count(*) FROM service_flags").fetchone()[0] == 0


def test_checked_today_moves_an_entry_off_the_to_check_page_and_into_the_audit_log(client, db, members):
    volunteer = client.application.test_client()
    login(volunteer, "vol")
    (service_id, name, old) = db.execute(
        "SELECT id, name, verified_at FROM services WHERE city = 'ciudad_juarez' AND kind = 'shelter' "
        "AND verified_at IS NOT NULL ORDER BY verified_at LIMIT 1"
    ).fetchone()
    page = "/admin/shelters/check"
    assert f"/admin/shelters/{service_id}/checked" in volunteer.get(page, base_url=PUBLIC_URL).get_data(as_text=True)
    response = post(volunteer, f"/admin/shelters/{service_id}/checked", data={"csrf_token": token(volunteer, page)})
    assert response.status_code == 302
    assert f"/admin/shelters/{service_id}/checked" not in volunteer.get(page, base_url=PUBLIC_URL).get_data(
        as_text=True
    )
    entry = audit.entries(db)[0]
    assert (entry["action"], entry["actor"], entry["details"]["shelter"]) == ("shelter checked", "vol", name)
    assert entry["changes"] == {"verified_at": [old, "2026-02-02"]}
    phone = in_juarez(client, "es")  # and the bot says so
    assert "Verificado hoy." in "\n".join(listing(phone, "ALBERGUE", "es"))


def test_checked_for_an_entry_that_does_not_exist_is_404(client, members):
    volunteer = client.application.test_client()
    login(volunteer, "vol")
    csrf = token(volunteer, "/admin/shelters/check")
    assert post(volunteer, "/admin/shelters/99999/checked", data={"csrf_token": csrf}).status_code == 404


# --- the file and the migration -------------------------------------------------------------------------


def test_an_import_that_would_empty_a_kind_is_refused(runner, db, tmp_path):
    only_shelters = tmp_path / "shelters.csv"
    text = services.DATA_FILE.read_text(encoding="utf-8").splitlines()
    kept = [text[0]] + [line for line in text[1:] if ",shelter," in line]
    only_shelters.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = runner.invoke(args=["shelters", "import", str(only_shelters)])
    assert result.exit_code != 0 and "the file has no legal_aid entries, the directory has 17" in result.output
    assert db["services"].count == len(services.read_csv(services.DATA_FILE.read_text(encoding="utf-8")))


def test_export_is_safe_to_open_in_a_spreadsheet(runner, db, tmp_path):
    db.execute("UPDATE services SET name = '=HYPERLINK(\"http://x\")' WHERE id = (SELECT min(id) FROM services)")
    db.conn.commit()
    exported = runner.invoke(args=["shelters", "export"]).output
    assert "'=HYPERLINK" in exported and ",=HYPERLINK" not in exported


def test_the_migration_keeps_todays_shelters_and_adds_the_other_kinds(tmp_path):
    db = storage.connect(str(tmp_path / "old.db"))
    try:
        migrations.apply(db, stop_before="m015_services")  # a database from before the directory
        edited = {
            "position": 1,
            "city": "tijuana",
            "name": "Casa editada por voluntarios",
            "address": "Calle 1",
            "phone": "+52 664 000 0000",
            "latitude": 32.53,
            "longitude": -117.03,
            "approximate": 0,
            "serves": "women;children",
            "notes": '{"es": "Nota"}',
            "verified_at": "2026-01-15",
            "source": "a volunteer's visit",
        }
        db["shelters"].insert(edited)
        storage.migrate(db)
        found = services.all_services(db)
        kept = [s for s in found if s.kind == "shelter"]
        assert [(s.name, s.phone, s.serves, str(s.verified_at)) for s in kept] == [
            ("Casa editada por voluntarios", "+52 664 000 0000", ("women", "children"), "2026-01-15")
        ]
        assert {s.kind for s in found} >= {"legal_aid", "medical", "food", "government"}
        assert "shelters" not in db.table_names() and "service_flags" in db.table_names()
    finally:
        db.close()


def test_a_new_database_gets_every_entry_of_the_seed_file(db):
    assert db["services"].count == len(services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), PLACES))


def test_a_persons_words_in_a_flag_go_after_a_week_and_the_flag_stays(client, db, app):
    from datetime import timedelta

    from bot.store import retention

    phone = in_juarez(client, "es")
    phone.text("ALBERGUE")
    phone.text("MAL 1 estaba cerrado")
    retention.purge(db, app.config["NOW"] + timedelta(days=8))
    db.conn.commit()
    assert db.execute("SELECT count(*), count(words_enc) FROM service_flags").fetchone() == (1, 0)
