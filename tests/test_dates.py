"""parse_hearing on our corpus and the shared one, the forms the issue lists, and any text at all."""

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from babel.dates import format_date, format_time
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dates import LANGS, month_names, parse_hearing, parse_port_time, parse_time
from bot.core.i18n import BABEL_LOCALE, clock, long_date

HERE = Path(__file__).resolve().parent
OWN = HERE / "data" / "hearing_dates.jsonl"
SHARED = HERE.parent.parent / "shared" / "corpus" / "hearing_dates.jsonl"
TODAY = date(2026, 2, 2)  # a Monday


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


OWN_CASES = load(OWN)
SHARED_CASES = load(SHARED)


def hhmm(t: time | None) -> str | None:
    return t and t.strftime("%H:%M")


def test_own_corpus_is_large_and_covers_every_language():
    assert len(OWN_CASES) >= 300
    per_language = {lang: sum(c["lang"] == lang for c in OWN_CASES) for lang in LANGS}
    assert min(per_language.values()) >= 50, per_language


@pytest.mark.parametrize("case", OWN_CASES + SHARED_CASES, ids=lambda c: f"{c['lang']}:{c['text'][:40]}")
def test_corpus_exact_date_and_time(case):
    parsed = parse_hearing(case["text"], case["lang"], date.fromisoformat(case["today"]))
    if case["date"] is None:  # the only date is the day a paper was given: no hearing date
        assert parsed is None
        return
    assert parsed is not None
    assert parsed.date.isoformat() == case["date"]
    assert hhmm(parsed.time) == case["time"]
    assert parsed.unclear_time is case.get("unclear_time", False)
    if "ambiguous" in case:
        assert parsed.ambiguous is case["ambiguous"]
    if "port" in case:
        assert hhmm(parsed.port_time) == case["port"]


NO_DATE = [
    ("hola", "es"),
    ("a las 8", "es"),
    ("1", "es"),
    ("sí", "es"),
    ("quiero información de albergues", "es"),
    ("tengo 2 hijos", "es"),
    ("mi numero es 656 123 4567", "es"),
    ("A 212-345-678", "es"),
    ("8:30 am", "en"),
    ("at 8", "en"),
    ("é minha segunda audiência", "pt"),
    ("9-10 am", "en"),
    ("12.5", "es"),
    ("Kreyòl", "ht"),
    ("me dieron un papel", "es"),
    ("mwen pa konnen", "ht"),
    ("je ne sais pas", "fr"),
    ("", "es"),
    # the only date is the day the paper was given or issued
    ("me dieron el papel el 2 de febrero", "es"),
    ("me dieron el papel hoy", "es"),
    ("issued on Feb 2", "en"),
    ("Date issued: 02/02/2026", "en"),
    ("emitido em 2 de fevereiro", "pt"),
    ("délivré le 2 février", "fr"),
    ("yo ban m papye a le 2 fevriye", "ht"),
]


