"""The directory (shelters and other services): the CSV operators edit, checked line by line and kind
by kind, the queries the bot answers from, and what volunteers do to keep it true.

One module for the command line (`flask --app app shelters import|export`) and the console, so an
entry is validated the same way wherever it is edited. The live list is the `services` table;
data/services.csv seeds it on a new database. An import replaces every row in one transaction, or
changes nothing and names each bad line. A person who writes WRONG after a listing flags an entry
(`flag`); a volunteer's "checked today, still right" (`checked`) dates it today and clears its flags.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.core.clock import iso
from bot.core.dates import LANGS
from bot.core.phones import PhoneVault
from bot.core.places import Places, distance_km
from bot.core.services import KINDS, SERVES, Service
from bot.core.text import FORMULA_START, defused
from bot.store.db import rows

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "services.csv"
REQUIRED = ("city", "kind", "name", "source")  # columns every file has, each with a value on every row
# What each kind needs besides (none yet: a shelter whose sources do not say who it takes is listed
# with "who it takes: not published", never as open to all).
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {}
COLUMNS = (
    "city",
    "kind",
    "name",
    "address",
    "phone",
    "latitude",
    "longitude",
    "approximate",
    "serves",
    *(f"notes_{lang}" for lang in LANGS),
    "verified_at",
    "source",
)
MAX_KM_FROM_CITY = 80  # an entry listed under a city lies within this of it (catches swapped coordinates)
# A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection, OWASP): the export
# puts a ' before it (bot.core.text.defused), and the import takes that ' off again, so files round-trip.


class ServiceFileError(ValueError):
    """A shelter file that cannot be imported; `errors` name every bad line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --- reading and checking a file -----------------------------------------------------------------


