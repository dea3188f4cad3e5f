"""Reference data about cities, ports and courts, read from data/places.json."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.core.text import bare

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "places.json"
NEAR_KM = 60  # a shared location this close to a city counts as that city


@dataclass(frozen=True)
class Court:
    key: str
    name: str
    zone: ZoneInfo
    reporting_lead_hours: float


@dataclass(frozen=True)
class City:
    key: str
    name: str
    zone: ZoneInfo
    port: str
    court: Court
    lat: float
    lon: float
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Places:
    cities: tuple[City, ...]
    courts: tuple[Court, ...]
    _cities: dict[str | None, City] = field(init=False, repr=False, compare=False)
    _courts: dict[str | None, Court] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # lookups by key are on every planned reminder: index them once
        object.__setattr__(self, "_cities", {c.key: c for c in self.cities})
        object.__setattr__(self, "_courts", {c.key: c for c in self.courts})

    def city(self, key: str | None) -> City | None:
        return self._cities.get(key)

    def court(self, key: str | None) -> Court | None:
        return self._courts.get(key)

    def known_court(self, key: str | None) -> Court:
        """The court of a hearing or of a person past the menus: one of ours, or a KeyError."""
        return self._courts[key]


@cache
def load(path: Path = DATA_FILE) -> Places:
    """Read and check the places file once per process."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    courts = {
        c["key"]: Court(c["key"], c["name"], ZoneInfo(c["zone"]), float(c["reporting_lead_hours"]))
        for c in raw["courts"]
    }
    cities = []
    for c in raw["cities"]:
        if c["zone"] == "America/Monterrey":
            raise ValueError(f"{c['key']}: America/Monterrey is an hour off on the border")
        cities.append(
            City(
                key=c["key"],
                name=c["name"],
                zone=ZoneInfo(c["zone"]),
                port=c["port"],
                court=courts[c["court"]],
                lat=c["lat"],
                lon=c["lon"],
                aliases=tuple(bare(a) for a in [c["name"], c["key"], *c["aliases"]]),
            )
        )
    return Places(tuple(cities), tuple(courts.values()))


_Option = TypeVar("_Option", City, Court)


def _pick(text: str, options: Sequence[_Option], names_of: Callable[[_Option], Iterable[str]]) -> _Option | None:
    """Match a menu answer: its number, or a name found as whole words in the text."""
    said = bare(text)
    if said.isdigit():
        n = int(said)
        return options[n - 1] if 1 <= n <= len(options) else None
    padded = f" {said} "
    # Longest alias first so "nuevo laredo" wins over "laredo".
    ranked = sorted(((len(a), o) for o in options for a in names_of(o)), key=lambda p: -p[0])
    for _, option in ranked:
        if any(f" {a} " in padded for a in names_of(option) if a):
            return option
    return None


def find_city(text: str, places: Places) -> City | None:
    """The city a menu answer names, by number (1-based) or name."""
    return _pick(text, places.cities, lambda c: c.aliases)


def find_court(text: str, places: Places) -> Court | None:
    """The court a menu answer names, by number (1-based) or name."""
    return _pick(text, places.courts, lambda c: (bare(c.name), bare(c.key)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): plenty for 'which shelter is nearest'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(min(1.0, a)))


def nearest_city(lat: float, lon: float, places: Places) -> City | None:
    """The city within NEAR_KM of a shared location, if any."""
    best = min(places.cities, key=lambda city: distance_km(lat, lon, city.lat, city.lon))
    return best if distance_km(lat, lon, best.lat, best.lon) <= NEAR_KM else None