@pytest.mark.parametrize(("text", "lang"), NO_DATE)
def test_no_date_is_none(text, lang):
    assert parse_hearing(text, lang, TODAY) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("8:30", "es", "08:30"),
        ("8.30", "es", "08:30"),
        ("8h30", "fr", "08:30"),
        ("8 h 30", "fr", "08:30"),
        ("8è30", "ht", "08:30"),
        ("8am", "en", "08:00"),
        ("8:30 a.m.", "en", "08:30"),
        ("13:00 hrs", "es", "13:00"),
        ("13 horas", "es", "13:00"),
        ("a las 8 de la mañana", "es", "08:00"),
        ("a las 2 de la tarde", "es", "14:00"),
        ("4:30 de la madrugada", "es", "04:30"),
        ("8 y media", "es", "08:30"),
        ("9 menos cuarto", "es", "08:45"),
        ("mediodía", "es", "12:00"),
        ("noon", "en", "12:00"),
        ("midi", "fr", "12:00"),
        ("midi", "ht", "12:00"),
        ("às 8 da manhã", "pt", "08:00"),
        ("às 3 da tarde", "pt", "15:00"),
        ("à 8h du matin", "fr", "08:00"),
        ("à 2h de l'après-midi", "fr", "14:00"),
        ("a 8è nan maten", "ht", "08:00"),
        ("a 2è apremidi", "ht", "14:00"),
        ("alas 7", "es", "07:00"),
        ("cuarto para las 9", "es", "08:45"),
        ("half past 8", "en", "08:30"),
        ("a las 3", "es", "15:00"),
        ("a las 1330", "es", "13:30"),
        ("at 0830 hrs", "en", "08:30"),
        ("às 1400", "pt", "14:00"),
        ("à 1330", "fr", "13:30"),
        ("a 0900", "ht", "09:00"),
        ("a las 1330h", "es", "13:30"),
        ("a las 830", "es", "08:30"),
        ("a las 2000 hrs", "es", "20:00"),
        ("a las 8 y cuarto", "es", "08:15"),
        ("un cuarto para las 9", "es", "08:45"),
        ("às 8 e um quarto", "pt", "08:15"),
        ("às 8 e quinze", "pt", "08:15"),
        ("quinze para as 9", "pt", "08:45"),
        ("quinze pras 9", "pt", "08:45"),
        ("às 9 menos um quarto", "pt", "08:45"),
        ("às 8 e meia", "pt", "08:30"),
        ("à 8 h et quart", "fr", "08:15"),
        ("à 9 h moins le quart", "fr", "08:45"),
        ("à 8 h et demie", "fr", "08:30"),
        ("quarter past 8", "en", "08:15"),
        ("quarter to 9", "en", "08:45"),
        ("a 8è edmi", "ht", "08:30"),
        ("a 8 è ka", "ht", "08:15"),
        ("a 8è e ka", "ht", "08:15"),
        ("a 9 è mwen ka", "ht", "08:45"),
        ("a 9è mwen ka vini", "ht", "09:00"),  # "I can come at 9": no quarter
    ],
)
def test_time_forms(text, lang, expected):
    assert hhmm(parse_time(text, lang)) == expected


def test_no_time_is_ever_invented():
    assert parse_hearing("el 9 de marzo", "es", TODAY).time is None
    assert parse_hearing("19 de marzo", "es", TODAY).time is None  # the 19 is the day, not 19:00
    assert parse_hearing("le 9 mars 2026", "fr", TODAY).time is None
    assert parse_time("no se", "es") is None
    assert parse_time("llegar 4 horas antes", "es") is None  # a duration, not a clock


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("el 14 de julio a las 24:00", "es"),
        ("el 14 de julio a las 0:00", "es"),
        ("el 14 de julio a las 00:00 hrs", "es"),
        ("el 14 de julio a medianoche", "es"),
        ("el 14 de julio a las 12 de la noche", "es"),
        ("July 14 at midnight", "en"),
        ("July 14 at 12 am", "en"),
        ("14 de julho à meia-noite", "pt"),
        ("14 de julho às 00:00", "pt"),
        ("le 14 juillet à minuit", "fr"),
        ("le 14 juillet à 0h00", "fr"),
        ("14 jiyè a minwi", "ht"),
        ("14 jiyè a 24è", "ht"),
    ],
)
def test_midnight_is_no_hearing_time_and_is_asked_again(text, lang):
    parsed = parse_hearing(text, lang, TODAY)
    assert (parsed.date, parsed.time, parsed.unclear_time) == (date(2026, 7, 14), None, True)


def test_midnight_stays_a_port_time_and_other_times_are_clear():
    for text, lang in [
        ("a las 24:00", "es"),
        ("medianoche", "es"),
        ("12 am", "en"),
        ("à minuit", "fr"),
        ("minwi", "ht"),
    ]:
        assert parse_time(text, lang) is None  # the answer to "what time?" is asked again too
    assert hhmm(parse_port_time("12 am", "en")) == "00:00"
    assert hhmm(parse_port_time("12 de la noche", "es")) == "00:00"
    parsed = parse_hearing("el 14 de julio a las 8:30", "es", TODAY)
    assert (hhmm(parsed.time), parsed.unclear_time) == ("08:30", False)
    assert parse_hearing("el 14 de julio", "es", TODAY).unclear_time is False  # no time: nothing unclear
    assert parse_hearing("el 14 de julio a las 24:30", "es", TODAY).time is None  # no clock at all


