"""`doctor`: what a deploy gets wrong, one line per check (ok, warn, FAIL, or skip where it does not
apply); exit 1 on any FAIL. What each check means and how to fix it: docs/operations.md#doctor."""

from __future__ import annotations

import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from bot import config as settings
from bot.config import calls_on
from bot.core import clock, places, voice
from bot.core.dates import LANGS
from bot.core.voice import voice_dir, voices_of
from bot.store import db as storage
from bot.store import services
from scheduler import lease, planner, transport, whatsapp
from scheduler import voice as calls

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
SERVICE_SID = re.compile(r"MG[0-9a-f]{32}")
CONTENT_SID = re.compile(r"HX[0-9a-f]{32}")
MIN_DISTINCT = 16  # different characters in the secret: "aaaa…" or a repeated word is not a key


@dataclass(frozen=True)
class Check:
    state: str
    name: str
    reason: str


def _mode(c) -> Check:
    if c["LOCAL_MODE"] and c["TWILIO_AUTH_TOKEN"]:
        return Check(FAIL, "mode", "HEARINGBOT_LOCAL_MODE=1 and TWILIO_AUTH_TOKEN are both set: choose one")
    if c["LOCAL_MODE"]:
        return Check(OK, "mode", "local mode: the Twilio settings, public URL and credentials checks do not apply")
    if not c["TWILIO_AUTH_TOKEN"]:
        return Check(FAIL, "mode", "TWILIO_AUTH_TOKEN is not set (or HEARINGBOT_LOCAL_MODE=1 on a developer's machine)")
    return Check(OK, "mode", "production: TWILIO_AUTH_TOKEN is set, every webhook must be signed")


def _twilio_settings(c) -> Check:
    name = "twilio settings"
    if c["LOCAL_MODE"]:
        unused = [v for v in ("TWILIO_ACCOUNT_SID", *settings.TWILIO_SENDERS) if c[v]]
        if unused:
            return Check(WARN, name, f"local mode sends nothing through Twilio: {', '.join(unused)} unused")
        return Check(SKIP, name, "local mode")
    problems = []
    if not c["TWILIO_ACCOUNT_SID"]:
        problems.append("TWILIO_ACCOUNT_SID is not set (TWILIO_AUTH_TOKEN is)")
    elif not ACCOUNT_SID.fullmatch(c["TWILIO_ACCOUNT_SID"]):
        problems.append("TWILIO_ACCOUNT_SID is not AC followed by 32 hex digits")
    if not (c["TWILIO_SMS_FROM"] or c["TWILIO_MESSAGING_SERVICE_SID"]):
        problems.append(
            "no SMS sender: set TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID (SMS is also WhatsApp's fallback)"
        )
    if c["TWILIO_MESSAGING_SERVICE_SID"] and not SERVICE_SID.fullmatch(c["TWILIO_MESSAGING_SERVICE_SID"]):
        problems.append("TWILIO_MESSAGING_SERVICE_SID is not MG followed by 32 hex digits")
    if c["TWILIO_WHATSAPP_FROM"] and not c["TWILIO_WHATSAPP_FROM"].startswith("whatsapp:+"):
        problems.append("TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
    if problems:
        return Check(FAIL, name, "; ".join(problems))
    senders = [v for v in settings.TWILIO_SENDERS if c[v]]
    return Check(OK, name, f"account SID and sender(s): {', '.join(senders)}")


def _public_url(c) -> Check:
    name = "public url"
    if not c["TWILIO_AUTH_TOKEN"]:
        return Check(SKIP, name, "local mode" if c["LOCAL_MODE"] else "no token")
    url = c["PUBLIC_URL"]
    if not url:
        return Check(
            FAIL,
            name,
            "HEARINGBOT_PUBLIC_URL is not set: behind a proxy every signature fails; no status callback is asked for",
        )
    if not url.startswith("https://"):
        return Check(WARN, name, f"HEARINGBOT_PUBLIC_URL={url} is not https: Twilio's requests go in the clear")
    return Check(OK, name, url)


def _secret(c, instance: Path) -> Check:
    name = "secret key"
    secret = c["HEARINGBOT_SECRET_KEY"]
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT:
        return Check(
            FAIL,
            name,
            f"HEARINGBOT_SECRET_KEY has only {distinct} different characters: generate one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))' (every phone must then be registered again)",
        )
    if c.get("KEY_BESIDE_DATABASE") and not c["LOCAL_MODE"]:
        return Check(
            WARN,
            name,
            f"generated in {instance / 'secret_key'}, beside the database: a copy of that folder opens every phone; "
            "set HEARINGBOT_SECRET_KEY from a secret store",
        )
    return Check(OK, name, f"{len(secret)} characters")


def _permissions(c, instance: Path) -> Check:
    name = "file permissions"
    database = Path(c["DATABASE"])
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), instance / "secret_key"]
    loose = []
    for path in files:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            loose.append(f"{path} ({stat.filemode(mode)})")
    if loose:
        return Check(FAIL, name, f"group or others can read or write {', '.join(loose)}: chmod 600 each")
    return Check(OK, name, "the database and the key file are readable by their owner only")


