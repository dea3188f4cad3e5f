"""The database itself: init-db, backup, purge."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.store import db as storage
from bot.store import retention
from bot.web import context


@click.command("init-db")
@with_db()
def init_db(db: Database) -> None:
    """Create or migrate the database."""
    click.echo(f"database ready: {current_app.config['DATABASE']}")


@click.command("purge")
@with_db()
def purge(db: Database) -> None:
    """Delete what is past its retention (the scheduler also does this daily); print the counts."""
    click.echo(json.dumps(retention.purge(db, context.now(), retention.from_config(current_app.config))))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path: str) -> None:
    """A consistent copy of the database while the bot runs (SQLite's online backup API)."""
    try:
        pages = storage.backup(context.get_db(), Path(path))
    except FileExistsError as error:
        raise click.ClickException(f"{path} exists (or is a link): give a new file name") from error
    click.echo(f"backup written to {path} ({pages} pages); it holds encrypted phones: keep it as safe as the key")


def init_app(app: Flask) -> None:
    for command in (init_db, purge, backup):
        app.cli.add_command(command)
