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
