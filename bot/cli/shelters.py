"""`shelters`: the shelter list the bot answers SHELTER with, from and to CSV."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.store import db as storage
from bot.store import services
from bot.web import context

group = AppGroup("shelters", help="The directory (shelters, legal aid, medical care, food...) the bot lists.")


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_db()
def shelters_import(db: Database, path: str) -> None:
    """Replace the directory with a CSV file; a bad line, or a kind left empty, changes nothing."""
    try:
        count = services.import_text(db, Path(path).read_text(encoding="utf-8"), context.places())
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not UTF-8 text: nothing was imported") from error
    except services.ServiceFileError as error:
        raise click.ClickException("nothing was imported:\n" + "\n".join(error.errors)) from error
    click.echo(f"{count} entries imported from {path}")


@group.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, writable=True))
@with_db()
def shelters_export(db: Database, path: str | None) -> None:
    """Write the directory as CSV (to PATH, or to the terminal)."""
    text = services.export_text(db)
    if not path:
        click.echo(text, nl=False)
        return
    try:
        with os.fdopen(storage.private_file(Path(path), exclusive=False), "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:  # ELOOP: a symlink is never written through
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from error
    click.echo(f"{len(services.read_csv(text))} entries written to {path}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
