"""The deploy files (Dockerfile, compose.yaml, Caddyfile, litestream.yml, .env.example) are read and
checked here, not guessed: the services and their order, the one scheduler, the one database volume,
that every command they run exists in the project, that .env.example lists exactly the variables the
code and the deploy files read. `caddy adapt` checks both Caddyfiles where a caddy binary exists.
(The same topology runs for real in tests/test_proxy.py.) docs/deploy.md tells a person how to use them.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from bot.store import db as storage
from scheduler import lease
from tests.helpers import ROOT, make_app

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
LITESTREAM = yaml.safe_load((ROOT / "litestream.yml").read_text())
BOT_SERVICES = ("migrate", "web", "scheduler")  # built from the Dockerfile
DATABASE = "/data/hearingbot.db"
CADDY = shutil.which("caddy")
NO_CADDY = "no caddy binary: `make caddy` installs Debian's caddy package, which is not installed here"


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def instruction(keyword: str) -> list[str]:
    return [arguments for key, arguments in dockerfile() if key == keyword]


def exec_form(arguments: str) -> list[str]:
    """A CMD or HEALTHCHECK CMD in exec form (a JSON array), as Docker reads it."""
    return json.loads(arguments[arguments.index("[") :])


def command_of(name: str) -> list[str]:
    """What a service runs: its own command, else (built from the Dockerfile) the image's CMD."""
    service = SERVICES[name]
    command = service.get("command") or (exec_form(instruction("CMD")[-1]) if "build" in service else [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def environment(name: str) -> dict:
    return SERVICES[name].get("environment") or {}


# --- compose.yaml -------------------------------------------------------------------------------------


def test_compose_has_the_services_of_the_topology_in_order():
    assert set(SERVICES) == {"restore", "migrate", "web", "scheduler", "caddy", "litestream"}
    done = {"condition": "service_completed_successfully"}
    assert SERVICES["migrate"]["depends_on"] == {"restore": done}  # restored before anything opens the file
    for name in ("web", "scheduler", "litestream"):
        assert SERVICES[name]["depends_on"] == {"migrate": done}, name  # after restore, and migrated
    assert "web" in SERVICES["caddy"]["depends_on"]
    for name in ("web", "scheduler", "caddy", "litestream"):
        assert SERVICES[name]["restart"] == "unless-stopped", name  # back after a crash or a reboot
    for name in ("restore", "migrate"):
        assert SERVICES[name]["restart"] == "no", name  # one-shot steps


def test_exactly_one_scheduler_and_it_is_never_scaled():
    runs_scheduler = [name for name in SERVICES if command_of(name)[-1:] == ["scheduler"]]
    assert runs_scheduler == ["scheduler"]
    assert command_of("scheduler") == ["flask", "--app", "app", "scheduler"]
    scheduler = SERVICES["scheduler"]
    assert "scale" not in scheduler and "replicas" not in scheduler.get("deploy", {})
    assert "ports" not in scheduler


def test_one_named_volume_holds_the_database_and_every_process_uses_it():
    named = {}
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if not source.startswith((".", "/")):
                named.setdefault(source, set()).add((name, target))
    database_volumes = {volume for volume, users in named.items() if ("web", "/data") in users}
    assert database_volumes == {"db"} and "db" in COMPOSE["volumes"]
    assert {name for name, _ in named["db"]} == {"restore", "migrate", "web", "scheduler", "litestream"}
    assert {target for _, target in named["db"]} == {"/data"}
    for name in BOT_SERVICES:
        assert environment(name)["HEARINGBOT_DATABASE"] == DATABASE, name
    [replicated] = LITESTREAM["dbs"]
    assert replicated["path"] == DATABASE  # the file Litestream streams is the file the bot writes
    assert f"-if-db-not-exists -if-replica-exists -config /etc/litestream.yml {DATABASE}" in command_of("restore")[0]


def test_the_web_trusts_exactly_caddy_and_checks_signatures_against_the_public_https_url():
    for name in BOT_SERVICES:
        assert environment(name)["HEARINGBOT_PUBLIC_URL"].startswith("https://${HEARINGBOT_DOMAIN"), name
    assert environment("web")["HEARINGBOT_PROXY_HOPS"] == "1"
    assert "ports" not in SERVICES["web"]  # reached through caddy only
    assert {p.split(":")[0] for p in SERVICES["caddy"]["ports"]} == {"80", "443"}
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert re.search(r"^\{\$HEARINGBOT_DOMAIN\} \{$", caddyfile, re.M)
    [port] = re.findall(r"reverse_proxy web:(\d+)", caddyfile)
    assert f"0.0.0.0:{port}" in command_of("web")


def test_every_command_the_services_run_exists_in_the_project(tmp_path):
    app = make_app(tmp_path)
    for name in BOT_SERVICES:
        command = command_of(name)
        if command[0] == "flask":
            assert command[1:3] == ["--app", "app"] and command[3] in app.cli.commands, (name, command)
        else:
            assert command[0] == "gunicorn", (name, command)
            module, call = command[-1].split(":")
            assert call == "create_app()" and callable(importlib.import_module(module).create_app)
    # The scheduler's own health check is a file of the project, run from the image's WORKDIR.
    check = SERVICES["scheduler"]["healthcheck"]["test"]
    assert check[:2] == ["CMD", "python"] and (ROOT / check[2]).is_file()
    assert instruction("WORKDIR") == ["/app"]
    # Litestream runs its own two commands on the config file mounted from the project.
    for name in ("restore", "litestream"):
        mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES[name]["volumes"]}
        assert (ROOT / mounts["/etc/litestream.yml"]).is_file()
    assert command_of("litestream") == ["replicate", "-config", "/etc/litestream.yml"]
    assert command_of("restore")[0].startswith("litestream restore ")
    # Every file a service mounts from here, and the build.
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            if volume.startswith("."):
                assert (ROOT / volume.split(":")[0]).is_file(), (name, volume)
        if "build" in service:
            assert service["build"] == "." and (ROOT / "Dockerfile").is_file()


def test_the_scheduler_health_check_sees_a_live_lease_and_a_stale_one(tmp_path):
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        scheduler_alive = importlib.import_module("scheduler_alive")
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    path = str(tmp_path / "bot.db")
    db = storage.connect(path)
    storage.migrate(db)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert not scheduler_alive.alive(path, now)  # no scheduler ever ran
    lease.acquire(db, "host:1:abcd", now, timedelta(seconds=60))
    assert scheduler_alive.alive(path, now + timedelta(seconds=59))
    assert not scheduler_alive.alive(path, now + timedelta(seconds=61))  # stuck or gone
    assert not scheduler_alive.alive(str(tmp_path / "missing.db"), now)


# --- Dockerfile and .dockerignore -----------------------------------------------------------------------


def test_the_image_is_slim_python_311_non_root_hashed_with_catalogs_compiled():
    [base] = instruction("FROM")
    assert base.startswith("python:3.11-slim")
    runs = " ".join(instruction("RUN"))
    assert "pip install --require-hashes -r requirements.txt" in runs
    assert "requirements-dev" not in runs  # no test tools in production
    assert "flask --app app translate compile" in runs
    assert "chmod -R a+rX,go-w /app" in runs  # the app's umask 077 would leave the catalogs unreadable to the user
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0", "0:0") and not users[-1].startswith("root")
    keywords = [key for key, _ in dockerfile()]
    assert keywords.index("USER") < keywords.index("CMD")
    assert exec_form(instruction("CMD")[-1]) == [
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        "0.0.0.0:8000",
        "--no-control-socket",
        "app:create_app()",
    ]


def test_the_image_health_check_asks_healthz_with_pythons_urllib(tmp_path):
    [check] = instruction("HEALTHCHECK")
    command = exec_form(check)
    assert command[:2] == ["python", "-c"]
    ast.parse(command[2])  # valid Python
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in command[2]
    routes = {rule.rule for rule in make_app(tmp_path).url_map.iter_rules()}
    if "/healthz" not in routes:
        pytest.skip("GET /healthz is not on this branch (issue 18 adds it on another): the route is not checked")
    assert "/healthz" in routes


def test_dockerignore_keeps_local_state_and_build_output_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", ".git", "instance/", "**/*.db", "**/*.mo", ".env"} <= ignored


# --- .env.example -------------------------------------------------------------------------------------

NOT_SETTINGS = {
    "USER",  # read by `broadcast send` as the default --author: the login name, not a setting
    "PROMETHEUS_MULTIPROC_DIR",  # set by scheduler/metrics.py itself (beside the database), never by a person
}


def read_by_the_code() -> set[str]:
    """Every environment variable the bot's code reads: bot/, scheduler/, app.py and the health check."""
    files = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("scheduler/**/*.py"), ROOT / "app.py"]
    files.append(ROOT / "deploy" / "scheduler_alive.py")
    pattern = re.compile(r"""(?:\benv|environ\.get|getenv|environ\[)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
    return {name for path in files for name in pattern.findall(path.read_text())} - NOT_SETTINGS


def read_by_the_deploy_files() -> set[str]:
    names = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    names |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", (ROOT / "litestream.yml").read_text()))
    names |= set(re.findall(r"\{\$([A-Z][A-Z0-9_]*)", (ROOT / "Caddyfile").read_text()))
    return names


def env_example() -> dict[str, tuple[str, bool, str]]:
    """NAME -> (value, set (not commented out), the comment line above it)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    found = {}
    for i, line in enumerate(lines):
        if match := re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line):
            found[match[2]] = (match[3], not match[1], lines[i - 1])
    return found