def test_four_digits_are_a_clock_only_where_they_can_be_one():
    assert parse_time("a las 2460", "es") is None and parse_time("at 1275", "en") is None
    assert parse_time("a las 2400", "es") is None
    assert parse_hearing("el 14 de julio a 2027", "es", TODAY).time is None  # a year, not 20:27
    assert parse_hearing("July 14 at 2027", "en", TODAY).time is None
    assert parse_hearing("14 de julio del año 2027", "es", TODAY) == parse_hearing("14/07/2027", "es", TODAY)
    assert parse_hearing("le 14 juillet de l'année 2027", "fr", TODAY).date == date(2027, 7, 14)
    assert parse_hearing("july 14 2027 at 0900", "en", TODAY).time == time(9, 0)
    assert parse_time("estoy a 500 metros", "es") is None and parse_time("at 830 Main Street", "en") is None


def test_day_month_order_follows_the_language_and_flags_ambiguity():
    es = parse_hearing("03/04/2026", "es", TODAY)
    assert (es.date, es.alternative, es.ambiguous) == (date(2026, 4, 3), date(2026, 3, 4), True)
    en = parse_hearing("03/04/2026", "en", TODAY)
    assert (en.date, en.alternative, en.ambiguous) == (date(2026, 3, 4), date(2026, 4, 3), True)
    assert parse_hearing("13/04/2026", "es", TODAY).ambiguous is False
    assert parse_hearing("04/04/2026", "es", TODAY).ambiguous is False
    # A weekday that fits one reading settles it; a reading already past does too.
    assert parse_hearing("viernes 03/04/2026", "es", TODAY) == parse_hearing("3 de abril de 2026", "es", TODAY)
    assert parse_hearing("03/01/2026", "es", TODAY).date == date(2026, 3, 1)


def test_a_contradicting_weekday_is_ambiguous_with_the_nearest_such_day():
    parsed = parse_hearing("martes 9 de marzo", "es", TODAY)  # 9 March 2026 is a Monday
    assert (parsed.date, parsed.ambiguous, parsed.alternative) == (date(2026, 3, 9), True, date(2026, 3, 10))
    assert parse_hearing("lunes 9 de marzo", "es", TODAY).ambiguous is False


def test_port_time_is_told_apart_from_the_hearing_time():
    text = "mi audiencia es el 9 de marzo a las 8:30 y tengo que estar en el puente a las 4:30"
    parsed = parse_hearing(text, "es", TODAY)
    assert (hhmm(parsed.time), hhmm(parsed.port_time)) == ("08:30", "04:30")
    assert parse_hearing("el 9 de marzo a las 8:30", "es", TODAY).port_time is None
    assert hhmm(parse_port_time("4:30", "es")) == ("04:30")  # the port's hour is as written
    assert hhmm(parse_port_time("a las 3", "es")) == ("03:00")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("el 14 de julio a las 8:30, en la garita a las 4:30", "es"),
        ("el 14 de julio a las 8:30 y en el puente a las 4:30", "es"),
        ("July 14 at 8:30, at the port of entry at 4:30", "en"),
        ("july 14 at 8:30 at the bridge at 4:30", "en"),
        ("14 de julho às 8:30, na garita às 4:30", "pt"),
        ("14 de julho às 8:30, no porto de entrada às 4:30", "pt"),
        ("le 14 juillet à 8h30, au poste-frontière à 4h30", "fr"),
        ("le 14 juillet à 8h30, au port d'entrée à 4h30", "fr"),
        ("14 jiyè a 8:30, nan pò a a 4:30", "ht"),
        ("14 jiyè a 8è30, nan baryè a a 4è30", "ht"),
        ("14 jiyè a 8:30, nan pon an a 4:30", "ht"),
        ("el 14 de julio a las 4:30 en el puente y a las 8:30 la corte", "es"),
    ],
)
def test_a_port_time_after_the_hearing_time_is_the_ports(text, lang):
    parsed = parse_hearing(text, lang, TODAY)
    assert (parsed.date, hhmm(parsed.time), hhmm(parsed.port_time)) == (date(2026, 7, 14), "08:30", "04:30")


