"""`waypoint import responses|alignments|xapi FILE --district SLUG [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.interop.case.command import district_by_slug
from waypoint.interop.evidence.alignments import import_alignments
from waypoint.interop.evidence.responses import Refused, import_responses
from waypoint.interop.evidence.xapi_lines import import_statements
from waypoint.interop.refusal import refusal


def _arguments(parser: CommandParser, what: str) -> None:
    parser.add_argument("file", type=Path, help=what)
    parser.add_argument("--district", required=True, help="the district's slug")
    parser.add_argument(
        "--dry-run", action="store_true", help="check everything and say what would change"
    )


def _heading(dry_run: bool) -> str:
    return "Dry run, nothing changed; the import would store" if dry_run else "Stored"


def _run(command: BaseCommand, options: dict[str, Any], importer: Any) -> Any:
    """Run one evidence importer for the district; print its warnings; refuse on problems."""
    district = district_by_slug(options["district"])
    try:
        outcome = importer(options["file"], district=district, dry_run=options["dry_run"])
    except Refused as exc:
        raise refusal(command, exc.problems) from None
    for warning in getattr(outcome, "warnings", ()):
        command.stdout.write(str(warning))
    return outcome


class Responses:
    """Item responses aligned to standards (CSV or Parquet)."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a .csv or .parquet file of item responses")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        outcome = _run(command, options, import_responses)
        command.stdout.write(
            f"{_heading(outcome.dry_run)} {outcome.observations} observation(s) from "
            f"{outcome.rows} row(s) ({outcome.already_recorded} already recorded); "
            f"{outcome.states} mastery state(s) moved."
        )


class Alignments:
    """The activity → standards table for xAPI statements (CSV)."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a .csv file with activity and standard columns")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        outcome = _run(command, options, import_alignments)
        command.stdout.write(
            f"{_heading(outcome.dry_run)} {outcome.created} alignment(s) from {outcome.rows} "
            f"row(s) ({outcome.already_there} already there)."
        )


class Statements:
    """xAPI statements, one JSON statement per line."""

    @staticmethod
    def add_import_arguments(parser: CommandParser) -> None:
        _arguments(parser, "a JSON-lines file of xAPI 1.0.3 / 2.0 statements")

    @staticmethod
    def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
        outcome = _run(command, options, import_statements)
        command.stdout.write(
            f"{_heading(outcome.dry_run)} {outcome.stored} statement(s) of "
            f"{outcome.statements} ({outcome.duplicates} already stored): "
            f"{outcome.observations} observation(s); {outcome.states} mastery state(s) moved."
        )
