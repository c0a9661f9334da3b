"""OneRoster 1.1 / 1.2 bulk and delta CSV (a folder or a zip)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from waypoint.interop.oneroster import exporter, importer
from waypoint.interop.oneroster.report import plan_lines, problem_lines, write_problems_csv
from waypoint.roster.importing.data import RefusedImport
from waypoint.roster.importing.planner import Plan
from waypoint.roster.services import ImportRunning


def add_import_arguments(parser: CommandParser) -> None:
    parser.add_argument("path", help="a folder or a zip of OneRoster CSV files")
    parser.add_argument(
        "--district",
        required=True,
        help="the slug of the district to import into, or 'create' to create it from "
        "orgs.csv's row of type district",
    )
    parser.add_argument("--slug", help="the slug for a district made with --district create")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    parser.add_argument(
        "--allow-mass-deactivation",
        action="store_true",
        help="allow an import that deactivates more than 10%% of the district's learners",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="the day deactivations take effect (YYYY-MM-DD; default today)",
    )
    parser.add_argument("--report", type=Path, help="also write every problem to this CSV file")


def _bar(command: BaseCommand, options: dict[str, Any], **kwargs: Any) -> tqdm:
    quiet = options.get("verbosity", 1) == 0 or not sys.stderr.isatty()
    return tqdm(file=sys.stderr, disable=quiet, leave=False, **kwargs)


def run_import(command: BaseCommand, options: dict[str, Any]) -> None:
    path = Path(options["path"])
    out = command.stdout
    verbose = options.get("verbosity", 1) > 0
    shown: list[Plan] = []
    reading = _bar(
        command,
        options,
        total=importer.package_size(path),
        unit="B",
        unit_scale=True,
        desc="reading",
    )
    writing = _bar(command, options, unit=" rows", desc="writing")

    def on_plan(plan: Plan) -> None:
        reading.close()
        shown.append(plan)
        writing.reset(total=sum(len(p.creates) + len(p.updates) for p in plan.entities.values()))

    try:
        outcome = importer.run(
            path,
            district=options["district"],
            dry_run=options["dry_run"],
            allow_mass_deactivation=options["allow_mass_deactivation"],
            as_of=options.get("as_of"),
            new_slug=options.get("slug"),
            read_progress=reading.update,
            write_progress=writing.update,
            on_plan=on_plan,
        )
    except RefusedImport as exc:
        reading.close()
        writing.close()
        if options.get("report"):
            write_problems_csv(exc.problems, options["report"])
        if shown and verbose:
            out.write("The plan was:\n" + "\n".join(plan_lines(shown[0])))
        errors = [p for p in exc.problems if p.severity == "error"]
        command.stderr.write("\n".join(problem_lines(exc.problems)))
        raise CommandError(
            f"Nothing was imported: {len(errors)} problem(s) to fix in {path.name}."
        ) from None
    except ImportRunning as exc:
        raise CommandError(str(exc)) from None
    finally:
        reading.close()
        writing.close()
    result = outcome.result
    if options.get("report"):
        write_problems_csv(outcome.warnings, options["report"])
    if verbose:
        if outcome.warnings:
            out.write("\n".join(problem_lines(outcome.warnings)))
        district = result.district.slug if result.district else "(new district)"
        head = "Dry run: nothing was written. The plan" if result.dry_run else "Imported"
        out.write(
            f"{head} for district {district} (OneRoster {outcome.version}, "
            + ", ".join(f"{n} {m}" for n, m in sorted(outcome.modes.items()))
            + "):"
        )
        out.write("\n".join(plan_lines(result.plan)))
        if not result.plan.changed:
            out.write("Nothing changed: the district already matches these files.")


def add_export_arguments(parser: CommandParser) -> None:
    parser.add_argument("path", help="a folder to write (or a .zip file with --zip)")
    parser.add_argument("--district", required=True, help="the slug of the district to export")
    parser.add_argument("--zip", action="store_true", help="write one zip file instead of a folder")


def run_export(command: BaseCommand, options: dict[str, Any]) -> None:
    from waypoint.roster.models import District

    district = District.objects.filter(slug=options["district"]).first()
    if district is None:
        raise CommandError(f"No district has the slug {options['district']!r}.")
    counts = exporter.export(district, Path(options["path"]), as_zip=options["zip"])
    if options.get("verbosity", 1) > 0:
        command.stdout.write(
            f"Exported {district.slug} to {options['path']}: "
            + ", ".join(f"{n} {name}" for name, n in counts.items())
        )
