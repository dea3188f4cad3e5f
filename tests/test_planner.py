"""Planning: which reminders a hearing gets, when in UTC, what they say, and how they follow changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import places as places_module
from bot.core.hearing import Hearing, report_time
from bot.core.segments import count
from scheduler import planner, texts
from scheduler.planner import slots
from tests.helpers import NOW, Phone, register

PLACES = places_module.load()
SETTINGS = planner.load_settings()
UTC_Z = "%Y-%m-%dT%H:%M:%SZ"


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(UTC_Z)


def expected_slots(hearing_local: datetime, person_zone: str, report_local: datetime) -> dict[str, str]:
    """What the plan must be, computed here with zoneinfo alone: 10:00 on each day before, in the
    person's zone, and 90 minutes before the time at the port."""
    zone = ZoneInfo(person_zone)
    day = hearing_local.astimezone(zone).date()
    out = {f"d{n}": z(datetime.combine(day - timedelta(days=n), time(10), tzinfo=zone)) for n in (7, 3, 1)}
    out["wakeup"] = z(report_local - timedelta(minutes=90))
    return out


# Every city with its court, on dates around the 2026 US DST changes (8 March, 1 November): the
# weeks when the US and the border strip have changed and Hermosillo (Nogales) never does.
CITY_DATES = [
    (city.key, day)
    for city in PLACES.cities
    if city.court is not None
    for day in (
        date(2026, 3, 9),
        date(2026, 3, 12),
        date(2026, 3, 16),
        date(2026, 7, 15),
        date(2026, 11, 2),
        date(2026, 11, 5),
        date(2026, 12, 10),
    )
]


COURT_ZONES = {
    "san_diego": "America/Los_Angeles",
    "imperial": "America/Los_Angeles",
    "el_paso": "America/Denver",
    "tucson": "America/Phoenix",
    "san_antonio": "America/Chicago",
    "laredo": "America/Chicago",
    "brownsville": "America/Chicago",
}  # known facts, not data/
CITY_ZONES = {
    "tijuana": "America/Tijuana",
    "mexicali": "America/Tijuana",
    "nogales": "America/Hermosillo",
    "ciudad_juarez": "America/Ciudad_Juarez",
    "piedras_negras": "America/Matamoros",
    "nuevo_laredo": "America/Matamoros",
    "reynosa": "America/Matamoros",
    "matamoros": "America/Matamoros",
    "tecate": "America/Tijuana",
    "agua_prieta": "America/Hermosillo",
    "ojinaga": "America/Ojinaga",
    "ciudad_acuna": "America/Matamoros",
}
COURT_ONLY = [(None, court, day) for court in COURT_ZONES for day in (date(2026, 3, 9), date(2026, 11, 2))]


@pytest.mark.parametrize(
    ("city_key", "court_key", "day"),
    [(c, PLACES.city(c).court.key, d) for c, d in CITY_DATES] + COURT_ONLY,
    ids=lambda v: str(v),
)
def test_every_city_and_court_across_dst(city_key, court_key, day):
    court_zone = ZoneInfo(COURT_ZONES[court_key])
    person_zone = CITY_ZONES[city_key] if city_key else COURT_ZONES[court_key]
    hearing_local = datetime.combine(day, time(8, 30), tzinfo=court_zone)
    report_local = hearing_local - timedelta(hours=4)  # the court's reporting lead, data/places.json
    hearing = Hearing(hearing_local.astimezone(UTC), court_key, city_key)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    got = {
        s.slot: z(s.send_at)
        for s in slots(hearing.at, report_time(hearing, PLACES), ZoneInfo(person_zone), now, SETTINGS)
    }
    assert got == expected_slots(hearing_local, person_zone, report_local)


def test_known_instants_in_utc():
    """A few plans written out by hand, so the rule itself is checked, not only its two codings."""
    juarez = PLACES.city("ciudad_juarez")
    # El Paso 9 March 2026 08:30 MDT (DST began 8 March) = 14:30Z; Juárez follows US DST.
    hearing = Hearing(datetime(2026, 3, 9, 14, 30, tzinfo=UTC), "el_paso", "ciudad_juarez")
    got = {s.slot: z(s.send_at) for s in slots(hearing.at, report_time(hearing, PLACES), juarez.zone, NOW, SETTINGS)}
    assert got == {
        "d7": "2026-03-02T17:00:00Z",
        "d3": "2026-03-06T17:00:00Z",
        "d1": "2026-03-08T16:00:00Z",
        "wakeup": "2026-03-09T09:00:00Z",
    }
    # Nogales (America/Hermosillo, UTC-7 all year) for the same hearing: 10:00 there is 17:00Z.
    nogales = Hearing(hearing.at, "el_paso", "nogales")
    got = {
        s.slot: z(s.send_at)
        for s in slots(nogales.at, report_time(nogales, PLACES), PLACES.city("nogales").zone, NOW, SETTINGS)
    }
    assert got["d1"] == "2026-03-08T17:00:00Z" and got["wakeup"] == "2026-03-09T09:00:00Z"


