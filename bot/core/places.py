"""Reference data about cities, ports and courts, read from data/places.json (docs/places.md).

A city is where a person waits: its zone is their clock, its shelters are theirs. A court is where
the hearing is: its zone is the clock of the hearing time. A port belongs to a city (and its clock)
and serves courts; a person reports at their own city's port when it serves their court, else at
the court's main port. A court with no ports is an interior court: there is no port line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.core.text import bare

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "places.json"
NEAR_KM = 60  # a shared location this close to a city counts as that city
COURT_WORDS = {"corte", "court", "cour", "tribunal", "kou", "kot", "juzgado", "audiencia", "hearing", "tribunal de"}
_T = TypeVar("_T")
TYPO_MIN = 6  # names this long or longer are still found with one letter wrong (Huston, Harlinjen)


@dataclass(frozen=True)
class Port:
    key: str
    name: str  # as people in Mexico say it: El Chaparral, Puente Paso del Norte
    us_name: str
    city: str  # the city key it is in: its clock is that city's


@dataclass(frozen=True)
class Court:
    key: str
    name: str
    zone: ZoneInfo
    reporting_lead_hours: float
    eoir_name: str = ""
    city: str = ""
    state: str = ""
    address: str | None = None
    aliases: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()  # port keys, the main port first; none: an interior court
    detained: bool = False
    needs_court_word: tuple[str, ...] = ()  # aliases that are also first names (Orlando)

    @property
    def border(self) -> bool:
        return bool(self.ports)


@dataclass(frozen=True)
class City:
    key: str
    name: str
    zone: ZoneInfo
    court: Court | None  # the court that usually hears people waiting here, until they name theirs
    lat: float
    lon: float
    aliases: tuple[str, ...]
    state: str = ""
    menu: bool = True  # listed by number in the city menu (the others are found by name)


@dataclass(frozen=True)
class Places:
    cities: tuple[City, ...]
    courts: tuple[Court, ...]
    ports: tuple[Port, ...] = ()
    _cities: dict[str | None, City] = field(init=False, repr=False, compare=False)
    _courts: dict[str | None, Court] = field(init=False, repr=False, compare=False)
    _ports: dict[str | None, Port] = field(init=False, repr=False, compare=False)
    city_names: _Names = field(init=False, repr=False, compare=False)
    court_names: _Names = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # lookups by key are on every planned reminder: index them once
        object.__setattr__(self, "_cities", {c.key: c for c in self.cities})
        object.__setattr__(self, "_courts", {c.key: c for c in self.courts})
        object.__setattr__(self, "_ports", {p.key: p for p in self.ports})
        object.__setattr__(self, "city_names", _Names((a, c) for c in self.cities for a in c.aliases))
        object.__setattr__(self, "court_names", _Names((a, c) for c in self.courts for a in c.aliases))

    def city(self, key: str | None) -> City | None:
        return self._cities.get(key)

    def court(self, key: str | None) -> Court | None:
        return self._courts.get(key)

    def known_court(self, key: str | None) -> Court:
        """The court of a hearing or of a person past the menus: one of ours, or a KeyError."""
        return self._courts[key]

    def port(self, key: str | None) -> Port | None:
        return self._ports.get(key)

    @property
    def menu(self) -> tuple[City, ...]:
        """The cities listed by number, in the file's order."""
        return tuple(c for c in self.cities if c.menu)

    def port_for(self, city_key: str | None, court_key: str | None) -> Port | None:
        """Where the person reports: their city's port if it serves their court, else the court's main
        port; None for an interior court (or an unknown one)."""
        court = self.court(court_key)
        if court is None or not court.ports:
            return None
        served = [self._ports[k] for k in court.ports if k in self._ports]
        return next((p for p in served if p.city == city_key), served[0] if served else None)

    def zone_of_port(self, port: Port) -> ZoneInfo:
        city = self.city(port.city)
        assert city is not None, "a port's city is checked at load"
        return city.zone

    def clock_name(self, zone: ZoneInfo) -> str:
        """What to call a zone's clock: the city it is named after ('Ciudad Juárez' for
        America/Ciudad_Juarez), else its first city, else the zone's own last part ('Mexico City')."""
        named = zone.key.rsplit("/", 1)[-1].replace("_", " ")
        on_it = [c for c in self.cities if c.zone.key == zone.key]
        return next((c.name for c in on_it if bare(c.name) == bare(named)), on_it[0].name if on_it else named)


