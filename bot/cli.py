"""flask --app app COMMAND: init-db, chat, serve, scheduler, dispatch, queue, translate."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from twilio.request_validator import RequestValidator
from werkzeug.serving import run_simple

from bot import config as settings
from bot.core.phones import WHATSAPP_PREFIX, normalize
from bot.store import db as storage
from bot.web import context

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"


def register(app: Flask) -> None:
    for command in (init_db, chat, serve, scheduler, dispatch, queue, shelters_group, broadcast, staff_group,
                    purge, backup, translate):  # fmt: skip
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database."""
    storage.migrate(context.get_db())
    click.echo(f"database ready: {current_app.config['DATABASE']}")


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _refuse_unless(check) -> None:
    """Stop a command that would run open or pretend to send, saying which variable is missing."""
    try:
        check(current_app.config)
    except settings.ConfigError as error:
        raise click.ClickException(str(error)) from error


@click.command("chat")
@with_appcontext
@click.option("--phone", required=True, help="The phone to be, e.g. +5216561234567")
@click.option("--channel", type=click.Choice(["sms", "whatsapp"]), default="sms")
def chat(phone: str, channel: str) -> None:
    """Talk to the bot from the terminal, through the real webhook, as that phone would."""
    _refuse_unless(settings.check_web)
    storage.migrate(context.get_db())
    sender = normalize(phone)
    if not sender:
        raise click.BadParameter("not a phone number", param_hint="--phone")
    client = current_app.test_client()
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    base = "http://localhost" if current_app.config["LOCAL_MODE"] else current_app.config["PUBLIC_URL"].rstrip("/")
    url = (base or "http://localhost") + "/twilio/messages"
    click.echo("Type a message and press Enter; Ctrl-D to leave.")
    for line in sys.stdin:
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "From": (WHATSAPP_PREFIX if channel == "whatsapp" else "") + sender,
            "To": "+15005550006",
            "Body": line.rstrip("\n"),
            "NumMedia": "0",
        }
        headers = {}
        if token:
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, form)
        response = client.post(url, data=form, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        if response.status_code != 200:
            click.echo(f"(HTTP {response.status_code})")
            continue
        for message in ET.fromstring(response.data).iter("Message"):
            click.echo(f"< {message.text or ''}\n")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Development: the web app and the scheduler in one process (make run)."""
    from scheduler import runner

    _refuse_unless(settings.check_sender)
    storage.migrate(context.get_db())
    app = current_app._get_current_object()
    sched = runner.build(context.deps_of(app))
    sched.start()
    app.extensions["hearingbot.scheduler"] = sched
    click.echo(f"hearingbot: webhook at http://{host}:{port}/twilio/messages (scheduler running)")
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop ends it like Ctrl-C: gracefully
    try:
        # app.run() refuses to run under the flask CLI; no reloader: it would start a second scheduler.
        run_simple(host, port, app, use_reloader=False, threaded=True)
    finally:
        runner.stop_gracefully(sched)


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Production: the scheduler process that drains the outbox (a second one stays idle)."""
    from scheduler import runner

    _refuse_unless(settings.check_sender)
    storage.migrate(context.get_db())
    click.echo("hearingbot scheduler running; Ctrl-C to stop")
    sched = runner.build(context.deps_of(current_app._get_current_object()))
    # A service manager stops with SIGTERM, a terminal with SIGINT: either ends the run under way
    # gracefully (the request in flight finishes, the rest goes back to pending), then the lease goes.
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    sched.start()
    try:
        while not stop.wait(1):
            pass
    finally:
        click.echo("hearingbot scheduler stopping: finishing the message in flight")
        runner.stop_gracefully(sched)


@click.command("dispatch")
@with_appcontext
@click.option("--once", is_flag=True, required=True, help="Send what is due now, then exit.")
def dispatch(once: bool) -> None:
    """Send every due message once and print the counts (idle if a scheduler holds the lease)."""
    from scheduler.runner import Runner

    _refuse_unless(settings.check_sender)
    storage.migrate(context.get_db())
    run = Runner(context.deps_of(current_app._get_current_object()))
    try:
        click.echo(json.dumps(run.tick()))
    finally:
        run.release()


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Delete what is past its retention (the scheduler also does this daily); print the counts."""
    from bot.store import retention

    db = context.get_db()
    storage.migrate(db)
    click.echo(json.dumps(retention.purge(db, context.now(), retention.from_config(current_app.config))))


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """A consistent copy of the database while the bot runs (SQLite's online backup API)."""
    try:
        pages = storage.backup(context.get_db(), Path(path))
    except FileExistsError as error:
        raise click.ClickException(f"{path} exists (or is a link): give a new file name") from error
    click.echo(f"backup written to {path} ({pages} pages); it holds encrypted phones: keep it as safe as the key")


queue = AppGroup("queue", help="The outbox of messages the bot will send.")


@queue.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array (times in UTC, ending in Z).")
@click.option("--status", default=None, help="pending (default), sending, sent, delivered, failed, ...")
def queue_list(as_json: bool, status: str | None) -> None:
    """List queued messages, soonest first."""
    from scheduler import outbox

    db = context.get_db()
    storage.migrate(db)
    rows = outbox.listing(db, context.vault(), context.places(), status)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no {status or 'pending'} messages")
    for r in rows:
        error = f" error {r['error_code']}" if r["error_code"] else f" ({r['reason']})" if r["reason"] else ""
        click.echo(f"{r['id']:>6} {r['send_at']} {r['status']:<9} {r['channel']:<8} {r['to']} {r['kind']}{error}")


def _queue_action(action, row_id: int) -> None:
    from scheduler import outbox

    db = context.get_db()
    storage.migrate(db)
    try:
        row = action(db, row_id, context.now())
    except outbox.QueueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{row['id']} {row['status']} send_at {row['send_at']}")


@queue.command("send-now")
@click.argument("row_id", type=int, metavar="ID")
def queue_send_now(row_id: int) -> None:
    """Make a pending message due immediately (the scheduler sends it on its next tick)."""
    from scheduler import outbox

    _queue_action(outbox.send_now, row_id)


@queue.command("retry")
@click.argument("row_id", type=int, metavar="ID")
def queue_retry(row_id: int) -> None:
    """Send a failed, undelivered, expired or cancelled message again, if its hearing is ahead."""
    from scheduler import outbox

    _queue_action(outbox.retry, row_id)


@queue.command("cancel")
@click.argument("row_id", type=int, metavar="ID")
def queue_cancel(row_id: int) -> None:
    """Cancel a pending message."""
    from scheduler import outbox

    _queue_action(outbox.cancel, row_id)


shelters_group = AppGroup("shelters", help="The shelter list the bot answers SHELTER with.")


@shelters_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def shelters_import(path: str) -> None:
    """Replace every shelter with those in a CSV file; a bad line changes nothing."""
    from bot.store import shelters

    db = context.get_db()
    storage.migrate(db)
    try:
        count = shelters.import_text(db, Path(path).read_text(encoding="utf-8"), context.places())
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not UTF-8 text: nothing was imported") from error
    except shelters.ShelterFileError as error:
        raise click.ClickException("nothing was imported:\n" + "\n".join(error.errors)) from error
    click.echo(f"{count} shelters imported from {path}")


@shelters_group.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, writable=True))
def shelters_export(path: str | None) -> None:
    """Write the shelters as CSV (to PATH, or to the terminal)."""
    from bot.store import shelters

    db = context.get_db()
    storage.migrate(db)
    text = shelters.export_text(db)
    if path:
        try:
            with os.fdopen(storage.private_file(Path(path), exclusive=False), "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as error:  # ELOOP: a symlink is never written through
            raise click.ClickException(f"cannot write {path}: {error.strerror}") from error
        click.echo(f"{text.count(chr(10)) - 1} shelters written to {path}")
    else:
        click.echo(text, nl=False)


broadcast = AppGroup("broadcast", help="Safety alerts to many people at once.")


def _place(kind: str, name: str | None):
    """A city or court named on the command line (any alias, accents and case ignored)."""
    from bot.core.places import find_city, find_court

    if not name:
        return None
    found = (find_city if kind == "city" else find_court)(name, context.places())
    if found is None:
        raise click.BadParameter(f"no {kind} called {name!r}", param_hint=f"--{kind}")
    return found.key


@broadcast.command("send")
@click.option("--text", "text_es", required=True, help="The Spanish text; also sent to languages with no text.")
@click.option("--text-en")
@click.option("--text-pt")
@click.option("--text-fr")
@click.option("--text-ht")
@click.option("--only-written", is_flag=True, help="Languages with no text of their own get nothing.")
@click.option("--city", help="Only people in this city.")
@click.option("--lang", type=click.Choice(["es", "en", "pt", "fr", "ht"]), help="Only people with this language.")
@click.option("--court", help="Only people with a hearing at this court.")
@click.option("--hearing-from", type=click.DateTime(["%Y-%m-%d"]), help="Hearing on or after this day (court's).")
@click.option("--hearing-to", type=click.DateTime(["%Y-%m-%d"]), help="Hearing on or before this day (court's).")
@click.option("--author", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")
@click.option("--yes", is_flag=True, help="Send without asking (after printing the preview).")
def broadcast_send(text_es, text_en, text_pt, text_fr, text_ht, only_written, city, lang, court, hearing_from,
                   hearing_to, author, yes) -> None:  # fmt: skip
    """Preview a broadcast (people, segments per language, cost), then send it on confirmation."""
    from bot.store import broadcasts

    db = context.get_db()
    storage.migrate(db)
    target = broadcasts.Target(
        city=_place("city", city), lang=lang, court=_place("court", court),
        hearing_from=hearing_from and hearing_from.date(), hearing_to=hearing_to and hearing_to.date(),
    )  # fmt: skip
    texts = {"es": text_es, "en": text_en, "pt": text_pt, "fr": text_fr, "ht": text_ht}
    fallback = None if only_written else "es"
    shown = broadcasts.preview(db, target, {k: v for k, v in texts.items() if v}, fallback, context.places(),
                               context.prices())  # fmt: skip
    click.echo(f"To {target.describe(context.places())}:")
    for line in shown.lines():
        click.echo(line)
    if not shown.people:
        raise click.ClickException("nobody matches: nothing was sent")
    if not yes and not click.confirm("Send it now?", default=False):
        click.echo("not sent")
        return
    try:
        broadcast_id = broadcasts.create(db, author, "cli", target, texts, fallback, context.now())
        queued = broadcasts.send(db, broadcast_id, author, context.now(), context.places())
    except broadcasts.BroadcastError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"broadcast {broadcast_id}: {queued} messages queued")


@broadcast.command("list")
@click.option("--json", "as_json", is_flag=True)
def broadcast_list(as_json: bool) -> None:
    """Every broadcast, newest first, with its counts."""
    from bot.store import broadcasts

    db = context.get_db()
    storage.migrate(db)
    found = broadcasts.listing(db, context.places())
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no broadcasts")
    for b in found:
        click.echo(f"{b['id']:>5} {b['created_at']} {b['status']:<9} by {b['author']} to {b['target']}: "
                   f"queued {b['queued']}, sent {b['sent']}, delivered {b['delivered']}, failed {b['failed']}, "
                   f"cancelled {b['cancelled']}")  # fmt: skip


@broadcast.command("cancel")
@click.argument("broadcast_id", type=int, metavar="ID")
@click.option("--author", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")
def broadcast_cancel(broadcast_id: int, author: str) -> None:
    """Stop what is still queued of a broadcast."""
    from bot.store import broadcasts

    db = context.get_db()
    storage.migrate(db)
    try:
        stopped = broadcasts.cancel(db, broadcast_id, author, context.now())
    except broadcasts.BroadcastError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"broadcast {broadcast_id} cancelled: {stopped} queued messages stopped")


staff_group = AppGroup("staff", help="Volunteers and operators.")


def _secret(label: str, given: str | None) -> str:
    """A password or PIN: from a hidden prompt, or a line of standard input when it is not a terminal."""
    if given:
        return given
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException(f"{label}: expected a line on standard input")
    return line.rstrip("\r\n")


@staff_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["volunteer", "operator", "admin"]), default="volunteer")
@click.option("--phone", help="The phone that may send ALERTA messages (then a PIN is asked for too).")
@click.option("--lang", type=click.Choice(["es", "en", "pt", "fr", "ht"]), default="es", help="Console language.")
@click.option("--pin", help="The PIN for alerts by phone; asked for (hidden) when not given.")
def staff_add(name: str, role: str, phone: str | None, lang: str, pin: str | None) -> None:
    """Add a staff member. The password is read from a hidden prompt, or from standard input."""
    from bot.store import staff

    db = context.get_db()
    storage.migrate(db)
    password = _secret("Password (10 characters or more)", None)
    if phone:
        pin = _secret("PIN for alerts by phone (6 to 8 digits)", pin)
    try:
        staff.add(db, context.vault(), name, role, phone, password, pin, context.now(), lang)
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{role} {name} added")


