"""gunicorn's settings for the web app. gunicorn reads this file from the directory it is started in
(`gunicorn -w 2 -b 127.0.0.1:8000 'app:create_app()'` from the project's directory), or `-c` names it.

Only what the app needs of gunicorn itself is here; workers, address and the rest stay on the
command line."""

import gc


def post_worker_init(worker):
    """Once a worker has built the app (and warmed it up, app.py), everything that exists then is kept
    out of the garbage collector's way: a full collection otherwise walks every object the app loaded
    (places, catalogs, holiday tables, twilio) and took 40-60 ms, during which the worker may hold
    SQLite's write lock and stall the other worker too (bench/webhook.py's p99 with 16 connections in
    flight). The frozen objects live as long as the worker anyway."""
    gc.collect()
    gc.freeze()
