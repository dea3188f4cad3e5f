"""Every court, every city, every clock (issue 15): hearings at courts beyond the five of 2019, a person
who moves, and the second looks a date or a time gets. Stored instants are checked against zoneinfo
computed here, from the court's city, never from data/."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import Phone

PHOENIX, CHICAGO, JUAREZ = ZoneInfo("America/Phoenix"), ZoneInfo("America/Chicago"), ZoneInfo("America/Ciudad_Juarez")


def utc(local: datetime, zone: ZoneInfo) -> str:
    return local.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def saved(db) -> dict:
    return next(db.query("SELECT * FROM hearings WHERE status = 'active'"))


def contact(db) -> dict:
    return next(db["contacts"].rows)


@pytest.mark.parametrize(
    ("when", "local"),
    [
        ("el 14 de julio a las 8:30", datetime(2026, 7, 14, 8, 30)),
        ("el 13 de enero de 2027 a las 8:30", datetime(2027, 1, 13, 8, 30)),
    ],
    ids=["summer", "winter"],
)
def test_tucson_from_nogales_in_summer_and_winter(phone, db, when, local):
    """Arizona keeps no DST: the hearing is 8:30 in Tucson whatever El Paso's clock says."""
    phone.text("hola"), phone.text("1"), phone.text("3")  # Nogales, whose usual court is El Paso
    phone.text(f"mi audiencia es en la corte de Tucson {when}")
    phone.texts("si")
    hearing = saved(db)
    assert (hearing["court"], hearing["city"]) == ("tucson", "nogales")
    assert hearing["hearing_at"] == utc(local, PHOENIX)


def test_houston_after_other_and_a_city_of_the_interior(phone, db):
    phone.text("hola"), phone.text("1")
    assert phone.text("9") == "Escriba el nombre de la ciudad donde está ahora."
    assert phone.text("Monterrey").startswith("¿En qué corte es su audiencia? Escriba la ciudad de la corte")
    phone.text("Houston")
    phone.text("el 9 de marzo a las 9:00")
    replies = phone.texts("si")
    assert len(replies) == 1  # an interior court: no question about a port
    hearing = saved(db)
    assert (hearing["court"], hearing["city"]) == ("houston", "monterrey")
    assert hearing["hearing_at"] == utc(datetime(2026, 3, 9, 9, 0), CHICAGO)


