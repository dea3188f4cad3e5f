"""How the console shows times, codes and languages: one place every page uses (Jinja globals).

Times: a stored UTC instant is shown on a named clock, in the staff member's language, never as
ISO: a message to a person on their city's clock, a hearing on its court's, everything else
(audit, message log, broadcasts) on the console's own, HEARINGBOT_CONSOLE_ZONE:
'mar 9 de mar, 10:00 a.m. (hora de Tijuana)'. Codes (statuses, kinds, roles, conversation states,
audit actions) are shown by their names, msgids kept beside each vocabulary; languages by their
own names (Español, Kreyòl).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import current_app

from bot.core.clock import parse_iso
from bot.core.conversation import STATE_NAMES
from bot.core.i18n import N_, NATIVE_NAMES, clock, short_date
from bot.core.outcomes import CODE_NAMES, NONE, Rate, key_name, percent
from bot.core.services import KIND_NAMES as SERVICE_KINDS
from bot.core.status import KIND_NAMES, STATUS_NAMES
from bot.store import audit, broadcasts, staff
from bot.web import context
from bot.web.console import auth

_ = auth.gettext
NOTHING = "—"


SERVES_NAMES = {
    "families": N_("families"),
    "women": N_("women"),
    "children": N_("children"),
    "men": N_("men"),
    "lgbtq": N_("LGBTQ+"),
}
CHANNELS = {"sms": "SMS", "whatsapp": "WhatsApp"}  # brand names: the same in every language
NAMES = {
    "status": STATUS_NAMES,
    "kind": KIND_NAMES,
    "role": staff.ROLE_NAMES,
    "state": STATE_NAMES,
    "broadcast": broadcasts.STATUS_NAMES,
    "action": audit.ACTION_NAMES,
    "detail": audit.DETAIL_NAMES,
    "serves": SERVES_NAMES,
    "service": SERVICE_KINDS,
    "outcome": {**CODE_NAMES, NONE: N_("Nothing yet")},
}


class Place(Protocol):
    """A city or a court: what a clock is named after."""

    name: str
    zone: ZoneInfo


class _Clock:
    def __init__(self, zone: ZoneInfo, name: str) -> None:
        self.zone, self.name = zone, name


def console_clock() -> Place:
    """HEARINGBOT_CONSOLE_ZONE, named after its city ('Tijuana') or the zone itself."""
    zone = ZoneInfo(current_app.config["CONSOLE_ZONE"])
    return _Clock(zone, context.places().clock_name(zone))


def local(moment: str | datetime | None, where: Place | None = None) -> str:
    """A UTC instant on `where`'s clock (a city, a court; None: the console's), its clock named.

    The year is written only when it is not this year on that clock."""
    at = parse_iso(moment) if isinstance(moment, str) else moment
    if at is None:
        return NOTHING
    place = where if where is not None else console_clock()
    here = at.astimezone(place.zone)
    lang = auth.lang()
    this_year = context.now().astimezone(place.zone).year
    stamp = f"{short_date(here.date(), lang, year=here.year != this_year)}, {clock(here.time(), lang)}"
    return _("{time} ({place} time)").format(time=stamp, place=place.name)


def day(value: date | str | None) -> str:
    """A calendar day (a shelter checked, a hearing window's end), with its year."""
    if not value:
        return NOTHING
    found = date.fromisoformat(value) if isinstance(value, str) else value
    return short_date(found, auth.lang(), year=True)


def age(days: int | None) -> str:
    """How long ago an entry was checked: 'today', '3 days ago', or 'never'."""
    if days is None:
        return auth.gettext("never")
    if days <= 0:
        return auth.gettext("today")
    return auth.ngettext("{n} day ago", "{n} days ago", days).format(n=days)


def label(group: str, code: str | None) -> str:
    """A code's name in the member's language (status, kind, role, state, broadcast, action, detail,
    serves, outcome); a code with no name is shown as it is."""
    if code is None or code == "":
        return NOTHING
    name = NAMES[group].get(code)
    return _(name) if name else str(code)


def lang_name(code: str | None) -> str:
    """A language by its own name: 'Español', 'Kreyòl'."""
    return NATIVE_NAMES.get(code or "", code or NOTHING)


def group_name(by: str, key: str | None) -> str:
    """An outcome report's group by its name: a city, a court, a language's own name, a variant."""
    return key_name(by, key, context.places()) or NOTHING


def rate(shown: Rate) -> str:
    """'80% (49–94%) · 8/10': a rate, its 95% interval and what it counts; '—' when it counts nothing."""
    return f"{percent(shown, auth.lang())} · {shown.k}/{shown.n}" if shown.n else NOTHING


def channel(code: str | None) -> str:
    return CHANNELS.get(code or "", code or "")


def target(filters: dict) -> str:
    """A broadcast's target in words: 'Ciudad Juárez · Español · El Paso court', or 'everyone'."""
    places = context.places()
    parts = []
    if filters.get("city"):
        city = places.city(filters["city"])
        parts.append(city.name if city else filters["city"])
    if filters.get("lang"):
        parts.append(lang_name(filters["lang"]))
    if filters.get("court"):
        court = places.court(filters["court"])
        parts.append(_("{court} court").format(court=court.name if court else filters["court"]))
    if filters.get("hearing_from") or filters.get("hearing_to"):
        first, second = filters.get("hearing_from"), filters.get("hearing_to")
        parts.append(
            _("hearings from {first} to {second}").format(
                first=day(first) if first else "…", second=day(second) if second else "…"
            )
        )
    return " · ".join(parts) or _("everyone")


def value(shown: object) -> str:
    """An audit detail's value in words: times on the console's clock, yes/no as ✓/✗, lists joined."""
    if shown is None or shown == "":
        return NOTHING
    if isinstance(shown, bool):
        return "✓" if shown else "✗"
    if isinstance(shown, list | tuple):
        return ", ".join(value(v) for v in shown) or NOTHING
    if isinstance(shown, dict):
        return "; ".join(f"{lang_name(k) if k in NATIVE_NAMES else k}: {value(v)}" for k, v in shown.items())
    if isinstance(shown, str) and len(shown) == 20 and shown.endswith("Z") and shown[10:11] == "T":
        try:
            return local(shown)
        except ValueError:
            return shown
    return str(shown)


def details(found: dict) -> list[tuple[str, str]]:
    """An audit entry's details as (name, value) pairs, empty ones left out."""
    return [(label("detail", key), _detail(key, v)) for key, v in found.items() if v not in (None, "", [], {})]


def _detail(key: str, given: object) -> str:
    if key == "role":
        return label("role", str(given))
    if key in ("fallback", "lang"):
        return lang_name(str(given))
    if key == "city" and isinstance(given, str) and context.places().city(given):
        return context.places().city(given).name
    return value(given)


GLOBALS = {
    "local": local,
    "day": day,
    "age": age,
    "label": label,
    "lang_name": lang_name,
    "group_name": group_name,
    "rate": rate,
    "channel": channel,
    "target": target,
    "details": details,
    "value": value,
    "console_clock": console_clock,
}
