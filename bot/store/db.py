"""SQLite: connections, pragmas, transactions and small query helpers (sqlite-utils 4)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 5000


def connect(path: str | Path, any_thread: bool = False) -> Database:
    """A connection for one request or one job: WAL, busy timeout, foreign keys.

    any_thread: may be used and closed from a thread other than the one that opened it (for a connection
    that sits idle and is closed by whoever ends its life, never used by two threads at once)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; db.atomic() opens each one explicitly.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=not any_thread)
    # No sqlite-utils plugins or triggers here: skip their per-connection hooks and pragma.
    try:
        db = Database(conn, execute_plugins=False, recursive_triggers=False)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA synchronous = NORMAL")  # durable across app crashes in WAL mode
        db.execute("PRAGMA cache_size = -32768")  # 32 MB: planning many hearings touches several indexes
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
    except sqlite3.Error:
        conn.close()  # a file that is no database (healthz's 503): no connection left open behind
        raise
    return db


def private_file(path: Path, exclusive: bool = True) -> int:
    """Open a file for writing, readable by us only (0600), never through a symlink (even a dangling
    one, which another local user could point anywhere). Returns the descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    return os.open(path, flags, 0o600)


def backup(db: Database, target: Path) -> int:
    """Copy the live database page by page (sqlite3's backup API): consistent, writers not blocked long.

    The target is created new, 0600 and not through a symlink, before SQLite opens it."""
    os.close(private_file(target))
    copy = sqlite3.connect(str(target))
    try:
        db.conn.backup(copy, pages=1024)
        (pages,) = copy.execute("PRAGMA page_count").fetchone()
    finally:
        copy.close()
    return pages


def scrub(db: Database) -> None:
    """After deletions: copy the WAL into the database and truncate it, so no old page survives."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """db.atomic() holding SQLite's write lock from the start (BEGIN IMMEDIATE).

    For read-then-write work (a person's turn): two workers on one person queue here instead of
    both reading the old state. While another process writes, it polls every 0.3 ms rather than
    SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms and turned short waits into a 60 ms p99.
    """
    if db.conn.in_transaction:  # already inside one (a person's turn): a savepoint within it
        with db.atomic():
            yield db
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    db.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.0003)
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        with db.atomic():  # a savepoint inside the immediate transaction
            yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def migrate(db: Database) -> None:
    """Bring the schema up to date (WAL mode is stored in the file); safe to run any number of times."""
    from bot.store.migrations import migrations  # the migrations use this module's helpers

    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db)


def rows(db: Database, sql: str, params=()) -> list[dict]:
    """Plain SQL to dicts: the hot path skips sqlite-utils' per-call schema introspection."""
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def insert(db: Database, table: str, values: dict) -> int:
    """INSERT one row with known column names (never user input); returns its rowid."""
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    rowid = db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())).lastrowid
    assert rowid is not None  # an INSERT into a rowid table always sets it
    return rowid


def update(db: Database, table: str, row_id: int | str, values: dict, key: str = "id") -> None:
    """UPDATE one row by key, with known column names (never user input)."""
    assignments = ", ".join(f"{column} = ?" for column in values)
    db.execute(f"UPDATE {table} SET {assignments} WHERE {key} = ?", [*values.values(), row_id])
