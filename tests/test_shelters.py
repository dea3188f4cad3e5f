"""Shelters and safety through the signed webhook, in all five languages, and the directory's file
(tests/test_directory.py: the other kinds, flags and checks)."""

from dataclasses import replace
from datetime import date

import pytest

from bot.core import places as places_module
from bot.core.advice import entry, pages
from bot.core.segments import count, fold
from bot.store import services
from tests.helpers import Phone, register

PLACES = places_module.load()
TIJUANA_PIN = {"Latitude": "32.5290", "Longitude": "-117.0380"}
LANG_CHOICE = {"es": "1", "en": "2", "pt": "3", "fr": "4", "ht": "5"}
SHELTER_WORD = {"es": "ALBERGUE", "en": "SHELTER", "pt": "ABRIGO", "fr": "ABRI", "ht": "KAY"}
MORE_WORD = {"es": "OTROS", "en": "MORE", "pt": "MAIS", "fr": "PLUS", "ht": "PLIS"}
HEADER = {
    "es": "Albergues en Tijuana:",
    "en": "Shelters in Tijuana:",
    "pt": "Abrigos em Tijuana:",
    "fr": "Abris à Tijuana :",
    "ht": "Kay akèy nan Tijuana:",
}
STALE = {
    "es": "Pudo cambiar desde",
    "en": "May have changed since",
    "pt": "Pode ter mudado desde",
    "fr": "A pu changer depuis",
    "ht": "Li ka chanje depi",
}


def registered_in(phone, lang, city="1"):
    phone.text("hola"), phone.text(LANG_CHOICE[lang]), phone.text(city)


@pytest.mark.parametrize("lang", LANG_CHOICE)
def test_shelter_keyword_in_a_known_city_then_more(client, lang):
    phone = Phone(client)
    registered_in(phone, lang)  # Tijuana
    first = phone.texts(SHELTER_WORD[lang])
    assert len(first) == 1 and count(first[0]) <= 2
    assert first[0].startswith(HEADER[lang])
    assert "Casa del Migrante (Scalabrini)" in first[0] and STALE[lang] in first[0]
    shown = [
        name
        for name in ("Casa del Migrante (Scalabrini)", "Instituto Madre Asunta", "Movimiento Juventud 2000")
        if name in first[0]
    ]
    rest = []
    while MORE_WORD[lang] in phone_last(first):
        first = phone.texts(MORE_WORD[lang])
        assert len(first) == 1 and count(first[0]) <= 2
        rest.append(first[0])
    everything = "\n".join([*rest, *shown])
    for name in ("Casa del Migrante (Scalabrini)", "Instituto Madre Asunta", "Movimiento Juventud 2000"):
        assert name in everything
    # Past the end, MORE says so kindly; the conversation goes on where it was.
    assert phone.text(MORE_WORD[lang]) != ""
    assert phone.text("el 9 de marzo a las 8:30" if lang == "es" else "2026-03-09 8:30") != ""


def phone_last(texts):
    return texts[-1]


@pytest.mark.parametrize("lang", LANG_CHOICE)
def test_unknown_city_is_asked_for_then_its_shelters(client, lang):
    phone = Phone(client, "+5216561119999")
    phone.text("hola"), phone.text(LANG_CHOICE[lang]), phone.text("otra"), phone.text("1")  # court only
    menu = phone.text(SHELTER_WORD[lang])
    assert "1 Tijuana" in menu and "8 Matamoros" in menu
    answer = phone.texts("4")  # Ciudad Juárez
    assert "Casa del Migrante: Calle Neptuno 1855, col. Satélite. Tel. +52 656 687 0676." in fold(answer[0]) or (
        "Casa del Migrante: Calle Neptuno 1855, col. Satelite. Tel. +52 656 687 0676." in answer[0]
    )


def test_shelter_asked_while_registering_then_registration_goes_on(phone):
    phone.text("hola"), phone.text("1")
    assert phone.text("albergue").startswith("¿En qué ciudad está?")
    first, then = phone.texts("reynosa")
    assert "1 Senda de Vida: " in first  # numbered, so WRONG 1 can flag it
    assert first.endswith("Para ver otros, responda OTROS.") and count(first) <= 2
    assert then.startswith("¿Qué día y a qué hora es su audiencia?")


def test_a_stranger_sharing_a_location_gets_the_nearest_shelters(client, db):
    stranger = Phone(client, "+5216649998888", channel="whatsapp")
    answer = stranger.texts("", **TIJUANA_PIN)
    assert len(answer) == 1 and count(answer[0]) <= 2
    assert answer[0].startswith("Albergues cercanos:\n1 ") and "(aprox. 0.4 km)" in answer[0]
    assert next(db["contacts"].rows)["state"] == "new"  # not registered by it; hello still welcomes
    assert stranger.text("hola").startswith("Avisos gratis")


def test_a_city_without_shelters_says_so_and_points_to_safety(client, db):
    db.execute("DELETE FROM services WHERE city = 'matamoros' AND kind = 'shelter'")
    db.conn.commit()
    phone = Phone(client, "+5218681234567")
    registered_in(phone, "es", "8")  # Matamoros
    assert phone.text("albergue") == (
        "Por ahora no tenemos albergues en Matamoros. En una emergencia llame al 911. "
        "Responda SEGURIDAD para ver consejos."
    )


