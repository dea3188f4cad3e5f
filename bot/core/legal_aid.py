"""Legal help near the person: public listings of legal-aid and migrant-rights organisations
(data/legal_aid.csv, each row with its source and the date it was read), never advice.

The bot lists them when a person writes LEGAL / ABOGADO / ADVOGADO / AVOCAT / AVOKA, and after a
missed hearing. A page is at most two SMS segments: name, phone (or "no phone published", said
plainly), the languages the organisation says it speaks.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from bot.core.i18n import NATIVE_NAMES, translator
from bot.core.segments import MAX_SEGMENTS, count

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "legal_aid.csv"
COLUMNS = ("city", "name", "phone", "languages", "source", "verified_at")


@dataclass(frozen=True)
class LegalAid:
    city: str
    name: str
    phone: str
    languages: tuple[str, ...]
    source: str
    verified_at: date | None  # the newest source's date; None when no source was dated


def parse(text: str) -> list[LegalAid]:
    """Rows of the CSV, checked: every column present, a name, a source and a date on every row."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"legal aid columns must be {', '.join(COLUMNS)}")
    found = []
    for line, row in enumerate(reader, 2):
        if not (row["city"] and row["name"].strip() and row["source"].strip()):
            raise ValueError(f"line {line}: city, name and source are required")
        try:
            verified = date.fromisoformat(row["verified_at"]) if row["verified_at"] else None
        except ValueError:
            raise ValueError(f"line {line}: verified_at must be a date (YYYY-MM-DD) or empty") from None
        languages = tuple(code.strip() for code in row["languages"].split(";") if code.strip())
        found.append(
            LegalAid(row["city"], row["name"].strip(), row["phone"].strip(), languages, row["source"], verified)
        )
    return found


@cache
def load(path: Path = DATA_FILE) -> tuple[LegalAid, ...]:
    return tuple(parse(Path(path).read_text(encoding="utf-8")))


def in_city(city: str, path: Path = DATA_FILE) -> list[LegalAid]:
    """A city's organisations, in the file's order (the most useful first)."""
    return [entry for entry in load(path) if entry.city == city]


def entry(aid: LegalAid, lang: str) -> str:
    """'Al Otro Lado: Tel. +1 ... (Español, English).' in the person's language."""
    _ = translator(lang)
    spoken = ", ".join(NATIVE_NAMES[code] for code in aid.languages if code in NATIVE_NAMES)
    reach = f"Tel. {aid.phone}" if aid.phone else _("no phone published")
    return f"{aid.name}: {reach}" + (f" ({spoken})." if spoken else ".")


def pages(found: list[LegalAid], header: str, lang: str) -> list[str]:
    """The organisations packed into messages of at most two segments; the header leads the first."""
    out: list[list[str]] = []
    current: list[str] = [header] if header else []
    for aid in found:
        line = entry(aid, lang)
        if current and count("\n".join([*current, line])) > MAX_SEGMENTS:
            out.append(current)
            current = []
        current.append(line)
    if current:
        out.append(current)
    return ["\n".join(lines) for lines in out]
