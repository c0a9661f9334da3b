"""The activity → standards table for xAPI, from CSV (docs/mastery.md, "Activity → standards").

Columns ``activity`` (the activity IRI a tool uses as ``object.id``) and ``standard`` (or
``standards``, several separated by ``;``): a CASE identifier, URI or code. Rows add
alignments; an alignment already there stays as it is, so importing twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from waypoint.evidence.models import ActivityAlignment
from waypoint.evidence.services import align_activity
from waypoint.interop.evidence.responses import Refused
from waypoint.interop.evidence.tables import UnreadableFile, read_table
from waypoint.roster.importing.data import Problem
from waypoint.roster.models import District
from waypoint.standards.lookup import StandardFinder, split_list
from waypoint.standards.models import FrameworkItem


@dataclass
class AlignmentOutcome:
    rows: int = 0
    created: int = 0
    already_there: int = 0
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)


def _is_iri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


def import_alignments(
    path: Path, *, district: District, dry_run: bool = False, user: Any = None
) -> AlignmentOutcome:
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise Refused([exc.problem]) from None
    name = path.name
    problems: list[Problem] = []
    columns = set(table.columns)
    if "activity" not in columns:
        problems.append(Problem(name, 1, "activity", "", "this column is required"))
    if not columns & {"standard", "standards"}:
        problems.append(
            Problem(name, 1, "standard", "", "a standard or standards column is required")
        )
    if problems:
        raise Refused(problems)
    warnings = [
        Problem(name, 1, c, "", "column not used", "warning")
        for c in sorted(columns - {"activity", "standard", "standards"})
    ]
    finder = StandardFinder(
        district,
        {s for _, r in table.rows for s in split_list(r.get("standards") or r.get("standard", ""))},
    )
    wanted: dict[str, list[int]] = {}
    for number, row in table.rows:
        activity = row["activity"]
        if not activity:
            problems.append(Problem(name, number, "activity", "", "required"))
        elif not _is_iri(activity):
            problems.append(Problem(name, number, "activity", activity, "not an IRI (https://…)"))
        column = "standards" if row.get("standards") else "standard"
        names = split_list(row.get(column, ""))
        if not names:
            problems.append(Problem(name, number, column, "", "at least one standard is required"))
        for standard in names:
            item_id, reason = finder.find(standard)
            if item_id is None:
                problems.append(Problem(name, number, column, standard, reason))
            elif activity:
                wanted.setdefault(activity, []).append(item_id)
    if problems:
        raise Refused(problems)
    outcome = AlignmentOutcome(rows=len(table.rows), dry_run=dry_run, warnings=warnings)
    existing = set(
        ActivityAlignment.objects.filter(
            district=district, activity_iri__in=list(wanted)
        ).values_list("activity_iri", "item_id")
    )
    items = FrameworkItem.objects.in_bulk({i for ids in wanted.values() for i in ids})
    with transaction.atomic():
        for activity, ids in wanted.items():
            new = [i for i in dict.fromkeys(ids) if (activity, i) not in existing]
            outcome.already_there += len(set(ids)) - len(new)
            if new:
                align_activity(
                    district=district,
                    activity_iri=activity,
                    items=[items[i] for i in new],
                    user=user,
                )
                outcome.created += len(new)
        if dry_run:  # checked and applied like the real run, then undone
            transaction.set_rollback(True)
    return outcome
