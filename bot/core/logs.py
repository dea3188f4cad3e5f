"""Log lines: text (the default) or one JSON object a line (HEARINGBOT_LOG_FORMAT=json).

The code masks phones where it logs them (phones.mask) and never logs a message's text. As a last
guard, either format masks anything shaped like a full international number ("+" and 8 to 15
digits) that slipped into a message or a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from bot.core.phones import mask

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_PHONE = re.compile(r"\+[0-9]{8,15}(?![0-9])")


def redact(text: str) -> str:
    """Every full international number in a log line, masked to its last four digits."""
    return _PHONE.sub(lambda match: mask(match.group()), text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message"} (and "exception" with its traceback), one per line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry = {
            "time": moment.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def formatter(name: str) -> logging.Formatter:
    """The formatter for HEARINGBOT_LOG_FORMAT (bot/config.py has already refused any other value)."""
    return JsonFormatter() if name == "json" else TextFormatter()


class _Handler(logging.StreamHandler):
    """Ours on the root logger (stderr), told apart from a handler someone else installed."""


def configure(name: str, level: str) -> None:
    """Log to stderr in that format, like logging.basicConfig: nothing changes where logging was already
    set up by someone else (gunicorn's --log-config, pytest); ours gets the new format each time."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _Handler)]
    if not ours:
        if root.handlers:
            return
        ours = [_Handler()]
        root.addHandler(ours[0])
        root.setLevel(level.upper())
    for handler in ours:
        handler.setFormatter(formatter(name))
