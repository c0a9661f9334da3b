"""The OneRoster import as a background job (the upload page starts it; the worker runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waypoint.interop.oneroster import importer
from waypoint.interop.oneroster.report import LABELS
from waypoint.jobs.registry import JobFailed, register
from waypoint.roster.importing.data import Problem, RefusedImport
from waypoint.roster.importing.planner import Plan
from waypoint.roster.services import ImportRunning

KIND = "oneroster.import"
MAX_PROBLEMS_SHOWN = 500


def _problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    ordered = sorted(problems, key=lambda p: (p.file, p.row or 0, p.column))
    return [
        {
            "file": p.file,
            "row": p.row,
            "column": p.column,
            "value": p.value[:200],
            "reason": p.reason,
        }
        for p in ordered[:MAX_PROBLEMS_SHOWN]
    ]


def _count_rows(plan: Plan) -> list[dict[str, Any]]:
    summary = plan.summary()
    return [
        {
            "entity": label,
            "created": c["create"],
            "updated": c["update"],
            "deactivated": c["deactivate"] + c["remove"],
        }
        for name, label in LABELS.items()
        if (c := summary.get(name)) is not None
    ]


@register(KIND)
def import_oneroster(job: Any, progress: Any) -> dict[str, Any]:
    path = Path(job.params["path"])
    dry_run = bool(job.params.get("dry_run"))
    progress.start("Reading and checking the files", importer.package_size(path))

    def on_plan(plan: Plan) -> None:
        total = sum(len(p.creates) + len(p.updates) for p in plan.entities.values())
        progress.start("Dry run: planning" if dry_run else "Writing", total)

    try:
        outcome = importer.run(
            path,
            district=job.district.slug,
            user=job.created_by,
            dry_run=dry_run,
            allow_mass_deactivation=bool(job.params.get("allow_mass_deactivation")),
            read_progress=progress.advance,
            write_progress=progress.advance,
            on_plan=on_plan,
        )
    except RefusedImport as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        raise JobFailed(
            {
                "summary": f"Nothing was imported: {len(errors)} problem(s) to fix in "
                f"{job.params.get('filename', path.name)}.",
                "problems": _problem_rows(errors),
                "hidden": max(0, len(errors) - MAX_PROBLEMS_SHOWN),
                "warnings": [str(p) for p in exc.problems if p.severity != "error"][:50],
            }
        ) from None
    except ImportRunning as exc:
        raise JobFailed({"summary": str(exc)}) from None
    finally:
        path.unlink(missing_ok=True)  # the upload holds learners' data: keep it no longer
    progress.finish()
    plan = outcome.result.plan
    if dry_run:
        summary = "Dry run: nothing was written. This is what the import would change."
    elif plan.changed:
        summary = "Imported. The district now matches the uploaded files."
    else:
        summary = "Nothing changed: the district already matches these files."
    return {
        "summary": summary,
        "counts": _count_rows(plan),
        "warnings": [str(p) for p in outcome.warnings][:50],
    }
