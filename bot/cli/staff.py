"""`staff`: volunteers and operators: add, pin, password, list, disable, enable."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.core.dates import LANGS
from bot.store import staff
from bot.web import context

group = AppGroup("staff", help="Volunteers and operators.")


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


@group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(staff.ROLES), default="volunteer")
@click.option("--phone", help="The phone that may send ALERTA messages (then a PIN is asked for too).")
@click.option("--lang", type=click.Choice(LANGS), default="es", help="Console language.")
@click.option("--pin", help="The PIN for alerts by phone; asked for (hidden) when not given.")
@with_db()
def staff_add(db: Database, name: str, role: str, phone: str | None, lang: str, pin: str | None) -> None:
    """Add a staff member. The password is read from a hidden prompt, or from standard input."""
    password = _secret("Password (10 characters or more)", None)
    if phone:
        pin = _secret("PIN for alerts by phone (6 to 8 digits)", pin)
    try:
        staff.add(db, context.vault(), name, role, phone, password, pin, context.now(), lang)
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{role} {name} added")


@group.command("pin")
@click.argument("name")
@click.option("--pin", help="The new PIN; asked for (hidden) when not given.")
@with_db()
def staff_pin(db: Database, name: str, pin: str | None) -> None:
    """Set a new PIN for a volunteer's phone (also clears its locks)."""
    new_pin = _secret("New PIN for alerts by phone (6 to 8 digits)", pin)
    try:
        staff.set_pin(db, context.vault(), name, new_pin, context.now())
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"new PIN set for {name}")


@group.command("password")
@click.argument("name")
@with_db()
def staff_password(db: Database, name: str) -> None:
    """Set a new console password (hidden prompt, or a line of standard input); it ends their sessions."""
    password = _secret("New password (10 characters or more)", None)
    try:
        staff.set_password(db, name, password, context.now())
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"new password set for {name}; their console sessions are ended")


@group.command("list")
@with_db()
def staff_list(db: Database) -> None:
    """Every staff member: role, console language, phone or not, disabled or locked."""
    for m in staff.listing(db):
        flags = [f for f, on in (("phone", m["has_phone"]), ("disabled", m["disabled_at"])) if on]
        click.echo(f"{m['name']:<20} {m['role']:<9} {m['lang']}  {' '.join(flags)}")


@group.command("disable")
@click.argument("name")
@with_db()
def staff_disable(db: Database, name: str) -> None:
    """Stop a staff member's console logins and alerts by phone (never the last admin's)."""
    try:
        staff.disable(db, name, context.now())
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name} disabled")


@group.command("enable")
@click.argument("name")
@with_db()
def staff_enable(db: Database, name: str) -> None:
    """Let a disabled staff member log in again (same password and PIN)."""
    try:
        staff.enable(db, name, context.now())
    except staff.StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{name} enabled")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
