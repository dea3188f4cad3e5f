"""The layers the imports obey (docs/architecture.md), checked on the code itself so they cannot rot.

bot/core is pure: no Flask, no SQLite, no twilio, no APScheduler, and nothing of the bot but bot.core.
scheduler/ never imports Flask. Imports inside functions count too.

In tests/, no file imports a test module or conftest.py: what two test modules share is a fixture
(conftest.py) or a plain helper (helpers.py), defined once.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = ("flask", "sqlite_utils", "sqlite3", "twilio", "apscheduler", "werkzeug", "scheduler", "bot")


def imports(path: Path) -> list[str]:
    """Every module a file imports, absolute (relative imports resolved against its package)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module
            if node.level:  # from . import x, from .x import y, from ..x import y
                package = package_of(path)
                module = ".".join(package[: len(package) - node.level + 1] + ([module] if module else []))
            if module:
                found += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return found


def package_of(path: Path) -> list[str]:
    """The package a file is in, as Python finds it: the folders above it that have an __init__.py."""
    package, folder = [], path.parent
    while (folder / "__init__.py").exists():
        package.insert(0, folder.name)
        folder = folder.parent
    return package


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def own_files() -> list[Path]:
    """The project's Python files: none under a hidden folder (.venv, .venv-3.13, .git, caches)."""
    return [p for p in sorted(ROOT.glob("**/*.py")) if not any(d.startswith(".") for d in p.relative_to(ROOT).parts)]


@pytest.mark.parametrize("path", modules("bot/core"), ids=lambda p: p.name)
def test_the_core_is_pure(path):
    for name in imports(path):
        if name == "bot.core" or name.startswith("bot.core."):
            continue
        assert name.split(".")[0] not in FORBIDDEN_IN_CORE or name.startswith("bot.core"), (path.name, name)


@pytest.mark.parametrize("path", modules("scheduler"), ids=lambda p: p.name)
def test_the_scheduler_never_imports_flask(path):
    assert not [n for n in imports(path) if n.split(".")[0] in ("flask", "werkzeug")], path.name


def test_the_rules_catch_a_violation(tmp_path):
    """The check itself can fail: a core module importing the store is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from bot.store import db\nimport flask\n")
    assert {"bot.store", "bot.store.db", "flask"} <= set(imports(bad))


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in own_files()
        if "tests" not in p.parts
        and "bench" not in p.parts
        and p.name != "app.py"
        and "web" not in p.relative_to(ROOT).parts
        and "cli" not in p.relative_to(ROOT).parts[:2]
        and p.name != "cli.py"
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_app_and_the_cli_import_the_web_layer(path):
    assert not [n for n in imports(path) if n == "bot.web" or n.startswith("bot.web.")], path.name


@pytest.mark.parametrize("path", modules("bot/store"), ids=lambda p: p.name)
def test_the_store_imports_the_core_only(path):
    """SQLite and the tables' own code: no Flask, no scheduler, nothing of the bot above it."""
    for name in imports(path):
        top = name.split(".")[0]
        assert top not in ("flask", "twilio", "apscheduler", "scheduler"), (path.name, name)
        if top == "bot":
            assert name in ("bot", "bot.core", "bot.store") or name.startswith(("bot.core.", "bot.store.")), (
                path.name,
                name,
            )


def test_bot_holds_the_four_layers_and_two_small_shared_modules():
    """What `ls bot/` shows a newcomer: the layers, the configuration and the public date parser."""
    found = {p.name for p in (ROOT / "bot").iterdir() if p.name != "__pycache__"}
    assert found == {"__init__.py", "core", "store", "web", "cli", "config.py", "dates.py"}


def test_the_send_policy_is_pure():
    """scheduler/policy.py decides; scheduler.outbox.carry_out acts. Deciding needs no database."""
    names = imports(ROOT / "scheduler" / "policy.py")
    assert not [n for n in names if n.split(".")[0] in ("sqlite3", "sqlite_utils", "twilio", "bot")], names
    assert not [
        n
        for n in names
        if n.startswith("scheduler.") and n != "scheduler.planner.Settings" and n != "scheduler.planner"
    ], names


def borrowed(path: Path) -> list[str]:
    """What a file imports from a test module (tests/test_*.py) or from conftest.py."""
    found = []
    for name in imports(path):
        parts = name.split(".")
        if parts[0] == "tests":
            parts = parts[1:]
        if parts and (parts[0] == "conftest" or parts[0].startswith("test_")):
            found.append(name)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "tests").glob("*.py")), ids=lambda p: p.name)
def test_test_modules_share_through_fixtures_and_helpers_only(path):
    assert not borrowed(path), f"{path.name}: move it to tests/helpers.py (or a conftest.py fixture)"


@pytest.mark.parametrize(
    "line",
    [
        "from tests.test_registration import register",
        "from tests import test_broadcasts",
        "import tests.test_dispatch",
        "from .test_console import login",
        "from . import test_console",
        "from tests.conftest import Phone",
        "from .conftest import Phone",
        "def f():\n    from tests.test_dispatch import tick",
    ],
)
def test_the_test_module_rule_catches_a_violation(tmp_path, line):
    """The check itself can fail: each way of reaching into another test module, or conftest, is caught."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").touch()
    bad = tmp_path / "tests" / "test_bad.py"
    bad.write_text(f"import pytest\nfrom tests import helpers\nfrom tests.helpers import Phone\n{line}\n")
    assert borrowed(bad) and not [name for name in borrowed(bad) if "helpers" in name], borrowed(bad)
