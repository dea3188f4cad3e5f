"""What every command module shares: the decorator that opens and migrates the database, configuration checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from bot import config as settings
from bot.store import db as storage
from bot.web import context


def refuse_unless(check: Callable[[Any], None]) -> None:
    """Stop a command that would run open or pretend to send, saying which variable is missing."""
    try:
        check(current_app.config)
    except settings.ConfigError as error:
        raise click.ClickException(str(error)) from error


def with_db(check: Callable[[Any], None] | None = None) -> Callable:
    """Run the command in the app's context with the database open and migrated, as its first argument.

    `check` (settings.check_web or check_sender) runs first: a command that would run open or pretend
    to send stops before anything is created.
    """

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        @with_appcontext
        def run(*args: Any, **kwargs: Any) -> Any:
            if check is not None:
                refuse_unless(check)
            db = context.get_db()
            storage.migrate(db)
            return command(db, *args, **kwargs)

        return run

    return decorate