def read_csv(text: str) -> list[dict]:
    """Rows of a directory CSV (UTF-8, a header line); a missing column fails the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceFileError([f"line 1: missing column(s): {', '.join(missing)}"])
    return list(reader)


def check_row(row: dict, line: int, places: Places) -> tuple[dict | None, list[str]]:
    """One CSV row -> a database row, or the problems with it, each naming the line."""
    errors = []
    value = {k: _unquoted((row.get(k) or "").strip()) for k in COLUMNS}
    kind = value["kind"]
    if kind and kind not in KINDS:
        errors.append(f"line {line}: kind {kind!r}: use one of {', '.join(KINDS)}")
    for column in (*REQUIRED, *REQUIRED_BY_KIND.get(kind, ())):
        if not value[column]:
            errors.append(
                f"line {line}: {column} is empty" + (f" (a {kind} needs it)" if column not in REQUIRED else "")
            )
    city = places.city(value["city"])
    if value["city"] and city is None:
        errors.append(f"line {line}: unknown city {value['city']!r} (use a key from data/places.json)")
    lat = lon = None
    if value["latitude"] or value["longitude"]:
        try:
            lat, lon = float(value["latitude"]), float(value["longitude"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
            if city and distance_km(lat, lon, city.lat, city.lon) > MAX_KM_FROM_CITY:
                errors.append(f"line {line}: coordinates {lat}, {lon} are over {MAX_KM_FROM_CITY} km from {city.name}")
        except ValueError:
            errors.append(f"line {line}: bad coordinates {value['latitude']!r}, {value['longitude']!r} (both, or none)")
    serves = tuple(s.strip() for s in value["serves"].split(";") if s.strip())
    unknown = [s for s in serves if s not in SERVES]
    if unknown:
        errors.append(f"line {line}: serves {', '.join(unknown)!r}: use {';'.join(SERVES)}")
    try:
        verified = date.fromisoformat(value["verified_at"]) if value["verified_at"] else None
    except ValueError:
        errors.append(f"line {line}: verified_at {value['verified_at']!r} is not a date (YYYY-MM-DD)")
        verified = None
    if value["approximate"].lower() not in ("", "yes", "no", "true", "false", "1", "0"):
        errors.append(f"line {line}: approximate must be yes or no")
    if errors:
        return None, errors
    return {
        "position": line - 1,
        "city": value["city"],
        "kind": kind,
        "name": value["name"],
        "address": value["address"],
        "phone": value["phone"] or None,
        "latitude": lat,
        "longitude": lon,
        "approximate": int(value["approximate"].lower() in ("yes", "true", "1")),
        "serves": ";".join(serves),
        "notes": json.dumps(
            {lang: value[f"notes_{lang}"] for lang in LANGS if value[f"notes_{lang}"]}, ensure_ascii=False
        ),
        "verified_at": verified.isoformat() if verified else None,
        "source": value["source"],
    }, []


def check_file(text: str, places: Places) -> list[dict]:
    """Every row checked; any problem anywhere raises ServiceFileError listing them all."""
    rows, errors = [], []
    for line, row in enumerate(read_csv(text), start=2):
        checked, problems = check_row(row, line, places)
        errors += problems
        if checked:
            rows.append(checked)
    if errors:
        raise ServiceFileError(errors)
    if not rows:
        raise ServiceFileError(["the file has no entries"])
    if not any(r["kind"] == "shelter" for r in rows):
        raise ServiceFileError(["the file has no shelters: is it the right file?"])
    return rows


def _last_position(db: Database) -> int:
    """Where the list ends: a new entry goes after it."""
    (last,) = db.execute("SELECT COALESCE(max(position), 0) FROM services").fetchone()
    return last


def replace_all(db: Database, rows: list[dict]) -> int:
    """The new list replaces the old one in one transaction: all of it, or none."""
    with db.atomic():
        db.execute("DELETE FROM service_flags")
        db.execute("DELETE FROM services")
        for row in rows:
            db.table("services").insert(row)
    return len(rows)


def save_one(db: Database, shelter_id: int | None, row: dict) -> int:
    """Add a checked row (at the end of its city's list) or replace one, keeping its place."""
    with db.atomic():
        if shelter_id is None:
            added = db.table("services").insert({**row, "position": _last_position(db) + 1}).last_pk
            assert added is not None  # an insert always sets it
            return added
        (position,) = db.execute("SELECT position FROM services WHERE id = ?", [shelter_id]).fetchone()
        db.table("services").update(shelter_id, {**row, "position": position})
        return shelter_id


def as_row(s: Service) -> dict:
    """An entry as the CSV's columns: what `export` writes and the console's form shows."""
    return {
        "city": s.city,
        "kind": s.kind,
        "name": s.name,
        "address": s.address,
        "phone": s.phone,
        "latitude": f"{s.latitude:.4f}" if s.latitude is not None else "",
        "longitude": f"{s.longitude:.4f}" if s.longitude is not None else "",
        "approximate": ("yes" if s.approximate else "no") if s.placed else "",
        "serves": ";".join(s.serves),
        **{f"notes_{lang}": s.notes.get(lang, "") for lang in LANGS},
        "verified_at": s.verified_at.isoformat() if s.verified_at else "",
        "source": s.source,
    }


def import_text(db: Database, text: str, places: Places) -> int:
    """All or nothing, kind by kind: a file that would empty a kind the directory has (an old
    shelters-only file would delete the legal aid) is refused, naming the kinds it lacks."""
    found = check_file(text, places)
    having = {kind for (kind,) in db.execute("SELECT DISTINCT kind FROM services")}
    lacking = sorted(having - {r["kind"] for r in found})
    if lacking:
        counts = dict(db.execute("SELECT kind, count(*) FROM services GROUP BY kind").fetchall())
        raise ServiceFileError(
            [
                f"the file has no {kind} entries, the directory has {counts[kind]}: export, edit, import"
                for kind in lacking
            ]
        )
    return replace_all(db, found)


def export_text(db: Database) -> str:
    """The shelters as the CSV `import` reads (the same columns, in list order), formulas defused."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for shelter in all_services(db):
        writer.writerow({k: defused(v) for k, v in as_row(shelter).items()})
    return out.getvalue()


def _unquoted(cell: str) -> str:
    """The import's half of `bot.core.text.defused`: one leading ' before a formula character comes off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


# --- what the bot asks of them ---------------------------------------------------------------------


def _service(row: dict) -> Service:
    return Service(
        id=row["id"],
        city=row["city"],
        kind=row["kind"],
        name=row["name"],
        address=row["address"] or "",
        phone=row["phone"] or "",
        latitude=row["latitude"],
        longitude=row["longitude"],
        approximate=bool(row["approximate"]),
        serves=tuple(s for s in (row["serves"] or "").split(";") if s),
        notes=json.loads(row["notes"] or "{}"),
        verified_at=date.fromisoformat(row["verified_at"]) if row["verified_at"] else None,
        source=row["source"],
    )


def all_services(db: Database) -> list[Service]:
    return [_service(r) for r in db.query("SELECT * FROM services ORDER BY position, id")]


class Directory:
    """The directory as the conversation sees it, read from the database only when asked."""

    def __init__(self, db: Database):
        self.db = db
        self._all: list[Service] | None = None

    def all(self) -> list[Service]:
        if self._all is None:
            self._all = all_services(self.db)
        return self._all

    def in_city(self, city: str, kinds: tuple[str, ...] = ("shelter",)) -> list[Service]:
        """A city's entries of those kinds in the operators' order (the most useful first)."""
        return [s for s in self.all() if s.city == city and s.kind in kinds]

    def nearest(self, lat: float, lon: float, kinds: tuple[str, ...] = ("shelter",)) -> list[tuple[Service, float]]:
        """Every placed entry of those kinds with its distance in km, nearest first."""
        found = [
            (s, distance_km(lat, lon, s.latitude, s.longitude))
            for s in self.all()
            if s.kind in kinds and s.latitude is not None and s.longitude is not None
        ]
        return sorted(found, key=lambda pair: pair[1])

    def by_ids(self, ids: list[int]) -> list[Service]:
        known = {s.id: s for s in self.all()}
        return [known[i] for i in ids if i in known]


def seed(db: Database, places: Places, path: Path = DATA_FILE) -> int:
    """A new database starts with data/services.csv; one that has shelters already (kept as
    volunteers edited them) gets the file's other kinds, which were not in the database before."""
    found = check_file(Path(path).read_text(encoding="utf-8"), places)
    (existing,) = db.execute("SELECT count(*) FROM services").fetchone()
    if not existing:
        return replace_all(db, found)
    last = _last_position(db)
    others = [r for r in found if r["kind"] != "shelter"]
    with db.atomic():
        for i, row in enumerate(others, 1):
            db.table("services").insert({**row, "position": last + i})
    return len(others)


# --- kept true by volunteers ---------------------------------------------------------------------------


def flag(db: Database, vault: PhoneVault, service_id: int, words: str, now: datetime) -> None:
    """A person says an entry is wrong ("WRONG 2 it was closed"): for a volunteer to check. Their
    words are kept sealed, never who said them."""
    db.execute(
        "INSERT INTO service_flags (service_id, at, words_enc) VALUES (?, ?, ?)",
        [service_id, iso(now), vault.seal(words) if words else None],
    )


def checked(db: Database, service_id: int, today: date) -> dict | None:
    """A volunteer checked an entry today and it is still right: dated today, its flags resolved.
    Returns its name and old and new dates (for the audit log), or None if there is no such entry."""
    found = rows(db, "SELECT name, verified_at FROM services WHERE id = ?", [service_id])
    if not found:
        return None
    with db.atomic():
        db.execute("UPDATE services SET verified_at = ? WHERE id = ?", [today.isoformat(), service_id])
        db.execute("DELETE FROM service_flags WHERE service_id = ?", [service_id])
    return {"name": found[0]["name"], "verified_at": [found[0]["verified_at"], today.isoformat()]}


def to_check(db: Database, vault: PhoneVault, today: date) -> list[dict]:
    """What volunteers should check, first what people flagged (most flags first), then what has not
    been checked for CHECK_EVERY_DAYS or ever (oldest first): each entry with its age and flags."""
    flags: dict[int, list[dict]] = {}
    for service_id, at, words in db.execute("SELECT service_id, at, words_enc FROM service_flags ORDER BY at"):
        flags.setdefault(service_id, []).append({"at": at, "words": vault.unseal(words) if words else ""})
    due = [
        {"service": s, "age": s.age(today), "flags": flags.get(s.id, [])}
        for s in all_services(db)
        if s.id in flags or s.stale(today)
    ]
    never = 10**6  # never checked: older than anything
    return sorted(due, key=lambda d: (-len(d["flags"]), -(never if d["age"] is None else d["age"])))


def flag_counts(db: Database) -> dict[int, int]:
    return dict(db.execute("SELECT service_id, count(*) FROM service_flags GROUP BY service_id").fetchall())