@pytest.mark.parametrize("lang", LANG_CHOICE)
def test_safety_numbers_and_warnings(client, lang):
    phone = Phone(client)
    registered_in(phone, lang)
    numbers, warnings = phone.texts(
        {"es": "SEGURIDAD", "en": "SAFETY", "pt": "SEGURANÇA", "fr": "SÉCURITÉ", "ht": "SEKIRITE"}[lang]
    )
    assert "911" in numbers and "089" in numbers and "1-800-898-7180" in numbers
    assert "001-800-898-7180" in numbers  # the same line, dialled from a Mexican phone
    assert count(numbers) <= 2 and count(warnings) <= 2


def test_safety_in_spanish_says_what_the_line_needs_and_that_a_date_is_never_sold(phone):
    register(phone)
    numbers, warnings = phone.texts("SEGURIDAD")
    assert numbers == (
        "Emergencia: 911. Denuncia anónima: 089. Audiencia: 1-800-898-7180 (inglés o español; con su número A). "
        "Desde México: 001-800-898-7180."
    )
    assert warnings == (
        "Nadie puede venderle una fecha de audiencia: es gratis. Nunca dé a desconocidos sus papeles originales "
        "ni los teléfonos de sus familiares."
    )


def test_safety_works_for_a_registered_person_without_changing_anything(phone, db):
    register(phone)
    phone.text("SEGURIDAD")
    assert next(db["contacts"].rows)["state"] == "registered" and db["hearings"].count == 1


def test_every_city_pages_fit_in_two_segments_and_show_every_shelter():
    db_rows = services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), PLACES)
    found = [services._service({**row, "id": i}) for i, row in enumerate(db_rows, 1) if row["kind"] == "shelter"]
    for lang in LANG_CHOICE:
        for city in PLACES.cities:
            listed = [(s, None) for s in found if s.city == city.key]
            if not listed:
                continue
            sent = pages(listed, f"Albergues en {city.name}:", date(2026, 11, 28), lang)
            assert sum(n for _, n in sent) == len(listed)
            assert all(count(text) <= 2 for text, _ in sent), (lang, city.key)
            assert all(MORE_WORD[lang] in text for text, _ in sent[:-1]) and MORE_WORD[lang] not in sent[-1][0]
            # A shelter that takes only some people always says who: Madre Asunta and Guadalupe take no men.
            for shelter, _ in listed:
                if shelter.restricted:
                    name = fold(shelter.name) + ":"  # (a page over two UCS-2 segments goes folded to GSM-7)
                    text = next(fold(t) for t, _ in sent if name in fold(t))
                    assert text.split(name)[1].split("\n")[0].count(fold(WHO[lang])) == 1, (lang, text)


WHO = {"es": "Recibe:", "en": "Takes:", "pt": "Recebe:", "fr": "Accueille :", "ht": "Li resevwa:"}


def shelter(**changes) -> services.Service:
    """Casa del Migrante in Ciudad Juárez, as the seed file has it (a phone, an address, coordinates)."""
    rows = services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), PLACES)
    row = next(r for r in rows if r["name"] == "Casa del Migrante" and r["city"] == "ciudad_juarez")
    return replace(services._service({**row, "id": 1}), **changes)


def test_a_restricted_shelter_keeps_who_it_takes_alone_and_folded_rather_than_in_three_segments():
    """Women and children only, with a long accented address: who it takes is never dropped; alone on its
    page, whole, it goes with its accents folded to GSM-7 rather than in a third UCS-2 segment."""
    long_address = "Calle Río Bravo esquina con Avenida Lázaro Cárdenas, colonia Benito Juárez, S/N"
    restricted = shelter(address=long_address, serves=("women", "children"), phone="")
    everyone = shelter(id=2, address=long_address, name="Otro albergue", phone="")
    (text, n), *more = pages([(restricted, None), (everyone, None)], "Abrigos:", date(2026, 11, 28), "pt")
    assert n == 1 and "Recebe: mulheres, criancas." in text and count(text) == 2
    assert "Calle Rio Bravo esquina con Avenida Lazaro Cardenas, colonia Benito Juarez, S/N" in text
    assert more and all(count(t) <= 2 for t, _ in more)  # the one that takes everyone: two at most
    assert "Recebe" not in more[0][0]


def test_no_address_and_no_phone_are_said_in_the_persons_language():
    today = date(2026, 11, 28)
    nowhere = shelter(address="", phone="", verified_at=date(2024, 1, 1))
    said = entry(nowhere, today, "en")  # with no address and no phone
    assert said.startswith("Casa del Migrante: No published address. May have changed since 01/2024. ")
    assert "call first" not in said  # no phone: no "call first"
    assert "Sem endereço publicado" in entry(nowhere, today, "pt")
    legacy = shelter(address="Sin dirección publicada")  # a database seeded from the old file
    assert "Pa gen adrès piblik" in entry(legacy, today, "ht")
    assert "call first" in entry(shelter(verified_at=date(2024, 1, 1)), today, "en")  # it has a phone


