"""Words of danger in five languages (data/danger_words.json): they skip the automation.

A message that names a kidnapping, a threat, extortion, being followed, a detention, violence or a
missing relative gets 911, 089 and the safety advice at once, and a volunteer sees it first. The
patterns are matched on the folded text (bot.core.text.bare) at word starts, in every language at
once: a person may write in a language other than the one they chose.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from bot.core.text import bare

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "danger_words.json"


@cache
def patterns(path: Path = DATA_FILE) -> tuple[re.Pattern[str], ...]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(
        re.compile(rf"(?:^| ){pattern}") for lang, found in raw.items() if not lang.startswith("_") for pattern in found
    )


def in_danger(text: str) -> bool:
    said = bare(text)
    return bool(said) and any(p.search(said) for p in patterns())
