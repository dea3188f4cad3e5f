"""`broadcast`: safety alerts to many people at once: send (after a preview), list, cancel."""

from __future__ import annotations

import json
import os
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.core.dates import LANGS
from bot.core.places import find_city, find_court
from bot.store import broadcasts
from bot.web import context

group = AppGroup("broadcast", help="Safety alerts to many people at once.")
AUTHOR = click.option("--author", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")


def _place(kind: str, name: str | None) -> str | None:
    """A city or court named on the command line (any alias, accents and case ignored)."""
    if not name:
        return None
    found = (find_city if kind == "city" else find_court)(name, context.places())
    if found is None:
        raise click.BadParameter(f"no {kind} called {name!r}", param_hint=f"--{kind}")
    return found.key


@group.command("send")
@click.option("--text", "text_es", required=True, help="The Spanish text; also sent to languages with no text.")
@click.option("--text-en")
@click.option("--text-pt")
@click.option("--text-fr")
@click.option("--text-ht")
@click.option("--only-written", is_flag=True, help="Languages with no text of their own get nothing.")
@click.option("--city", help="Only people in this city.")
@click.option("--lang", type=click.Choice(LANGS), help="Only people with this language.")
@click.option("--court", help="Only people with a hearing at this court.")
@click.option("--hearing-from", type=click.DateTime(["%Y-%m-%d"]), help="Hearing on or after this day (court's).")
@click.option("--hearing-to", type=click.DateTime(["%Y-%m-%d"]), help="Hearing on or before this day (court's).")
@AUTHOR
@click.option("--yes", is_flag=True, help="Send without asking (after printing the preview).")
@with_db()
def broadcast_send(
    db: Database,
    text_es: str,
    text_en: str | None,
    text_pt: str | None,
    text_fr: str | None,
    text_ht: str | None,
    only_written: bool,
    city: str | None,
    lang: str | None,
    court: str | None,
    hearing_from: datetime | None,
    hearing_to: datetime | None,
    author: str,
    yes: bool,
) -> None:
    """Preview a broadcast (people, segments per language, cost), then send it on confirmation."""
    target = broadcasts.Target(
        city=_place("city", city),
        lang=lang,
        court=_place("court", court),
        hearing_from=hearing_from and hearing_from.date(),
        hearing_to=hearing_to and hearing_to.date(),
    )
    texts = {"es": text_es, "en": text_en, "pt": text_pt, "fr": text_fr, "ht": text_ht}
    fallback = None if only_written else broadcasts.FALLBACK
    written = {k: v for k, v in texts.items() if v}
    shown = broadcasts.preview(db, target, written, fallback, context.places(), context.prices())
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


@group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_db()
def broadcast_list(db: Database, as_json: bool) -> None:
    """Every broadcast, newest first, with its counts."""
    found = broadcasts.listing(db, context.places())
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no broadcasts")
    for b in found:
        counts = ", ".join(f"{key} {b[key]}" for key in ("queued", "sent", "delivered", "failed", "cancelled"))
        click.echo(f"{b['id']:>5} {b['created_at']} {b['status']:<9} by {b['author']} to {b['target']}: {counts}")


@group.command("cancel")
@click.argument("broadcast_id", type=int, metavar="ID")
@AUTHOR
@with_db()
def broadcast_cancel(db: Database, broadcast_id: int, author: str) -> None:
    """Stop what is still queued of a broadcast."""
    try:
        stopped = broadcasts.cancel(db, broadcast_id, author, context.now())
    except broadcasts.BroadcastError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"broadcast {broadcast_id} cancelled: {stopped} queued messages stopped")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
