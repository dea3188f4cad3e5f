"""Running the bot: serve (web and scheduler in one process), scheduler, dispatch --once."""

from __future__ import annotations

import gc
import json
import signal
import threading

import click
from flask import Flask, current_app
from sqlite_utils import Database
from werkzeug.serving import run_simple

from bot import config as settings
from bot.cli.common import with_db
from bot.web import context
from scheduler import runner


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_db(check=settings.check_sender)
def serve(db: Database, host: str, port: int) -> None:
    """Development: the web app and the scheduler in one process (make run)."""
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
@with_db(check=settings.check_sender)
def scheduler(db: Database) -> None:
    """Production: the scheduler process that drains the outbox (a second one stays idle)."""
    click.echo("hearingbot scheduler running; Ctrl-C to stop")
    sched = runner.build(context.deps_of(current_app._get_current_object()))
    # What is loaded by now lives as long as the process: out of the garbage collector's way, so that a
    # full collection (40-60 ms over everything loaded) never stalls a write transaction, and with it
    # every web worker waiting for SQLite's write lock (gunicorn.conf.py does the same for workers).
    gc.collect()
    gc.freeze()
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
@click.option("--once", is_flag=True, required=True, help="Send what is due now, then exit.")
@with_db(check=settings.check_sender)
def dispatch(db: Database, once: bool) -> None:
    """Send every due message once and print the counts (idle if a scheduler holds the lease)."""
    run = runner.Runner(context.deps_of(current_app._get_current_object()))
    try:
        click.echo(json.dumps(run.tick()))
    finally:
        run.release()


def init_app(app: Flask) -> None:
    for command in (serve, scheduler, dispatch):
        app.cli.add_command(command)
