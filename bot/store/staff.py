"""Staff: volunteers, operators and admins: console passwords, and PINs for alerts by phone.

Passwords and PINs are stored only as salted hashes (werkzeug's scrypt; PINs peppered with a key
derived from the secret first). Console logins are counted before any password is checked,
atomically, per typed name (known or not) and per client address: at most five checks per name and
twenty tries per address in 15 minutes, and every answer costs the same scrypt work. Three wrong
PINs lock the phone path for 1 h, then 4 h, then 24 h. A volunteer's phone is stored like a
person's: a keyed hash to look it up, a Fernet token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from bot.core.clock import iso, parse_iso
from bot.core.i18n import N_
from bot.core.phones import PhoneVault, normalize
from bot.store import audit
from bot.store.db import rows, write_transaction

ROLES = ("volunteer", "operator", "admin")  # each can do all that the one before it can
MAX_WRONG_PINS = 3
PIN_LOCKS = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))  # each lock after 3 wrong tries
PIN = re.compile(r"\d{6,8}")
MIN_PASSWORD = 10
SLOW_AFTER = 2  # wrong passwords in a row before each further try waits
MAX_WRONG_PASSWORDS = 5  # password checks per name per LOGIN_LOCK, known name or not
MAX_TRIES_PER_ADDRESS = 20  # failed logins from one client address per LOGIN_LOCK, whatever the names
LOGIN_LOCK = timedelta(minutes=15)
# Names are safe in URLs, logs and audit rows: lowercase, no slash, never a system actor's name.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")
RESERVED = frozenset(
    {
        "admin-cli",
        "anonymous",
        "bot",
        "cli",
        "console",
        "dispatcher",
        "retention",
        "root",
        "scheduler",
        "system",
        "twilio",
        "unknown",
    }
)


ROLE_NAMES = {"volunteer": N_("Volunteer"), "operator": N_("Operator"), "admin": N_("Admin")}
BAD_NAME = N_("A name has 2 to 32 characters: lowercase letters, digits, dots, dashes or underscores.")
RESERVED_NAME = N_("This name is reserved for the system: choose another.")
SELF_DISABLE = N_("You cannot disable yourself: ask another admin.")
LAST_ADMIN = N_("This is the last admin: add or enable another admin first.")


class StaffError(ValueError):
    pass


class NotFound(StaffError):
    """No staff member has that name."""


class Refused(StaffError):
    """A rule says no (not a mistyped name): its message is a msgid the console translates."""


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str
    lang: str
    locked_until: datetime | None
    session_epoch: int = 0  # in the session cookie; bumped to end every session of this member


def add(
    db: Database,
    vault: PhoneVault,
    name: str,
    role: str,
    phone: str | None,
    password: str | None,
    pin: str | None,
    now: datetime,
    lang: str = "es",
    actor: str = "cli",
) -> int:
    """A new staff member: a console password of 10+ characters; with a phone, a PIN of 6 to 8 digits."""
    name = check_name(name)
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    number = normalize(phone) if phone else None
    if phone and not number:
        raise StaffError(f"{phone!r} is not a phone number")
    if not password or len(password) < MIN_PASSWORD:
        raise StaffError(f"the password must have at least {MIN_PASSWORD} characters")
    if number and not pin:
        raise StaffError("a phone needs a PIN, to send alerts from it")
    if pin is not None and not PIN.fullmatch(pin):
        raise StaffError("the PIN must be 6 to 8 digits")
    if rows(db, "SELECT id FROM staff WHERE name = ?", [name]):
        raise StaffError(f"{name!r} already exists")
    with db.atomic():
        staff_id = (
            db["staff"]
            .insert(
                {
                    "name": name,
                    "role": role,
                    "lang": lang,
                    "phone_hash": vault.lookup_hash(number) if number else None,
                    "phone_enc": vault.encrypt(number) if number else None,
                    "pin_hash": generate_password_hash(vault.pepper(pin)) if pin else None,
                    "failed_pins": 0,
                    "password_hash": generate_password_hash(password),
                    "failed_logins": 0,
                    "created_at": iso(now),
                }
            )
            .last_pk
        )
        audit.record(db, actor, "staff added", now, name=name, role=role, phone=bool(number))
    return staff_id


def check_name(name: str | None) -> str:
    """The name, lowercased, if it is a valid and unreserved staff name; else StaffError."""
    name = (name or "").strip().lower()
    if not NAME.fullmatch(name):
        raise StaffError(BAD_NAME)
    if name in RESERVED:
        raise StaffError(RESERVED_NAME)
    return name


def listing(db: Database) -> list[dict]:
    return rows(
        db,
        "SELECT id, name, role, lang, phone_hash IS NOT NULL AS has_phone, disabled_at, "
        "login_locked_until, created_at FROM staff ORDER BY name",
    )


def disable(db: Database, name: str, now: datetime, actor: str = "cli") -> None:
    """No more console logins or alerts by phone, and every open session ends; the row stays for the audit log.

    Nobody disables themselves, and the last enabled admin stays (Refused): the console could not be
    opened again but from the shell. Checked and written in one write transaction, so two admins
    disabling each other at once leave one of them."""
    with write_transaction(db):
        member = _row_of(db, name)
        if member["disabled_at"]:
            raise StaffError(f"{member['name']!r} is already disabled")
        if member["name"] == actor:
            raise Refused(SELF_DISABLE)
        if member["role"] == "admin" and _enabled_admins(db) <= 1:
            raise Refused(LAST_ADMIN)
        db.execute(
            "UPDATE staff SET disabled_at = ?, session_epoch = session_epoch + 1 WHERE id = ?",
            [iso(now), member["id"]],
        )
        audit.record(db, actor, "staff disabled", now, name=member["name"], changes={"disabled_at": [None, iso(now)]})


def enable(db: Database, name: str, now: datetime, actor: str = "cli") -> None:
    """A disabled member may log in (and send alerts by phone) again, with the password and PIN they had;
    sessions from before stay ended (disabling moved the epoch on)."""
    with write_transaction(db):
        member = _row_of(db, name)
        if not member["disabled_at"]:
            raise StaffError(f"{member['name']!r} is not disabled")
        db.execute("UPDATE staff SET disabled_at = NULL WHERE id = ?", [member["id"]])
        audit.record(
            db, actor, "staff enabled", now, name=member["name"], changes={"disabled_at": [member["disabled_at"], None]}
        )


def _enabled_admins(db: Database) -> int:
    return db.execute("SELECT count(*) FROM staff WHERE role = 'admin' AND disabled_at IS NULL").fetchone()[0]


def _row_of(db: Database, name: str) -> dict:
    return rows(db, "SELECT id, name, role, disabled_at FROM staff WHERE id = ?", [_id_of(db, name)])[0]


def set_password(db: Database, name: str, password: str, now: datetime, actor: str = "cli") -> None:
    """A new console password; every open session of that member ends."""
    if not password or len(password) < MIN_PASSWORD:
        raise StaffError(f"the password must have at least {MIN_PASSWORD} characters")
    staff_id = _id_of(db, name)
    with db.atomic():
        db.execute(
            "UPDATE staff SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?",
            [generate_password_hash(password), staff_id],
        )
        audit.record(db, actor, "password changed", now, name=name, changes={"sessions": ["open", "ended"]})


def _id_of(db: Database, name: str) -> int:
    """A member's id by name as stored, or as typed in any case (names are stored lowercase)."""
    found = rows(
        db,
        "SELECT id FROM staff WHERE name = ? OR name = ? ORDER BY name = ? DESC LIMIT 1",
        [name, (name or "").strip().lower(), name],
    )
    if not found:
        raise NotFound(f"no staff member {name!r}")
    return found[0]["id"]


