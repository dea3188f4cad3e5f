"""Normalising what people type, so matching ignores case, accents and punctuation."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase, strip accents and collapse white space: 'ÈD ' -> 'ed'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def bare(text: str) -> str:
    """fold() with every non-letter, non-digit removed, for single-word keywords."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a plain number (a longitude) cannot run: it stays a number


def defused(cell: str | None) -> str | None:
    """'=HYPERLINK(...)' -> "'=HYPERLINK(...)": a spreadsheet shows it as text instead of running it.
    Every CSV the bot writes (shelters, the outcome report) passes its cells through here."""
    if cell and cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
