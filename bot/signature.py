"""Is a webhook request really from Twilio? Signature with a token; loopback only without one."""

from __future__ import annotations

import ipaddress

from flask import Request
from twilio.request_validator import RequestValidator


def public_url(request: Request, base: str) -> str:
    """The exact URL Twilio called: HEARINGBOT_PUBLIC_URL + path (+ query), else the request's."""
    if not base:
        return request.url
    url = base.rstrip("/") + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def trusted(request: Request, config: dict) -> bool:
    """Local mode (no token) trusts loopback only; otherwise X-Twilio-Signature must be valid."""
    token = config.get("TWILIO_AUTH_TOKEN")
    if not token:
        return is_loopback(request.remote_addr)
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(token).validate(public_url(request, config["PUBLIC_URL"]), request.form, signature)