def end_sessions(db: Database, staff_id: int) -> None:
    """Log a member out everywhere: cookies carrying the old epoch are refused from now on."""
    db.execute("UPDATE staff SET session_epoch = session_epoch + 1 WHERE id = ?", [staff_id])


def get(db: Database, staff_id: int) -> Staff | None:
    found = rows(db, "SELECT * FROM staff WHERE id = ? AND disabled_at IS NULL", [staff_id])
    return _member(found[0]) if found else None


def _member(r: dict) -> Staff:
    return Staff(
        r["id"], r["name"], r["role"], r["lang"] or "es", parse_iso(r["locked_until"]), r.get("session_epoch") or 0
    )


def can(member: Staff, role: str) -> bool:
    """Whether a member's role includes `role` (admin > operator > volunteer)."""
    return ROLES.index(member.role) >= ROLES.index(role)


def login(
    db: Database, name: str, password: str, now: datetime, address: str = "", sleep=None
) -> tuple[Staff | None, str]:
    """Check a console login; returns (member, "") or (None, "wrong" | "locked").

    The try is counted before the password is checked, so parallel guesses cannot all be checked;
    unknown, disabled and locked names get the same answer after the same scrypt work.
    """
    typed = (name or "").strip().lower()[:64]
    keys = (f"login:name:{typed}", f"login:ip:{address or '-'}")
    tries = _count_try(db, keys, now)
    allowed = tries[0] <= MAX_WRONG_PASSWORDS and tries[1] <= MAX_TRIES_PER_ADDRESS
    row = _enabled(db, typed) if allowed else None
    right = check_password_hash(row["password_hash"] if row and row["password_hash"] else _dummy_hash(), password or "")
    if row and right:
        _forget_try(db, keys)
        audit.record(db, row["name"], "login", now)
        return _member(row), ""
    actor = row["name"] if row else "(unknown)"  # never the typed name: it may be a mistyped password
    if not allowed:
        audit.record(db, actor, "login refused", now, reason="locked")
        return None, "locked"
    if tries[0] >= MAX_WRONG_PASSWORDS:
        _lock(db, keys[0], now)
        audit.record(db, actor, "login locked", now, failed=tries[0])
        return None, "locked"
    audit.record(db, actor, "login failed", now, failed=tries[0])
    if sleep and tries[0] > SLOW_AFTER:
        sleep(min(4.0, 0.5 * 2 ** (tries[0] - SLOW_AFTER - 1)))  # each further wrong try waits longer
    return None, "wrong"


