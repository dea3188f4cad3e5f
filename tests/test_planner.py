"""Planning: which reminders a hearing gets, when in UTC, what they say, and how they follow changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import places as places_module
from bot.core.hearing import Hearing, report_time
from bot.core.segments import count
from scheduler import planner, texts
from scheduler.planner import slots
from tests.helpers import NOW, register

PLACES = places_module.load()
SETTINGS = planner.load_settings()
UTC_Z = "%Y-%m-%dT%H:%M:%SZ"


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(UTC_Z)


def expected_slots(hearing_local: datetime, person_zone: str, report_local: datetime, port_zone: str) -> dict[str, str]:
    """What the plan must be, computed here with zoneinfo alone: 10:00 on each day before, in the
    person's zone, and the hearing-day message: 90 minutes before the time at the port, or, when
    that time is before 06:00 on the port's clock, 20:00 the evening before in the person's zone;
    then the follow-up at 10:00 the day after the hearing, and the help two days later."""
    zone = ZoneInfo(person_zone)
    day = hearing_local.astimezone(zone).date()
    out = {f"d{n}": z(datetime.combine(day - timedelta(days=n), time(10), tzinfo=zone)) for n in (7, 3, 1)}
    at_port = report_local.astimezone(ZoneInfo(port_zone))
    if at_port.hour < 6:
        out["wakeup"] = z(datetime.combine(at_port.date() - timedelta(days=1), time(20), tzinfo=zone))
    else:
        out["wakeup"] = z(report_local - timedelta(minutes=90))
    out["followup"] = z(datetime.combine(day + timedelta(days=1), time(10), tzinfo=zone))
    out["noanswer"] = z(datetime.combine(day + timedelta(days=3), time(10), tzinfo=zone))
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
# The court's main port is in this city: where a person with no city (or a city without one of its ports) reports.
MAIN_PORT_CITY = {
    "san_diego": "tijuana",
    "imperial": "mexicali",
    "el_paso": "ciudad_juarez",
    "tucson": "nogales",
    "san_antonio": "piedras_negras",
    "laredo": "nuevo_laredo",
    "brownsville": "matamoros",
}
AWAY = {"mexicali": "tijuana", "reynosa": "matamoros"}  # their usual court has no port in their city: its main one
COURT_ONLY = [(None, court, day) for court in COURT_ZONES for day in (date(2026, 3, 9), date(2026, 11, 2))]


@pytest.mark.parametrize(
    ("city_key", "court_key", "day"),
    [(c, PLACES.city(c).court.key, d) for c, d in CITY_DATES] + COURT_ONLY,
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("at_port", [time(4, 30), time(6, 30)])  # the court's reporting lead (4 h), or a later one
def test_every_city_and_court_across_dst(city_key, court_key, day, at_port):
    court_zone = ZoneInfo(COURT_ZONES[court_key])
    person_zone = CITY_ZONES[city_key] if city_key else COURT_ZONES[court_key]
    port_city = AWAY.get(city_key, city_key) if city_key else MAIN_PORT_CITY[court_key]
    hearing_local = datetime.combine(day, time(8, 30), tzinfo=court_zone)
    report_local = datetime.combine(day, at_port, tzinfo=court_zone)
    hearing = Hearing(hearing_local.astimezone(UTC), court_key, city_key, report_local.astimezone(UTC))
    assert PLACES.city(PLACES.port_for(city_key, court_key).city).zone.key == CITY_ZONES[port_city]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    got = {
        s.slot: z(s.send_at)
        for s in planner.slots(
            hearing.at, report_local, ZoneInfo(person_zone), now, SETTINGS, ZoneInfo(CITY_ZONES[port_city])
        )
    }
    assert got == expected_slots(hearing_local, person_zone, report_local, CITY_ZONES[port_city])


def test_known_instants_in_utc():
    """A few plans written out by hand, so the rule itself is checked, not only its two codings."""
    juarez = PLACES.city("ciudad_juarez")
    # El Paso 9 March 2026 08:30 MDT (DST began 8 March) = 14:30Z; Juárez follows US DST. At the
    # port at 04:30 (the court's 4 h lead), before 06:00: the hearing-day message goes the evening
    # before, 20:00 MDT on 8 March = 02:00Z.
    hearing = Hearing(datetime(2026, 3, 9, 14, 30, tzinfo=UTC), "el_paso", "ciudad_juarez")
    plan = slots(hearing.at, report_time(hearing, PLACES), juarez.zone, NOW, SETTINGS, juarez.zone)
    assert {s.slot: (s.kind, z(s.send_at), z(s.expires_at)) for s in plan} == {
        "d7": ("reminder", "2026-03-02T17:00:00Z", "2026-03-03T03:00:00Z"),
        "d3": ("reminder", "2026-03-06T17:00:00Z", "2026-03-07T03:00:00Z"),
        "d1": ("reminder", "2026-03-08T16:00:00Z", "2026-03-09T02:00:00Z"),
        "wakeup": ("evening", "2026-03-09T02:00:00Z", "2026-03-09T06:00:00Z"),  # until midnight in Juárez
        "followup": ("followup", "2026-03-10T16:00:00Z", "2026-03-11T02:00:00Z"),  # 10:00 MDT the day after
        "noanswer": ("followup", "2026-03-12T16:00:00Z", "2026-03-13T02:00:00Z"),  # the help, two days later
    }
    # Nogales (America/Hermosillo, UTC-7 all year) for the same hearing: 10:00 there is 17:00Z; the
    # port time is 03:30 on Nogales' clock, and 20:00 there the evening before is 03:00Z.
    nogales = Hearing(hearing.at, "el_paso", "nogales")
    zone = PLACES.city("nogales").zone
    got = {
        s.slot: (s.kind, z(s.send_at))
        for s in slots(nogales.at, report_time(nogales, PLACES), zone, NOW, SETTINGS, zone)
    }
    assert got["d1"] == ("reminder", "2026-03-08T17:00:00Z") and got["wakeup"] == ("evening", "2026-03-09T03:00:00Z")
    # At the port at 06:30 MDT (12:30Z): the wake-up, 90 minutes before, on the day.
    later = Hearing(hearing.at, "el_paso", "ciudad_juarez", datetime(2026, 3, 9, 12, 30, tzinfo=UTC))
    (wake,) = (
        s for s in slots(later.at, later.report_at, juarez.zone, NOW, SETTINGS, juarez.zone) if s.slot == "wakeup"
    )
    assert (wake.slot, wake.kind, z(wake.send_at), z(wake.expires_at)) == (
        "wakeup",
        "wakeup",
        "2026-03-09T11:00:00Z",
        "2026-03-09T12:30:00Z",
    )
    # Ojinaga (Central time) at the El Paso court (Mountain): 05:30 MST is 06:30 in Ojinaga, where the
    # person acts: a wake-up, not the evening message.
    ojinaga = PLACES.city("ojinaga").zone
    winter = Hearing(
        datetime(2027, 1, 13, 15, 30, tzinfo=UTC), "el_paso", "ojinaga", datetime(2027, 1, 13, 12, 30, tzinfo=UTC)
    )
    (wake,) = (s for s in slots(winter.at, winter.report_at, ojinaga, NOW, SETTINGS, ojinaga) if s.slot == "wakeup")
    assert (wake.kind, z(wake.send_at)) == ("wakeup", "2027-01-13T11:00:00Z")


def test_past_slots_are_skipped_and_a_near_hearing_still_gets_its_hearing_day_message():
    zone = PLACES.city("ciudad_juarez").zone
    hearing = Hearing(datetime(2026, 2, 3, 15, 0, tzinfo=UTC), "el_paso", "ciudad_juarez")  # tomorrow 08:00 MST
    report = report_time(hearing, PLACES)  # 04:00 MST = 11:00Z: before 06:00, so the evening before
    got = slots(hearing.at, report, zone, NOW, SETTINGS, zone)
    assert [(s.slot, s.kind, z(s.send_at), z(s.expires_at)) for s in got] == [
        ("d1", "reminder", "2026-02-02T17:00:00Z", "2026-02-03T03:00:00Z"),  # today 10:00 MST, still ahead
        ("wakeup", "evening", "2026-02-03T03:00:00Z", "2026-02-03T07:00:00Z"),  # 20:00 MST, until midnight
        ("followup", "followup", "2026-02-04T17:00:00Z", "2026-02-05T03:00:00Z"),  # the day after, 10:00
        ("noanswer", "followup", "2026-02-06T17:00:00Z", "2026-02-07T03:00:00Z"),
    ]
    # Registering at 23:00 that evening: the evening message goes now, it still says "tomorrow".
    late = datetime(2026, 2, 3, 6, 0, tzinfo=UTC)
    (evening, *after) = slots(hearing.at, report, zone, late, SETTINGS, zone)
    assert [s.slot for s in after] == ["followup", "noanswer"]
    assert (evening.kind, evening.send_at, z(evening.expires_at)) == ("evening", late, "2026-02-03T07:00:00Z")
    # Registering after midnight: too late for "tomorrow"; the wake-up, 90 minutes before the port
    # time (09:30Z), or now once that has passed, as long as the port time has not.
    after_midnight = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)
    (wake, *_after) = slots(hearing.at, report, zone, after_midnight, SETTINGS, zone)
    assert (wake.slot, wake.kind, z(wake.send_at), wake.expires_at) == (
        "wakeup",
        "wakeup",
        "2026-02-03T09:30:00Z",
        report,
    )
    very_late = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    (wake, *_after) = slots(hearing.at, report, zone, very_late, SETTINGS, zone)
    assert (wake.kind, wake.send_at, wake.expires_at) == ("wakeup", very_late, report)
    assert [s.slot for s in slots(hearing.at, report, zone, report, SETTINGS, zone)] == ["followup", "noanswer"]


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
    assert [s.slot for s in got] == ["d5", "d2", "wakeup", "followup", "noanswer"]
    assert z(got[0].send_at) == "2026-03-15T23:30:00Z"  # 18:30 CDT
    assert (custom.evening_if_port_before, custom.evening_send_time) == (time(6), time(20))  # the defaults
    evening = tmp_path / "evening.json"  # settings are read once per path
    evening.write_text(
        '{"days_before": [1], "send_time": "10:00", "civil_window": ["09:00", "20:00"], '
        '"wakeup_minutes_before_port": 60, "evening_if_port_before": "05:00", "evening_send_time": "22:00"}'
    )
    with pytest.raises(ValueError, match="evening_send_time 22:00:00 is outside the civil window"):
        planner.load_settings(str(evening))
    evening.write_text(evening.read_text().replace("22:00", "19:00"))
    custom = planner.load_settings(str(evening))
    zone = PLACES.city("nuevo_laredo").zone
    # At the port at 05:00 CDT: not before 05:00, a wake-up; at 04:00, the evening before.
    early = Hearing(hearing.at, "laredo", "nuevo_laredo", hearing.at - timedelta(hours=5))
    assert [(s.kind, z(s.send_at)) for s in slots(early.at, early.report_at, zone, NOW, custom, zone)][-3] == (
        "wakeup",
        "2026-03-20T09:00:00Z",
    )
    earlier = Hearing(hearing.at, "laredo", "nuevo_laredo", hearing.at - timedelta(hours=6))  # 04:00 CDT
    assert [(s.kind, z(s.send_at)) for s in slots(earlier.at, earlier.report_at, zone, NOW, custom, zone)][-3] == (
        "evening",
        "2026-03-20T00:00:00Z",  # 19:00 CDT on the 19th
    )


# Every message about a hearing: the N-day reminders in each wording, the hearing-day ones, the follow-ups.
MESSAGES = [
    *(("reminder", f"d{n}", variant) for n in (7, 3, 1) for variant in texts.VARIANTS),
    ("wakeup", "wakeup", "evidence"),
    ("evening", "wakeup", "evidence"),
    ("followup", "followup", "evidence"),
    ("followup", "noanswer", "evidence"),
]


def worst_dates():
    return [date(2026, 7, 13) + timedelta(days=i) for i in range(7)] + [date(2026, 9, 26), date(2026, 9, 30)]


@pytest.mark.parametrize("lang", ["es", "en", "pt", "fr", "ht"])
def test_every_reminder_fits_in_two_segments_for_every_city(lang):
    """GSM-7 or UCS-2, whichever the text needs: every city (and none) with every court, the longest
    weekdays and months, 12:30, the port time given or 'about', both clocks; every WhatsApp variable
    filled, numbered as its template."""
    for city in [*PLACES.cities, None]:
        for court in PLACES.courts:
            for day in worst_dates():
                at = datetime.combine(day, time(12, 30), tzinfo=court.zone).astimezone(UTC)
                for report in (None, at - timedelta(hours=11, minutes=30)):
                    hearing = Hearing(at, court.key, city.key if city else None, report)
                    for kind, slot, variant in MESSAGES:
                        body, variables = texts.render(kind, hearing, lang, PLACES, slot, variant)
                        assert count(body) <= 2, (lang, body)
                        order = texts.ORDER[texts.template_kind(kind, hearing, PLACES, slot, SETTINGS.days_before)]
                        assert list(variables) == [str(i) for i in range(1, len(order) + 1)]
                        assert all(variables.values()), (lang, kind, variables)


def test_reminder_texts_name_each_clock_where_it_is_used():
    """Written out by hand, in Spanish, English and Kreyòl (the catalogs' wording): the date, the time
    and the place first; the 7-day reminder states the consequence, the 3-day one prompts a plan, the
    1-day one asks for an answer, the evening before gives the plan for the night."""
    hearing = Hearing(datetime(2026, 7, 15, 14, 30, tzinfo=UTC), "el_paso", "nogales")  # 08:30 MDT
    body, variables = texts.render("reminder", hearing, "es", PLACES, "d7")
    assert body == (  # its accents folded: in UCS-2 it would take five segments
        "Su audiencia es en 7 dias: miércoles 15 de julio, 8:30 a.m. (hora de El Paso), corte de El Paso. Hora para "
        "presentarse en Garita DeConcini: aprox. 3:30 a.m. (hora de Nogales) [4:30 a.m. hora de El Paso]. Si nadie "
        "va, el juez puede ordenar su deportacion sin escuchar su caso."
    )
    assert variables == {
        "1": "en 7 días",
        "2": "miércoles 15 de julio",
        "3": "8:30 a.m. (hora de El Paso)",
        "4": "El Paso",
        "5": "Hora para presentarse en Garita DeConcini: aprox. 3:30 a.m. (hora de Nogales) "
        "[4:30 a.m. hora de El Paso]",
    }
    juarez = Hearing(hearing.at, "el_paso", "ciudad_juarez", hearing.at - timedelta(hours=2))  # 06:30: a wake-up
    wake, _ = texts.render("wakeup", juarez, "en", PLACES, "wakeup")
    assert wake == (
        "Your hearing is today: 8:30 AM, El Paso court. Be at Puente Paso del Norte at 6:30 AM (Ciudad Juarez "
        "time). Bring your papers. To check it, call 1-800-898-7180."
    )  # 'Juárez' would make it UCS-2, three segments: folded to GSM-7, two
    evening, _ = texts.render("evening", Hearing(hearing.at, "el_paso", "ciudad_juarez"), "es", PLACES, "wakeup")
    assert evening == (
        "Su audiencia es mañana: miércoles 15 de julio, 8:30 a.m., corte de El Paso. Hora para presentarse en Puente "
        "Paso del Norte: aprox. 4:30 a.m. (hora de Ciudad Juarez). Esta noche avise en su albergue que sale muy "
        "temprano y tenga listos sus papeles."
    )
    court_only, _ = texts.render("reminder", Hearing(hearing.at, "el_paso"), "ht", PLACES, "d1")
    assert court_only == (
        "Odyans ou se demen: mèkredi 15 jiyè, 8:30 AM, tribinal El Paso. Ou dwe rive nan Puente Paso del Norte "
        "anviwon 4:30 AM (lè Ciudad Juarez). Reponn 1 si w ap ale, 2 si w bezwen èd."
    )
    interior, variables = texts.render("reminder", Hearing(hearing.at, "houston", "monterrey"), "es", PLACES, "d3")
    assert interior == (
        "Su audiencia es en 3 dias: miércoles 15 de julio, 9:30 a.m. (hora de Houston), corte de Houston. "
        "Planee hoy el camino, sus papeles y el cuidado de sus hijos."
    )
    assert variables == {
        "1": "en 3 días",
        "2": "miércoles 15 de julio",
        "3": "9:30 a.m. (hora de Houston)",
        "4": "Houston",
    }
    plain, _ = texts.render("reminder", Hearing(hearing.at, "houston", "monterrey"), "es", PLACES, "d3", "plain")
    assert plain == "Su audiencia es en 3 días: miércoles 15 de julio, 9:30 a.m. (hora de Houston), corte de Houston."


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
        "wakeup": ("2026-03-09T02:00:00Z", "pending", "evening"),  # at the port 04:30: 20:00 the evening before
        "followup": ("2026-03-10T16:00:00Z", "pending", "followup"),  # 10:00 the day after: "did you go?"
        "noanswer": ("2026-03-12T16:00:00Z", "pending", "followup"),  # the help, unless an answer came
    }
    assert all(r["hearing_at"] == "2026-03-09T14:30:00Z" and r["lang"] == "es" for r in rows)
    assert [r["priority"] for r in rows if r["slot"] == "wakeup"] == [0]
    assert rows[0]["body"] is None and rows[0]["to_enc"] is None  # written from the contact when sent
    preview = listed(app)[rows[0]["id"]]
    assert preview["body"].startswith("Su audiencia es en 7 dias: lunes 9 de marzo, 8:30 a.m., corte de El Paso.")
    assert preview["to"] == "…4567" and preview["lang"] == "es"


def test_planning_twice_adds_nothing(app, phone, db):
    register(phone)
    with app.app_context():
        from bot.web import context

        again = planner.plan_contact(context.get_db(), 1, NOW, PLACES, SETTINGS)
    assert again == 6 and db["outbox"].count == 6


def test_a_port_time_moves_the_hearing_day_message_and_can_change_its_kind(app, phone, db):
    register(phone)  # at the port at about 04:30: the evening before
    phone.text("puente a las 6:30")  # 12:30Z: a wake-up on the day, in the same row
    wake = outbox(db)[("wakeup", "pending")]
    assert (wake["kind"], wake["priority"]) == ("wakeup", 0)
    assert wake["send_at"] == "2026-03-09T11:00:00Z" and wake["expires_at"] == "2026-03-09T12:30:00Z"
    body = listed(app)[wake["id"]]["body"]
    assert "Puente Paso del Norte: 6:30 a.m. (hora de Ciudad Juarez)." in body
    assert body.startswith("Su audiencia es hoy")
    phone.text("puente a las 3:30")  # back before dawn: the evening before again
    evening = outbox(db)[("wakeup", "pending")]
    assert (evening["kind"], evening["send_at"], evening["expires_at"]) == (
        "evening",
        "2026-03-09T02:00:00Z",
        "2026-03-09T06:00:00Z",
    )
    body = listed(app)[evening["id"]]["body"]
    assert body.startswith("Su audiencia es mañana: lunes 9 de marzo, 8:30 a.m., corte de El Paso.")
    assert "Puente Paso del Norte: 3:30 a.m. (hora de Ciudad Juarez)." in body and "hoy" not in body
    assert db["outbox"].count == 6


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
    assert listed(app)[d7["id"]]["body"].startswith(
        "Your hearing is in 7 days: Monday March 9, 8:30 AM, El Paso court."
    )
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
            if kind in texts.ORDER and kind not in ("broadcast", "reply"):  # the SMS's sentences, from the catalogs
                assert text == texts.template_text(kind, lang), (lang, kind)
    assert {kind for kinds in raw.values() for kind in kinds} == set(texts.ORDER)


def test_court_only_person_gets_days_in_the_court_zone():
    """A person who gave a court and no city: days at 10:00 on the court's clock; the hearing-day
    message on the clock of the court's main port (El Chaparral, Tijuana: the same as San Diego's)."""
    hearing = Hearing(datetime(2026, 3, 9, 15, 30, tzinfo=UTC), "san_diego")  # 08:30 PDT
    item = planner.Planned(1, 1, hearing, "sms", "es")
    got = {r[4]: (r[3], r[6]) for r in planner.rows_for(item, NOW, PLACES, SETTINGS)}
    assert got["d7"] == ("reminder", "2026-03-02T18:00:00Z")  # 10:00 PST
    assert got["wakeup"] == ("evening", "2026-03-09T03:00:00Z")  # at the port 04:30: 20:00 PDT on the 8th
