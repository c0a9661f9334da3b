"""`waypoint import salaries|positions FILE --district SLUG [--dry-run] [--delta]`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.interop.case.command import district_by_slug
from waypoint.interop.refusal import refusal
from waypoint.interop.staffing.files import Outcome, Refused, import_positions, import_salaries


def _arguments(parser: CommandParser, what: str, delta: str) -> None:
    parser.add_argument("file", type=Path, help=what)
    parser.add_argument("--district", required=True, help="the district's slug")
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything and say what would change"
    )
    parser.add_argument("--delta", action="store_true", help=delta)


def _run(
    command: BaseCommand, options: dict[str, Any], importer: Callable[..., Outcome]
) -> Outcome:
    district = district_by_slug(options["district"])
    try:
        outcome = importer(
            options["file"],
            district=district,
            dry_run=options["dry_run"],
            delta=options["delta"],
        )
    except Refused as exc:
        raise refusal(command, exc.problems) from None
    for warning in outcome.warnings:
        command.stdout.write(str(warning))
    return outcome


def _heading(outcome: Outcome, what: str) -> str:
    if outcome.dry_run:
        return f"Dry run, nothing changed: {outcome.rows} {what} row(s) are valid; the import would"
    return f"{outcome.rows} {what} row(s):"


class Salaries:
    """Salary schedules: the salary of each step (and lane) of each schedule."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(
            parser,
            "a .csv or .parquet file: schedule, lane (optional), step, salary",
            "add and change steps only; keep the steps the file leaves out",
        )

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        outcome = _run(command, options, import_salaries)
        s = outcome.stored
        verb = " make" if outcome.dry_run else ""
        command.stdout.write(
            f"{_heading(outcome, 'salary step')}{verb} {s.new_schedules} new schedule(s), "
            f"{s.created} new step(s), {s.updated} changed, {s.unchanged} already stored, "
            f"{s.removed} removed."
        )


class Positions:
    """Positions: staff (or vacant), school, kind, FTE, salary, step, certifications, covers."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(
            parser,
            "a .csv or .parquet file of positions (docs/staffing-import.md)",
            "add and change positions only; keep active the positions the file leaves out",
        )

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        outcome = _run(command, options, import_positions)
        s = outcome.stored
        verb = " make" if outcome.dry_run else ""
        command.stdout.write(
            f"{_heading(outcome, 'position')}{verb} {s.created} new, {s.updated} changed, "
            f"{s.unchanged} already stored, {s.removed} deactivated."
        )
