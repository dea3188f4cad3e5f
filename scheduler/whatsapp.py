"""WhatsApp's 24-hour window: free text after the person's last message, else an approved template.

Templates are configured per language and template kind in data/whatsapp_templates.json
(content_sid of the template Meta approved): a row's kind, or for a hearing at an interior court
the same kind + "_interior" (scheduler/texts.template_kind). With none configured, the message goes
by SMS to the same number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from bot.core.clock import parse_iso

WINDOW = timedelta(hours=24)
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "whatsapp_templates.json"
TEXT, TEMPLATE, SMS = "text", "template", "sms"


@cache
def templates(path: str | None = None) -> dict[tuple[str, str], str]:
    """(lang, kind) -> content_sid, for the templates that have one."""
    raw = json.loads(Path(path or DEFAULT_TEMPLATES).read_text())["templates"]
    return {
        (lang, kind): t["content_sid"]
        for lang, by_kind in raw.items()
        for kind, t in by_kind.items()
        if t["content_sid"]
    }


def catalog(path: str | None = None) -> dict[tuple[str, str], str | None]:
    """(lang, kind) -> content_sid or None: every template the file lists, approved or not (for `doctor`)."""
    raw = json.loads(Path(path or DEFAULT_TEMPLATES).read_text())["templates"]
    return {(lang, kind): t["content_sid"] or None for lang, by_kind in raw.items() for kind, t in by_kind.items()}


@dataclass(frozen=True)
class Route:
    channel: str  # what the message goes by: "sms" or "whatsapp"
    sent_as: str  # text, template or sms
    content_sid: str | None = None


def route(
    channel: str,
    last_inbound_at: str | None,
    now: datetime,
    lang: str,
    kind: str,
    force_template: bool,
    configured: dict[tuple[str, str], str],
) -> Route:
    """How one message goes out, given the person's channel and when they last wrote."""
    if channel != "whatsapp":
        return Route("sms", TEXT)
    last = parse_iso(last_inbound_at)
    if not force_template and last is not None and now - last < WINDOW:
        return Route("whatsapp", TEXT)
    if sid := configured.get((lang, kind)):
        return Route("whatsapp", TEMPLATE, sid)
    return Route("sms", SMS)