def test_env_example_lists_every_variable_read_and_nothing_else():
    listed = env_example()
    code = read_by_the_code()
    assert {"HEARINGBOT_SECRET_KEY", "TWILIO_AUTH_TOKEN", "HEARINGBOT_LOG_LEVEL"} <= code  # the extraction works
    expected = code | read_by_the_deploy_files()
    assert set(listed) - expected == set(), "listed in .env.example but read by nothing"
    assert expected - set(listed) == set(), "read by the code or the deploy files but missing from .env.example"


def test_env_example_explains_each_line_and_holds_no_secret():
    for name, (value, _set, comment) in env_example().items():
        assert comment.startswith("# ") and len(comment) > 10, name  # a one-line explanation above each
        if re.search(r"SECRET|TOKEN|KEY", name):
            assert value == "", name
    listed = env_example()
    # What compose.yaml requires (${NAME:?...}) is set in .env.example; what it sets itself is left commented.
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", (ROOT / "compose.yaml").read_text()))
    assert required and all(listed[name][1] for name in required), required
    for name in ("HEARINGBOT_DATABASE", "HEARINGBOT_PUBLIC_URL", "HEARINGBOT_PROXY_HOPS", "HEARINGBOT_LOCAL_MODE"):
        assert not listed[name][1], name


