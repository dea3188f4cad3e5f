"""The directory: shelters and the other services in each city, as the bot tells people about them.

One list (data/services.csv seeds it; bot/store/services.py keeps it) with a `kind` per entry:
shelters, legal aid, medical care, food, help for LGBTQ+ people, women and children, migrant-rights
groups and government offices. The conversation only sees it through the `Directory` protocol, so it
stays pure. What a person asks for (SHELTER, LEGAL, MEDICAL, FOOD) is a `Topic`: the kinds it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from bot.core.i18n import N_

KINDS = ("shelter", "legal_aid", "medical", "food", "lgbtq", "women", "children", "migrant_rights", "government")
# What the console calls each kind (msgids, translated where shown).
KIND_NAMES = {
    "shelter": N_("Shelter"),
    "legal_aid": N_("Legal aid"),
    "medical": N_("Medical care"),
    "food": N_("Food"),
    "lgbtq": N_("LGBTQ+ support"),
    "women": N_("Help for women"),
    "children": N_("Help for children"),
    "migrant_rights": N_("Migrant rights"),
    "government": N_("Government office"),
}
SERVES = ("families", "women", "children", "men", "lgbtq")
EVERYONE = frozenset({"families", "women", "men"})  # a shelter that lacks one of these is restricted
CHECK_EVERY_DAYS = 90  # older than this: first on the console's "to check" page, and "may have changed since"
# An address cell that says there is none: empty, or the words the first seed file used (databases
# seeded from it still hold them). The bot then says "No published address" in the person's language.
NO_ADDRESS = frozenset({"", "sin dirección publicada", "sin direccion publicada"})


@dataclass(frozen=True)
class Topic:
    """What a person asks for: the kinds it lists, and the headers of its answers (msgids)."""

    name: str
    kinds: tuple[str, ...]
    header: str  # "Shelters in {city}:"
    nearest: str  # "Shelters nearest to you:"
    none: str  # "We have no shelters listed in {city} yet. ..."
    keep_header: bool = False  # the header says what must be said: what the list is ("not advice"), whatever it costs


TOPICS = {
    topic.name: topic
    for topic in (
        Topic(
            "shelters",
            ("shelter",),
            N_("Shelters in {city}:"),
            N_("Shelters nearest to you:"),
            N_("We have no shelters listed in {city} yet. In an emergency, call 911. Reply SAFETY for safety tips."),
        ),
        Topic(
            "legal",
            ("legal_aid", "migrant_rights"),
            N_("Free legal help near {city} (they are not the court; this is not advice):"),
            N_("Free legal help nearest to you (they are not the court; this is not advice):"),
            N_("We have no legal help listed near {city} yet. To learn about your case, call {hotline}."),
            keep_header=True,
        ),
        Topic(
            "medical",
            ("medical",),
            N_("Medical care in {city}:"),
            N_("Medical care nearest to you:"),
            N_("We have no medical care listed in {city} yet. In an emergency, call 911."),
            keep_header=True,
        ),
        Topic(
            "food",
            ("food",),
            N_("Food in {city}:"),
            N_("Food nearest to you:"),
            N_("We have no food listed in {city} yet. Shelters often give meals: reply SHELTER."),
            keep_header=True,
        ),
    )
}
DEFAULT_TOPIC = "shelters"  # what a location pin lists when the person has asked for nothing yet


@dataclass(frozen=True)
class Service:
    id: int
    city: str
    name: str
    address: str
    phone: str
    latitude: float | None  # None: no published place (never on a map, never "nearest")
    longitude: float | None
    approximate: bool
    serves: tuple[str, ...]
    notes: dict[str, str] = field(hash=False, compare=False)
    verified_at: date | None  # the newest public source, or a volunteer's check; None: never checked
    source: str
    kind: str = "shelter"

    def note(self, lang: str) -> str:
        """The note in the person's language, else Spanish, else English."""
        return self.notes.get(lang) or self.notes.get("es") or self.notes.get("en") or ""

    def age(self, today: date) -> int | None:
        """Days since it was last checked (None: never)."""
        return (today - self.verified_at).days if self.verified_at else None

    def stale(self, today: date) -> bool:
        """Unchecked for CHECK_EVERY_DAYS or more, or never: it may have changed."""
        age = self.age(today)
        return age is None or age >= CHECK_EVERY_DAYS

    @property
    def placed(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def has_address(self) -> bool:
        return self.address.strip().lower() not in NO_ADDRESS

    @property
    def restricted(self) -> bool:
        """It takes only some people (women and children, men...): who it takes must always be said."""
        return bool(self.serves) and not EVERYONE <= set(self.serves)


class Directory(Protocol):
    """The services, as the conversation reads them (bot/store/services.py)."""

    def in_city(self, city: str, kinds: tuple[str, ...] = ("shelter",)) -> list[Service]: ...

    def nearest(self, lat: float, lon: float, kinds: tuple[str, ...] = ("shelter",)) -> list[tuple[Service, float]]: ...

    def by_ids(self, ids: list[int]) -> list[Service]: ...
