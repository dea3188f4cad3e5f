"""What reminders say, parsed back: every time on the clock of the place where it is used, named.

For every city with every court that serves it or is its usual court, a few interior courts, and
no city at all, on a winter and a summer date, with the time at the port given and not: the
reminder and the hearing-day message (the wake-up, or the evening before) in Spanish and English
are rendered and their times read back. The expected clocks are computed here with zoneinfo from
the tables below, written from the issue and the zone database, not read from data/.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import places as places_module
from bot.core.hearing import Hearing, describe, port_line, port_sentence
from bot.core.i18n import weekday_day_month
from bot.core.segments import count, fit, fold
from scheduler import planner, texts

PLACES = places_module.load()
SETTINGS = planner.load_settings()

CITIES = {  # key: (zone, name)
    "tijuana": ("America/Tijuana", "Tijuana"),
    "mexicali": ("America/Tijuana", "Mexicali"),
    "san_luis_rio_colorado": ("America/Hermosillo", "San Luis Río Colorado"),
    "tecate": ("America/Tijuana", "Tecate"),
    "nogales": ("America/Hermosillo", "Nogales"),
    "agua_prieta": ("America/Hermosillo", "Agua Prieta"),
    "ciudad_juarez": ("America/Ciudad_Juarez", "Ciudad Juárez"),
    "ojinaga": ("America/Ojinaga", "Ojinaga"),
    "ciudad_acuna": ("America/Matamoros", "Ciudad Acuña"),
    "piedras_negras": ("America/Matamoros", "Piedras Negras"),
    "nuevo_laredo": ("America/Matamoros", "Nuevo Laredo"),
    "reynosa": ("America/Matamoros", "Reynosa"),
    "matamoros": ("America/Matamoros", "Matamoros"),
    "monterrey": ("America/Monterrey", "Monterrey"),
    "mexico_city": ("America/Mexico_City", "Ciudad de México"),
    "tapachula": ("America/Mexico_City", "Tapachula"),
    "hermosillo": ("America/Hermosillo", "Hermosillo"),
}
COURTS = {  # key: (zone, name)
    "san_diego": ("America/Los_Angeles", "San Diego"),
    "imperial": ("America/Los_Angeles", "Imperial"),
    "el_paso": ("America/Denver", "El Paso"),
    "tucson": ("America/Phoenix", "Tucson"),
    "san_antonio": ("America/Chicago", "San Antonio"),
    "laredo": ("America/Chicago", "Laredo"),
    "brownsville": ("America/Chicago", "Brownsville"),
    "harlingen": ("America/Chicago", "Harlingen"),
    "houston": ("America/Chicago", "Houston"),  # interior courts: no port
    "chicago": ("America/Chicago", "Chicago"),
}
SERVED_FROM = {  # court: the cities of the ports that serve it, its main port's first
    "san_diego": ["tijuana", "tecate"],
    "imperial": ["mexicali", "san_luis_rio_colorado"],
    "el_paso": ["ciudad_juarez", "ojinaga", "nogales"],
    "tucson": ["nogales", "agua_prieta"],
    "san_antonio": ["piedras_negras", "ciudad_acuna"],
    "laredo": ["nuevo_laredo", "piedras_negras"],
    "brownsville": ["matamoros"],
    "harlingen": ["reynosa", "matamoros"],
    "houston": [],
    "chicago": [],
}
USUAL = {
    "tijuana": "san_diego",
    "mexicali": "san_diego",
    "tecate": "san_diego",
    "nogales": "el_paso",
    "agua_prieta": "tucson",
    "ciudad_juarez": "el_paso",
    "ojinaga": "el_paso",
    "ciudad_acuna": "san_antonio",
    "piedras_negras": "laredo",
    "nuevo_laredo": "laredo",
    "reynosa": "brownsville",
    "matamoros": "brownsville",
}
FAR = {"monterrey": "laredo", "mexico_city": "el_paso", "tapachula": "brownsville", "hermosillo": "tucson"}


def pairs() -> list[tuple[str | None, str]]:
    found = []
    for city in CITIES:
        courts = {court for court, served in SERVED_FROM.items() if city in served}
        courts |= {USUAL[city]} if city in USUAL else {FAR.get(city, "houston")}
        found += [(city, court) for court in sorted(courts | {"houston", "chicago"})]
    return found + [(None, court) for court in COURTS]


def port_city(city: str | None, court: str) -> str | None:
    """The person's city's port if it serves the court, else the court's main port; none inside."""
    served = SERVED_FROM[court]
    return (city if city in served else served[0]) if served else None


