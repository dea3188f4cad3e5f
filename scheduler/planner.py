"""A confirmed hearing -> reminder rows in the outbox: N days before at a civil hour, and the
hearing-day message: a wake-up before the time to be at the port, or, when that time is before
dawn on the port's clock, a message the evening before at a civil hour instead; then the follow-up
the day after the hearing ("did you go?") and, days later, the missed-hearing help, which an
answer cancels (bot/store/outcomes.record).

`slots()` is pure (times in, times out); `plan()` writes rows. Planning is idempotent: a row is
unique per (hearing, slot, hearing time), and planning again only refreshes rows still pending
(a new time at the port moves the wake-up, or turns it into the evening message and back: both
are the one "wakeup" slot), or with `revive` brings back cancelled ones (START).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.core.clock import iso, parse_iso, parse_utc
from bot.core.hearing import Hearing, act_zone, report_time
from bot.core.i18n import DEFAULT_LANG
from bot.core.places import Places
from bot.core.status import CALL_DAY_BEFORE, CALL_WAKEUP, Kind
from scheduler import texts

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "data" / "reminders.json"
WAKEUP, EVENING, REMINDER, FOLLOWUP, CALL = Kind.WAKEUP, Kind.EVENING, Kind.REMINDER, Kind.FOLLOWUP, Kind.CALL
HEARING_DAY = (WAKEUP, EVENING)  # the kinds of the one hearing-day slot
DAY_SLOT = "wakeup"  # its slot name, whichever kind it is (rows planned before the evening message have it)
# The calls of a person who asked for them (docs/voice.md): the day before with the last N-day reminder,
# and the hearing-day wake-up call before the time to be at the port, even before dawn: they asked for it.
VOICE = "voice"  # the channel of a call row
# hearing-day messages go before anything else due
PRIORITY: dict[str, int] = {WAKEUP: 0, EVENING: 0, REMINDER: 1, FOLLOWUP: 1, CALL: 1}
SLOT_PRIORITY = {CALL_WAKEUP: 0}  # the wake-up call goes with the hearing-day messages


@dataclass(frozen=True)
class Settings:
    """data/reminders.json: offsets and hours are configuration, not code."""

    days_before: tuple[int, ...] = (7, 3, 1)
    send_time: time = time(10, 0)
    civil_window: tuple[time, time] = (time(9, 0), time(20, 0))
    wakeup_before_port: timedelta = timedelta(minutes=90)
    evening_if_port_before: time = time(6, 0)  # a port time earlier than this, on the port's clock...
    evening_send_time: time = time(20, 0)  # ...gets its message the evening before, at this hour for the person
    max_send_attempts: int = 6
    retry_base_seconds: float = 30
    retry_cap_seconds: float = 900
    unreachable_retries: int = 2
    unreachable_retry_seconds: float = 1800
    followup_days_after: int = 1  # "did you go?", this many days after the hearing day, at send_time
    help_days_after: int = 3  # the missed-hearing help when no answer came by then (0: never)
    variants: tuple[tuple[str, float], ...] = ((texts.DEFAULT_VARIANT, 1.0),)  # wordings and their weights

    def __post_init__(self):
        start, end = self.civil_window
        if not start <= self.send_time < end:
            raise ValueError(f"send_time {self.send_time} is outside the civil window {start}-{end}")
        if any(n < 1 for n in self.days_before):
            raise ValueError("days_before must be whole days, 1 or more")
        if not start <= self.evening_send_time <= end:
            raise ValueError(f"evening_send_time {self.evening_send_time} is outside the civil window {start}-{end}")
        if self.followup_days_after < 1 or (self.help_days_after and self.help_days_after <= self.followup_days_after):
            raise ValueError("followup_days_after must be 1 or more, and help_days_after later (or 0)")
        unknown = {name for name, _ in self.variants} - set(texts.VARIANTS)
        if unknown or not any(weight > 0 for _, weight in self.variants) or any(w < 0 for _, w in self.variants):
            raise ValueError(f"variants must be some of {', '.join(texts.VARIANTS)} with weights >= 0, one above 0")

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.variants)


def _clock(raw: dict, key: str) -> time:
    """A time of day from the file, else the default above."""
    return time.fromisoformat(raw[key]) if key in raw else getattr(Settings, key)


@cache
def load_settings(path: str | None = None) -> Settings:
    raw = json.loads(Path(path or DEFAULT_SETTINGS).read_text())
    start, end = raw["civil_window"]
    return Settings(
        days_before=tuple(sorted({int(n) for n in raw["days_before"]}, reverse=True)),
        send_time=time.fromisoformat(raw["send_time"]),
        civil_window=(time.fromisoformat(start), time.fromisoformat(end)),
        wakeup_before_port=timedelta(minutes=raw["wakeup_minutes_before_port"]),
        evening_if_port_before=_clock(raw, "evening_if_port_before"),
        evening_send_time=_clock(raw, "evening_send_time"),
        variants=tuple((str(k), float(v)) for k, v in raw.get("variants", {texts.DEFAULT_VARIANT: 1}).items()),
        **{
            k: raw[k]
            for k in (
                "max_send_attempts",
                "retry_base_seconds",
                "retry_cap_seconds",
                "unreachable_retries",
                "unreachable_retry_seconds",
                "followup_days_after",
                "help_days_after",
            )
            if k in raw
        },
    )


@dataclass(frozen=True)
class Slot:
    slot: str  # "d7", "d3", "d1", "wakeup" (the hearing-day message: kind wakeup or evening), "followup",
    # "noanswer", and for a person who asked for calls "call_d1" and "call_wakeup"
    kind: str
    send_at: datetime  # UTC
    expires_at: datetime  # UTC: never sent after


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in a zone, as UTC (zoneinfo resolves DST gaps and folds)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=65_536)  # hearings come in batches: many people share a court, a day and an hour
def schedule(
    hearing_at: datetime,
    report_at: datetime,
    zone: ZoneInfo,
    settings: Settings,
    act: ZoneInfo | None = None,
    calls: bool = False,
) -> tuple[Slot, ...]:
    """Every reminder of a hearing for a person whose days are in `zone`, past or not; `act` is the
    clock of the port (the court's for an interior court; `zone` when not given).

    N days before: at send_time on that calendar day in the person's zone, expiring at the end of
    the civil window that day. The hearing-day message: when the time to be at the port is before
    evening_if_port_before on the port's clock, at evening_send_time the day before in the person's
    zone, expiring at their midnight (it says "tomorrow") or at the port time if sooner; then, for
    when that has passed unsent, the wake-up. Else the wake-up alone: wakeup_before_port before the
    time to be at the port, expiring then. `ahead` keeps one of the two.

    With `calls` (the person asked for them): a call with the last N-day reminder (the day before, in
    the civil window), and the wake-up call before the time to be at the port, whatever the hour.
    """
    found = []
    hearing_day = hearing_at.astimezone(zone).date()
    for n in settings.days_before:
        day = hearing_day - timedelta(days=n)
        found.append(
            Slot(f"d{n}", REMINDER, _at(day, settings.send_time, zone), _at(day, settings.civil_window[1], zone))
        )
    at_port = report_at.astimezone(act or zone)
    if at_port.time() < settings.evening_if_port_before:
        eve = at_port.date() - timedelta(days=1)
        evening = _at(eve, settings.evening_send_time, zone)
        until = min(_at(eve + timedelta(days=1), time(0), zone), report_at)
        if evening < until:
            found.append(Slot(DAY_SLOT, EVENING, evening, until))
    found.append(Slot(DAY_SLOT, WAKEUP, report_at - settings.wakeup_before_port, report_at))
    if calls:
        last = hearing_day - timedelta(days=min(settings.days_before))
        end = _at(last, settings.civil_window[1], zone)
        found.append(Slot(CALL_DAY_BEFORE, CALL, _at(last, settings.send_time, zone), end))
        found.append(Slot(CALL_WAKEUP, CALL, report_at - settings.wakeup_before_port, report_at))
    after = [(texts.FOLLOWUP_SLOT, settings.followup_days_after), (texts.HELP_SLOT, settings.help_days_after)]
    for slot, days in after:
        if days:
            day = hearing_day + timedelta(days=days)
            found.append(
                Slot(slot, FOLLOWUP, _at(day, settings.send_time, zone), _at(day, settings.civil_window[1], zone))
            )
    return tuple(found)


def ahead(planned: tuple[Slot, ...], now: datetime) -> list[Slot]:
    """The slots still to come: N-days reminders once past are skipped. The hearing-day message is
    the first of its candidates not yet expired (the evening one, else the wake-up); one whose
    moment has passed goes now, and so does the wake-up call."""
    kept, taken = [], set()
    for s in planned:
        if s.kind in HEARING_DAY or s.slot == CALL_WAKEUP:
            if s.slot not in taken and s.expires_at > now:
                taken.add(s.slot)
                kept.append(s if s.send_at > now else replace(s, send_at=now))
        elif s.send_at > now:
            kept.append(s)
    return kept


def slots(
    hearing_at: datetime,
    report_at: datetime,
    zone: ZoneInfo,
    now: datetime,
    settings: Settings,
    act: ZoneInfo | None = None,
    calls: bool = False,
) -> list[Slot]:
    """The reminders still ahead for a hearing (see `schedule` and `ahead`)."""
    return ahead(schedule(hearing_at, report_at, zone, settings, act, calls), now)


@dataclass(frozen=True)
class Planned:
    """A hearing with what planning needs from its contact."""

    hearing_id: int
    contact_id: int
    hearing: Hearing
    channel: str
    lang: str
    calls: bool = False  # they asked for reminder calls too


# Reminder rows carry no text and no number: the dispatcher writes both from the hearing and the
# contact when it sends, so a new language or port time needs no rewrite and planning stays light.
_UPSERT = (
    "INSERT INTO outbox (contact_id, hearing_id, channel, kind, slot, lang, send_at, expires_at, hearing_at, "
    "priority, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
    "ON CONFLICT (hearing_id, slot, hearing_at) DO UPDATE SET kind = excluded.kind, send_at = excluded.send_at, "
    "expires_at = excluded.expires_at, priority = excluded.priority, lang = excluded.lang, status = 'pending', "
    "reason = NULL, "
    "updated_at = excluded.updated_at "
    "WHERE outbox.status = 'pending' OR (? AND outbox.status = 'cancelled' AND outbox.reason IS NOT 'answered')"
)


def rows_for(item: Planned, now: datetime, places: Places, settings: Settings, revive: bool = False) -> list[tuple]:
    """The outbox rows (as _UPSERT parameters) of one hearing."""
    hearing = item.hearing
    city = places.city(hearing.city)
    zone = city.zone if city else places.known_court(hearing.court).zone
    stamp, hearing_at = iso(now), iso(hearing.at)
    return [
        (
            item.contact_id,
            item.hearing_id,
            VOICE if s.kind == CALL else item.channel,
            s.kind,
            s.slot,
            item.lang,
            _iso(s.send_at),
            _iso(s.expires_at),
            hearing_at,
            SLOT_PRIORITY.get(s.slot, PRIORITY[s.kind]),
            stamp,
            stamp,
            revive,
        )
        for s in slots(
            hearing.at, report_time(hearing, places), zone, now, settings, act_zone(hearing, places), item.calls
        )
    ]


_iso = lru_cache(maxsize=65_536)(iso)  # the same few instants, formatted once


def plan_many(
    db: Database, items: Iterable[Planned], now: datetime, places: Places, settings: Settings, revive: bool = False
) -> int:
    """Write the reminders of many hearings in one transaction; returns how many rows were written."""
    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of small tuples would trigger full collections again and again
    try:
        params = [row for item in items for row in rows_for(item, now, places, settings, revive)]
    finally:
        if collecting:
            gc.enable()
    with db.atomic():  # a savepoint when called inside a person's turn
        db.conn.executemany(_UPSERT, params)
    return len(params)


_ACTIVE = (
    "SELECT h.id AS hearing_id, h.contact_id, h.hearing_at, h.court, h.city, h.report_at, c.channel, c.lang, "
    "c.calls_at IS NOT NULL "
    "FROM hearings h JOIN contacts c ON c.id = h.contact_id "
    "WHERE h.status = 'active' AND c.opted_out_at IS NULL AND c.unreachable_at IS NULL"
)


def active(db: Database, where: str = "", params: Iterable = ()) -> list[Planned]:
    """Active hearings of people who can be reached, ready to plan."""
    cursor = db.execute(f"{_ACTIVE} {where}", list(params))
    return [
        Planned(
            r[0], r[1], Hearing(parse_utc(r[2]), r[3], r[4], parse_iso(r[5])), r[6], r[7] or DEFAULT_LANG, bool(r[8])
        )
        for r in cursor.fetchall()
    ]


def hearings(db: Database, ids: Iterable[int]) -> dict[int, Hearing]:
    """Hearings by id, as the dispatcher needs them to write a reminder."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    cursor = db.execute(f"SELECT id, hearing_at, court, city, report_at FROM hearings WHERE id IN ({marks})", ids)
    return {r[0]: Hearing(parse_utc(r[1]), r[2], r[3], parse_iso(r[4])) for r in cursor.fetchall()}


def plan_contact(
    db: Database, contact_id: int, now: datetime, places: Places, settings: Settings, revive: bool = False
) -> int:
    """(Re)plan the active hearing of one person: after YES, a new port time, a language, START."""
    return plan_many(db, active(db, "AND h.contact_id = ?", [contact_id]), now, places, settings, revive)
