"""`make prod-local`: the production topology on this machine, until Ctrl-C.

Caddy (Debian's `caddy`, `tls internal`) on https://localhost:8443 in front of gunicorn (2 workers on
127.0.0.1:8000), and one `flask scheduler`, on their own database in instance/prod-local/. The web app
trusts exactly one proxy (HEARINGBOT_PROXY_HOPS=1) and checks Twilio signatures against
HEARINGBOT_PUBLIC_URL=https://localhost:8443, as on a server behind ../Caddyfile.

Twilio: a made-up token and account by default, and TWILIO_API_BASE on a closed port, so nothing is
ever sent (the scheduler retries with backoff). Export the real TWILIO_* variables to use an account
(docs/deploy.md#try-it-on-your-own-machine). If any process exits, everything stops; Ctrl-C or SIGTERM
stops everything too, each process gracefully.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEFAULTS = {
    "PROD_LOCAL_PORT": "8443",  # Caddy, https://localhost:PORT
    "PROD_LOCAL_WEB_PORT": "8000",  # gunicorn, 127.0.0.1 only
    "PROD_LOCAL_DIR": str(ROOT / "instance" / "prod-local"),  # the database, the key, Caddy's CA
    "TWILIO_AUTH_TOKEN": "prod-local-fake-token",  # signatures are checked with it
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_SMS_FROM": "+15005550006",
    "TWILIO_API_BASE": "http://127.0.0.1:9",  # nothing listens: no message leaves this machine
}


def environment(base: dict[str, str]) -> dict[str, str]:
    """What all three processes run with: base (os.environ) over the defaults, then the fixed parts."""
    env = {**DEFAULTS, **base}
    folder = Path(env["PROD_LOCAL_DIR"])
    env["HEARINGBOT_DATABASE"] = str(folder / "hearingbot.db")  # its own, never the one of `make run`
    env["HEARINGBOT_SECRET_KEY"] = secret(folder)  # the key that database's phones are encrypted with
    env.pop("HEARINGBOT_LOCAL_MODE", None)  # production mode: signed webhooks only
    env["HEARINGBOT_PUBLIC_URL"] = f"https://localhost:{env['PROD_LOCAL_PORT']}"
    env["HEARINGBOT_PROXY_HOPS"] = "1"  # Caddy, and no one else
    env["XDG_DATA_HOME"] = str(folder / "caddy")  # Caddy's local CA and certificates
    env["XDG_CONFIG_HOME"] = str(folder / "caddy-config")
    return env


def secret(folder: Path) -> str:
    """A key of its own, kept in the folder (a server keeps it in .env, away from the database)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def commands(env: dict[str, str]) -> dict[str, list[str]]:
    """The three processes, in the order they start (and the reverse of the order they stop)."""
    return {
        "scheduler": [str(BIN / "flask"), "--app", "app", "scheduler"],
        "web": [
            str(BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{env['PROD_LOCAL_WEB_PORT']}",
            "--no-control-socket",  # as in the Dockerfile (by default gunicorn 27 opens one in $HOME)
            "app:create_app()",
        ],
        "caddy": ["caddy", "run", "--config", str(ROOT / "deploy" / "Caddyfile.local"), "--adapter", "caddyfile"],
    }


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def stop(processes: dict[str, subprocess.Popen]) -> None:
    """SIGTERM to each, the proxy first: gunicorn finishes its requests, the scheduler its message."""
    for process in reversed(list(processes.values())):
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 30
    for name, process in reversed(processes.items()):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"prod-local: {name} did not stop in time: killed", file=sys.stderr)
            process.kill()
            process.wait()


def main() -> int:
    if not shutil.which("caddy"):
        print("prod-local: no caddy on the PATH (`make caddy` installs Debian's package)", file=sys.stderr)
        return 1
    env = environment(dict(os.environ))
    port = int(env["PROD_LOCAL_PORT"])
    subprocess.run([str(BIN / "flask"), "--app", "app", "init-db"], cwd=ROOT, env=env, check=True)
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _frame: stopping.append(signum))
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, argv in commands(env).items():
            processes[name] = subprocess.Popen(argv, cwd=ROOT, env=env)
        announced = False
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None and not stopping:
                    print(f"prod-local: {name} exited with {process.returncode}: stopping everything", file=sys.stderr)
                    return 1
            if not announced and listening(port):
                announced = True
                root = Path(env["XDG_DATA_HOME"]) / "caddy" / "pki" / "authorities" / "local" / "root.crt"
                print(
                    f"\nprod-local: https://localhost:{port}/twilio/messages (Twilio's webhook URL here), "
                    f"https://localhost:{port}/admin (the console)\n"
                    f"  Caddy's local CA, for a client to trust: {root}\n"
                    f"  database: {env['HEARINGBOT_DATABASE']}\n  Ctrl-C stops everything.\n",
                    flush=True,
                )
            time.sleep(0.2)
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
