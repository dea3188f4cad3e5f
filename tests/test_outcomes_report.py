"""The outcome report (issue 17): per hearing, confirmed, went, new date, missed or no answer, by city,
language, court and message variant, with 95% Wilson intervals; the store, `report outcomes` and
/admin/outcomes. Events are seeded through the store (`bot.store.outcomes.record`)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core import places as place_data
from bot.core.conversation import MoveCity, Outcome, Person, SaveHearing
from bot.core.hearing import Hearing
from bot.core.i18n import translator
from bot.core.outcomes import BITS, CODE_NAMES, COLUMNS, Code, codes_of, key_name, percent, tally, wilson
from bot.core.phones import PhoneVault
from bot.core.text import defused
from bot.store import db as storage
from bot.store import outcomes, people
from bot.store.people import Contact
from bot.web.console import display
from tests.helpers import NOW, PUBLIC_URL, login

PLACES = place_data.load()
HEARING_AT = datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
R, C, A = Code.REMINDED, Code.CONFIRMED, Code.ASKED

_numbers = iter(range(10_000, 99_999))


def seed(app, db, *codes: Code, lang="es", city="ciudad_juarez", court="el_paso", variant=None, at=HEARING_AT) -> int:
    """A person with a hearing (stored as a turn of the conversation stores them), their variant, and
    these events recorded in order, a minute apart; the hearing's id."""
    vault = PhoneVault(app.config["HEARINGBOT_SECRET_KEY"])
    person = Person(state="done", lang=lang, city=city, court=court)
    turn = Outcome(person, (), (SaveHearing(Hearing(at, court, city)),))
    applied = people.apply(db, vault, Contact(None, Person()), "sms", f"+521656{next(_numbers):07d}", turn, NOW, PLACES)
    db.execute("UPDATE contacts SET variant = ? WHERE id = ?", [variant, applied.contact_id])  # drawn at registration
    hearing_id = db.execute("SELECT id FROM hearings WHERE contact_id = ?", [applied.contact_id]).fetchone()[0]
    for i, code in enumerate(codes):
        assert outcomes.record(db, hearing_id, code, NOW + timedelta(minutes=i))
    return hearing_id


def wording_trial(app, db) -> None:
    """Variant A: 10 reminded, 8 confirmed; variant B: 10 reminded, 3 confirmed. A is in Ciudad Juárez
    (El Paso court, Spanish); B in Tijuana (San Diego court), 6 in Spanish and 4 in Kreyòl. After the
    hearing: A's 8 confirmed were asked, 5 went, 1 got a new date, 1 missed, 1 did not answer; B's
    10 were asked, 2 went, 8 did not answer."""
    a = {"variant": "A", "city": "ciudad_juarez", "court": "el_paso"}
    for after in (Code.ATTENDED,) * 5 + (Code.NEW_DATE, Code.MISSED, Code.NO_ANSWER):
        seed(app, db, R, C, A, after, **a)
    seed(app, db, R, **a)
    seed(app, db, R, **a)
    b = {"variant": "B", "city": "tijuana", "court": "san_diego"}
    for i in range(10):
        after = (R, C) if i < 3 else (R,)
        went = Code.ATTENDED if i in (0, 5) else Code.NO_ANSWER
        seed(app, db, *after, A, went, lang="es" if i < 6 else "ht", **b)


def by_key(groups):
    return {g.key: g for g in groups}


# --- pure: bot/core/outcomes.py ------------------------------------------------------------------------


def test_wilson_matches_known_intervals():
    for (k, n), (low, high) in {
        (8, 10): (0.4902, 0.9433),
        (3, 10): (0.1078, 0.6032),
        (0, 10): (0.0, 0.2775),
        (10, 10): (0.7225, 1.0),
        (50, 100): (0.4038, 0.5962),
    }.items():
        found = wilson(k, n)
        assert (round(found.low, 4), round(found.high, 4)) == (low, high), (k, n)
    assert wilson(0, 0).n == 0 and percent(wilson(0, 0)) == "—"


def test_a_rate_is_shown_in_whole_percents_with_its_interval():
    assert percent(wilson(8, 10)) == "80% (49–94%)"
    assert percent(wilson(3, 10)) == "30% (11–60%)"
    assert percent(wilson(8, 10), "fr") == "80 % (49–94 %)"