@staff_group.command("pin")
@click.argument("name")
@click.option("--pin", help="The new PIN; asked for (hidden) when not given.")
def staff_pin(name: str, pin: str | None) -> None:
    """Set a new PIN for a volunteer's phone (also clears its locks)."""
    from bot.store import staff

    db = context.get_db()
    storage.migrate(db)
    try:
        staff.set_pin(db, context.vault(), name, _secret("New PIN for alerts by phone (6 to 8 digits)", pin),
                      context.now())  # fmt: skip
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"new PIN set for {name}")


@staff_group.command("list")
def staff_list() -> None:
    """Every staff member: role, console language, phone or not, disabled or locked."""
    from bot.store import staff

    db = context.get_db()
    storage.migrate(db)
    for m in staff.listing(db):
        flags = [f for f, on in (("phone", m["has_phone"]), ("disabled", m["disabled_at"])) if on]
        click.echo(f"{m['name']:<20} {m['role']:<9} {m['lang']}  {' '.join(flags)}")


@staff_group.command("disable")
@click.argument("name")
def staff_disable(name: str) -> None:
    """Stop a staff member's console logins and alerts by phone."""
    from bot.store import staff

    db = context.get_db()
    storage.migrate(db)
    try:
        staff.disable(db, name, context.now())
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name} disabled")


translate = AppGroup("translate", help="Message catalogs (pybabel).")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


@translate.command("extract")
def translate_extract() -> None:
    """Collect every msgid into locales/messages.pot."""
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output",
             "-o", str(LOCALES / "messages.pot"), str(ROOT / "bot"), str(ROOT / "scheduler"),
             str(ROOT / "templates"))  # fmt: skip


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge new msgids into every language's messages.po."""
    translate_extract.callback()
    _pybabel("update", "--no-fuzzy-matching", "-i", str(LOCALES / "messages.pot"), "-d", str(LOCALES))


@translate.command("compile")
def translate_compile() -> None:
    """Compile every messages.po into messages.mo (build output, not committed)."""
    _pybabel("compile", "-d", str(LOCALES))