@cache
def _dummy_hash() -> str:
    """A hash to check unknown, disabled and locked names against: their answer takes as long."""
    return generate_password_hash("no staff member has this password")


def _enabled(db: Database, typed: str) -> dict | None:
    found = rows(db, "SELECT * FROM staff WHERE lower(name) = ? AND disabled_at IS NULL ORDER BY id LIMIT 1", [typed])
    return found[0] if found else None


def _count_try(db: Database, keys: tuple[str, ...], now: datetime) -> list[int]:
    """Add one try to each key, atomically (BEGIN IMMEDIATE), and return the new counts.

    A key starts again at 1 once its lock has run out, or 15 minutes after its first try when it
    was never locked. A locked key answers a count over every limit.
    """
    stale, at = iso(now - LOGIN_LOCK), iso(now)
    fresh = "((locked_until IS NULL AND since <= :stale) OR locked_until <= :now)"
    counts = []
    with write_transaction(db):
        # Every name anyone types gets a row: those whose window and lock are over go, so the table stays small.
        db.execute(f"DELETE FROM throttles WHERE key LIKE 'login:%' AND {fresh}", {"now": at, "stale": stale})
        for key in keys:
            (count, locked_until) = db.execute(
                "INSERT INTO throttles (key, count, since) VALUES (:key, 1, :now) ON CONFLICT (key) DO UPDATE SET "
                f"count = CASE WHEN {fresh} THEN 1 ELSE count + 1 END, "
                f"since = CASE WHEN {fresh} THEN :now ELSE since END, "
                f"locked_until = CASE WHEN {fresh} THEN NULL ELSE locked_until END "
                "RETURNING count, locked_until",
                {"key": key, "now": at, "stale": stale},
            ).fetchone()
            counts.append(10**6 if locked_until and locked_until > at else count)
    return counts