def test_a_hearings_events_fit_in_one_integer_and_back():
    events = {Code.REMINDED, Code.CONFIRMED, Code.NO_ANSWER}
    assert codes_of(sum(BITS[c] for c in events)) == events
    assert len(set(BITS.values())) == len(Code)


def test_tally_counts_each_hearing_once_by_its_final_outcome():
    groups = tally(
        [
            ("a", [R, C], 3),  # confirmed, nothing after
            ("a", [R], 1),  # nothing yet
            ("a", [R, C, A, Code.MISSED], 1),
            ("a", [R, A, Code.ATTENDED, Code.NEW_DATE], 2),  # a new date is the stronger
            ("b", [A, Code.NO_ANSWER], 1),
            ("b", [C], 1),  # confirmed with no reminder recorded: not in the confirmation rate
        ]
    )
    assert [g.key for g in groups] == ["a", "b"]  # most hearings first
    a, b = groups
    assert a.hearings == 7
    assert a.outcomes == {"new_date": 2, "attended": 0, "missed": 1, "no_answer": 0, "confirmed": 3, "none": 1}
    assert (a.confirmation.k, a.confirmation.n) == (4, 7)
    assert (a.attendance.k, a.attendance.n) == (2, 3)
    assert b.outcomes["no_answer"] == 1 and b.outcomes["confirmed"] == 1
    assert (b.confirmation.k, b.confirmation.n) == (0, 0) and (b.attendance.k, b.attendance.n) == (0, 1)
    assert list(a.outcomes) == list(COLUMNS)


def test_every_code_and_column_has_a_name():
    assert set(CODE_NAMES) == set(Code)
    assert all(display.NAMES["outcome"].get(column) for column in COLUMNS)


def test_keys_are_shown_by_their_names():
    assert key_name("city", "ciudad_juarez", PLACES) == "Ciudad Juárez"
    assert key_name("court", "san_diego", PLACES) == "San Diego"
    assert key_name("lang", "ht", PLACES) == "Kreyòl"
    assert key_name("variant", "A", PLACES) == "A"
    assert key_name("city", None, PLACES) is None
    assert key_name("city", "atlantis", PLACES) == "atlantis"  # a city no longer in places.json


