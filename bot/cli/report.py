"""`report`: what happened at the hearings, for operators and shelter networks (docs/outcomes.md)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlite_utils import Database

from bot.cli.common import with_db
from bot.core.outcomes import BY, CODE_NAMES, COLUMNS, NONE, Code, Group, Rate, key_name, percent
from bot.core.places import Places
from bot.core.text import defused
from bot.store import outcomes
from bot.web import context

group = AppGroup("report", help="Reports for operators and shelter networks.")

TITLES = {"city": "By city", "lang": "By language", "court": "By court", "variant": "By message variant"}
HEADS = {"city": "City", "lang": "Language", "court": "Court", "variant": "Variant"}
COLUMN_HEADS = {c: CODE_NAMES[Code(c)] for c in COLUMNS if c != NONE} | {
    "confirmed": "Confirmed only",  # confirmed and nothing after
    NONE: "None yet",  # reminded or asked, no answer yet
}
NOTE = (
    "Confirmation: confirmed, of the hearings reminded the day before. Attendance: went or got a new date,\n"
    "of the hearings asked about after. In brackets, the 95% interval (Wilson); k/n after it."
)


@group.command("outcomes")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV for a spreadsheet: a row per group, rates as numbers.")
@click.option("--by", type=click.Choice(BY), default=None, help="One grouping (default: all four).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only hearings on or after this day.")
@with_db()
def report_outcomes(db: Database, as_csv: bool, by: str | None, since: datetime | None) -> None:
    """Per hearing: confirmed, went, new date, missed or no answer; by city, language, court and variant."""
    found = outcomes.reports(db, since.date() if since else None)
    groupings = (by,) if by else BY
    if as_csv:
        click.echo(as_csv_text({g: found[g] for g in groupings}, context.places()), nl=False)
        return
    if not any(found[g] for g in groupings):
        click.echo("No outcomes yet.")
        return
    click.echo(NOTE)
    for grouping in groupings:
        click.echo(f"\n{TITLES[grouping]}")
        click.echo(table(grouping, found[grouping], context.places()))


def table(by: str, groups: list[Group], places: Places) -> str:
    """Aligned columns: the group's name, then numbers right-aligned, then the two rates."""
    head = [HEADS[by], "Hearings", *(COLUMN_HEADS[c] for c in COLUMNS), "Confirmation", "Attendance"]
    lines = [
        [
            key_name(by, g.key, places) or "—",
            str(g.hearings),
            *(str(g.outcomes[c]) for c in COLUMNS),
            _rate(g.confirmation),
            _rate(g.attendance),
        ]
        for g in groups
    ]
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    last = len(head) - 2  # the name and the rates are left-aligned, the counts right-aligned

    def aligned(row: list[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 or i >= last else c.rjust(w) for i, (c, w) in pairs).rstrip()

    return "\n".join(aligned(row) for row in [head, *lines])


def _rate(rate: Rate) -> str:
    return f"{percent(rate)} {rate.k}/{rate.n}" if rate.n else "—"


CSV_COLUMNS = (
    "grouping",
    "key",
    "name",
    "hearings",
    *COLUMNS,
    *(f"{rate}_{part}" for rate in ("confirmation", "attendance") for part in ("k", "n", "rate", "low", "high")),
)


def as_csv_text(found: dict[str, list[Group]], places: Places) -> str:
    """One CSV of every group: counts and rates as plain numbers (a rate over nothing is left empty),
    every text cell defused against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for by, groups in found.items():
        for g in groups:
            text = [defused(by), defused(g.key) or "", defused(key_name(by, g.key, places)) or ""]
            counts = [g.hearings, *(g.outcomes[c] for c in COLUMNS)]
            writer.writerow([*text, *counts, *_numbers(g.confirmation), *_numbers(g.attendance)])
    return out.getvalue()


def _numbers(rate: Rate) -> list[int | str]:
    if not rate.n:
        return [rate.k, rate.n, "", "", ""]
    return [rate.k, rate.n, *(f"{x:.4f}" for x in (rate.value, rate.low, rate.high))]


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
