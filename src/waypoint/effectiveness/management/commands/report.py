"""`waypoint report access --year Y` and `waypoint report gaps`: the equity reports, suppressed.

Prints the same published set the leader dashboard shows (district and every school, each
dimension), or writes it as CSV with ``--csv FILE``. Never prints names.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.reports.equity import UNITS, Scope, access_report, gap_report
from waypoint.roster.models import District, SchoolYear


def pick_district(slug: str | None) -> District:
    if slug:
        district = District.objects.filter(slug=slug).first()
        if district is None:
            raise CommandError(f"no district with the slug {slug!r}")
        return district
    districts = list(District.objects.all()[:2])
    if len(districts) != 1:
        raise CommandError("give --district SLUG" if districts else "there is no district yet")
    return districts[0]


def pick_year(district: District, text: str) -> SchoolYear:
    for year in SchoolYear.objects.filter(district=district):
        if text in (str(year.start_date.year), year.title, year.sourced_id):
            return year
    raise CommandError(f"{district.name} has no school year {text!r} (give its start year)")


def _write(command: BaseCommand, rows: list[list[str]], path: Path | None) -> None:
    if path is None:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            command.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        return
    with path.open("w", newline="", encoding="utf-8") if str(path) != "-" else _stdout() as fh:
        csv.writer(fh).writerows(rows)


def _stdout() -> Any:
    class _Keep:
        def __enter__(self) -> Any:
            return sys.stdout

        def __exit__(self, *exc: object) -> None:
            return None

    return _Keep()


class Command(BaseCommand):
    help = "Equity reports: access to effective teachers and principals, and achievement gaps."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        access = sub.add_parser("access", help="teacher-of-record and principal access measures")
        access.add_argument("--year", required=True, help="school year (start year or title)")
        access.add_argument("--unit", choices=UNITS, default="learner")
        gaps = sub.add_parser("gaps", help="proficiency, mean scale score and median SGP gaps")
        gaps.add_argument("--subject", help="one subject (default: all)")
        for p in (access, gaps):
            p.add_argument("--district", help="the district's slug (default: the only one)")
            p.add_argument("--csv", type=Path, help="write CSV to this file ('-' for stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        district = pick_district(options["district"])
        scope = Scope(district, None)
        if options["report"] == "access":
            year = pick_year(district, options["year"])
            report = access_report(scope=scope, year=year, unit=options["unit"])
            rows = report.csv_rows()
            note = report.published.note()
        else:
            gap = gap_report(scope=scope, subject=options["subject"])
            rows = gap.csv_rows()
            note = gap.published.result.note()
        _write(self, rows, options["csv"])
        if options["csv"] is None or str(options["csv"]) != "-":
            self.stderr.write(note)