def _database(c) -> tuple[Check, Any]:
    path = Path(c["DATABASE"])
    if not path.exists():
        return Check(FAIL, "database", f"{path} does not exist: run flask --app app init-db"), None
    try:
        db = storage.connect(path)
        db.execute("SELECT count(*) FROM leases").fetchone()
        db.execute("SELECT count(*) FROM outbox WHERE 0").fetchone()
    except sqlite3.Error as error:
        return Check(FAIL, "database", f"{path} cannot be read ({error}): run init-db, or restore a backup"), None
    return Check(OK, "database", str(path)), db


def _lease(c, db) -> Check:
    name = "scheduler lease"
    if db is None:
        return Check(SKIP, name, "no database")
    now = clock.now(c)
    state = lease.state(db, now, timedelta(seconds=c["LEASE_SECONDS"]))
    stale = WARN if c["LOCAL_MODE"] else FAIL  # on a developer's machine the scheduler runs with make run only
    if state["holder"] is None:
        return Check(stale, name, "no scheduler holds the lease: start flask --app app scheduler (exactly one)")
    if not state["held"]:
        return Check(
            stale,
            name,
            f"{state['holder']}'s lease expired {-state['expires_in_seconds']:.0f} s ago: the scheduler is not running",
        )
    return Check(
        OK,
        name,
        f"held by {state['holder']}, renewed {state['renewed_seconds_ago']:.0f} s ago, "
        f"expires in {state['expires_in_seconds']:.0f} s",
    )


