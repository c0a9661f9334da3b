"""Item responses aligned to standards, from CSV or Parquet (docs/mastery.md, "Response files").

One row per response: ``learner``, ``standard`` (or ``standards``, several separated by ``;``),
``time``, and ``correct`` or ``score`` with ``max_score``; ``item`` and ``source`` are
optional. Every row is checked first; any error and nothing is stored. A row already
imported (same learner, standard, source, item and time) is not stored twice.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from waypoint.evidence.models import Observation
from waypoint.evidence.services import (
    EvidenceRejected,
    ObservationRow,
    find_learners,
)
from waypoint.interop.evidence.tables import Table, UnreadableFile, read_table
from waypoint.mastery.services import record_evidence
from waypoint.roster.importing.data import Problem
from waypoint.roster.models import District
from waypoint.standards.lookup import StandardFinder, split_list

COLUMNS = {"learner", "standard", "standards", "time", "correct", "score", "max_score", "item"}
COLUMNS |= {"source"}
TRUE = {"1", "true", "t", "yes", "y", "correct"}
FALSE = {"0", "false", "f", "no", "n", "incorrect"}


@dataclass
class Outcome:
    """What an evidence import did (or, in a dry run, would do)."""

    rows: int = 0
    observations: int = 0
    already_recorded: int = 0
    states: int = 0
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)


class Refused(Exception):
    """Nothing was stored; ``problems`` lists every reason, row by row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def parse_time(value: str) -> dt.datetime | None:
    """ISO 8601 date-time (a time without a zone is in the server's zone) or a date."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            return None
        parsed = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _check_columns(name: str, table: Table) -> tuple[list[Problem], list[Problem]]:
    errors, warnings = [], []
    columns = set(table.columns)
    for required in ("learner", "time"):
        if required not in columns:
            errors.append(Problem(name, 1, required, "", "this column is required"))
    if not columns & {"standard", "standards"}:
        errors.append(
            Problem(name, 1, "standard", "", "a standard or standards column is required")
        )
    if not columns & {"correct", "score"}:
        errors.append(Problem(name, 1, "correct", "", "a correct or a score column is required"))
    if "score" in columns and "max_score" not in columns:
        errors.append(Problem(name, 1, "max_score", "", "scores need a max_score column"))
    for extra in sorted(columns - COLUMNS):
        warnings.append(Problem(name, 1, extra, "", "column not used", "warning"))
    return errors, warnings


def parse_responses(
    name: str, table: Table, district: District
) -> tuple[list[ObservationRow], list[Problem], list[Problem]]:
    """The rows as observations to record, every problem, and warnings."""
    problems, warnings = _check_columns(name, table)
    if problems:
        return [], problems, warnings
    learners = find_learners(district, {r["learner"] for _, r in table.rows if r["learner"]})
    standard_names = {
        s for _, r in table.rows for s in split_list(r.get("standards") or r.get("standard", ""))
    }
    standards = StandardFinder(district, standard_names)
    out: list[ObservationRow] = []
    for number, row in table.rows:

        def problem(column: str, reason: str, row: dict[str, str] = row, n: int = number) -> None:
            problems.append(Problem(name, n, column, row.get(column, ""), reason))

        learner = learners.get(row["learner"])
        if not row["learner"]:
            problem("learner", "required")
        elif learner is None:
            problem("learner", "no learner of this district has this sourcedId or identifier")
        column = "standards" if row.get("standards") else "standard"
        item_ids: list[int] = []
        names = split_list(row.get(column, ""))
        if not names:
            problem(column, "at least one standard is required")
        for standard in names:
            item_id, reason = standards.find(standard)
            if item_id is None:
                problems.append(Problem(name, number, column, standard, reason))
            else:
                item_ids.append(item_id)
        when = parse_time(row["time"]) if row["time"] else None
        if when is None:
            problem("time", "required: an ISO 8601 date-time such as 2025-01-06T09:30:00Z")
        correct: bool | None = None
        score = max_score = None
        raw_correct = row.get("correct", "").lower()
        if row.get("score"):
            if raw_correct:
                problem("correct", "give correct or a score, not both")
            score, max_score = _number(row["score"]), _number(row.get("max_score", ""))
            if max_score is None or max_score <= 0:
                problem("max_score", "a score needs a positive maximum")
            if score is None:
                problem("score", "not a number")
            elif max_score is not None and max_score > 0 and not 0 <= score <= max_score:
                problem("score", f"not between 0 and the maximum {max_score:g}")
        elif raw_correct in TRUE or raw_correct in FALSE:
            correct = raw_correct in TRUE
        elif raw_correct:
            problem("correct", "use 1 or 0 (true or false)")
        else:
            problem("correct", "give correct (1 or 0) or a score with its maximum")
        if learner is None or when is None or not item_ids or len(item_ids) != len(names):
            continue
        ref = "|".join(
            [row.get("source", ""), row.get("item", ""), when.astimezone(dt.UTC).isoformat()]
        )
        out.append(
            ObservationRow(
                learner_id=learner.pk,
                item_ids=item_ids,
                observed_at=when,
                correct=correct,
                score=score,
                max_score=max_score,
                source_ref=ref,
            )
        )
    return out, problems, warnings


def import_responses(
    path: Path,
    *,
    district: District,
    dry_run: bool = False,
    user: Any = None,
) -> Outcome:
    """Check the whole file, then store its observations and move mastery, in one transaction."""
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise Refused([exc.problem]) from None
    rows, problems, warnings = parse_responses(path.name, table, district)
    if problems:
        raise Refused(problems)
    outcome = Outcome(rows=len(table.rows), dry_run=dry_run, warnings=warnings)
    try:
        with transaction.atomic():
            created, states = record_evidence(
                district=district,
                rows=rows,
                source=Observation.Source.RESPONSES,
                user=user,
                skip_recorded=True,
            )
            outcome.observations = len(created)
            outcome.already_recorded = sum(len(set(r.item_ids)) for r in rows) - len(created)
            outcome.states = len(states)
            if dry_run:  # checked and applied like the real run, then undone
                transaction.set_rollback(True)
    except EvidenceRejected as exc:  # the checks above should have caught these
        raise Refused(
            [Problem(path.name, None, p.field, "", p.reason) for p in exc.problems]
        ) from None
    return outcome
