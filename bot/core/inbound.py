"""Twilio's inbound form as a plain value: who wrote, on which channel, under which MessageSid, and what.

The webhook parses the form here before anything else runs, so nothing below it sees Twilio's field
names. A WhatsApp button's payload counts as the text when the bot knows it (YES, a keyword); an
opaque one ("btn_confirm_yes") gives way to the button's text, then Body.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core import keywords as kw
from bot.core.conversation import Message
from bot.core.phones import address, split_address

MAX_BODY = 1600  # Twilio's longest message; anything longer is cut before parsing


@dataclass(frozen=True)
class Inbound:
    sid: str  # Twilio's MessageSid: the same message retried is answered once
    phone: str  # E.164
    message: Message  # channel, text, media count, location pin


def _coordinate(value: str | None, limit: float) -> float | None:
    """A latitude or longitude as a number within ±limit; anything else (NaN, inf, 95) is no pin."""
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and -limit <= number <= limit else None


def _count(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def parse(form: Mapping[str, str]) -> Inbound:
    """Twilio's form fields -> Inbound; ValueError when there is no MessageSid or no sender."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    channel, phone = split_address(form.get("From", ""))
    if not sid or not phone:
        raise ValueError("an inbound message needs MessageSid and From")
    payload = form.get("ButtonPayload") or ""
    text = payload if kw.understood(payload) else form.get("ButtonText") or form.get("Body") or payload
    latitude, longitude = _coordinate(form.get("Latitude"), 90), _coordinate(form.get("Longitude"), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    message = Message(
        channel=channel,
        text=text[:MAX_BODY],
        num_media=_count(form.get("NumMedia")),
        latitude=latitude,
        longitude=longitude,
    )
    return Inbound(sid=sid, phone=phone, message=message)


def form_of(phone: str, channel: str, text: str) -> dict[str, str]:
    """The form Twilio would post for a text from `phone` (E.164) on a channel, with a fresh MessageSid:
    what the simulator and `chat` send, so a terminal or a browser is exactly a phone."""
    return {
        "MessageSid": "SM" + secrets.token_hex(16),
        "From": address(channel, phone),
        "To": "+15005550006",  # Twilio's test number: the bot's own number is not part of the message
        "Body": text,
        "NumMedia": "0",
    }
