"""`waypoint standards prerequisites CSV --district SLUG [--dry-run] [--replace]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.interop.case.command import district_by_slug, print_problems, print_result
from waypoint.interop.case.prerequisites import read_prerequisites
from waypoint.standards.services import set_district_prerequisites


class Command(BaseCommand):
    help = "Standards tasks: add a district's own prerequisite edges from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")
        prereq = sub.add_parser("prerequisites", help="add prerequisite edges from a CSV file")
        prereq.add_argument("file", type=Path, help="CSV with columns from,to,note")
        prereq.add_argument("--district", required=True, help="the district's slug")
        prereq.add_argument("--dry-run", action="store_true", help="print the plan only")
        prereq.add_argument(
            "--replace",
            action="store_true",
            help="the file is the district's whole set: remove edges it does not hold",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        district = district_by_slug(options["district"])
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        rows, problems = read_prerequisites(raw, district)
        if any(p.level == "error" for p in problems):
            print_problems(self, problems)
            raise CommandError(
                f"prerequisites refused: {len(problems)} error(s); nothing was changed"
            )
        result = set_district_prerequisites(
            district=district,
            rows=rows,
            replace=options["replace"],
            dry_run=options["dry_run"],
            source=path.name,
        )
        print_result(self, result, "prerequisites")
