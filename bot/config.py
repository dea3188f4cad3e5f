"""Configuration from the environment (DESIGN.md §4), overridable by create_app(config)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _secret_key(instance: Path) -> str:
    """HEARINGBOT_SECRET_KEY, or one generated once and kept in instance/ (mode 600)."""
    if key := os.environ.get("HEARINGBOT_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def from_environment(overrides: dict | None = None) -> dict:
    """The settings the app runs with; overrides win (tests pass their own)."""
    overrides = overrides or {}
    instance = Path(overrides.get("INSTANCE_DIR", INSTANCE_DIR))
    env = os.environ.get
    config = {
        "DATABASE": env("HEARINGBOT_DATABASE", str(instance / "hearingbot.db")),
        "PUBLIC_URL": env("HEARINGBOT_PUBLIC_URL", ""),
        "TWILIO_ACCOUNT_SID": env("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": env("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_SMS_FROM": env("TWILIO_SMS_FROM", ""),
        "TWILIO_MESSAGING_SERVICE_SID": env("TWILIO_MESSAGING_SERVICE_SID", ""),
        "TWILIO_WHATSAPP_FROM": env("TWILIO_WHATSAPP_FROM", ""),
        "TWILIO_API_BASE": env("TWILIO_API_BASE", "https://api.twilio.com"),
        "DISPATCH_INTERVAL_SECONDS": float(env("HEARINGBOT_DISPATCH_INTERVAL", "10")),
        "REMINDERS_FILE": env("HEARINGBOT_REMINDERS", str(DATA_DIR / "reminders.json")),
        "WHATSAPP_TEMPLATES_FILE": env("HEARINGBOT_WHATSAPP_TEMPLATES", str(DATA_DIR / "whatsapp_templates.json")),
        "SEND_RATE": float(env("HEARINGBOT_SEND_RATE", "5")),  # messages per second; 0: no limit
        "LEASE_SECONDS": float(env("HEARINGBOT_LEASE_SECONDS", "60")),
        "TWILIO_TIMEOUT_SECONDS": float(env("HEARINGBOT_TWILIO_TIMEOUT", "15")),
        # Retention (bot/retention.py): how long what we keep is kept, in days.
        "RETENTION_HEARING_DAYS": int(env("HEARINGBOT_RETENTION_HEARING_DAYS", "30")),
        "RETENTION_INBOUND_DAYS": int(env("HEARINGBOT_RETENTION_INBOUND_DAYS", "7")),
        "RETENTION_SILENT_DAYS": int(env("HEARINGBOT_RETENTION_SILENT_DAYS", "180")),
        # Broadcast previews estimate the cost with these (USD; set them from Twilio's price pages).
        "PRICE_SMS_SEGMENT": float(env("HEARINGBOT_PRICE_SMS_SEGMENT", "0.10")),
        "PRICE_WHATSAPP_MESSAGE": float(env("HEARINGBOT_PRICE_WHATSAPP_MESSAGE", "0.02")),
        # Twilio form posts are small; a shelter CSV upload is the largest request we take.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Console sessions: cookies only over HTTPS (and localhost), never to scripts, not cross-site.
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance)
    return config