@pytest.mark.parametrize(
    ("text", "lang", "at"),
    [
        ("me dieron el papel el 2 de febrero, la cita es el 9 de marzo", "es", None),
        ("me dieron el papel el 2 de febrero a las 3, la cita es el 9 de marzo a las 8", "es", "08:00"),
        ("el papel me lo dieron el 2 de febrero y la audiencia es el 9 de marzo a las 8:30", "es", "08:30"),
        ("issued on Feb 2, hearing March 9", "en", None),
        ("they gave me the paper on feb 2 and my court is march 9 at 9", "en", "09:00"),
        ("emitido em 2 de fevereiro, audiência 9 de março às 8h", "pt", "08:00"),
        ("me deram o papel dia 2 de fevereiro, a audiência é dia 9 de março", "pt", None),
        ("délivré le 2 février, audience le 9 mars à 8h30", "fr", "08:30"),
        ("on m'a donné le papier le 2 février, l'audience est le 9 mars", "fr", None),
        ("yo ban m papye a le 2 fevriye, odyans lan se 9 mas a 8è", "ht", "08:00"),
        # what follows the paper says it is the hearing's
        ("me dieron el papel para el 9 de marzo", "es", None),
        ("me dieron el papel de la corte el 9 de marzo", "es", None),
        ("me dieron la cita el 9 de marzo", "es", None),
    ],
)
def test_the_day_a_paper_was_issued_is_not_the_hearing(text, lang, at):
    parsed = parse_hearing(text, lang, TODAY)
    assert (parsed.date, hhmm(parsed.time)) == (date(2026, 3, 9), at)


def test_missing_year_is_the_next_such_date():
    assert parse_hearing("el 3 de enero", "es", TODAY).date == date(2027, 1, 3)
    assert parse_hearing("el 2 de febrero", "es", TODAY).date == date(2026, 2, 2)  # today counts


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("na próxima segunda-feira às 9", "pt"),
        ("proxima segunda as 9", "pt"),
        ("segunda que vem às 9", "pt"),
        ("segunda feira às 9", "pt"),
        ("el próximo lunes a las 9", "es"),
        ("el lunes que viene a las 9", "es"),
        ("next Monday at 9", "en"),
        ("lundi prochain à 9h", "fr"),
        ("lendi pwochen a 9è", "ht"),
    ],
)
def test_next_weekday_is_the_next_one_after_today(text, lang):
    assert parse_hearing(text, lang, TODAY).date == date(2026, 2, 9)  # TODAY is a Monday: not today


def test_proxima_with_a_short_weekday_name():
    wednesday = date(2026, 7, 15)
    assert parse_hearing("próxima quarta", "pt", wednesday).date == date(2026, 7, 22)
    assert parse_hearing("próxima quarta", "pt", TODAY).date == date(2026, 2, 4)
    assert parse_hearing("quarta que vem às 10", "pt", wednesday).time == time(10, 0)
    assert parse_hearing("é minha segunda audiência", "pt", TODAY) is None


def test_month_names_come_from_cldr_and_ours():
    assert month_names("es")["marzo"] == 3 and month_names("es")["sept"] == 9
    assert month_names("fr")["fevr"] == 2 and month_names("pt")["fev"] == 2
    assert month_names("ht")["jiye"] == 7 and month_names("ht")["out"] == 8
    assert month_names("pt")["out"] == 10  # outubro: short names belong to their language
    assert "me" not in month_names("es")  # "me dieron" is no month


