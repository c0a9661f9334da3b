"""Text for people: the problem report and the plan (what would change, per entity)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from waypoint.roster.importing.data import Problem
from waypoint.roster.importing.planner import Plan

LABELS = {
    "district": "district",
    "school": "schools",
    "school_year": "school years",
    "term": "terms",
    "course": "courses",
    "section": "classes (sections)",
    "section_term": "class terms",
    "person": "people",
    "demographics": "demographics",
    "staff_role": "staff roles",
    "guardian_link": "guardian links",
    "enrollment": "enrollments",
    "learner_year": "learner years (programs)",
    "coach_link": "coach links",
    "advisor_link": "advisor links",
}


def problem_lines(problems: list[Problem], limit: int = 200) -> list[str]:
    """One line per problem, errors first; past ``limit``, a count per file and reason."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.file, p.row or 0, p.column))
    lines = [
        ("ERROR   " if p.severity == "error" else "warning ") + str(p) for p in ordered[:limit]
    ]
    rest = ordered[limit:]
    if rest:
        lines.append(f"… and {len(rest)} more:")
        counts = Counter((p.file, p.reason) for p in rest)
        lines += [f"    {n} × {file}: {reason}" for (file, reason), n in counts.most_common(20)]
    return lines


def write_problems_csv(problems: Iterable[Problem], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["severity", "file", "row", "column", "value", "reason"])
        for p in problems:
            writer.writerow([p.severity, p.file, p.row or "", p.column, p.value, p.reason])


def plan_lines(plan: Plan) -> list[str]:
    summary = plan.summary()
    lines = [f"{'':28}{'create':>10}{'update':>10}{'deactivate':>12}{'remove':>10}"]
    for name, label in LABELS.items():
        c = summary.get(name)
        if c is None:
            continue
        lines.append(
            f"{label:28}{c['create']:>10}{c['update']:>10}{c['deactivate']:>12}{c['remove']:>10}"
        )
    return lines
