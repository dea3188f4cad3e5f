"""Places: every zone is real, no America/Monterrey, and the clocks differ where the border does."""

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import places

P = places.load()


def offset(zone: str, when: datetime):
    return when.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).utcoffset()


# Written from the cities themselves, not from data/: (UTC offset in mid-January, in mid-July), hours.
# Baja California and the US border strip keep US DST; Sonora keeps none; Ciudad Juárez follows El Paso
# (America/Ciudad_Juarez); Ojinaga keeps US Central DST; Monterrey, Mexico City and Chiapas dropped DST
# in 2022.
CITY_OFFSETS = {
    "tijuana": (-8, -7),
    "mexicali": (-8, -7),
    "tecate": (-8, -7),
    "san_luis_rio_colorado": (-7, -7),
    "nogales": (-7, -7),
    "agua_prieta": (-7, -7),
    "hermosillo": (-7, -7),
    "ciudad_juarez": (-7, -6),
    "ojinaga": (-6, -5),
    "ciudad_acuna": (-6, -5),
    "piedras_negras": (-6, -5),
    "nuevo_laredo": (-6, -5),
    "reynosa": (-6, -5),
    "matamoros": (-6, -5),
    "monterrey": (-6, -6),
    "mexico_city": (-6, -6),
    "tapachula": (-6, -6),
}
# US states by their clock (the courts' cities), with the exceptions that matter: El Paso and its
# area are on Mountain time; Arizona keeps no DST; Hawaii, Puerto Rico and Saipan keep none.
STATE_OFFSETS = {
    **dict.fromkeys(["CA", "NV", "OR", "WA"], (-8, -7)),
    **dict.fromkeys(["AZ"], (-7, -7)),
    **dict.fromkeys(["CO", "UT", "NM"], (-7, -6)),
    **dict.fromkeys(["TX", "IL", "LA", "MN", "MO", "NE", "TN"], (-6, -5)),
    **dict.fromkeys(["CT", "FL", "GA", "MD", "MA", "MI", "NJ", "NY", "NC", "OH", "PA", "VA", "KY", "IN"], (-5, -4)),
    "HI": (-10, -10),
    "PR": (-4, -4),
    "MP": (10, 10),
}
MOUNTAIN_TEXAS = {"El Paso"}
JANUARY, JULY = datetime(2027, 1, 15, 12), datetime(2027, 7, 15, 12)


def hours(zone: str, when: datetime) -> float:
    return offset(zone, when).total_seconds() / 3600


def test_every_city_keeps_the_clock_of_its_place_in_winter_and_summer():
    assert {c.key for c in P.cities} == set(CITY_OFFSETS)
    for city in P.cities:
        assert (hours(city.zone.key, JANUARY), hours(city.zone.key, JULY)) == CITY_OFFSETS[city.key], city.key
        assert city.zone.key != "America/Monterrey" or city.key == "monterrey"


def test_every_court_keeps_the_clock_of_its_city_in_winter_and_summer():
    assert len(P.courts) >= 70
    for court in P.courts:
        expected = (-7, -6) if court.state == "TX" and court.city in MOUNTAIN_TEXAS else STATE_OFFSETS[court.state]
        got = (hours(court.zone.key, JANUARY), hours(court.zone.key, JULY))
        assert got == expected, (court.key, court.zone.key)


def test_the_courts_of_the_issue_are_there_with_their_ports():
    for key in ("tucson", "harlingen", "houston", "san_antonio", "laredo", "brownsville", "el_paso", "san_diego"):
        assert P.court(key) is not None, key
    assert P.court("tucson").zone.key == "America/Phoenix"
    assert P.port_for("nogales", "tucson").name == "Garita DeConcini"
    assert P.port_for("nogales", "el_paso").city == "nogales"  # Nogales people reported at home for El Paso
    assert P.port_for("ciudad_juarez", "san_diego").city == "tijuana"  # not served from Juárez: the main port
    assert P.port_for("tijuana", "houston") is None  # an interior court has no port line


def test_names_are_found_with_accents_case_and_one_letter_wrong():
    assert places.find_court("corte de Tucsón", P).key == "tucson"
    assert places.find_court("HARLINJEN", P).key == "harlingen"
    assert places.find_court("mi audiencia es en huston", P, anywhere=True).key == "houston"
    assert places.find_court("estoy en Nuevo Laredo", P, anywhere=True) is None  # the city, not the court
    assert places.find_court("me llamo Orlando", P, anywhere=True) is None  # a first name
    assert places.find_court("la corte de Orlando", P, anywhere=True).key == "orlando"
    assert places.find_city("juares", P).key == "ciudad_juarez"
    assert places.find_court_at("Omaha, Nebraska", P).key == "omaha"
    assert places.find_court_at("Omaha, Texas", P) is None  # never a court in another state
    assert places.find_court_at("somewhere in Texas", P) is None  # never a clock from a state alone


def test_menu_answers():
    assert places.find_city("Juárez", P).key == "ciudad_juarez"
    assert places.find_city("CIUDAD JUAREZ", P).key == "ciudad_juarez"
    assert places.find_city("nuevo laredo", P).key == "nuevo_laredo"
    assert places.find_city("10", P) is None  # the menu has 8 cities and "Other"
    assert places.find_court("el paso", P).key == "el_paso"