@pytest.mark.parametrize(
    ("text", "lang", "month"),
    [
        ("el 14 de marso", "es", 3),
        ("el 14 de febero", "es", 2),
        ("el 14 de agsto", "es", 8),
        ("el 14 de agosot", "es", 8),
        ("14 de nobiembre", "es", 11),
        ("14 de diciembe", "es", 12),
        ("Juyl 14", "en", 7),
        ("Agust 14", "en", 8),
        ("Octber 14", "en", 10),
        ("le 14 juilet", "fr", 7),
        ("le 14 jullet", "fr", 7),
        ("le 14 fevrir", "fr", 2),
        ("le 14 otobre", "fr", 10),
        ("14 de feverero", "pt", 2),
        ("14 de abirl", "pt", 4),
        ("14 de outubo", "pt", 10),
        ("14 janvie", "ht", 1),
        ("14 septamn", "ht", 9),
        ("14 novamn", "ht", 11),
    ],
)
def test_a_month_name_one_letter_off_is_read(text, lang, month):
    parsed = parse_hearing(text, lang, TODAY)
    assert (parsed.date.month, parsed.date.day) == (month, 14)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("mi hijo mayor 12 años", "es"),
        ("Mario 3 hijos", "es"),
        ("Javier 2 niños", "es"),
        ("venimos junto 4 personas", "es"),
        ("no puedo abrir 2 archivos", "es"),
        ("tenho mais 3 filhos", "pt"),
        ("o maior 2 anos", "pt"),
        ("não consigo abrir 2 arquivos", "pt"),
        ("marcou 2 vezes", "pt"),
        ("about 3 people", "en"),
        ("match 3 at 9", "en"),
        ("marsh 4", "en"),
        ("tout 3 enfants", "fr"),
        ("mais 2 enfants", "fr"),
        ("mon mari 3 fois", "fr"),
        ("nou desann 2 fwa", "ht"),
    ],
)
def test_ordinary_words_are_no_misspelt_month(text, lang):
    assert parse_hearing(text, lang, TODAY) is None


@given(st.text(max_size=400), st.sampled_from(LANGS), st.dates())
def test_never_raises(text, lang, today):
    parse_hearing(text, lang, today)
    parse_time(text, lang)
    parse_port_time(text, lang)


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(LANGS),
    st.sampled_from(["long", "full"]),
)
def test_reads_back_what_babel_writes(moment, lang, width):
    """A date and time written the way the bot itself writes them (the time by `clock`: 8:30 a.m., 7h45,
    4:30 AM), or with Babel's own time (07:45), is read back exactly."""
    day, at = moment.date(), moment.time().replace(second=0, microsecond=0)
    if lang == "ht":
        text = f"{long_date(day, lang)} a {clock(at, lang)}"
    else:
        written = format_date(day, width, locale=BABEL_LOCALE[lang])
        # A bare 1h00-5h59 is read as afternoon for a hearing (docs/dates.md); the bot writes those
        # hours only for the port, which parse_port_time reads as written (the test below).
        bare_early = lang in ("pt", "fr") and 1 <= at.hour <= 5
        mine = moment.second % 2 and not bare_early
        said = clock(at, lang) if mine else format_time(at, "short", locale=BABEL_LOCALE[lang])
        text = f"{written} {said}"
    parsed = parse_hearing(text, lang, date(2026, 1, 1))
    assert parsed is not None, text
    if at == time(0, 0):  # midnight is read, and flagged to be asked again
        assert (parsed.date, parsed.time, parsed.unclear_time) == (day, None, True), text
        return
    assert (parsed.date, parsed.time, parsed.ambiguous) == (day, at, False), text


@pytest.mark.parametrize("lang", LANGS)
def test_a_time_at_the_port_the_bot_writes_is_read_back_as_written(lang):
    """The bot says a time at the port with `clock` ("4h30", "4:30 a.m."); written back, it is that time."""
    for hour in range(24):
        for minute in (0, 30, 45):
            at = time(hour, minute)
            assert parse_port_time(clock(at, lang), lang) == at, clock(at, lang)
