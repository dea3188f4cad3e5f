"""A confirmed hearing -> reminder rows in the outbox: N days before at a civil hour, and a wake-up.

`slots()` is pure (times in, times out); `plan()` writes rows. Planning is idempotent: a row is
unique per (hearing, slot, hearing time), and planning again only refreshes rows still pending
(a new time at the port moves the wake-up), or with `revive` brings back cancelled ones (START).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.hearing import Hearing
from bot.i18n import DEFAULT_LANG
from bot.places import Places
from bot.storage import iso, parse_iso
from scheduler import texts

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "data" / "reminders.json"
WAKEUP, REMINDER = "wakeup", "reminder"
PRIORITY = {WAKEUP: 0, REMINDER: 1}  # hearing-day messages go before anything else due


@dataclass(frozen=True)
class Settings:
    """data/reminders.json: offsets and hours are configuration, not code."""

    days_before: tuple[int, ...] = (7, 3, 1)
    send_time: time = time(10, 0)
    civil_window: tuple[time, time] = (time(9, 0), time(20, 0))
    wakeup_before_port: timedelta = timedelta(minutes=90)
    max_send_attempts: int = 6
    retry_base_seconds: float = 30
    retry_cap_seconds: float = 900
    unreachable_retries: int = 2
    unreachable_retry_seconds: float = 1800

    def __post_init__(self):
        start, end = self.civil_window
        if not start <= self.send_time < end:
            raise ValueError(f"send_time {self.send_time} is outside the civil window {start}-{end}")
        if any(n < 1 for n in self.days_before):
            raise ValueError("days_before must be whole days, 1 or more")


@cache
def load_settings(path: str | None = None) -> Settings:
    raw = json.loads(Path(path or DEFAULT_SETTINGS).read_text())
    start, end = raw["civil_window"]
    return Settings(
        days_before=tuple(sorted({int(n) for n in raw["days_before"]}, reverse=True)),
        send_time=time.fromisoformat(raw["send_time"]),
        civil_window=(time.fromisoformat(start), time.fromisoformat(end)),
        wakeup_before_port=timedelta(minutes=raw["wakeup_minutes_before_port"]),
        **{k: raw[k] for k in ("max_send_attempts", "retry_base_seconds", "retry_cap_seconds",
                               "unreachable_retries", "unreachable_retry_seconds") if k in raw},
    )  # fmt: skip


@dataclass(frozen=True)
class Slot:
    slot: str  # "d7", "d3", "d1", "wakeup"
    kind: str
    send_at: datetime  # UTC
    expires_at: datetime  # UTC: never sent after


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time on a day in a zone, as UTC (zoneinfo resolves DST gaps and folds)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def slots(hearing_at: datetime, report_at: datetime, zone: ZoneInfo, now: datetime, settings: Settings) -> list[Slot]:
    """The reminders still ahead for a hearing, for a person whose days are in `zone`.

    N days before: at send_time on that calendar day in the person's zone, expiring at the end of
    the civil window that day; skipped once past. The wake-up: wakeup_before_port before the time
    to be at the port, expiring then; if that moment has passed but the port time has not, now.
    """
    found = []
    hearing_day = hearing_at.astimezone(zone).date()
    for n in settings.days_before:
        day = hearing_day - timedelta(days=n)
        send_at = _at(day, settings.send_time, zone)
        if send_at > now:
            found.append(Slot(f"d{n}", REMINDER, send_at, _at(day, settings.civil_window[1], zone)))
    if report_at > now:
        found.append(Slot(WAKEUP, WAKEUP, max(report_at - settings.wakeup_before_port, now), report_at))
    return found


def report_time(hearing: Hearing, places: Places) -> datetime:
    """When to be at the port: the person's own time, else the court's usual reporting lead."""
    if hearing.report_at:
        return hearing.report_at
    return hearing.at - timedelta(hours=places.court(hearing.court).reporting_lead_hours)


@dataclass(frozen=True)
class Planned:
    """A hearing with what planning needs from its contact."""

    hearing_id: int
    contact_id: int
    hearing: Hearing
    channel: str
    to_enc: str
    lang: str


_UPSERT = (
    "INSERT INTO outbox (contact_id, hearing_id, channel, to_enc, kind, slot, lang, body, template_vars, "
    "send_at, expires_at, hearing_at, priority, status, attempts, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
    "ON CONFLICT (hearing_id, slot, hearing_at) DO UPDATE SET body = excluded.body, "
    "template_vars = excluded.template_vars, send_at = excluded.send_at, expires_at = excluded.expires_at, "
    "lang = excluded.lang, status = 'pending', updated_at = excluded.updated_at "
    "WHERE outbox.status = 'pending' OR (? AND outbox.status = 'cancelled')"
)


def rows_for(item: Planned, now: datetime, places: Places, settings: Settings, revive: bool = False) -> list[list]:
    """The outbox rows (as _UPSERT parameters) of one hearing."""
    hearing = item.hearing
    city, court = places.city(hearing.city), places.court(hearing.court)
    zone = city.zone if city else court.zone
    report_at = report_time(hearing, places)
    stamp = iso(now)
    out = []
    for s in slots(hearing.at, report_at, zone, now, settings):
        body, variables = texts.render(s.kind, hearing, report_at, item.lang, places)
        out.append([
            item.contact_id, item.hearing_id, item.channel, item.to_enc, s.kind, s.slot, item.lang, body,
            json.dumps(variables, ensure_ascii=False), iso(s.send_at), iso(s.expires_at), iso(hearing.at),
            PRIORITY[s.kind], stamp, stamp, int(revive),
        ])  # fmt: skip
    return out


def plan_many(db: Database, items: Iterable[Planned], now: datetime, places: Places, settings: Settings,
              revive: bool = False) -> int:  # fmt: skip
    """Write the reminders of many hearings in one transaction; returns how many rows were written."""
    written = 0
    with db.atomic():
        for item in items:
            params = rows_for(item, now, places, settings, revive)
            db.conn.executemany(_UPSERT, params)
            written += len(params)
    return written


_ACTIVE = (
    "SELECT h.id AS hearing_id, h.contact_id, h.hearing_at, h.court, h.city, h.report_at, "
    "c.channel, c.phone_enc, c.lang FROM hearings h JOIN contacts c ON c.id = h.contact_id "
    "WHERE h.status = 'active' AND c.opted_out_at IS NULL AND c.unreachable_at IS NULL"
)


def active(db: Database, where: str = "", params: Iterable = ()) -> list[Planned]:
    """Active hearings of people who can be reached, ready to plan."""
    cursor = db.execute(f"{_ACTIVE} {where}", list(params))
    return [
        Planned(r[0], r[1], Hearing(parse_iso(r[2]), r[3], r[4], parse_iso(r[5])), r[6], r[7], r[8] or DEFAULT_LANG)
        for r in cursor.fetchall()
    ]


def plan_contact(db: Database, contact_id: int, now: datetime, places: Places, settings: Settings,
                 revive: bool = False) -> int:  # fmt: skip
    """(Re)plan the active hearing of one person: after YES, a new port time, a language, START."""
    return plan_many(db, active(db, "AND h.contact_id = ?", [contact_id]), now, places, settings, revive)


def cancel_hearing(db: Database, hearing_id: int, now: datetime) -> int:
    """A replaced hearing's pending reminders are cancelled (a CHANGE of date)."""
    return db.execute(
        "UPDATE outbox SET status = 'cancelled', updated_at = ? WHERE hearing_id = ? AND status = 'pending'",
        [iso(now), hearing_id],
    ).rowcount
