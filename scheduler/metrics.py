"""Prometheus metrics: counted where they happen, in whichever process, and read by GET /metrics.

Two gunicorn workers and the scheduler process each count in memory-mapped files (prometheus_client's
multiprocess mode) in one folder beside the database, `metrics/`, which every process that opens the
database can reach; the worker that answers a scrape adds them all up. What the outbox holds (messages
by kind and status, Twilio's error codes, the backlog) and the scheduler's lease are read from the
database at scrape time instead: the rows are the truth, whoever wrote them.

Nothing is counted unless HEARINGBOT_METRICS_TOKEN is set (then /metrics is 404 anyway). Label values
come from fixed lists (channels, routes, our kinds and statuses, Twilio's numeric codes), never from
what a person wrote or their number.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlite_utils import Database

from bot.core.status import Kind, Status
from scheduler import lease, outbox

CHANNELS = ("sms", "whatsapp", "other")
ROUTES = ("messages", "status", "other")
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)  # Twilio waits 15 s
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_CODE = re.compile(r"[0-9]{1,6}")  # Twilio's error codes; anything else is counted as "other"


def directory(config: Mapping) -> Path:
    """Where every process counts: beside the database, which web and scheduler already share."""
    return Path(config["DATABASE"]).resolve().parent / "metrics"


def _identity() -> str:
    # One file per process, named by host and pid: two containers on one volume may have equal pids.
    return f"{re.sub(r'[^A-Za-z0-9.-]', '-', socket.gethostname())}-{os.getpid()}"


@dataclass(frozen=True)
class Recorder:
    """This process's counters; every series is created up front, so each shows (at 0) from the start."""

    inbound: Counter
    webhook: Histogram
    tick: Histogram

    def inbound_message(self, channel: str) -> None:
        self.inbound.labels(channel if channel in CHANNELS else "other").inc()

    def webhook_seconds(self, route: str, seconds: float) -> None:
        self.webhook.labels(route if route in ROUTES else "other").observe(seconds)

    def tick_seconds(self, seconds: float) -> None:
        self.tick.observe(seconds)


_recorders: dict[Path, Recorder] = {}
_lock = threading.Lock()


def recorder(config: Mapping) -> Recorder | None:
    """The recorder for this configuration's folder (one per process and folder), or None without a token."""
    if not config.get("METRICS_TOKEN"):
        return None
    path = directory(config)
    with _lock:
        if path in _recorders:
            return _recorders[path]
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # prometheus_client reads the folder from this variable when it opens its files (here, below,
        # and again in a child after a fork), and picks its value class when it is imported: both are set
        # here rather than asked of whoever starts the process. A fresh value class per folder, so each
        # series below is bound to this folder's files.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
        values.ValueClass = values.MultiProcessValue(_identity)
        made = Recorder(
            inbound=Counter(
                "hearingbot_inbound_messages", "Inbound messages Twilio posted, by channel", ["channel"], registry=None
            ),
            webhook=Histogram(
                "hearingbot_webhook_seconds",
                "Time to answer a Twilio webhook, by route",
                ["route"],
                buckets=WEBHOOK_BUCKETS,
                registry=None,
            ),
            tick=Histogram(
                "hearingbot_dispatch_tick_seconds",
                "Duration of one dispatcher run (scheduler process)",
                buckets=TICK_BUCKETS,
                registry=None,
            ),
        )
        for channel in CHANNELS:
            made.inbound.labels(channel)
        for route in ROUTES:
            made.webhook.labels(route)
        _recorders[path] = made
        return made


class _Outbox:
    """What the database says at scrape time: the outbox by kind and status, error codes, backlog, lease."""

    def __init__(self, db: Database, now: datetime, lease_ttl: timedelta):
        self.db, self.now, self.lease_ttl = db, now, lease_ttl

    def collect(self) -> Iterator[Metric]:
        kinds, statuses = {k.value for k in Kind}, {s.value for s in Status}
        messages = GaugeMetricFamily(
            "hearingbot_outbox_messages", "Messages in the outbox, by kind and status", labels=["kind", "status"]
        )
        for (kind, status), n in outbox.by_kind_and_status(self.db).items():
            messages.add_metric([kind if kind in kinds else "other", status if status in statuses else "other"], n)
        yield messages
        errors = GaugeMetricFamily(
            "hearingbot_outbox_twilio_errors",
            "Messages in the outbox whose last Twilio error is this code",
            labels=["code"],
        )
        counted: dict[str, int] = {}
        for code, n in outbox.error_codes(self.db).items():
            label = code if _CODE.fullmatch(code) else "other"
            counted[label] = counted.get(label, 0) + n
        for label, n in sorted(counted.items()):
            errors.add_metric([label], n)
        yield errors
        backlog = outbox.backlog(self.db, self.now)
        yield GaugeMetricFamily("hearingbot_outbox_due", "Pending messages whose time has come", value=backlog["due"])
        yield GaugeMetricFamily(
            "hearingbot_outbox_oldest_due_age_seconds",
            "How long the oldest due message has waited (0 when none is due)",
            value=backlog["oldest_due_age_seconds"] or 0,
        )
        state = lease.state(self.db, self.now, self.lease_ttl)
        yield GaugeMetricFamily(
            "hearingbot_scheduler_lease_held",
            "1 while a scheduler holds an unexpired lease",
            value=1 if state["held"] else 0,
        )
        yield GaugeMetricFamily(
            "hearingbot_scheduler_lease_expires_in_seconds",
            "Seconds until the scheduler's lease expires (negative: expired; NaN: no lease row)",
            value=state["expires_in_seconds"] if state["holder"] else float("nan"),
        )


def exposition(config: Mapping, db: Database, now: datetime) -> bytes:
    """Prometheus's text format: every process's counters, and what the database holds now."""
    registry = CollectorRegistry(auto_describe=False)
    path = directory(config)
    if path.is_dir():
        MultiProcessCollector(registry, path=str(path))
    registry.register(_Outbox(db, now, timedelta(seconds=config["LEASE_SECONDS"])))
    return generate_latest(registry)


CONTENT_TYPE = CONTENT_TYPE_LATEST  # what generate_latest writes
