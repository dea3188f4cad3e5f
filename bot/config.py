"""Configuration from the environment (docs/configuration.md), overridable by create_app(config)."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.phones import derive_key

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MIN_SECRET = 32  # characters: a short key makes every phone hash an offline guessing game
MIN_METRICS_TOKEN = 24  # characters: the token is compared in constant time, but it must not be guessable
LOG_FORMATS = ("text", "json")


class ConfigError(RuntimeError):
    """The bot cannot run safely as configured; the message names what to set."""


def _secret_key(instance: Path) -> str:
    """HEARINGBOT_SECRET_KEY, or one generated once and kept in instance/ (mode 600).

    Several workers may start at once on a new machine: the key is written to a private temporary
    file and linked into place, so every process reads the same complete key, whoever won.
    """
    if key := os.environ.get("HEARINGBOT_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # created 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker's key is in place: use it
        finally:
            os.unlink(temporary)
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
        "TWILIO_VOICE_FROM": env("TWILIO_VOICE_FROM", ""),  # caller ID of reminder calls; unset: no calls
        "DISPATCH_INTERVAL_SECONDS": float(env("HEARINGBOT_DISPATCH_INTERVAL", "10")),
        "REMINDERS_FILE": env("HEARINGBOT_REMINDERS", str(DATA_DIR / "reminders.json")),
        "WHATSAPP_TEMPLATES_FILE": env("HEARINGBOT_WHATSAPP_TEMPLATES", str(DATA_DIR / "whatsapp_templates.json")),
        "SEND_RATE": float(env("HEARINGBOT_SEND_RATE", "5")),  # messages per second; 0: no limit
        "LEASE_SECONDS": float(env("HEARINGBOT_LEASE_SECONDS", "60")),
        "TWILIO_TIMEOUT_SECONDS": float(env("HEARINGBOT_TWILIO_TIMEOUT", "15")),
        # Retention (bot/retention.py): how long what we keep is kept, in days.
        "RETENTION_HEARING_DAYS": int(env("HEARINGBOT_RETENTION_HEARING_DAYS", "30")),
        "RETENTION_INBOUND_DAYS": int(env("HEARINGBOT_RETENTION_INBOUND_DAYS", "7")),
        "RETENTION_THREAD_DAYS": int(env("HEARINGBOT_RETENTION_THREAD_DAYS", "7")),
        "THREAD_ANSWER_HOURS": int(env("HEARINGBOT_THREAD_ANSWER_HOURS", "24")),
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
        # Local mode (console transport, unsigned webhooks and the simulator from this machine only)
        # is never the default: a production start that forgot the token must not run open.
        "LOCAL_MODE": env("HEARINGBOT_LOCAL_MODE", "") == "1",
        "WEBHOOK_MAX_BYTES": 64 * 1024,  # Twilio's forms are under 10 KB
        # Proxies in front of the app (Caddy, nginx): the client address is taken from that many
        # X-Forwarded-For hops, so the console's per-address limits count clients, not the proxy.
        "PROXY_HOPS": int(env("HEARINGBOT_PROXY_HOPS", "0")),
        # The console's own clock, for audit and log times (a person's times are on their city's
        # clock, a hearing's on its court's). Tijuana: the first city of the menu.
        "CONSOLE_ZONE": env("HEARINGBOT_CONSOLE_ZONE", "America/Tijuana"),
        # Observability (docs/operations.md#know-it-is-alive): /metrics opens only with this Bearer token;
        # logs as text lines or one JSON object a line (phones masked, never a body, either way).
        "METRICS_TOKEN": env("HEARINGBOT_METRICS_TOKEN", ""),
        "LOG_FORMAT": env("HEARINGBOT_LOG_FORMAT", "text"),
    }
    config.update(overrides)
    # One secret, two keys: phones (Fernet + HMAC, bot/core/phones.py) and console sessions (Flask) are
    # derived from it with distinct HKDF labels, so a session key never opens a phone number.
    secret = config.pop("SECRET_KEY", None) or _secret_key(instance)
    generated = not os.environ.get("HEARINGBOT_SECRET_KEY") and "SECRET_KEY" not in overrides
    config["KEY_BESIDE_DATABASE"] = generated and Path(config["DATABASE"]).parent == instance
    if len(secret) < MIN_SECRET:
        raise ConfigError(
            f"HEARINGBOT_SECRET_KEY must have at least {MIN_SECRET} random characters "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    try:
        ZoneInfo(config["CONSOLE_ZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"HEARINGBOT_CONSOLE_ZONE={config['CONSOLE_ZONE']!r} is not an IANA time zone (e.g. America/Tijuana)"
        ) from error
    if config["LOG_FORMAT"] not in LOG_FORMATS:
        raise ConfigError(f"HEARINGBOT_LOG_FORMAT={config['LOG_FORMAT']!r} is neither 'text' (the default) nor 'json'")
    if config["METRICS_TOKEN"] and len(config["METRICS_TOKEN"]) < MIN_METRICS_TOKEN:
        raise ConfigError(
            f"HEARINGBOT_METRICS_TOKEN must have at least {MIN_METRICS_TOKEN} random characters, or be unset "
            "(then /metrics is 404)"
        )
    config["HEARINGBOT_SECRET_KEY"] = secret
    config["SECRET_KEY"] = derive_key(secret, b"hearingbot console sessions").hex()
    if config["PUBLIC_URL"] and "TRUSTED_HOSTS" not in config:
        config["TRUSTED_HOSTS"] = [urlsplit(config["PUBLIC_URL"]).hostname, "localhost", "127.0.0.1", "::1"]
    return config


TWILIO_SENDERS = ("TWILIO_SMS_FROM", "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_WHATSAPP_FROM")


def check_web(config: dict) -> None:
    """Refuse to serve with neither Twilio's token (signed webhooks) nor local mode asked for."""
    if config["LOCAL_MODE"] and config["TWILIO_AUTH_TOKEN"]:
        raise ConfigError(
            "HEARINGBOT_LOCAL_MODE=1 and TWILIO_AUTH_TOKEN are both set: choose one "
            "(local mode is for a developer's machine, the token for production)"
        )
    if config.get("KEY_BESIDE_DATABASE") and not config["LOCAL_MODE"]:
        logging.getLogger(__name__).warning(
            "the secret key is a file beside the database: a copy of that folder opens every phone; "
            "set HEARINGBOT_SECRET_KEY from a secret store instead"
        )
    if not (config["LOCAL_MODE"] or config["TWILIO_AUTH_TOKEN"]):
        raise ConfigError(
            "TWILIO_AUTH_TOKEN is not set: set it (production: every webhook is checked against "
            "Twilio's signature) or set HEARINGBOT_LOCAL_MODE=1 (a developer's machine)"
        )


def check_sender(config: dict) -> None:
    """Refuse to send unless Twilio is fully configured, or local mode was asked for."""
    check_web(config)
    if config["LOCAL_MODE"]:
        return
    missing = [name for name in ("TWILIO_ACCOUNT_SID",) if not config[name]]
    if not any(config[name] for name in TWILIO_SENDERS):
        missing.append("TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise ConfigError(
            f"cannot send: {', '.join(missing)} not set (with TWILIO_AUTH_TOKEN set, reminders "
            "go through Twilio only; nothing is marked sent that was not)"
        )


def calls_on(config: Mapping) -> bool:
    """Reminder calls can be placed: a caller ID with Twilio, or the console in local mode."""
    return bool(config.get("TWILIO_VOICE_FROM") and config.get("TWILIO_AUTH_TOKEN")) or bool(config.get("LOCAL_MODE"))
