"""Per-request resources for Flask: one SQLite connection per request, closed at teardown."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g
from sqlite_utils import Database

from bot import storage
from bot.phones import PhoneVault
from bot.places import Places


def get_db() -> Database:
    if "db" not in g:
        g.db = storage.connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def now() -> datetime:
    """The current UTC time; tests pin it with config NOW (an aware datetime)."""
    return current_app.config.get("NOW") or storage.utcnow()


def vault() -> PhoneVault:
    return current_app.extensions["hearingbot.vault"]


def places() -> Places:
    return current_app.extensions["hearingbot.places"]


def init_app(app: Flask, vault_: PhoneVault, places_: Places) -> None:
    app.extensions["hearingbot.vault"] = vault_
    app.extensions["hearingbot.places"] = places_
    app.teardown_appcontext(close_db)
