"""A hearing, and how it is said: each time on the clock of the place where it happens, named.

The clocks rule (docs/reminders.md#the-clocks): the time to be at the port is said first on the
clock of the port's city (where the person acts) and names it, "3:30 a.m. (hora de Nogales)"; the
court's clock follows in brackets only when it differs at that moment, "[4:30 a.m. hora de El
Paso]". The hearing time is the court's, and names the court's clock when the person's own differs
that day (their city's; with no city, the city of the port they report at; with neither, it is
named). A time to be at the port that the person never gave (computed from the court's
reporting_lead_hours) is said as "about". An interior court (no ports) has no port line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.i18n import clock, elide, long_date, translator
from bot.core.places import Places

EOIR_HOTLINE = "1-800-898-7180"  # EOIR's automated case line, 24/7, English and Spanish; asks for the A-number
EOIR_HOTLINE_MX = "001-800-898-7180"  # the same line dialled from a Mexican phone (00 international, 1 the US)
PORT_WINDOW_HOURS = 12  # a time to be at the port is before the hearing, and not by more than this


@dataclass(frozen=True)
class Hearing:
    """A confirmed hearing: the UTC instant, where (court key, and city key if known), and the
    UTC instant to be at the port when the person's paper gives one."""

    at: datetime
    court: str
    city: str | None = None
    report_at: datetime | None = None


def _same_clock(moment: datetime, a: ZoneInfo, b: ZoneInfo) -> bool:
    return moment.astimezone(a).utcoffset() == moment.astimezone(b).utcoffset()


def person_zone(hearing: Hearing, places: Places) -> ZoneInfo | None:
    """The person's own clock: their city's; with no city, that of the port they report at; else unknown."""
    city = places.city(hearing.city)
    if city is not None:
        return city.zone
    port = places.port_for(hearing.city, hearing.court)
    return places.zone_of_port(port) if port else None


def act_zone(hearing: Hearing, places: Places) -> ZoneInfo:
    """The clock of the place where the person acts on the hearing day: the port's city, or the
    court's for an interior court."""
    port = places.port_for(hearing.city, hearing.court)
    return places.zone_of_port(port) if port else places.known_court(hearing.court).zone


def named(moment: datetime, zone: ZoneInfo, place: str, lang: str) -> str:
    """'3:30 a.m. (hora de Nogales)': a time on a place's clock, naming it."""
    _ = translator(lang)
    said = _("{time} ({place} time)").format(time=clock(moment.astimezone(zone).time(), lang), place=place)
    return elide(said, lang)


def hearing_time(hearing: Hearing, lang: str, places: Places) -> str:
    """The hearing's time on the court's clock: '8:30 a.m.', or '8:30 a.m. (hora de El Paso)' when
    the person's clock differs from the court's that day (or is not known)."""
    court = places.known_court(hearing.court)
    mine = person_zone(hearing, places)
    if mine is not None and _same_clock(hearing.at, mine, court.zone):
        return clock(hearing.at.astimezone(court.zone).time(), lang)
    return named(hearing.at, court.zone, court.name, lang)


def port_line(hearing: Hearing, lang: str, places: Places) -> str | None:
    """'be at Garita DeConcini at 3:30 AM (Nogales time) [4:30 AM El Paso time]', in `lang`.

    The port's city's clock first and named; the court's second, in brackets, only when it differs
    then; 'at about' when the time is the court's usual lead, not the person's. None for an interior
    court. Lower case: it follows 'Saved: ', or starts a sentence capitalised (`port_sentence`)."""
    port = places.port_for(hearing.city, hearing.court)
    if port is None:
        return None
    _ = translator(lang)
    court, zone = places.known_court(hearing.court), places.zone_of_port(port)
    city = places.city(port.city)
    assert city is not None, "a port's city is checked at load"
    at = report_time(hearing, places)
    when = named(at, zone, city.name, lang)
    if not _same_clock(at, zone, court.zone):
        when += " " + _("[{time} {place} time]").format(
            time=clock(at.astimezone(court.zone).time(), lang), place=court.name
        )
    line = _("be at {port} at {time}") if hearing.report_at else _("be at {port} at about {time}")
    return elide(line.format(port=port.name, time=when), lang)


def port_sentence(hearing: Hearing, lang: str, places: Places) -> str | None:
    """The port line as a sentence of its own: 'Be at Garita DeConcini at 3:30 AM (Nogales time).'"""
    line = port_line(hearing, lang, places)
    return f"{line[:1].upper()}{line[1:]}." if line else None


def describe(hearing: Hearing, lang: str, places: Places) -> str:
    """'miércoles, 14 de julio de 2027, 8:30 a.m. (hora de El Paso), corte de El Paso', in the
    person's language. The port line is a sentence of its own (`port_sentence`): beside this one it
    would not fit in two UCS-2 segments."""
    _ = translator(lang)
    court = places.known_court(hearing.court)
    local = hearing.at.astimezone(court.zone)
    text = _("{date}, {time}, {court} court").format(
        date=long_date(local.date(), lang), time=hearing_time(hearing, lang, places), court=court.name
    )
    return elide(text, lang)


def report_time(hearing: Hearing, places: Places) -> datetime:
    """When to be at the port: the person's own time, else the court's usual reporting lead."""
    if hearing.report_at:
        return hearing.report_at
    return hearing.at - timedelta(hours=places.known_court(hearing.court).reporting_lead_hours)


def port_instant(hearing: Hearing, at: time, places: Places) -> datetime | None:
    """The UTC instant of a port time on the hearing's day (court zone), if it comes before the hearing."""
    zone = places.known_court(hearing.court).zone
    local = datetime.combine(hearing.at.astimezone(zone).date(), at).replace(tzinfo=zone).astimezone(UTC)
    if hearing.at - timedelta(hours=PORT_WINDOW_HOURS) <= local < hearing.at:
        return local
    return None


def missed_help(lang: str) -> str:
    """What to do after a missed hearing, without legal advice: learn what the judge decided (the EOIR
    line, from the US and from a Mexican phone), and where legal help is."""
    _ = translator(lang)
    return _(
        "Call {hotline} (from Mexico {hotline_mx}), in English or Spanish with your A-number, to learn what "
        "the judge decided. For free legal help near you, reply LEGAL."
    ).format(hotline=EOIR_HOTLINE, hotline_mx=EOIR_HOTLINE_MX)
