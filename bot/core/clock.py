"""Time as the bot stores and compares it: UTC instants, written ISO 8601 with a Z."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def now(config: Mapping) -> datetime:
    """The current UTC time, or the one a test pinned in the configuration's NOW (an aware datetime).
    The web's requests and the scheduler's runs both ask here."""
    return config.get("NOW") or utcnow()


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the one format times are stored and shown in."""
    if moment is None:
        return None
    # isoformat is several times faster than strftime, and planning writes hundreds of thousands
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)  # Python 3.11 reads the Z


def parse_utc(text: str) -> datetime:
    """parse_iso of a time that is never missing (NOT NULL in its table)."""
    return datetime.fromisoformat(text).astimezone(UTC)
