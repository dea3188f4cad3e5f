"""Staff: volunteers who may send alerts from their phone with a PIN, and operators.

A PIN is stored only as a salted hash (werkzeug's scrypt); three wrong PINs lock the phone path for
an hour. A volunteer's phone is stored like a person's: a keyed hash to look it up, a Fernet token.
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

ROLES = ("volunteer", "operator", "admin")
MAX_WRONG_PINS = 3
LOCK = timedelta(hours=1)
PIN = re.compile(r"\d{4,8}")


class StaffError(ValueError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    name: str
    role: str
    lang: str
    locked_until: datetime | None


def add(db: Database, vault: PhoneVault, name: str, role: str, phone: str | None, pin: str | None, now: datetime,
        lang: str = "es") -> int:  # fmt: skip
    """A new staff member; a volunteer needs a phone and a PIN of 4 to 8 digits."""
    name = (name or "").strip()
    if not name:
        raise StaffError("a name is needed")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    number = normalize(phone) if phone else None
    if phone and not number:
        raise StaffError(f"{phone!r} is not a phone number")
    if role == "volunteer" and not (number and pin):
        raise StaffError("a volunteer needs --phone and a PIN")
    if pin is not None and not PIN.fullmatch(pin):
        raise StaffError("the PIN must be 4 to 8 digits")
    if rows(db, "SELECT id FROM staff WHERE name = ?", [name]):
        raise StaffError(f"{name!r} already exists")
    with db.atomic():
        staff_id = db["staff"].insert({
            "name": name, "role": role, "lang": lang,
            "phone_hash": vault.lookup_hash(number) if number else None,
            "phone_enc": vault.encrypt(number) if number else None,
            "pin_hash": generate_password_hash(pin) if pin else None, "failed_pins": 0, "created_at": iso(now),
        }).last_pk  # fmt: skip
        audit.record(db, "cli", "staff added", now, name=name, role=role, phone=bool(number))
    return staff_id


def by_phone(db: Database, phone_hash: str) -> Staff | None:
    """The volunteer a phone belongs to, if any."""
    found = rows(db, "SELECT * FROM staff WHERE phone_hash = ? AND role IN ('volunteer', 'operator', 'admin')",
                 [phone_hash])  # fmt: skip
    if not found:
        return None
    r = found[0]
    return Staff(r["id"], r["name"], r["role"], r["lang"] or "es", parse_iso(r["locked_until"]))


def locked(member: Staff, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def check_pin(db: Database, member: Staff, pin: str, now: datetime) -> bool:
    """True for the right PIN (and the count of wrong ones starts again); the third wrong one locks."""
    (pin_hash, failed) = db.execute("SELECT pin_hash, failed_pins FROM staff WHERE id = ?", [member.id]).fetchone()
    if pin_hash and check_password_hash(pin_hash, pin.strip()):
        db.execute("UPDATE staff SET failed_pins = 0, locked_until = NULL WHERE id = ?", [member.id])
        return True
    failed += 1
    if failed >= MAX_WRONG_PINS:
        db.execute("UPDATE staff SET failed_pins = 0, locked_until = ? WHERE id = ?", [iso(now + LOCK), member.id])
        audit.record(db, member.name, "phone path locked", now, reason="three wrong PINs")
    else:
        db.execute("UPDATE staff SET failed_pins = ? WHERE id = ?", [failed, member.id])
    return False
