"""Per-request resources for Flask: one SQLite connection per request, given back at teardown."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from datetime import datetime

from flask import Flask, current_app, g
from sqlite_utils import Database

from bot.core import clock
from bot.core.phones import PhoneVault
from bot.core.places import Places
from bot.core.voice import Voices, voices_of
from bot.store import db as storage
from scheduler.metrics import Recorder
from scheduler.planner import Settings


def get_db() -> Database:
    """This request's connection (one per request, given back at teardown: see Pool)."""
    if "db" not in g:
        app = current_app._get_current_object()
        _keep_anchor(app)  # the app itself: the anchor lives as long as it
        g.db = _pool(app).take()
    return g.db


class Pool:
    """Idle connections to one database, reused by the requests that follow (any thread, one at a time).

    Opening a connection and reading the schema on its first statement cost about 0.2 ms, and a new
    connection starts with an empty page cache: a message through the webhook took 1.4 ms in process
    with a connection of its own and 0.87 ms with one reused (bench/webhook.py, docs/benchmarks.md).
    A connection comes back with no transaction open (a request that failed inside one has it rolled
    back here; one that cannot be rolled back is closed), so each request still starts clean.
    """

    KEEP = 8  # idle connections at most (a sync gunicorn worker needs one; `serve` is threaded)

    def __init__(self, path: str):
        self.path = path
        self.idle: list[Database] = []
        self.lock = threading.Lock()
        # When the app (and so its pool) goes, its idle connections are closed, not left to the
        # garbage collector (Python 3.13 warns about an unclosed sqlite3 connection).
        weakref.finalize(self, _close_all, self.idle)

    def take(self) -> Database:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        # any_thread: given back by one request's thread, taken by another's, never used by two at once
        return storage.connect(self.path, any_thread=True)

    def give(self, db: Database) -> None:
        try:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
        except sqlite3.Error:
            db.close()
            return
        with self.lock:
            if len(self.idle) < self.KEEP:
                self.idle.append(db)
                return
        db.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for db in idle:
            db.close()


def _close_all(idle: list[Database]) -> None:
    while idle:
        idle.pop().close()


def _pool(app: Flask) -> Pool:
    path = str(app.config["DATABASE"])
    pools = app.extensions.setdefault("hearingbot.pools", {})
    if path not in pools:
        with _anchor_lock:
            if path not in pools:
                pools[path] = Pool(path)
                weakref.finalize(app, pools[path].close)  # closed with the app (and at the process's exit)
    return pools[path]


def drop_idle(app: Flask) -> None:
    """Close the idle connections: the next requests open new ones (tests that watch connections)."""
    for pool in app.extensions.get("hearingbot.pools", {}).values():
        pool.close()


def _keep_anchor(app: Flask) -> None:
    # Closing the last connection to a WAL database checkpoints and removes the WAL file, which
    # would cost every request a checkpoint. One idle connection per app keeps the WAL open, so
    # checkpoints happen as SQLite's autocheckpoint decides instead.
    #
    # It lives as long as the app: closed when the app is collected or, for the app a process serves,
    # when the process exits (weakref.finalize runs at exit), which checkpoints and removes the WAL.
    # It is opened by whichever request thread comes first and closed by whichever thread ends it,
    # so it may cross threads; it only ever runs the two statements below, under the lock.
    if "hearingbot.anchor" in app.extensions:
        return
    with _anchor_lock:
        if "hearingbot.anchor" in app.extensions:  # another request thread opened it meanwhile
            return
        anchor = storage.connect(app.config["DATABASE"], any_thread=True).conn
        # WAL first (the anchor may come before migrate()), then a read: SQLite opens files lazily,
        # and only a connection that has read in WAL mode keeps the WAL open.
        anchor.execute("PRAGMA journal_mode = WAL").fetchone()
        anchor.execute("SELECT count(*) FROM sqlite_master").fetchone()
        app.extensions["hearingbot.anchor"] = anchor
        weakref.finalize(app, anchor.close)


_anchor_lock = threading.Lock()


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        _pool(current_app._get_current_object()).give(db)


def now() -> datetime:
    """The current UTC time; tests pin it with config NOW (an aware datetime)."""
    return clock.now(current_app.config)


def vault() -> PhoneVault:
    return current_app.extensions["hearingbot.vault"]


def places() -> Places:
    return current_app.extensions["hearingbot.places"]


def login_sleep():
    """How the login slows repeated wrong passwords (tests turn the waiting off)."""
    import time

    return time.sleep if current_app.config.get("LOGIN_SLOWDOWN", True) else None


def prices() -> dict:
    """Per SMS segment and per WhatsApp message, for broadcast previews."""
    c = current_app.config
    return {"sms": c["PRICE_SMS_SEGMENT"], "whatsapp": c["PRICE_WHATSAPP_MESSAGE"]}


def answer_hours() -> int:
    """How soon volunteers usually answer a thread (HEARINGBOT_THREAD_ANSWER_HOURS), said to people."""
    return current_app.config["THREAD_ANSWER_HOURS"]


def recorder() -> Recorder | None:
    """This process's metrics recorder (scheduler/metrics.py), or None when /metrics is off."""
    return current_app.extensions.get("hearingbot.metrics")


def reminders() -> Settings:
    return current_app.extensions["hearingbot.reminders"]


def voices() -> Voices:
    """The voices and recorded clips calls are said with (data/voice; tests give VOICE_DIR)."""
    return voices_of(current_app.config)


def init_app(app: Flask, vault_: PhoneVault, places_: Places, reminders_: Settings) -> None:
    app.extensions["hearingbot.vault"] = vault_
    app.extensions["hearingbot.places"] = places_
    app.extensions["hearingbot.reminders"] = reminders_
    app.teardown_appcontext(close_db)


def deps_of(app: Flask):
    """What a scheduler needs from this app, handed over as plain values (scheduler/ imports no Flask)."""
    from scheduler.runner import Deps

    return Deps(
        config=app.config,
        vault=app.extensions["hearingbot.vault"],
        places=app.extensions["hearingbot.places"],
        reminders=app.extensions["hearingbot.reminders"],
    )
