"""A hearing, and how it is said: in the court's clock, and the person's city's when it differs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core.i18n import clock, long_date, translator
from bot.core.places import Places

EOIR_HOTLINE = "1-800-898-7180"  # EOIR's automated case line, 24/7, English and Spanish
PORT_WINDOW_HOURS = 12  # a time to be at the port is before the hearing, and not by more than this


@dataclass(frozen=True)
class Hearing:
    """A confirmed hearing: the UTC instant, where (court key, and city key if known), and the
    UTC instant to be at the port when the person's paper gives one."""

    at: datetime
    court: str
    city: str | None = None
    report_at: datetime | None = None


def describe(hearing: Hearing, lang: str, places: Places) -> str:
    """A hearing in the person's language, in the court's local time (and the city's, if it differs)."""
    _ = translator(lang)
    court = places.known_court(hearing.court)
    local = hearing.at.astimezone(court.zone)
    text = _("{date}, {time}, {court} court").format(
        date=long_date(local.date(), lang), time=clock(local.time(), lang), court=court.name
    )
    text += both_clocks(hearing.at, hearing, lang, places)
    if hearing.report_at:
        text += "; " + port_phrase(hearing, lang, places)
    return text


def both_clocks(moment: datetime, hearing: Hearing, lang: str, places: Places) -> str:
    """' (7:30 a.m. in Nogales)' when the person's city keeps another clock than the court then."""
    _ = translator(lang)
    city = places.city(hearing.city)
    if city is None:
        return ""
    court = places.known_court(hearing.court)
    if moment.astimezone(city.zone).utcoffset() != moment.astimezone(court.zone).utcoffset():
        return " " + _("({time} in {city})").format(
            time=clock(moment.astimezone(city.zone).time(), lang), city=city.name
        )
    return ""


def port_phrase(hearing: Hearing, lang: str, places: Places) -> str:
    """'be at the port of entry at 4:30 a.m.', in the court's clock (and the city's, if it differs)."""
    _ = translator(lang)
    report_at = hearing.report_at
    assert report_at is not None, "only a hearing with a time to be at the port has a port phrase"
    local = report_at.astimezone(places.known_court(hearing.court).zone)
    return _("be at the port of entry at {time}").format(time=clock(local.time(), lang)) + both_clocks(
        report_at, hearing, lang, places
    )


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
