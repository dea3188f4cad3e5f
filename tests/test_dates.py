"""parse_hearing: the shared corpus, day/month ambiguity, and never raising on any text."""

import json
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import LANGS, parse_hearing, parse_time

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hearing_dates.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text().splitlines()] if CORPUS.exists() else []
LOCAL = [  # our own, so the suite stands without ../shared
    {"lang": "es", "today": "2026-02-02", "text": "el 9 de marzo a las 8:30", "date": "2026-03-09", "time": "08:30"},
    {"lang": "ht", "today": "2026-02-02", "text": "15 jiyè a 8è30", "date": "2026-07-15", "time": "08:30"},
    {"lang": "fr", "today": "2026-02-02", "text": "le 13 mars à 7h45", "date": "2026-03-13", "time": "07:45"},
    {"lang": "pt", "today": "2026-02-02", "text": "dia 2 de abril às 14h30", "date": "2026-04-02", "time": "14:30"},
    {"lang": "en", "today": "2026-02-02", "text": "March 19 at 9am", "date": "2026-03-19", "time": "09:00"},
]


@pytest.mark.parametrize("case", CASES + LOCAL, ids=lambda c: f"{c['lang']}:{c['text'][:30]}")
def test_corpus(case):
    parsed = parse_hearing(case["text"], case["lang"], date.fromisoformat(case["today"]))
    assert parsed is not None
    assert parsed.date.isoformat() == case["date"]
    assert (parsed.time and parsed.time.strftime("%H:%M")) == case["time"]


def test_day_month_order_follows_the_language_and_flags_ambiguity():
    today = date(2026, 2, 2)
    es = parse_hearing("03/04/2026", "es", today)
    assert (es.date, es.alternative, es.ambiguous) == (date(2026, 4, 3), date(2026, 3, 4), True)
    en = parse_hearing("03/04/2026", "en", today)
    assert (en.date, en.ambiguous) == (date(2026, 3, 4), True)
    assert parse_hearing("13/04/2026", "es", today).ambiguous is False
    assert parse_hearing("04/04/2026", "es", today).ambiguous is False


def test_no_date_no_invented_time():
    today = date(2026, 2, 2)
    assert parse_hearing("hola buenas tardes", "es", today) is None
    assert parse_hearing("el 9 de marzo", "es", today).time is None
    assert parse_time("no se", "es") is None
    assert parse_time("a las 2 de la tarde", "es") == time(14, 0)


@given(st.text(max_size=400), st.sampled_from(LANGS), st.dates())
def test_never_raises(text, lang, today):
    parse_hearing(text, lang, today)
