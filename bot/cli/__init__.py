"""`flask --app app COMMAND`: one module per command group, each adding its own commands.

db (init-db, backup, purge), chat, serve (serve, scheduler, dispatch), queue, shelters, broadcast,
staff, translate, report (outcomes), voice (check, missing), doctor. A command that needs the
database takes it from `common.with_db`, which opens and migrates it (and first refuses to run open
or pretend to send when configuration is missing).
"""

from __future__ import annotations

from flask import Flask

from bot.cli import broadcast, chat, db, doctor, queue, report, serve, shelters, staff, translate, voice

GROUPS = (db, chat, serve, queue, shelters, broadcast, staff, translate, report, voice, doctor)


def register(app: Flask) -> None:
    for group in GROUPS:
        group.init_app(app)
