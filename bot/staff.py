"""Staff: volunteers, operators and admins: console passwords, and PINs for alerts by phone.

Passwords and PINs are stored only as salted hashes (werkzeug's scrypt; PINs peppered with a key
derived from the secret first). Wrong passwords slow the next try, and five lock the console login
for 15 minutes; three wrong PINs lock the phone path for 1 h, then 4 h, then 24 h. A volunteer's
phone is stored like a person's: a keyed hash to look it up, a Fernet token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from bot import audit
from bot.phones import PhoneVault, normalize
from bot.storage import iso, parse_iso, rows

ROLES = ("volunteer", "operator", "admin")  # each can do all that the one before it can
MAX_WRONG_PINS = 3
PIN_LOCKS = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24))  # each lock after 3 wrong tries
PIN = re.compile(r"\d{6,8}")
MIN_PASSWORD = 10
SLOW_AFTER = 2  # wrong passwords in a row before each further try waits
MAX_WRONG_PASSWORDS = 5
LOGIN_LOCK = timedelta(minutes=15)


class StaffError(ValueError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str
    lang: str
    locked_until: datetime | None


def add(db: Database, vault: PhoneVault, name: str, role: str, phone: str | None, password: str | None,
        pin: str | None, now: datetime, lang: str = "es", actor: str = "cli") -> int:  # fmt: skip
    """A new staff member: a console password of 10+ characters; with a phone, a PIN of 6 to 8 digits."""
    name = (name or "").strip()
    if not name:
        raise StaffError("a name is needed")
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
        staff_id = db["staff"].insert({
            "name": name, "role": role, "lang": lang,
            "phone_hash": vault.lookup_hash(number) if number else None,
            "phone_enc": vault.encrypt(number) if number else None,
            "pin_hash": generate_password_hash(vault.pepper(pin)) if pin else None, "failed_pins": 0,
            "password_hash": generate_password_hash(password), "failed_logins": 0, "created_at": iso(now),
        }).last_pk  # fmt: skip
        audit.record(db, actor, "staff added", now, name=name, role=role, phone=bool(number))
    return staff_id


def listing(db: Database) -> list[dict]:
    return rows(db, "SELECT id, name, role, lang, phone_hash IS NOT NULL AS has_phone, disabled_at, "
                    "login_locked_until, created_at FROM staff ORDER BY name")  # fmt: skip


def disable(db: Database, name: str, now: datetime, actor: str = "cli") -> None:
    """No more console logins or alerts by phone; the row stays for the audit log."""
    if not rows(db, "SELECT id FROM staff WHERE name = ?", [name]):
        raise StaffError(f"no staff member {name!r}")
    with db.atomic():
        db.execute("UPDATE staff SET disabled_at = ? WHERE name = ?", [iso(now), name])
        audit.record(db, actor, "staff disabled", now, name=name)


def get(db: Database, staff_id: int) -> Staff | None:
    found = rows(db, "SELECT * FROM staff WHERE id = ? AND disabled_at IS NULL", [staff_id])
    return _member(found[0]) if found else None


def _member(r: dict) -> Staff:
    return Staff(r["id"], r["name"], r["role"], r["lang"] or "es", parse_iso(r["locked_until"]))


def can(member: Staff, role: str) -> bool:
    """Whether a member's role includes `role` (admin > operator > volunteer)."""
    return ROLES.index(member.role) >= ROLES.index(role)


