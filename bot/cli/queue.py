"""`queue`: the outbox of messages the bot will send: list, send-now, retry, cancel."""

from __future__ import annotations

import json
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.core.status import Status
from bot.web import context
from scheduler import outbox

queue = AppGroup("queue", help="The outbox of messages the bot will send.")


@queue.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array (times in UTC, ending in Z).")
@click.option("--status", default=None, help="pending (default), sending, sent, delivered, failed, ...")
@with_db()
def queue_list(db: Database, as_json: bool, status: str | None) -> None:
    """List queued messages, soonest first."""
    which = outbox.Filter((status or Status.PENDING,))
    rows = outbox.listing(db, context.vault(), context.places(), which, days_before=context.reminders().days_before)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no {status or 'pending'} messages")
    for r in rows:
        error = f" error {r['error_code']}" if r["error_code"] else f" ({r['reason']})" if r["reason"] else ""
        click.echo(f"{r['id']:>6} {r['send_at']} {r['status']:<9} {r['channel']:<8} {r['to']} {r['kind']}{error}")


def _act(db: Database, action: Callable, row_id: int) -> None:
    try:
        row = action(db, row_id, context.now())
    except outbox.QueueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{row['id']} {row['status']} send_at {row['send_at']}")


@queue.command("send-now")
@click.argument("row_id", type=int, metavar="ID")
@with_db()
def queue_send_now(db: Database, row_id: int) -> None:
    """Make a pending message due immediately (the scheduler sends it on its next tick)."""
    _act(db, outbox.send_now, row_id)


@queue.command("retry")
@click.argument("row_id", type=int, metavar="ID")
@with_db()
def queue_retry(db: Database, row_id: int) -> None:
    """Send a failed, undelivered, expired or cancelled message again, if its hearing is ahead."""
    _act(db, outbox.retry, row_id)


@queue.command("cancel")
@click.argument("row_id", type=int, metavar="ID")
@with_db()
def queue_cancel(db: Database, row_id: int) -> None:
    """Cancel a pending message."""
    _act(db, outbox.cancel, row_id)


def init_app(app: Flask) -> None:
    app.cli.add_command(queue)