def test_csv_cells_that_would_run_as_formulas_are_defused():
    assert defused("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert defused("@SUM(A1)") == "'@SUM(A1)" and defused("-2+3") == "'-2+3"
    assert defused("-2.5") == "-2.5" and defused("Tijuana") == "Tijuana" and defused(None) is None


# --- the store: bot/store/outcomes.py ----------------------------------------------------------------------


def test_the_report_by_variant_city_language_and_court(app, db):
    wording_trial(app, db)
    found = outcomes.reports(db)
    assert set(found) == {"city", "lang", "court", "variant"}

    variant = by_key(found["variant"])
    a, b = variant["A"], variant["B"]
    assert (a.hearings, b.hearings) == (10, 10)
    assert (a.confirmation.k, a.confirmation.n) == (8, 10) and (b.confirmation.k, b.confirmation.n) == (3, 10)
    assert round(a.confirmation.low, 3) == 0.490 and round(a.confirmation.high, 3) == 0.943
    assert round(b.confirmation.low, 3) == 0.108 and round(b.confirmation.high, 3) == 0.603
    assert a.outcomes == {"new_date": 1, "attended": 5, "missed": 1, "no_answer": 1, "confirmed": 0, "none": 2}
    assert b.outcomes == {"new_date": 0, "attended": 2, "missed": 0, "no_answer": 8, "confirmed": 0, "none": 0}
    assert (a.attendance.k, a.attendance.n) == (6, 8) and (b.attendance.k, b.attendance.n) == (2, 10)

    assert by_key(found["city"]).keys() == {"ciudad_juarez", "tijuana"}
    assert by_key(found["city"])["tijuana"].confirmation == b.confirmation
    assert by_key(found["court"])["el_paso"].attendance == a.attendance
    lang = by_key(found["lang"])
    assert (lang["es"].hearings, lang["ht"].hearings) == (16, 4)
    assert (lang["es"].confirmation.k, lang["es"].confirmation.n) == (11, 16)
    assert (lang["ht"].confirmation.k, lang["ht"].confirmation.n) == (0, 4)
    assert (lang["ht"].attendance.k, lang["ht"].attendance.n) == (0, 4)
    assert outcomes.report(db, "variant") == found["variant"]
    with pytest.raises(ValueError):
        outcomes.report(db, "phone")


def test_a_hearing_is_grouped_by_its_earliest_event(app, db):
    """The person moved from Juárez to Tijuana and changed to English after the reminder: the hearing
    stays where its first event put it, in every grouping, and is counted once."""
    hearing_id = seed(app, db, R, variant="A")
    contact_id = db.execute("SELECT contact_id FROM hearings WHERE id = ?", [hearing_id]).fetchone()[0]
    vault = PhoneVault(app.config["HEARINGBOT_SECRET_KEY"])
    moved = Person(state="done", lang="en", city="tijuana", court="el_paso")
    contact = Contact(contact_id, moved, ("sms",))
    people.apply(db, vault, contact, "sms", "+5216560000001", Outcome(moved, (), (MoveCity("tijuana"),)), NOW, PLACES)
    db.execute("UPDATE contacts SET variant = 'B' WHERE id = ?", [contact_id])
    outcomes.record(db, hearing_id, C, NOW + timedelta(hours=1))
    row = db.execute("SELECT city, lang, variant FROM outcomes WHERE code = 'confirmed'").fetchone()
    assert row == ("tijuana", "en", "B")  # the later event was recorded where the person was then
    found = outcomes.reports(db)
    assert [(g.key, g.hearings) for g in found["city"]] == [("ciudad_juarez", 1)]
    assert [(g.key, g.hearings) for g in found["lang"]] == [("es", 1)]
    assert [(g.key, g.hearings) for g in found["variant"]] == [("A", 1)]
    assert found["variant"][0].outcomes["confirmed"] == 1


def test_since_keeps_later_hearings_only_and_erasing_a_person_takes_their_events(app, db):
    seed(app, db, R, C, at=datetime(2026, 1, 20, 15, 0, tzinfo=UTC))
    late = seed(app, db, R, at=datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    assert outcomes.reports(db)["city"][0].hearings == 2
    assert outcomes.reports(db, since=date(2026, 3, 1))["city"][0].hearings == 1
    contact_id = db.execute("SELECT contact_id FROM hearings WHERE id = ?", [late]).fetchone()[0]
    people.erase(db, contact_id)
    assert outcomes.reports(db)["city"][0].hearings == 1
    assert outcomes.reports(db, since=date(2026, 3, 1)) == {"city": [], "lang": [], "court": [], "variant": []}


def test_the_report_is_one_query_over_the_table(app, db):
    """One SQL statement for all four groupings, whatever the number of hearings."""
    wording_trial(app, db)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    outcomes.reports(db)
    db.conn.set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


# --- the CLI: report outcomes ------------------------------------------------------------------------------


def test_report_outcomes_prints_aligned_tables_with_names_and_intervals(app, db, runner):
    wording_trial(app, db)
    result = runner.invoke(args=["report", "outcomes"])
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("By city", "By language", "By court", "By message variant"):
        assert title in out
    assert "Ciudad Juárez" in out and "Tijuana" in out and "Kreyòl" in out and "Español" in out
    assert "El Paso" in out and "San Diego" in out
    assert "ciudad_juarez" not in out and " ht " not in out
    assert "80% (49–94%) 8/10" in out and "30% (11–60%) 3/10" in out
    table = out.split("By message variant\n", 1)[1].splitlines()
    assert table[0].split()[:2] == ["Variant", "Hearings"]
    assert table[1].split()[:9] == ["A", "10", "1", "5", "1", "1", "0", "2", "80%"]
    assert table[2].split()[:9] == ["B", "10", "0", "2", "0", "8", "0", "0", "30%"]
    # aligned: each column's right edge lines up (the counts are right-aligned)
    assert table[0].index("Hearings") + len("Hearings") == table[1].index("10") + 2 == table[2].index("10") + 2


def test_report_outcomes_by_one_grouping_and_when_there_is_nothing(app, db, runner):
    result = runner.invoke(args=["report", "outcomes"])
    assert result.exit_code == 0 and result.output == "No outcomes yet.\n"
    wording_trial(app, db)
    result = runner.invoke(args=["report", "outcomes", "--by", "court"])
    assert result.exit_code == 0
    assert "By court" in result.output and "By city" not in result.output
    assert runner.invoke(args=["report", "outcomes", "--by", "phone"]).exit_code == 2


def test_report_outcomes_csv_reads_back_as_numbers(app, db, runner):
    wording_trial(app, db)
    result = runner.invoke(args=["report", "outcomes", "--csv"])
    assert result.exit_code == 0, result.output
    found = list(csv.DictReader(io.StringIO(result.output)))
    assert list(found[0])[:4] == ["grouping", "key", "name", "hearings"]
    assert [r["grouping"] for r in found].count("variant") == 2 and len(found) == 2 + 2 + 2 + 2
    a = next(r for r in found if r["grouping"] == "variant" and r["key"] == "A")
    assert int(a["hearings"]) == 10 and int(a["attended"]) == 5 and int(a["none"]) == 2
    assert (int(a["confirmation_k"]), int(a["confirmation_n"])) == (8, 10)
    assert float(a["confirmation_rate"]) == 0.8
    assert abs(float(a["confirmation_low"]) - 0.4902) < 1e-4 and abs(float(a["confirmation_high"]) - 0.9433) < 1e-4
    juarez = next(r for r in found if r["grouping"] == "city" and r["key"] == "ciudad_juarez")
    assert juarez["name"] == "Ciudad Juárez"
    only = runner.invoke(args=["report", "outcomes", "--csv", "--by", "lang"]).output
    assert {r["grouping"] for r in csv.DictReader(io.StringIO(only))} == {"lang"}


def test_report_outcomes_csv_defuses_formulas_and_leaves_empty_rates_empty(app, db, runner):
    seed(app, db, A, Code.ATTENDED, variant='=HYPERLINK("http://x","y")')
    seed(app, db, R, variant="+1")
    found = list(csv.DictReader(io.StringIO(runner.invoke(args=["report", "outcomes", "--csv"]).output)))
    variants = {r["key"] for r in found if r["grouping"] == "variant"}
    assert variants == {'\'=HYPERLINK("http://x","y")', "'+1"}
    for row in found:
        assert not any(str(cell).startswith(("=", "+", "@")) for cell in row.values()), row
    asked_only = next(r for r in found if r["grouping"] == "variant" and r["key"].startswith("'="))
    assert asked_only["confirmation_n"] == "0"
    assert asked_only["confirmation_rate"] == asked_only["confirmation_low"] == asked_only["confirmation_high"] == ""
    assert asked_only["attendance_rate"] == "1.0000"


# --- the console: /admin/outcomes --------------------------------------------------------------------------


def test_the_outcomes_page_needs_a_login(members, client):
    answer = client.get("/admin/outcomes", base_url=PUBLIC_URL)
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


@pytest.mark.parametrize("who", ["vol", "adm"])
def test_the_outcomes_page_shows_names_counts_and_intervals(members, client, db, app, who):
    wording_trial(app, db)
    assert login(client, who).status_code == 302
    page = client.get("/admin/outcomes", base_url=PUBLIC_URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in ("Ciudad Juárez", "Tijuana", "El Paso", "San Diego", "Español", "Kreyòl", "By message variant"):
        assert shown in html, shown
    assert "80% (49–94%) · 8/10" in html and "30% (11–60%) · 3/10" in html and "75% (41–93%) · 6/8" in html
    assert "ciudad_juarez" not in html and ">ht<" not in html
    assert 'href="/admin/outcomes"' in html  # in the nav


def test_the_outcomes_page_says_when_there_is_nothing_yet(members, client):
    login(client, "vol")
    html = client.get("/admin/outcomes", base_url=PUBLIC_URL).get_data(as_text=True)
    assert "No outcomes yet." in html and "<table" not in html


def test_the_outcomes_page_speaks_the_members_language(members, client, db, app):
    wording_trial(app, db)
    db.execute("UPDATE staff SET lang = 'fr' WHERE name = 'vol'")
    login(client, "vol")
    html = client.get("/admin/outcomes", base_url=PUBLIC_URL).get_data(as_text=True)
    _ = translator("fr")
    assert "80 % (49–94 %) · 8/10" in html
    assert _("By city") in html and _("Attendance") in html


def test_the_report_reads_a_fresh_database_too(tmp_path):
    """No app needed: a migrated database with no events gives four empty groupings."""
    db = storage.connect(tmp_path / "empty.db")
    storage.migrate(db)
    assert outcomes.reports(db) == {"city": [], "lang": [], "court": [], "variant": []}
    db.close()
