"""The public contract `bot.dates.parse_hearing(text, lang, today)` (docs/dates.md): outside
checks call it by this name. The code lives in bot/core/dates.py."""

from bot.core.dates import ParsedHearing, parse_hearing

__all__ = ["ParsedHearing", "parse_hearing"]
