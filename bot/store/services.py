"""Shelters: the CSV operators edit, checked line by line, and the queries the bot answers from.

One module for the command line (`flask --app app shelters import|export`) and the console, so a
shelter is validated the same way wherever it is edited. The live list is the `shelters` table;
data/shelters.csv seeds it on a new database. An import replaces every row in one transaction, or
changes nothing and names each bad line.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from bot.core import legal_aid
from bot.core.dates import LANGS
from bot.core.legal_aid import LegalAid
from bot.core.places import Places, distance_km
from bot.core.services import SERVES, Service
from bot.core.text import FORMULA_START, defused

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "shelters.csv"
REQUIRED = (  # columns every file has; each needs a value, except those in MAY_BE_EMPTY
    "city",
    "name",
    "address",
    "latitude",
    "longitude",
    "serves",
    "notes_es",
    "notes_en",
    "verified_at",
    "source",
)
# No published address: the cell stays empty and the bot says so in the person's language.
MAY_BE_EMPTY = frozenset({"address"})
COLUMNS = (
    "city",
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
MAX_KM_FROM_CITY = 80  # a shelter listed under a city lies within this of it (catches swapped coordinates)
# A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection, OWASP): the export
# puts a ' before it (bot.core.text.defused), and the import takes that ' off again, so files round-trip.


class ServiceFileError(ValueError):
    """A shelter file that cannot be imported; `errors` name every bad line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --- reading and checking a file -----------------------------------------------------------------


def read_csv(text: str) -> list[dict]:
    """Rows of a shelter CSV (UTF-8, a header line); a missing column fails the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ServiceFileError([f"line 1: missing column(s): {', '.join(missing)}"])
    return list(reader)


def check_row(row: dict, line: int, places: Places) -> tuple[dict | None, list[str]]:
    """One CSV row -> a database row, or the problems with it, each naming the line."""
    errors = []
    value = {k: _unquoted((row.get(k) or "").strip()) for k in COLUMNS}
    for column in REQUIRED:
        if not value[column] and column not in MAY_BE_EMPTY:
            errors.append(f"line {line}: {column} is empty")
    city = places.city(value["city"])
    if value["city"] and city is None:
        errors.append(f"line {line}: unknown city {value['city']!r} (use a key from data/places.json)")
    try:
        lat, lon = float(value["latitude"]), float(value["longitude"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError
        if city and distance_km(lat, lon, city.lat, city.lon) > MAX_KM_FROM_CITY:
            errors.append(f"line {line}: coordinates {lat}, {lon} are over {MAX_KM_FROM_CITY} km from {city.name}")
    except ValueError:
        if value["latitude"] and value["longitude"]:
            errors.append(f"line {line}: bad coordinates {value['latitude']!r}, {value['longitude']!r}")
        lat = lon = 0.0
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
    assert verified is not None  # verified_at is REQUIRED: an empty one is an error above
    return {
        "position": line - 1,
        "city": value["city"],
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
        "verified_at": verified.isoformat(),
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
        raise ServiceFileError(["the file has no shelters"])
    return rows


def replace_all(db: Database, rows: list[dict]) -> int:
    """The new list replaces the old one in one transaction: all of it, or none."""
    with db.atomic():
        db.execute("DELETE FROM shelters")
        for row in rows:
            db.table("shelters").insert(row)
    return len(rows)


def save_one(db: Database, shelter_id: int | None, row: dict) -> int:
    """Add a checked row (at the end of its city's list) or replace one, keeping its place."""
    with db.atomic():
        if shelter_id is None:
            (last,) = db.execute("SELECT COALESCE(max(position), 0) FROM shelters").fetchone()
            added = db.table("shelters").insert({**row, "position": last + 1}).last_pk
            assert added is not None  # an insert always sets it
            return added
        (position,) = db.execute("SELECT position FROM shelters WHERE id = ?", [shelter_id]).fetchone()
        db.table("shelters").update(shelter_id, {**row, "position": position})
        return shelter_id


def as_row(s: Service) -> dict:
    """A shelter as the CSV's columns: what `export` writes and the console's form shows."""
    return {
        "city": s.city,
        "name": s.name,
        "address": s.address,
        "phone": s.phone,
        "latitude": f"{s.latitude:.4f}",
        "longitude": f"{s.longitude:.4f}",
        "approximate": "yes" if s.approximate else "no",
        "serves": ";".join(s.serves),
        **{f"notes_{lang}": s.notes.get(lang, "") for lang in LANGS},
        "verified_at": s.verified_at.isoformat(),
        "source": s.source,
    }


def import_text(db: Database, text: str, places: Places) -> int:
    return replace_all(db, check_file(text, places))


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
        name=row["name"],
        address=row["address"],
        phone=row["phone"] or "",
        latitude=row["latitude"],
        longitude=row["longitude"],
        approximate=bool(row["approximate"]),
        serves=tuple(s for s in (row["serves"] or "").split(";") if s),
        notes=json.loads(row["notes"] or "{}"),
        verified_at=date.fromisoformat(row["verified_at"]),
        source=row["source"],
    )


def all_services(db: Database) -> list[Service]:
    return [_service(r) for r in db.query("SELECT * FROM shelters ORDER BY position, id")]


class Directory:
    """The shelters as the conversation sees them, read from the database only when asked."""

    def __init__(self, db: Database):
        self.db = db
        self._all: list[Service] | None = None

    def all(self) -> list[Service]:
        if self._all is None:
            self._all = all_services(self.db)
        return self._all

    def in_city(self, city: str) -> list[Service]:
        """A city's shelters in the operators' order (the most useful first)."""
        return [s for s in self.all() if s.city == city]

    def nearest(self, lat: float, lon: float) -> list[tuple[Service, float]]:
        """Every shelter with its distance in km, nearest first."""
        found = [(s, distance_km(lat, lon, s.latitude, s.longitude)) for s in self.all()]
        return sorted(found, key=lambda pair: pair[1])

    def by_ids(self, ids: list[int]) -> list[Service]:
        known = {s.id: s for s in self.all()}
        return [known[i] for i in ids if i in known]

    def legal_aid(self, city: str) -> list[LegalAid]:
        """Legal-aid organisations serving people in a city (data/legal_aid.csv, read once)."""
        return legal_aid.in_city(city)


def seed(db: Database, places: Places, path: Path = DATA_FILE) -> int:
    """A new database starts with data/shelters.csv."""
    return import_text(db, Path(path).read_text(encoding="utf-8"), places)