@cache
def load(path: Path = DATA_FILE) -> Places:
    """Read and check the places file once per process: every reference resolves, every zone exists."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    courts = {}
    for c in raw["courts"]:
        courts[c["key"]] = Court(
            key=c["key"],
            name=c["name"],
            zone=ZoneInfo(c["zone"]),
            reporting_lead_hours=float(c["reporting_lead_hours"]),
            eoir_name=c.get("eoir_name", ""),
            city=c.get("city", ""),
            state=c.get("state", ""),
            address=c.get("address"),
            aliases=tuple(dict.fromkeys(bare(a) for a in [c["name"], *c.get("aliases", [])] if bare(a))),
            ports=tuple(c.get("ports", [])),
            detained=bool(c.get("detained")),
            needs_court_word=tuple(bare(a) for a in c.get("needs_court_word", [])),
        )
    cities = []
    for c in raw["cities"]:
        usual = c.get("court")
        if usual is not None and usual not in courts:
            raise ValueError(f"{c['key']}: no court {usual!r}")
        cities.append(
            City(
                key=c["key"],
                name=c["name"],
                zone=ZoneInfo(c["zone"]),
                court=courts[usual] if usual else None,
                lat=c["lat"],
                lon=c["lon"],
                aliases=tuple(dict.fromkeys(bare(a) for a in [c["name"], c["key"], *c["aliases"]] if bare(a))),
                state=c.get("state", ""),
                menu=bool(c.get("menu", True)),
            )
        )
    city_keys = {c.key for c in cities}
    ports = tuple(Port(p["key"], p["name"], p["us_name"], p["city"]) for p in raw.get("ports", []))
    port_keys = {p.key for p in ports}
    for p in ports:
        if p.city not in city_keys:
            raise ValueError(f"port {p.key}: no city {p.city!r}")
    for court in courts.values():
        if missing := set(court.ports) - port_keys:
            raise ValueError(f"court {court.key}: no port {sorted(missing)}")
    return Places(tuple(cities), tuple(courts.values()), ports)


def _distance_one(a: str, b: str) -> bool:
    """Whether b is a within one letter (substituted, missing, extra, or two swapped)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class _Names:
    """Names (each one or more bare words) -> options, indexed once: a message is matched by looking
    up its words, not by trying every name (76 courts and 17 cities would cost a millisecond a message).
    A word one letter off shares a one-letter deletion with the name's word (then it is checked)."""

    def __init__(self, named: Iterable[tuple[str, object]]) -> None:
        self.exact: dict[str, list[tuple[tuple[str, ...], object]]] = {}
        self.fuzzy: dict[str, list[tuple[tuple[str, ...], int, object]]] = {}
        for name, option in named:
            parts = tuple(name.split())
            if not parts:
                continue
            self.exact.setdefault(parts[0], []).append((parts, option))
            if len(name) >= TYPO_MIN:
                for k, part in enumerate(parts):
                    for key in _deletions(part):
                        self.fuzzy.setdefault(key, []).append((parts, k, option))

    def spans(self, words: list[str], typos: bool) -> list[tuple[int, int, bool, object]]:
        """Every (start, end, exact, option) where a name stands as whole words in `words`."""
        found = []
        for i, word in enumerate(words):
            for parts, option in self.exact.get(word, ()):
                window = tuple(words[i : i + len(parts)])
                if window == parts:
                    found.append((i, i + len(parts), True, option))
                elif typos and len(window) == len(parts) and _one_typo(window, parts):
                    found.append((i, i + len(parts), False, option))
            if not typos or len(word) < 3:
                continue
            seen = set()
            for key in _deletions(word):
                for parts, k, option in self.fuzzy.get(key, ()):
                    start = i - k
                    if start < 0 or (start, parts, id(option)) in seen:
                        continue
                    seen.add((start, parts, id(option)))
                    window = tuple(words[start : start + len(parts)])
                    if len(window) == len(parts) and window != parts and _one_typo(window, parts):
                        found.append((start, start + len(parts), False, option))
        return found


