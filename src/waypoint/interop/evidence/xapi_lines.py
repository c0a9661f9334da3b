"""xAPI statements from a file, one JSON statement per line (docs/mastery.md).

The same checks and mapping as statements posted by a tool, for the district named on the
command line; problems are reported by line. A statement id already stored is kept once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from waypoint.evidence.services import EvidenceRejected
from waypoint.interop.evidence.responses import Refused
from waypoint.mastery.services import record_statements
from waypoint.roster.importing.data import Problem
from waypoint.roster.models import District


@dataclass
class StatementsOutcome:
    statements: int = 0
    stored: int = 0
    duplicates: int = 0
    observations: int = 0
    states: int = 0
    dry_run: bool = False


def import_statements(
    path: Path, *, district: District, dry_run: bool = False, user: Any = None
) -> StatementsOutcome:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise Refused([Problem(name, None, "", "", "no such file")]) from None
    except UnicodeDecodeError:
        raise Refused([Problem(name, None, "", "", "the file is not UTF-8 text")]) from None
    statements: list[Any] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            statements.append(json.loads(line))
            lines.append(number)
        except ValueError as exc:
            problems.append(Problem(name, number, "", line[:80], f"not JSON: {exc}"))
    if not statements and not problems:
        problems.append(Problem(name, None, "", "", "the file holds no statement"))
    if problems:
        raise Refused(problems)
    outcome = StatementsOutcome(statements=len(statements), dry_run=dry_run)
    try:
        with transaction.atomic():
            result, states = record_statements(statements=statements, district=district, user=user)
            outcome.stored, outcome.duplicates = result.stored, result.duplicates
            outcome.observations, outcome.states = len(result.observations), len(states)
            if dry_run:  # checked and applied like the real run, then undone
                transaction.set_rollback(True)
    except EvidenceRejected as exc:
        raise Refused(
            [Problem(name, lines[p.index], p.field, "", p.reason) for p in exc.problems]
        ) from None
    return outcome
