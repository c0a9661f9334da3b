"""CASE 1.0 / 1.1 CFPackage JSON (standards frameworks).

``waypoint import case FILE --district SLUG [--dry-run]`` and
``waypoint export case FRAMEWORK_IDENTIFIER FILE --district SLUG``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.interop.case.reader import read_path
from waypoint.interop.case.schemas import SchemaUnavailable
from waypoint.interop.case.writer import framework_to_case
from waypoint.roster.models import District
from waypoint.standards.models import Framework
from waypoint.standards.package import ImportResult, Problem
from waypoint.standards.services import import_framework


def district_by_slug(slug: str) -> District:
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise CommandError(f"no district with the slug {slug!r}")
    return district


def print_problems(command: BaseCommand, problems: list[Problem]) -> None:
    for p in problems:
        stream = command.stderr if p.level == "error" else command.stdout
        stream.write(str(p))


def print_result(command: BaseCommand, result: ImportResult, what: str) -> None:
    """The plan (or what was done), then refuse with a CommandError if anything is wrong."""
    print_problems(command, result.problems)
    if result.errors:
        raise CommandError(f"{what} refused: {len(result.errors)} error(s); nothing was changed")
    heading = "Plan (dry run, nothing changed)" if result.dry_run else "Done"
    command.stdout.write(f"{heading}:")
    for line in result.plan.lines():
        command.stdout.write(f"  {line}")
    if not result.dry_run and not result.applied:
        command.stdout.write("Nothing to change.")


def add_import_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", type=Path, help="a CASE CFPackage JSON file")
    parser.add_argument("--district", required=True, help="the district's slug")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")


def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
    district = district_by_slug(options["district"])
    path: Path = options["file"]
    try:
        read = read_path(path)
    except SchemaUnavailable as exc:
        raise CommandError(str(exc)) from exc
    if read.version:
        command.stdout.write(f"Read {path.name} as CASE {read.version}.")
    if read.package is None:
        print_problems(command, read.problems)
        raise CommandError(f"import refused: {len(read.errors)} error(s); nothing was changed")
    package = read.package
    command.stdout.write(
        f"Framework “{package.framework.title}” ({package.framework.identifier}): "
        f"{len(package.items)} items, {len(package.associations)} associations."
    )
    result = import_framework(
        district=district, package=package, dry_run=options["dry_run"], source=path.name
    )
    result.problems[:0] = read.problems
    print_result(command, result, "import")


def add_export_arguments(parser: CommandParser) -> None:
    parser.add_argument("framework", help="the framework's CASE identifier")
    parser.add_argument("file", type=Path, help="where to write the CASE 1.1 JSON")
    parser.add_argument("--district", required=True, help="the district's slug")


def run_export(command: BaseCommand, options: dict[str, Any]) -> None:
    district = district_by_slug(options["district"])
    framework = Framework.objects.filter(district=district, identifier=options["framework"]).first()
    if framework is None:
        raise CommandError(f"the district has no framework {options['framework']!r}")
    package = framework_to_case(framework)
    path: Path = options["file"]
    try:
        path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc}") from exc
    command.stdout.write(
        f"Wrote {len(package['CFItems'])} items and {len(package['CFAssociations'])} "
        f"associations to {path} (CASE 1.1)."
    )