TIME = re.compile(r"(\[)?\b(\d{1,2}):(\d{2})(?: ([ap])\.m\.| ([AP])M)?")


def read_times(text: str) -> list[tuple[time, str | None, bool]]:
    """Each clock time of a text: (the time, what names its clock, whether it is in brackets). A
    time's clock is named in the parentheses right after it, or in the rest of its brackets."""
    found = []
    for m in TIME.finditer(text):
        hour, minute, half = int(m[2]), int(m[3]), (m[4] or m[5] or "").lower()
        if half:
            hour = hour % 12 + (12 if half == "p" else 0)
        after = text[m.end() :]
        if m[1]:
            named: str | None = after[: after.index("]")]
        elif after.startswith(" ("):
            named = after[2 : after.index(")")]
        else:
            named = None
        found.append((time(hour, minute), named, bool(m[1])))
    return found


def differs(moment: datetime, a: str, b: str) -> bool:
    return moment.astimezone(ZoneInfo(a)).utcoffset() != moment.astimezone(ZoneInfo(b)).utcoffset()


def on(moment: datetime, zone: str) -> time:
    return moment.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)


def test_the_tables_here_are_the_data():
    """If data/places.json changes who reports where, this says so before the clocks do."""
    assert {c.key: c.court.key for c in PLACES.cities if c.court} == USUAL
    for city, court in pairs():
        port = PLACES.port_for(city, court)
        assert (port.city if port else None) == port_city(city, court), (city, court)
        assert PLACES.court(court).zone.key == COURTS[court][0]
        assert (PLACES.city(city).zone.key, PLACES.city(city).name) == CITIES[city] if city else True


def cases(city: str | None, court: str):
    """(hearing, the report instant, the message's kind) for each date, hour and port time."""
    court_zone = ZoneInfo(COURTS[court][0])
    person = ZoneInfo(CITIES[city][0] if city else COURTS[court][0])
    at_port = port_city(city, court)
    act = ZoneInfo(CITIES[at_port][0]) if at_port else court_zone
    lead = timedelta(hours=PLACES.court(court).reporting_lead_hours)
    for day in (date(2027, 1, 13), date(2027, 7, 14)):
        for hour in (time(8, 30), time(13, 0)):
            at = datetime.combine(day, hour, tzinfo=court_zone).astimezone(UTC)
            for given in (True, False):
                report = at - timedelta(hours=3) if given else at - lead
                hearing = Hearing(at, court, city, report if given else None)
                plan = planner.slots(at, report, person, datetime(2027, 1, 1, tzinfo=UTC), SETTINGS, act)
                (day_slot,) = [s for s in plan if s.slot == "wakeup"]
                yield hearing, report, day_slot


@pytest.mark.parametrize(("city", "court"), pairs(), ids=lambda v: str(v))
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_time_is_on_the_clock_of_its_place_and_names_it(city, court, lang):
    court_zone, court_name = COURTS[court]
    at_port = port_city(city, court)
    for hearing, report, day_slot in cases(city, court):
        # The hearing-day message: the evening before exactly when the port time is before 06:00 on
        # the port's clock (the court's for an interior court), else the wake-up.
        act_zone = CITIES[at_port][0] if at_port else court_zone
        assert day_slot.kind == ("evening" if on(report, act_zone) < time(6) else "wakeup"), (hearing, day_slot)
        for kind in ("reminder", day_slot.kind):
            body, variables = texts.render(kind, hearing, lang, PLACES)
            text = fold(body)
            times = read_times(text)
            # The hearing: on the court's clock, naming it when the person's own differs that day
            # (theirs: their city's; with none, their port's city's; with neither, unknown: named).
            mine = CITIES[city][0] if city else CITIES[at_port][0] if at_port else None
            when, named, bracket = times[0]
            assert when == on(hearing.at, court_zone) and not bracket, text
            if mine is None or differs(hearing.at, mine, court_zone):
                assert named and fold(court_name) in named, text
            else:
                assert named is None, text
            if at_port is None:  # an interior court: no port line, no other time
                assert len(times) == 1 and "port_line" not in texts.ORDER[texts.template_kind(kind, hearing, PLACES)]
                continue
            # The port: first on the clock of the port's city, named with that city.
            port_zone, port_city_name = CITIES[at_port]
            when, named, bracket = times[1]
            assert when == on(report, port_zone) and not bracket and named and fold(port_city_name) in named, text
            # The court's clock second, in brackets, only when it differs then.
            if differs(report, port_zone, court_zone):
                assert len(times) == 3, text
                when, named, bracket = times[2]
                assert when == on(report, court_zone) and bracket and named and fold(court_name) in named, text
            else:
                assert len(times) == 2 and "[" not in text, text
            # The WhatsApp template's port line is the same sentence.
            assert fold(variables[str(len(variables))]) in text