def _lock(db: Database, key: str, now: datetime) -> None:
    db.execute("UPDATE throttles SET locked_until = ? WHERE key = ?", [iso(now + LOGIN_LOCK), key])


def _forget_try(db: Database, keys: tuple[str, ...]) -> None:
    """A right password: the name starts again; the address keeps its failures (not this success)."""
    with write_transaction(db):
        db.execute("DELETE FROM throttles WHERE key = ?", [keys[0]])
        db.execute("UPDATE throttles SET count = max(count - 1, 0) WHERE key = ?", [keys[1]])


def by_phone(db: Database, phone_hash: str) -> Staff | None:
    """The volunteer a phone belongs to, if any."""
    found = rows(
        db, "SELECT * FROM staff WHERE phone_hash = ? AND disabled_at IS NULL AND pin_hash IS NOT NULL", [phone_hash]
    )
    return _member(found[0]) if found else None


def over_alert_limit(db: Database, member: Staff, now: datetime, per_hour: int) -> bool:
    """Count one message on a volunteer's alert-by-phone path; True once the phone is over per_hour."""
    key = f"alert:{member.id}"
    db.execute("DELETE FROM throttles WHERE key = ? AND since <= ?", [key, iso(now - timedelta(hours=1))])
    (count,) = db.execute(
        "INSERT INTO throttles (key, count, since) VALUES (?, 1, ?) "
        "ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count",
        [key, iso(now)],
    ).fetchone()
    return count > per_hour


def locked(member: Staff, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def set_pin(db: Database, vault: PhoneVault, name: str, pin: str, now: datetime, actor: str = "cli") -> None:
    """A new PIN (6 to 8 digits) for a volunteer's phone; its counts and locks start again."""
    if not PIN.fullmatch(pin or ""):
        raise StaffError("the PIN must be 6 to 8 digits")
    changed = db.execute(
        "UPDATE staff SET pin_hash = ?, failed_pins = 0, pin_locks = 0, locked_until = NULL "
        "WHERE name = ? AND phone_hash IS NOT NULL",
        [generate_password_hash(vault.pepper(pin)), name],
    ).rowcount
    if not changed:
        raise StaffError(f"no staff member {name!r} with a phone")
    audit.record(db, actor, "PIN changed", now, name=name)


def pin_attempt(
    db: Database, vault: PhoneVault, member: Staff, pin: str | None, now: datetime
) -> tuple[bool, datetime | None]:
    """(right, locked until): the right PIN starts the counts again; a wrong one (or None: a wrong code)
    counts, and the third in a row locks the path for 1 h, then 4 h, then 24 h, in the audit log.

    The PIN is peppered with a key derived from the secret before scrypt: the database alone (a
    leaked backup) does not give it up to a brute force of the few million PINs there are."""
    pin_hash, failed, locks = db.execute(
        "SELECT pin_hash, failed_pins, pin_locks FROM staff WHERE id = ?", [member.id]
    ).fetchone()
    if pin is not None and pin_hash and check_password_hash(pin_hash, vault.pepper(pin.strip())):
        db.execute("UPDATE staff SET failed_pins = 0, pin_locks = 0, locked_until = NULL WHERE id = ?", [member.id])
        return True, None
    failed += 1
    if failed < MAX_WRONG_PINS:
        db.execute("UPDATE staff SET failed_pins = ? WHERE id = ?", [failed, member.id])
        return False, None
    until = now + PIN_LOCKS[min(locks, len(PIN_LOCKS) - 1)]
    db.execute(
        "UPDATE staff SET failed_pins = 0, pin_locks = pin_locks + 1, locked_until = ? WHERE id = ?",
        [iso(until), member.id],
    )
    audit.record(
        db, member.name, "phone path locked", now, reason="three wrong PINs or codes", until=iso(until), lock=locks + 1
    )
    return False, until