def _templates(c) -> Check:
    name = "whatsapp templates"
    try:
        found = whatsapp.catalog(c["WHATSAPP_TEMPLATES_FILE"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return Check(FAIL, name, f"{c['WHATSAPP_TEMPLATES_FILE']} cannot be read: {error}")
    malformed = [f"{lang}/{kind}" for (lang, kind), sid in found.items() if sid and not CONTENT_SID.fullmatch(sid)]
    if malformed:
        return Check(FAIL, name, f"not a Content SID (HX + 32 hex digits): {', '.join(malformed)}")
    missing: dict[str, list[str]] = {}
    for (lang, kind), sid in found.items():
        if not sid:
            missing.setdefault(lang, []).append(kind)
    approved = sum(1 for sid in found.values() if sid)
    if not c["TWILIO_WHATSAPP_FROM"] and not c["LOCAL_MODE"]:
        return Check(SKIP, name, "no TWILIO_WHATSAPP_FROM: nothing goes by WhatsApp")
    if not missing:
        return Check(OK, name, f"all {approved} have an approved content_sid")
    kinds = {kind for _, kind in found}
    listed = "; ".join(
        f"{lang}: all {len(kinds)}" if len(missing[lang]) == len(kinds) else f"{lang}: {', '.join(missing[lang])}"
        for lang in LANGS
        if lang in missing
    )
    if approved == 0 and c["TWILIO_WHATSAPP_FROM"] and not c["LOCAL_MODE"]:
        return Check(
            FAIL,
            name,
            "TWILIO_WHATSAPP_FROM is set but no template has an approved content_sid: outside the 24-hour window "
            "every WhatsApp message goes by SMS",
        )
    return Check(WARN, name, f"no approved content_sid (these go by SMS outside the 24-hour window): {listed}")


def _data(c) -> Check:
    name = "data files"
    loaded = []
    loaders: list[tuple[str, Callable[[], Any]]] = [
        ("places", places.load),
        ("services", lambda: services.check_file(services.DATA_FILE.read_text(encoding="utf-8"), places.load())),
        ("reminders", lambda: planner.load_settings(c["REMINDERS_FILE"])),
    ]
    for what, load in loaders:
        try:
            load()
        except Exception as error:  # any way a file can be broken is this check's answer
            return Check(FAIL, name, f"the {what} file does not load: {type(error).__name__}: {error}")
        loaded.append(what)
    return Check(OK, name, f"{', '.join(loaded)} load")


def _voice(c) -> Check:
    name = "voice clips"
    folder = voice_dir(c)
    if not calls_on(c):
        return Check(SKIP, name, "no reminder calls: TWILIO_VOICE_FROM is not set")
    if not c["PUBLIC_URL"] and not c.get("LOCAL_MODE"):
        return Check(WARN, name, "HEARINGBOT_PUBLIC_URL is not set: calls cannot offer 1 and 2, nor play clips")
    try:
        missing = voice.missing_clips(voices_of(c), places.load())
    except Exception as error:  # any way the voices file or a manifest can be broken
        return Check(FAIL, name, f"{folder} does not load: {type(error).__name__}: {error}")
    if not missing:
        return Check(SKIP, name, "no language is spoken from recorded clips")
    if len(c["PUBLIC_URL"]) > calls.MAX_PUBLIC_URL:
        return Check(
            WARN,
            name,
            f"HEARINGBOT_PUBLIC_URL is {len(c['PUBLIC_URL'])} characters: a call played from clips could pass "
            f"Twilio's {calls.MAX_TWIML}-character TwiML; use one of at most {calls.MAX_PUBLIC_URL}",
        )
    total = len(voice.needed_clips(places.load()))
    said = [
        f"{lang}: {total - len(keys)} of {total} clips recorded"
        + (f"; calls in {lang} are spoken in Spanish until they are" if keys else "")
        for lang, keys in missing.items()
    ]
    return Check(WARN if any(missing.values()) else OK, name, "; ".join(said))


def _credentials(c, offline: bool) -> Check:
    name = "twilio credentials"
    if c["LOCAL_MODE"] or not c["TWILIO_AUTH_TOKEN"]:
        return Check(SKIP, name, "local mode" if c["LOCAL_MODE"] else "no token")
    if not ACCOUNT_SID.fullmatch(c["TWILIO_ACCOUNT_SID"] or ""):
        return Check(SKIP, name, "no valid TWILIO_ACCOUNT_SID to ask with")
    if offline:
        return Check(SKIP, name, "--offline: Twilio not asked")
    ok, why = transport.check_account(c)
    return Check(OK if ok else FAIL, name, f"{why} ({c['TWILIO_API_BASE']})")


def _metrics(c) -> Check:
    if c["METRICS_TOKEN"]:
        return Check(OK, "metrics", "HEARINGBOT_METRICS_TOKEN is set: /metrics answers its Bearer token")
    return Check(SKIP, "metrics", "HEARINGBOT_METRICS_TOKEN is not set: /metrics is 404")


def checks(c, instance: Path, offline: bool = False) -> Iterator[Check]:
    """Every check, in the order a deploy should fix them."""
    yield _mode(c)
    yield _twilio_settings(c)
    yield _public_url(c)
    yield _secret(c, instance)
    database, db = _database(c)
    yield database
    yield _permissions(c, instance)
    try:
        yield _lease(c, db)
    finally:
        if db is not None:
            db.close()
    yield _templates(c)
    yield _data(c)
    yield _voice(c)
    yield _metrics(c)
    yield _credentials(c, offline)


@click.command("doctor")
@click.option("--offline", is_flag=True, help="Do not ask Twilio whether the credentials work.")
@with_appcontext
def doctor(offline: bool) -> None:
    """Check the configuration, files, scheduler and Twilio account; exit 1 on any FAIL."""
    config = current_app.config
    failed = False
    for check in checks(config, Path(config.get("INSTANCE_DIR", settings.INSTANCE_DIR)), offline):
        failed |= check.state == FAIL
        click.echo(f"{check.state:<4}  {check.name}: {check.reason}")
    if failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(doctor)