def login(db: Database, name: str, password: str, now: datetime, sleep=None) -> tuple[Staff | None, str]:
    """Check a console login; returns (member, "") or (None, why). Every try is in the audit log."""
    found = rows(db, "SELECT * FROM staff WHERE name = ? AND disabled_at IS NULL", [(name or "").strip()])
    row = found[0] if found else None
    locked_until = parse_iso(row["login_locked_until"]) if row else None
    if row and locked_until and locked_until > now:
        audit.record(db, name, "login refused", now, reason="locked")
        return None, "locked"
    if row and row["password_hash"] and check_password_hash(row["password_hash"], password or ""):
        db.execute("UPDATE staff SET failed_logins = 0, login_locked_until = NULL WHERE id = ?", [row["id"]])
        audit.record(db, row["name"], "login", now)
        return _member(row), ""
    if row is None:
        generate_password_hash(password or "x")  # the same work either way: timing tells nothing
        audit.record(db, "(unknown)", "login failed", now)
        return None, "wrong"
    failed = (row["failed_logins"] or 0) + 1
    if failed >= MAX_WRONG_PASSWORDS:
        db.execute("UPDATE staff SET failed_logins = 0, login_locked_until = ? WHERE id = ?",
                   [iso(now + LOGIN_LOCK), row["id"]])  # fmt: skip
        audit.record(db, row["name"], "login locked", now, failed=failed)
        return None, "locked"
    db.execute("UPDATE staff SET failed_logins = ? WHERE id = ?", [failed, row["id"]])
    audit.record(db, row["name"], "login failed", now, failed=failed)
    if sleep and failed > SLOW_AFTER:
        sleep(min(4.0, 0.5 * 2 ** (failed - SLOW_AFTER - 1)))  # each further wrong try waits longer
    return None, "wrong"


def by_phone(db: Database, phone_hash: str) -> Staff | None:
    """The volunteer a phone belongs to, if any."""
    found = rows(db, "SELECT * FROM staff WHERE phone_hash = ? AND disabled_at IS NULL AND pin_hash IS NOT NULL",
                 [phone_hash])  # fmt: skip
    return _member(found[0]) if found else None


def locked(member: Staff, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def set_pin(db: Database, vault: PhoneVault, name: str, pin: str, now: datetime, actor: str = "cli") -> None:
    """A new PIN (6 to 8 digits) for a volunteer's phone; its counts and locks start again."""
    if not PIN.fullmatch(pin or ""):
        raise StaffError("the PIN must be 6 to 8 digits")
    changed = db.execute("UPDATE staff SET pin_hash = ?, failed_pins = 0, pin_locks = 0, locked_until = NULL "
                         "WHERE name = ? AND phone_hash IS NOT NULL", [generate_password_hash(vault.pepper(pin)), name]
                         ).rowcount  # fmt: skip
    if not changed:
        raise StaffError(f"no staff member {name!r} with a phone")
    audit.record(db, actor, "PIN changed", now, name=name)


def pin_attempt(db: Database, vault: PhoneVault, member: Staff, pin: str | None, now: datetime
                ) -> tuple[bool, datetime | None]:  # fmt: skip
    """(right, locked until): the right PIN starts the counts again; a wrong one (or None: a wrong code)
    counts, and the third in a row locks the path for 1 h, then 4 h, then 24 h, in the audit log.

    The PIN is peppered with a key derived from the secret before scrypt: the database alone (a
    leaked backup) does not give it up to a brute force of the few million PINs there are."""
    pin_hash, failed, locks = db.execute("SELECT pin_hash, failed_pins, pin_locks FROM staff WHERE id = ?",
                                         [member.id]).fetchone()  # fmt: skip
    if pin is not None and pin_hash and check_password_hash(pin_hash, vault.pepper(pin.strip())):
        db.execute("UPDATE staff SET failed_pins = 0, pin_locks = 0, locked_until = NULL WHERE id = ?", [member.id])
        return True, None
    failed += 1
    if failed < MAX_WRONG_PINS:
        db.execute("UPDATE staff SET failed_pins = ? WHERE id = ?", [failed, member.id])
        return False, None
    until = now + PIN_LOCKS[min(locks, len(PIN_LOCKS) - 1)]
    db.execute("UPDATE staff SET failed_pins = 0, pin_locks = pin_locks + 1, locked_until = ? WHERE id = ?",
               [iso(until), member.id])  # fmt: skip
    audit.record(db, member.name, "phone path locked", now, reason="three wrong PINs or codes", until=iso(until),
                 lock=locks + 1)  # fmt: skip
    return False, until
