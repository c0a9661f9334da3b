"""`waypoint import scores|instructors|ratings FILE --district SLUG [--dry-run]`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.interop.case.command import district_by_slug
from waypoint.interop.effectiveness.files import (
    Outcome,
    Refused,
    import_instructors,
    import_ratings,
    import_scores,
)
from waypoint.interop.refusal import refusal


def _arguments(parser: CommandParser, what: str) -> None:
    parser.add_argument("file", type=Path, help=what)
    parser.add_argument("--district", required=True, help="the district's slug")
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything and say what would change"
    )


def _run(
    command: BaseCommand, options: dict[str, Any], importer: Callable[..., Outcome], what: str
) -> None:
    district = district_by_slug(options["district"])
    try:
        outcome = importer(options["file"], district=district, dry_run=options["dry_run"])
    except Refused as exc:
        raise refusal(command, exc.problems) from None
    for warning in outcome.warnings:
        command.stdout.write(str(warning))
    if outcome.dry_run:
        command.stdout.write(f"Dry run, nothing changed: {outcome.rows} {what} row(s) are valid.")
    else:
        s = outcome.stored
        command.stdout.write(
            f"{outcome.rows} {what} row(s): {s.created} new, {s.updated} changed, "
            f"{s.unchanged} already stored."
        )


class Scores:
    """Scale scores (learner, subject, year, grade, scale score, achievement level)."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a .csv or .parquet file of scale scores")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        _run(command, options, import_scores, "scale score")


class Instructors:
    """Instructor links with instruction shares (learner, subject, year, staff, share)."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a .csv or .parquet file of instructor links")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        _run(command, options, import_instructors, "instructor link")


class Ratings:
    """Yearly evaluation ratings of teachers and principals (staff, year, level, components)."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a .csv or .parquet file of effectiveness ratings")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        _run(command, options, import_ratings, "rating")
