"""For operators and their monitors: GET /healthz (is it alive?) and GET /metrics (what is it doing?).

Thin: the queries are in scheduler/lease.py and scheduler/outbox.py, the metrics in scheduler/metrics.py.
Neither route shows a phone, a message's text or anything a person wrote.
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, jsonify, request

from bot.store import db as storage
from bot.web import context
from scheduler import lease, metrics, outbox

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the scheduler's lease and the backlog; 503 only when the database cannot be read.

    A stale lease or a backlog is reported, not turned into an error: restarting the web (what a
    failing health check does) would not bring a dead scheduler back. Alert on the fields instead.
    It reads the file through a connection of its own, not one the pool kept open: a database file
    replaced or lost under a running app must show here."""
    now = context.now()
    try:
        db = storage.connect(current_app.config["DATABASE"])
        try:
            scheduler = lease.state(db, now, timedelta(seconds=current_app.config["LEASE_SECONDS"]))
            backlog = outbox.backlog(db, now)
        finally:
            db.close()
    except sqlite3.Error as error:
        log.error("healthz: the database cannot be read (%s)", type(error).__name__)
        return jsonify({"database": "unreadable", "error": type(error).__name__}), 503
    scheduler["status"] = "ok" if scheduler["held"] else ("expired" if scheduler["holder"] else "none")
    return jsonify({"database": "ok", "scheduler": scheduler, "outbox": backlog}), 200


def _authorized() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.get("/metrics")
def metrics_() -> Response:
    """Prometheus's text format, only for the Bearer token; anyone else finds no such page (404)."""
    if not _authorized():
        abort(404)
    body = metrics.exposition(current_app.config, context.get_db(), context.now())
    return Response(body, mimetype=None, content_type=metrics.CONTENT_TYPE)