def _one_typo(window: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    wrong = [(w, p) for w, p in zip(window, parts, strict=True) if w != p]
    return len(wrong) == 1 and _distance_one(*wrong[0])


def _best(said: str, names: _Names, taken: set[int], typos: bool, allowed=None) -> tuple[object, range] | None:
    """The option whose name covers the most words of the text (exact before typo), outside `taken`."""
    best: tuple[tuple[int, int], object, range] | None = None
    for start, end, exact, option in names.spans(said.split(), typos):
        if taken.intersection(range(start, end)) or (allowed is not None and not allowed(option)):
            continue
        rank = (end - start, 1 if exact else 0)
        if best is None or rank > best[0]:
            best = (rank, option, range(start, end))
    return (best[1], best[2]) if best else None


def _number(said: str, options: Sequence[_T]) -> _T | None:
    if said.isdigit():
        n = int(said)
        return options[n - 1] if 1 <= n <= len(options) else None
    return None


def find_city(text: str, places: Places, numbers: bool = True) -> City | None:
    """The city a message names: its menu number (when `numbers`), or any city's name, longest first."""
    said = bare(text)
    if numbers and (picked := _number(said, places.menu)):
        return picked
    found = _best(said, places.city_names, set(), typos=True)
    return found[0] if found and isinstance(found[0], City) else None


def find_court(text: str, places: Places, anywhere: bool = False) -> Court | None:
    """The court a message names (accents, case and one wrong letter forgiven).

    `anywhere`: the text was not an answer to "which court?", so a court is taken only outside the
    words that name a city ("Nuevo Laredo" is a city, not the Laredo court), never a detained court,
    and a court whose name is also a first name only after a word like "corte"."""
    said = bare(text)
    words = said.split()
    taken: set[int] = set()
    if anywhere:
        for start, end, _exact, _city in places.city_names.spans(words, typos=False):
            taken.update(range(start, end))
    allowed = (lambda c: not c.detained) if anywhere else None
    found = _best(said, places.court_names, taken, typos=True, allowed=allowed)
    if found is None:
        return None
    court, span = found
    assert isinstance(court, Court), "court_names holds courts"
    name = " ".join(words[span.start : span.stop])
    if anywhere and (name in court.needs_court_word or name not in court.aliases):  # a first name, or a typo
        before = set(words[max(0, span.start - 2) : span.start])
        if not before & COURT_WORDS:
            return None
    return court


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


US_STATES = {  # two-letter code -> the names people write (English, Spanish)
    "AL": ("alabama",),
    "AK": ("alaska",),
    "AZ": ("arizona",),
    "AR": ("arkansas",),
    "CA": ("california",),
    "CO": ("colorado",),
    "CT": ("connecticut",),
    "DE": ("delaware",),
    "FL": ("florida",),
    "GA": ("georgia",),
    "HI": ("hawaii", "hawai"),
    "ID": ("idaho",),
    "IL": ("illinois",),
    "IN": ("indiana",),
    "IA": ("iowa",),
    "KS": ("kansas",),
    "KY": ("kentucky",),
    "LA": ("louisiana", "luisiana"),
    "ME": ("maine",),
    "MD": ("maryland",),
    "MA": ("massachusetts",),
    "MI": ("michigan",),
    "MN": ("minnesota",),
    "MS": ("mississippi",),
    "MO": ("missouri",),
    "MT": ("montana",),
    "NE": ("nebraska",),
    "NV": ("nevada",),
    "NH": ("new hampshire", "nuevo hampshire"),
    "NJ": ("new jersey", "nueva jersey"),
    "NM": ("new mexico", "nuevo mexico"),
    "NY": ("new york", "nueva york"),
    "NC": ("north carolina", "carolina del norte"),
    "ND": ("north dakota", "dakota del norte"),
    "OH": ("ohio",),
    "OK": ("oklahoma",),
    "OR": ("oregon",),
    "PA": ("pennsylvania", "pensilvania"),
    "RI": ("rhode island",),
    "SC": ("south carolina", "carolina del sur"),
    "SD": ("south dakota", "dakota del sur"),
    "TN": ("tennessee",),
    "TX": ("texas", "tejas"),
    "UT": ("utah",),
    "VT": ("vermont",),
    "VA": ("virginia",),
    "WA": ("washington",),
    "WV": ("west virginia",),
    "WI": ("wisconsin",),
    "WY": ("wyoming",),
    "PR": ("puerto rico",),
    "MP": ("northern mariana islands", "marianas del norte"),
    "GU": ("guam",),
}


def find_court_at(text: str, places: Places) -> Court | None:
    """A court by the US city and state a person writes ("Omaha, Nebraska", "omaha ne"): the city must
    be a court's city and the state, when given, its state. Never a court (nor a clock) by state alone."""
    said = f" {bare(text)} "
    named = {code for code, names in US_STATES.items() if any(f" {n} " in said for n in names)}
    found = []
    for court in places.courts:
        city = bare(court.city)
        if court.detained or not city or f" {city} " not in said:
            continue
        after = said.split(f" {city} ", 1)[1].split()[:1]  # "omaha ne": a code only right after the city
        states = named | {a.upper() for a in after if a.upper() in US_STATES}
        if not states or court.state in states:
            found.append(court)
    found.sort(key=lambda c: c.name != c.city)  # "Houston" before "Houston (Greenspoint Park)"
    return found[0] if found and len({c.zone.key for c in found}) == 1 else None