def test_past_slots_are_skipped_and_a_near_hearing_still_gets_the_wake_up():
    hearing = Hearing(datetime(2026, 2, 3, 15, 0, tzinfo=UTC), "el_paso", "ciudad_juarez")  # tomorrow 08:00 MST
    report = report_time(hearing, PLACES)
    got = slots(hearing.at, report, PLACES.city("ciudad_juarez").zone, NOW, SETTINGS)
    assert [(s.slot, z(s.send_at), z(s.expires_at)) for s in got] == [
        ("d1", "2026-02-02T17:00:00Z", "2026-02-03T03:00:00Z"),  # today 10:00 MST, still ahead of 15:00Z
        ("wakeup", "2026-02-03T09:30:00Z", "2026-02-03T11:00:00Z"),
    ]
    # Registering at 04:00 the morning of the hearing: the wake-up moment has passed but the port
    # time has not, so it goes now; it expires at the port time.
    late = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    (wake,) = slots(hearing.at, report, PLACES.city("ciudad_juarez").zone, late, SETTINGS)
    assert (wake.slot, wake.send_at, wake.expires_at) == ("wakeup", late, report)


def test_settings_are_configuration_and_are_checked(tmp_path):
    path = tmp_path / "reminders.json"
    path.write_text(
        '{"days_before": [2], "send_time": "21:00", "civil_window": ["09:00", "20:00"], '
        '"wakeup_minutes_before_port": 60}'
    )
    with pytest.raises(ValueError, match="outside the civil window"):
        planner.load_settings(str(path))
    path.write_text(
        '{"days_before": [5, 2], "send_time": "18:30", "civil_window": ["09:00", "20:00"], '
        '"wakeup_minutes_before_port": 60}'
    )
    custom = planner.load_settings(str(path))
    assert custom.days_before == (5, 2) and custom.wakeup_before_port == timedelta(minutes=60)
    hearing = Hearing(datetime(2026, 3, 20, 15, 0, tzinfo=UTC), "laredo", "nuevo_laredo")
    got = slots(hearing.at, report_time(hearing, PLACES), PLACES.city("nuevo_laredo").zone, NOW, custom)
    assert [s.slot for s in got] == ["d5", "d2", "wakeup"]
    assert z(got[0].send_at) == "2026-03-15T23:30:00Z"  # 18:30 CDT


def worst_dates():
    return [date(2026, 7, 13) + timedelta(days=i) for i in range(7)] + [date(2026, 9, 26), date(2026, 9, 30)]


@pytest.mark.parametrize("lang", ["es", "en", "pt", "fr", "ht"])
def test_every_reminder_fits_in_two_segments_for_every_city(lang):
    """GSM-7 or UCS-2, whichever the text needs: the longest weekdays and months, 12:30, both clocks."""
    for city in [*PLACES.cities, None]:
        courts = [city.court] if city else PLACES.courts
        for court in courts:
            for day in worst_dates():
                at = datetime.combine(day, time(12, 30), tzinfo=court.zone).astimezone(UTC)
                hearing = Hearing(at, court.key, city.key if city else None)
                for report in (at - timedelta(hours=4), at - timedelta(hours=11, minutes=30)):
                    for kind in ("reminder", "wakeup"):
                        body, variables = texts.render(kind, hearing, report, lang, PLACES)
                        assert count(body) <= 2, (lang, body)
                        assert all(variables.values()) and list(variables) == [
                            str(i) for i in range(1, len(variables) + 1)
                        ]


def test_reminder_texts_name_date_time_court_port_and_both_clocks():
    hearing = Hearing(datetime(2026, 7, 15, 14, 30, tzinfo=UTC), "el_paso", "nogales")  # 08:30 MDT
    report = hearing.at - timedelta(hours=4)
    body, variables = texts.render("reminder", hearing, report, "es", PLACES)
    assert body == (
        "Su audiencia: miércoles 15 de julio, 8:30 a.m., corte de El Paso. Garita/puente: Nogales, "
        "4:30 a.m. (3:30 a.m. hora de Nogales)."
    )
    assert variables == {
        "1": "miércoles 15 de julio",
        "2": "8:30 a.m.",
        "3": "El Paso",
        "4": "Nogales",
        "5": "4:30 a.m. (3:30 a.m. hora de Nogales)",
    }
    wake, _ = texts.render("wakeup", Hearing(hearing.at, "el_paso", "ciudad_juarez"), report, "en", PLACES)
    assert wake == (
        "Hearing today, 8:30 AM, El Paso court. Port of entry: Paso del Norte, 4:30 AM. "
        "Bring your papers. Confirm: 1-800-898-7180"
    )
    court_only, _ = texts.render("reminder", Hearing(hearing.at, "el_paso"), report, "ht", PLACES)
    assert "Fwontyè: sa ki sou papye w la, 4:30 AM." in court_only


