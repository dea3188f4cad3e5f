"""Places: every zone is real, no border city on America/Monterrey, and the clocks differ where the border does."""

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import places

P = places.load()


def offset(zone: str, when: datetime):
    return when.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).utcoffset()


def test_zones_match_the_design_table():
    expected = {
        "tijuana": ("America/Tijuana", "America/Los_Angeles"),
        "mexicali": ("America/Tijuana", "America/Los_Angeles"),
        "nogales": ("America/Hermosillo", "America/Denver"),
        "ciudad_juarez": ("America/Ciudad_Juarez", "America/Denver"),
        "piedras_negras": ("America/Matamoros", "America/Chicago"),
        "nuevo_laredo": ("America/Matamoros", "America/Chicago"),
        "reynosa": ("America/Matamoros", "America/Chicago"),
        "matamoros": ("America/Matamoros", "America/Chicago"),
        "san_luis_rio_colorado": ("America/Hermosillo", None),
        "tecate": ("America/Tijuana", "America/Los_Angeles"),
        "agua_prieta": ("America/Hermosillo", "America/Phoenix"),
        "ojinaga": ("America/Ojinaga", "America/Denver"),
        "ciudad_acuna": ("America/Matamoros", "America/Chicago"),
        "monterrey": ("America/Monterrey", None),
        "mexico_city": ("America/Mexico_City", None),
        "tapachula": ("America/Mexico_City", None),
        "hermosillo": ("America/Hermosillo", None),
    }
    assert {c.key: (c.zone.key, c.court.zone.key if c.court else None) for c in P.cities} == expected
    border = {p.city for p in P.ports}  # the border strip keeps US DST; America/Monterrey has none since 2022
    assert len(border) == 13 and all(P.city(key).zone.key != "America/Monterrey" for key in border)


def test_city_and_court_clocks_agree_except_nogales_in_summer_and_ojinaga():
    for when in (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12), datetime(2026, 3, 10, 12)):
        for city in P.cities:
            if city.court is None:
                continue
            same = offset(city.zone.key, when) == offset(city.court.zone.key, when)
            nogales_summer = city.key == "nogales" and when.month in (3, 7)
            # Ojinaga keeps Central time (US rules) and its court, El Paso, Mountain: always an hour ahead.
            ojinaga = city.key == "ojinaga"
            assert same != (nogales_summer or ojinaga), (city.key, when)


def test_menu_answers():
    assert places.find_city("Juárez", P).key == "ciudad_juarez"
    assert places.find_city("CIUDAD JUAREZ", P).key == "ciudad_juarez"
    assert places.find_city("nuevo laredo", P).key == "nuevo_laredo"
    assert places.find_city("10", P) is None
    assert places.find_court("el paso", P).key == "el_paso"