@pytest.mark.parametrize(
    ("lang", "about", "today", "tomorrow"),
    [
        ("es", ": aprox. ", "es hoy", "es mañana: "),
        ("en", "at about", "today", "is tomorrow: "),
        ("pt", ": aprox. ", "hoje", "é amanha: "),
        ("fr", "vers", "aujourd'hui", "est demain : "),
        ("ht", "anviwon", "jodi a", "se demen: "),
    ],
)
def test_about_when_the_port_time_is_assumed_and_tomorrow_the_evening_before(lang, about, today, tomorrow):
    """The catalogs' words: 'about' only for the court's usual lead; the evening message says
    'is tomorrow: <weekday day month>' of the day after it goes, never 'today'."""
    for city, court in pairs():
        if port_city(city, court) is None:
            continue
        person = CITIES[city][0] if city else COURTS[court][0]
        for hearing, _report, day_slot in cases(city, court):
            line = fold(port_line(hearing, lang, PLACES) or "").lower()
            assert (about in line) == (hearing.report_at is None), line
            body = fold(texts.render(day_slot.kind, hearing, lang, PLACES)[0]).lower()
            if day_slot.kind == "evening":
                day = day_slot.send_at.astimezone(ZoneInfo(person)).date() + timedelta(days=1)
                assert day_slot.send_at.astimezone(ZoneInfo(person)).time() == time(20)
                assert tomorrow + fold(weekday_day_month(day, lang)).lower() in body, body
                assert today not in body, body
            else:
                assert today in body and tomorrow not in body, body


def test_describe_says_the_hearing_and_the_port_line_is_a_sentence_of_its_own():
    """Beside the hearing the port line would not fit two UCS-2 segments (Portuguese): the conversation
    sends it as a sentence of its own, only for a time the person gave."""
    at = datetime(2027, 7, 14, 14, 30, tzinfo=UTC)  # 08:30 MDT
    assert describe(Hearing(at, "el_paso", "nogales"), "en", PLACES) == (
        "Wednesday, July 14, 2027, 8:30 AM (El Paso time), El Paso court"
    )
    gave = Hearing(at, "el_paso", "nogales", at - timedelta(hours=5))
    assert describe(gave, "en", PLACES) == "Wednesday, July 14, 2027, 8:30 AM (El Paso time), El Paso court"
    assert port_sentence(gave, "en", PLACES) == (
        "Be at Garita DeConcini at 2:30 AM (Nogales time) [3:30 AM El Paso time]."
    )
    assert port_sentence(Hearing(at, "el_paso", "ciudad_juarez", at - timedelta(hours=5)), "es", PLACES) == (
        "Hora para presentarse en Puente Paso del Norte: 3:30 a.m. (hora de Ciudad Juárez)."
    )
    assert describe(gave, "fr", PLACES) == "mercredi 14 juillet 2027, 8h30 (heure d'El Paso), tribunal d'El Paso"
    assert describe(Hearing(at, "houston", "monterrey", at - timedelta(hours=1)), "en", PLACES) == (
        "Wednesday, July 14, 2027, 9:30 AM (Houston time), Houston court"
    )
    assert port_line(Hearing(at, "chicago"), "en", PLACES) is None


def test_fit_folds_accents_only_when_ucs2_would_need_a_third_segment():
    short = "Su audiencia: sábado 18 de julio, 8:30 a.m., corte de El Paso."
    assert fit(short) == short  # UCS-2, one segment: sent as written
    long = short + " Esté en Puente Paso del Norte aproximadamente a las 4:30 a.m. (hora de Ciudad Juárez)."
    assert count(long) == 3 and fit(long) == long.replace("á", "a") and count(fit(long)) == 1
    assert fold("audiência amanhã às 8h, reçu, Acuña, Kreyòl, è, “citação”") == (
        'audiencia amanha às 8h, recu, Acuña, Kreyòl, è, "citacao"'
    )  # letters GSM-7 has are kept
    emoji = "🙂" * 200
    assert fit(emoji) == emoji  # nothing to fold: as written