def test_harlingen_named_with_the_date_from_reynosa(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("7")  # Reynosa: usually Brownsville
    phone.text("corte de Harlinjen, 10 de marzo 8:30")  # one letter wrong
    phone.texts("si")
    hearing = saved(db)
    assert (hearing["court"], hearing["hearing_at"]) == ("harlingen", utc(datetime(2026, 3, 10, 8, 30), CHICAGO))


def test_san_antonio_for_a_city_found_by_name(phone, db):
    phone.text("hola"), phone.text("1")
    phone.text("Ciudad Acuña")  # not in the numbered menu: found by its name
    phone.text("11 de marzo 8:30")
    phone.texts("si")
    hearing = saved(db)
    assert (hearing["court"], hearing["city"]) == ("san_antonio", "ciudad_acuna")
    assert hearing["hearing_at"] == utc(datetime(2026, 3, 11, 8, 30), CHICAGO)


def test_an_unknown_court_is_asked_by_us_city_and_state_never_guessed(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("9"), phone.text("Tapachula")
    assert phone.text("Springfield").startswith("No encontramos esa corte. Escriba la ciudad y el estado")
    assert phone.text("Texas").startswith("Perdón, no conocemos una corte ahí.")  # a state alone is no clock
    assert contact(db)["court"] is None
    assert phone.text("Omaha, Nebraska").startswith("¿Qué día")
    assert contact(db)["court"] == "omaha"


def test_moving_from_tijuana_to_juarez_keeps_the_hearing_court_and_port(client, db):
    phone = Phone(client, "+5216641230003")
    phone.text("hola"), phone.text("1"), phone.text("1"), phone.text("el 9 de marzo a las 8:30"), phone.texts("si")
    phone.text("no")
    before = saved(db)
    answer = phone.text("ahora estoy en Juárez")
    assert answer.startswith("Guardado: está en Ciudad Juárez.") and "San Diego" in answer
    after = saved(db)
    assert (after["id"], after["court"], after["hearing_at"]) == (before["id"], "san_diego", before["hearing_at"])
    assert (contact(db)["city"], after["city"]) == ("ciudad_juarez", "ciudad_juarez")
    d7 = next(db.query("SELECT * FROM outbox WHERE slot = 'd7' AND status = 'pending'"))
    assert d7["send_at"] == utc(datetime(2026, 3, 2, 10, 0), JUAREZ)  # 10:00 on the new city's clock
    body = phone.text("AUDIENCIA")
    assert "San Diego" in body
    assert "Calle Neptuno 1855" in phone.text("ALBERGUE")  # Ciudad Juárez's Casa del Migrante: shelters follow
    queue = client.application.test_cli_runner().invoke(args=["queue", "list", "--json"]).output
    assert "El Chaparral" in queue  # Juárez's bridges do not serve San Diego: still the court's main port


def test_city_keyword_alone_asks_the_city_and_comes_back(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("1"), phone.text("el 9 de marzo a las 8:30"), phone.texts("si")
    phone.text("no")
    assert phone.text("CIUDAD").startswith("¿En qué ciudad está?")
    assert phone.text("4").startswith("Guardado: está en Ciudad Juárez.")
    assert contact(db)["state"] == "registered"


def test_change_with_a_court_changes_the_court(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("3"), phone.text("el 9 de marzo a las 8:30"), phone.texts("si")
    phone.text("no")
    assert phone.text("CAMBIAR corte de Tucson").startswith("Su corte ahora es Tucson.")
    phone.text("el 12 de marzo a las 9:00"), phone.texts("si")
    assert (saved(db)["court"], saved(db)["hearing_at"]) == ("tucson", utc(datetime(2026, 3, 12, 9, 0), PHOENIX))


def test_an_early_or_late_time_is_asked_morning_or_evening(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert (
        phone.text("el 9 de marzo a las 20:00")
        == "¿Su audiencia es en la mañana o en la tarde? Responda 1 o 2.\n1 8:00 a.m.\n2 8:00 p.m."
    )
    assert phone.text("1").startswith("Su audiencia: lunes, 9 de marzo de 2026, 8:00 a.m.")


def test_a_weekend_day_is_asked_about_and_may_be_confirmed(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert phone.text("el 7 de marzo a las 8:30").startswith("Ese día es fin de semana: revise su papel.")
    phone.texts("si")
    assert saved(db)["hearing_at"] == utc(datetime(2026, 3, 7, 8, 30), ZoneInfo("America/Denver"))


def test_a_federal_holiday_is_asked_about(phone):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert phone.text("el 25 de mayo a las 8:30").startswith("Ese día es feriado federal en EE. UU.: revise su papel.")


def test_a_court_named_after_registering_asks_the_same_hearing_again_at_that_court(phone, db):
    phone.text("hola"), phone.text("1"), phone.text("3"), phone.text("el 9 de marzo a las 8:30"), phone.texts("si")
    phone.text("no")
    assert phone.text("perdón, mi audiencia es en la corte de Tucson").startswith(
        "Su audiencia: lunes, 9 de marzo de 2026, 8:30 a.m."
    )
    assert saved(db)["court"] == "el_paso"  # nothing changes before YES
    phone.texts("si")
    assert (saved(db)["court"], saved(db)["hearing_at"]) == ("tucson", utc(datetime(2026, 3, 9, 8, 30), PHOENIX))


@pytest.mark.parametrize("said", ["el 9 de marzo a las 24:00", "el 9 de marzo a medianoche"])
def test_midnight_is_asked_again(phone, said):
    phone.text("hola"), phone.text("1"), phone.text("4")
    assert phone.text(said) == (
        "La medianoche no es hora de audiencia.\n¿A qué hora es su audiencia el 9 de marzo? Por ejemplo: 8:30 a.m."
    )
