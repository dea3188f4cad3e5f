"""Is a webhook request really from Twilio? A valid signature with the token; without one, local
mode only, and then only from this machine as a developer's own tools send it."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask import Request
from twilio.request_validator import RequestValidator

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
SIGNATURE = re.compile(r"[A-Za-z0-9+/]{27}=")  # base64 of an HMAC-SHA1: anything else is not worth parsing


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


def local_request(request: Request) -> bool:
    """From this machine, to this machine by name, and not sent by a page of another site.

    A loopback peer alone is not enough: every request behind a same-host proxy is one, a page on
    another site can make the browser post to 127.0.0.1, and DNS rebinding gives it a foreign Host.
    """
    host = urlsplit(f"//{request.host}").hostname
    if not is_loopback(request.remote_addr) or host not in LOCAL_HOSTS:
        return False
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False  # came through a proxy: from somewhere else
    if request.headers.get("Sec-Fetch-Site", "none") not in ("none", "same-origin"):
        return False
    origin = request.headers.get("Origin")
    return origin in (None, "null", request.host_url.rstrip("/"))


def trusted(request: Request, config: dict) -> bool:
    """A valid X-Twilio-Signature when a token is set; in local mode, a local request; else nothing."""
    token = config.get("TWILIO_AUTH_TOKEN")
    if token:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not SIGNATURE.fullmatch(signature):
            return False
        return RequestValidator(token).validate(public_url(request, config["PUBLIC_URL"]), request.form, signature)
    return bool(config.get("LOCAL_MODE")) and local_request(request)
