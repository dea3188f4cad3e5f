"""APScheduler wiring: an interval job that drains the outbox. Rows are the truth, not jobs.

Never started from create_app: every gunicorn worker (and the reloader) would run its own copy.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from bot import storage
from scheduler import transport as transports
from scheduler.dispatcher import dispatch_once

log = logging.getLogger(__name__)


def tick(app: Flask, transport) -> dict:
    """One dispatcher run with its own connection (a Database belongs to one thread)."""
    db = storage.connect(app.config["DATABASE"])
    try:
        base = app.config["PUBLIC_URL"]
        callback = f"{base.rstrip('/')}/twilio/status" if base else None
        counts = dispatch_once(db, transport, app.extensions["hearingbot.vault"], storage.utcnow(), callback)
        if counts["sent"] or counts["failed"] or counts["expired"]:
            log.info("dispatch: %s", counts)
        return counts
    finally:
        db.close()


def build(app: Flask, blocking: bool = False):
    """A scheduler with one interval job: max_instances=1 and coalesce, so ticks never pile up."""
    scheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    transport = transports.for_config(app.config)
    scheduler.add_job(
        tick,
        "interval",
        args=[app, transport],
        seconds=app.config["DISPATCH_INTERVAL_SECONDS"],
        id="dispatch",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    return scheduler
