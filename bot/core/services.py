"""A shelter as the bot tells people about it, and what the conversation asks of the shelter list.

The list itself lives in the database (bot/store/shelters.py); the conversation only sees it through the
`Directory` protocol, so it stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from bot.core.legal_aid import LegalAid

SERVES = ("families", "women", "children", "men", "lgbtq")
EVERYONE = frozenset({"families", "women", "men"})  # a shelter that lacks one of these is restricted
STALE_AFTER_DAYS = 180  # after this, a shelter's data says "not checked since MM/YYYY" (call first, if it has a phone)
# An address cell that says there is none: empty, or the words the first seed file used (databases
# seeded from it still hold them). The bot then says "No published address" in the person's language.
NO_ADDRESS = frozenset({"", "sin dirección publicada", "sin direccion publicada"})


@dataclass(frozen=True)
class Service:
    id: int
    city: str
    name: str
    address: str
    phone: str
    latitude: float
    longitude: float
    approximate: bool
    serves: tuple[str, ...]
    notes: dict[str, str] = field(hash=False, compare=False)
    verified_at: date
    source: str

    def note(self, lang: str) -> str:
        """The note in the person's language, else Spanish, else English."""
        return self.notes.get(lang) or self.notes.get("es") or self.notes.get("en") or ""

    def stale(self, today: date) -> bool:
        return (today - self.verified_at).days > STALE_AFTER_DAYS

    @property
    def has_address(self) -> bool:
        return self.address.strip().lower() not in NO_ADDRESS

    @property
    def restricted(self) -> bool:
        """It takes only some people (women and children, men...): who it takes must always be said."""
        return bool(self.serves) and not EVERYONE <= set(self.serves)


class Directory(Protocol):
    """The shelters (and the legal-aid listings), as the conversation reads them (bot/store/shelters.py)."""

    def in_city(self, city: str) -> list[Service]: ...

    def nearest(self, lat: float, lon: float) -> list[tuple[Service, float]]: ...

    def by_ids(self, ids: list[int]) -> list[Service]: ...

    def legal_aid(self, city: str) -> list[LegalAid]: ...