# --- through the webhook: what a person's messages do to the plan --------------------------------


def outbox(db):
    return {(r["slot"], r["status"]): r for r in db["outbox"].rows}


def listed(app, status="pending"):
    """`queue list --json`: what each row would say if sent now."""
    result = app.test_cli_runner().invoke(args=["queue", "list", "--json", "--status", status])
    return {item["id"]: item for item in __import__("json").loads(result.output)}


def test_confirming_a_hearing_plans_its_reminders(app, phone, db):
    register(phone)  # Ciudad Juárez, 9 March 2026 08:30 at El Paso
    rows = list(db["outbox"].rows)
    assert {r["slot"]: (r["send_at"], r["status"], r["kind"]) for r in rows} == {
        "d7": ("2026-03-02T17:00:00Z", "pending", "reminder"),
        "d3": ("2026-03-06T17:00:00Z", "pending", "reminder"),
        "d1": ("2026-03-08T16:00:00Z", "pending", "reminder"),
        "wakeup": ("2026-03-09T09:00:00Z", "pending", "wakeup"),
    }
    assert all(r["hearing_at"] == "2026-03-09T14:30:00Z" and r["lang"] == "es" for r in rows)
    assert [r["priority"] for r in rows if r["slot"] == "wakeup"] == [0]
    assert rows[0]["body"] is None and rows[0]["to_enc"] is None  # written from the contact when sent
    preview = listed(app)[rows[0]["id"]]
    assert preview["body"].startswith("Su audiencia: lunes 9 de marzo, 8:30 a.m., corte de El Paso.")
    assert preview["to"] == "…4567" and preview["lang"] == "es"


def test_planning_twice_adds_nothing(app, phone, db):
    register(phone)
    with app.app_context():
        from bot.web import context

        again = planner.plan_contact(context.get_db(), 1, NOW, PLACES, SETTINGS)
    assert again == 4 and db["outbox"].count == 4


def test_a_port_time_moves_the_wake_up(app, phone, db):
    register(phone)
    phone.text("puente a las 3:30")
    wake = outbox(db)[("wakeup", "pending")]
    assert wake["send_at"] == "2026-03-09T08:00:00Z" and wake["expires_at"] == "2026-03-09T09:30:00Z"
    assert "Paso del Norte, 3:30 a.m." in listed(app)[wake["id"]]["body"]
    assert db["outbox"].count == 4


def test_change_cancels_the_old_reminders_plans_new_ones_and_says_so(phone, db):
    register(phone)
    phone.text("CAMBIAR"), phone.text("10 de abril 9:00")
    assert phone.texts("si")[0].startswith("Cambiado. Cancelamos los avisos de la fecha anterior")
    by_hearing = {}
    for r in db["outbox"].rows:
        by_hearing.setdefault(r["hearing_at"], set()).add(r["status"])
    assert by_hearing == {"2026-03-09T14:30:00Z": {"cancelled"}, "2026-04-10T15:00:00Z": {"pending"}}


def test_stop_cancels_and_start_brings_back_what_is_still_ahead(phone, db):
    register(phone)
    phone.text("STOP")
    assert {r["status"] for r in db["outbox"].rows} == {"cancelled"}
    phone.text("ALTA")
    assert {r["status"] for r in db["outbox"].rows} == {"pending"}


def test_a_new_language_is_what_pending_reminders_will_say(app, phone, db):
    register(phone)
    phone.text("IDIOMA"), phone.text("2")
    d7 = outbox(db)[("d7", "pending")]
    assert listed(app)[d7["id"]]["body"].startswith("Reminder: hearing Monday March 9, 8:30 AM, El Paso court.")
    assert {r["lang"] for r in db["outbox"].rows} == {"en"}


def test_delete_removes_every_reminder(phone, db):
    register(phone)
    phone.erase()
    assert db["outbox"].count == 0


def test_whatsapp_templates_file_has_meta_safe_texts():
    import json

    from scheduler import whatsapp

    raw = json.loads(whatsapp.DEFAULT_TEMPLATES.read_text())["templates"]
    for lang, kinds in raw.items():
        for kind, template in kinds.items():
            text = template["text"]
            assert not text.startswith("{{") and not text.rstrip(".").endswith("}}"), (lang, kind)
            numbers = [int(n) for n in __import__("re").findall(r"\{\{(\d+)\}\}", text)]
            assert sorted(numbers) == list(range(1, len(texts.ORDER[kind]) + 1)), (lang, kind)


def test_court_only_person_gets_days_in_the_court_zone(client, db):
    phone = Phone(client, "+5216561110009")
    phone.text("hola"), phone.text("1"), phone.text("otra"), phone.text("1")  # San Diego court
    phone.text("el 9 de marzo a las 8:30"), phone.text("si")
    d7 = outbox(db)[("d7", "pending")]
    assert d7["send_at"] == "2026-03-02T18:00:00Z"  # 10:00 PST