# --- Caddyfiles ---------------------------------------------------------------------------------------


def adapt(path, **env) -> dict:
    result = subprocess.run(
        [CADDY, "adapt", "--config", str(path), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not CADDY, reason=NO_CADDY)
def test_the_caddyfile_adapts_to_https_for_the_domain_in_front_of_web():
    config = adapt(ROOT / "Caddyfile", HEARINGBOT_DOMAIN="bot.example.org")
    [server] = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]  # automatic HTTPS (and the redirect from :80)
    [route] = server["routes"]
    assert route["match"] == [{"host": ["bot.example.org"]}]
    text = json.dumps(route)
    assert '"dial": "web:8000"' in text and '"max_size": 2000000' in text
    assert "tls" not in config["apps"]  # no `tls internal` here: a real certificate from Let's Encrypt


@pytest.mark.skipif(not CADDY, reason=NO_CADDY)
def test_the_local_caddyfile_adapts_to_tls_internal_on_loopback():
    config = adapt(ROOT / "deploy" / "Caddyfile.local", PROD_LOCAL_PORT="8443", PROD_LOCAL_WEB_PORT="8000")
    assert config["admin"] == {"disabled": True}
    [server] = config["apps"]["http"]["servers"].values()
    assert server["listen"] == ["127.0.0.1:8443"]
    assert '"dial": "127.0.0.1:8000"' in json.dumps(server)
    [policy] = config["apps"]["tls"]["automation"]["policies"]
    assert policy["subjects"] == ["localhost"] and policy["issuers"] == [{"module": "internal"}]
    assert config["apps"]["pki"]["certificate_authorities"]["local"]["install_trust"] is False