def test_a_distance_uses_the_languages_decimal_mark():
    near = shelter(approximate=True)
    assert "(about 0.4 km)" in entry(near, date(2026, 11, 28), "en", km=0.42)
    assert "(aprox. 0.4 km)" in entry(near, date(2026, 11, 28), "es", km=0.42)
    assert "(aprox. 0,4 km)" in entry(near, date(2026, 11, 28), "pt", km=0.42)
    assert "(env. 0,4 km)" in entry(near, date(2026, 11, 28), "fr", km=0.42)
    assert "(anviwon 0,4 km)" in entry(near, date(2026, 11, 28), "ht", km=0.42)


def test_checked_days_ago_then_it_may_have_changed_after_90_days_and_never_checked_is_said():
    checked = shelter(verified_at=date(2026, 2, 23))
    assert not checked.stale(date(2026, 5, 23)) and checked.stale(date(2026, 5, 24))  # 89 days, then 90
    assert "Checked today." in entry(checked, date(2026, 2, 23), "en")
    assert "Checked 1 day ago." in entry(checked, date(2026, 2, 24), "en")
    assert "Checked 3 days ago." in entry(checked, date(2026, 2, 26), "en")
    assert "Verificado hace 3 días." in entry(checked, date(2026, 2, 26), "es")
    assert "May have changed since 02/2026: call first." in entry(checked, date(2026, 5, 24), "en")
    never = shelter(verified_at=None)
    assert "Not checked yet: call first." in entry(never, date(2026, 2, 26), "en")
    assert "Not checked yet." in entry(replace(never, phone=""), date(2026, 2, 26), "en")


# --- the file ----------------------------------------------------------------------------------------


def test_import_refuses_a_bad_file_naming_the_lines_and_changes_nothing(runner, db, tmp_path):
    before = [r["name"] for r in db["services"].rows]
    good = services.DATA_FILE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join(
            [
                good[0],
                good[1],
                "queretaro,shelter,Casa X,Calle 1,,20.6,-100.4,no,families,nota,note,,,,2026-01-01,example.org",
                "tijuana,shelter,,Calle 2,,32.5,-117.0,no,families,nota,note,,,,2026-01-01,example.org",
                "tijuana,shelter,Casa Y,Calle 3,,91,-117.0,no,families,nota,note,,,,2026-01-01,example.org",
                "tijuana,shelter,Casa Z,Calle 4,,25.87,-97.5,no,families,nota,note,,,,2026-01-01,example.org",
                "tijuana,shelter,Casa W,Calle 5,,32.5,-117.0,no,everyone,nota,note,,,,01/01/2026,example.org",
                "tijuana,hotel,Casa V,Calle 6,,,,,,,,,,,2026-01-01,example.org",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["shelters", "import", str(bad)])
    assert result.exit_code != 0
    for expected in (
        "line 3: unknown city 'queretaro'",
        "line 4: name is empty",
        "line 5: bad coordinates",
        "line 6: coordinates 25.87, -97.5 are over 80 km from Tijuana",
        "line 7: serves 'everyone'",
        "line 7: verified_at '01/01/2026' is not a date",
        "line 8: kind 'hotel': use one of shelter, legal_aid,",
        "nothing was imported",
    ):
        assert expected in result.output, expected
    assert [r["name"] for r in db["services"].rows] == before


def test_import_refuses_missing_columns_and_non_utf8(runner, db, tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("city,name\ntijuana,Casa\n", encoding="utf-8")
    result = runner.invoke(args=["shelters", "import", str(missing)])
    assert result.exit_code != 0 and "line 1: missing column(s): kind, source" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes(services.DATA_FILE.read_text(encoding="utf-8").encode("latin-1", "replace"))
    assert runner.invoke(args=["shelters", "import", str(latin)]).exit_code != 0
    assert db["services"].count == len(services.read_csv(services.DATA_FILE.read_text(encoding="utf-8")))


def test_export_then_import_round_trips(runner, db, tmp_path):
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["shelters", "export", str(out)]).exit_code == 0
    rows = list(db["services"].rows)
    result = runner.invoke(args=["shelters", "import", str(out)])
    assert result.exit_code == 0 and f"{len(rows)} entries imported" in result.output
    assert [({k: v for k, v in r.items() if k != "id"}) for r in db["services"].rows] == [
        {k: v for k, v in r.items() if k != "id"} for r in rows
    ]
    assert runner.invoke(args=["shelters", "export"]).output == out.read_text(encoding="utf-8")


def test_seed_file_is_sourced_and_covers_every_city():
    rows = services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), PLACES)
    # Every city but Ojinaga (its one reported house is more likely in Chihuahua city: docs/directory.md).
    assert {c.key for c in PLACES.cities} - {r["city"] for r in rows if r["kind"] == "shelter"} == {"ojinaga"}
    assert all(r["source"].strip().endswith("Read 2026-11-28.") for r in rows)  # each names when it was read
