"""APScheduler wiring: an interval job that drains the outbox. Rows are the truth, not jobs.

Never started from create_app: every gunicorn worker (and the reloader) would run its own copy.
Several scheduler processes may run: only the holder of the lease row sends (scheduler/lease.py).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.core import clock, voice
from bot.core.phones import PhoneVault
from bot.core.places import Places
from bot.store import db as storage
from scheduler import lease, metrics, outbox, whatsapp
from scheduler import transport as transports
from scheduler.dispatcher import Dispatcher
from scheduler.planner import Settings
from scheduler.ratelimit import TokenBucket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    """What a scheduler needs, handed to it (never a Flask app): the settings (a mapping that tests
    may change as they go, e.g. NOW), the phone vault, the places and the reminder settings."""

    config: Mapping
    vault: PhoneVault
    places: Places
    reminders: Settings


@dataclass
class Runner:
    """One scheduler process: its transport, rate limit and claim on the lease.

    `stop()` is the graceful end (SIGTERM, Ctrl-C): no new claim, the request in flight finishes and
    is recorded, every other claimed row goes back to pending, and only then is the lease given back,
    so a standby that takes over finds nothing half-sent and nobody gets a message twice.
    """

    deps: Deps
    transport: transports.Transport | None = None  # None: the config's (see __post_init__)
    holder: str = field(default_factory=lease.new_holder)
    bucket: TokenBucket | None = None  # None: one at the config's SEND_RATE
    stopping: threading.Event = field(default_factory=threading.Event)
    _running: threading.Lock = field(default_factory=threading.Lock)
    recorder: metrics.Recorder | None = None  # each run's duration, for /metrics (when it is on)

    def __post_init__(self):
        config = self.deps.config
        self.transport = self.transport or transports.for_config(config)
        self.bucket = self.bucket or TokenBucket(config["SEND_RATE"])
        self.recorder = self.recorder or metrics.recorder(config)

    def now(self):
        return clock.now(self.deps.config)

    @contextmanager
    def _connection(self) -> Iterator:
        """Its own connection for each run (a Database belongs to one thread)."""
        db = storage.connect(self.deps.config["DATABASE"])
        try:
            yield db
        finally:
            db.close()

    def _leased(self, db) -> bool:
        """Take or renew the lease: only its holder sends or purges."""
        return lease.acquire(db, self.holder, self.now(), timedelta(seconds=self.deps.config["LEASE_SECONDS"]))

    def tick(self) -> dict:
        """One dispatcher run; a broken database (full disk, read-only) is logged, never a crash loop."""
        with self._running:
            if self.stopping.is_set():
                return {"stopped": True}
            started = time.perf_counter()
            try:
                return self._tick()
            except sqlite3.DatabaseError as error:
                log.error("dispatch: the database cannot be used (%s): nothing sent this time", error)
                return {"error": str(error)}
            finally:
                if self.recorder is not None:
                    self.recorder.tick_seconds(time.perf_counter() - started)

    def _tick(self) -> dict:
        config = self.deps.config
        ttl = timedelta(seconds=config["LEASE_SECONDS"])
        with self._connection() as db:
            if not self._leased(db):
                return {"idle": True, "lease_holder": lease.holder_of(db)}
            # Every tick: rows a dead holder (or a crash of ours) left in 'sending' are due again.
            if recovered := outbox.recover(db, self.now(), ttl):
                log.warning("dispatch: %d message(s) left sending are due again", recovered)
            base = config["PUBLIC_URL"]
            assert self.transport is not None and self.bucket is not None  # (set by __post_init__)
            dispatcher = Dispatcher(
                db=db,
                transport=self.transport,
                vault=self.deps.vault,
                settings=self.deps.reminders,
                places=self.deps.places,
                templates=whatsapp.templates(config["WHATSAPP_TEMPLATES_FILE"]),
                callback_url=f"{base.rstrip('/')}/twilio/status" if base else None,
                public_url=base or None,
                voices=voice.voices_of(config),
                bucket=self.bucket,
                clock=self.now,
                holder=self.holder,
                lease_ttl=ttl,
                stopping=self.stopping,
            )
            counts = dispatcher.run_once()
        if any(counts.values()):
            log.info("dispatch: %s", counts)
        return counts

    def purge(self) -> dict:
        """The daily retention run (bot/retention.py), by the lease holder only."""
        from bot.store import retention

        try:
            with self._connection() as db:
                if not self._leased(db):
                    return {"idle": True}
                counts = retention.purge(db, self.now(), retention.from_config(self.deps.config))
        except sqlite3.DatabaseError as error:
            log.error("purge: the database cannot be used (%s)", error)
            return {"error": str(error)}
        log.info("purge: %s", counts)
        return counts

    def release(self) -> None:
        with self._connection() as db:
            lease.release(db, self.holder)

    def stop(self) -> None:
        """Graceful end: the run under way finishes its request in flight and gives the rest back;
        then the lease is released. Safe to call from any thread, more than once."""
        self.stopping.set()
        with self._running:  # waits for the tick under way, if any
            self.release()


def build(deps: Deps, runner: Runner | None = None):
    """A scheduler with one interval job: max_instances=1 and coalesce, so ticks never pile up."""
    scheduler = BackgroundScheduler()
    runner = runner or Runner(deps)
    scheduler.add_job(
        runner.tick,
        "interval",
        seconds=deps.config["DISPATCH_INTERVAL_SECONDS"],
        id="dispatch",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    # Retention once a day, at a quiet hour on the border (03:30 UTC is evening there).
    scheduler.add_job(
        runner.purge, "cron", hour=3, minute=30, id="purge", max_instances=1, coalesce=True, replace_existing=True
    )
    scheduler.hearingbot_runner = runner
    return scheduler


def stop_gracefully(scheduler) -> None:
    """End a scheduler built here: no new tick, the run under way finishes, then the lease is released."""
    runner = scheduler.hearingbot_runner
    runner.stopping.set()  # the run under way stops after its request in flight
    scheduler.shutdown(wait=True)  # waits for that run (and a purge under way)
    runner.stop()
