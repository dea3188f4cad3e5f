"""`translate`: the message catalogs (pybabel extract, update, compile)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from flask import Flask
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"

group = AppGroup("translate", help="Message catalogs (pybabel).")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


@group.command("extract")
def translate_extract() -> None:
    """Collect every msgid into locales/messages.pot."""
    sources = [str(ROOT / folder) for folder in ("bot", "scheduler")]
    pot = str(LOCALES / "messages.pot")
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output", "-o", pot, *sources)


@group.command("update")
def translate_update() -> None:
    """Extract, then merge new msgids into every language's messages.po."""
    translate_extract.callback()
    _pybabel("update", "--no-fuzzy-matching", "-i", str(LOCALES / "messages.pot"), "-d", str(LOCALES))


@group.command("compile")
def translate_compile() -> None:
    """Compile every messages.po into messages.mo (build output, not committed)."""
    _pybabel("compile", "-d", str(LOCALES))


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
