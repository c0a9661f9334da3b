"""Read a district's prerequisite CSV: one edge per row, ``from`` comes before ``to``.

Columns (a header row is required; order is free; other columns are refused):

* ``from`` – the prerequisite: a standard's code (``humanCodingScheme``) or CASE identifier
* ``to``   – the standard that depends on it (code or identifier)
* ``note`` – optional, why the district added the edge

Codes and identifiers are looked up among the district's current (not retired) items. A code
that several frameworks use is ambiguous: use the identifier. Every problem is reported with its
row and column; any problem means no change.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from waypoint.interop.case.reader import _decode
from waypoint.roster.models import District
from waypoint.standards.models import FrameworkItem
from waypoint.standards.package import PrerequisiteRow, Problem

COLUMNS = ("from", "to", "note")
REQUIRED = ("from", "to")


def read_prerequisites(
    raw: bytes, district: District
) -> tuple[list[PrerequisiteRow], list[Problem]]:
    """Rows resolved to item primary keys, and every problem found."""
    problems: list[Problem] = []
    text = _decode(raw, problems)
    if text is None:
        return [], problems
    if "\x00" in text:
        return [], [Problem.of("/", "NUL", "the file holds NUL characters; is it a CSV file?")]
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Problem.of("/", "", f"not a readable CSV file: {exc}")]
    if not records or not any(cell.strip() for cell in records[0]):
        return [], [
            Problem.of("row 1", "", "the file is empty; expected a header row from,to,note")
        ]
    header = [h.strip().lower() for h in records[0]]
    for i, name in enumerate(header):
        if name not in COLUMNS:
            problems.append(
                Problem.of(
                    f"row 1, column {i + 1}",
                    records[0][i],
                    "unknown column (expected from, to, note)",
                )
            )
    for name in REQUIRED:
        if name not in header:
            problems.append(
                Problem.of("row 1", ",".join(records[0]), f"the column {name!r} is missing")
            )
    if len(set(header)) != len(header):
        problems.append(Problem.of("row 1", ",".join(records[0]), "a column name is repeated"))
    if problems:
        return [], problems

    by_code: dict[str, list[int]] = defaultdict(list)
    by_identifier: dict[str, int] = {}
    for pk, code, identifier in FrameworkItem.objects.filter(
        district=district, retired=False
    ).values_list("pk", "human_coding_scheme", "identifier"):
        if code:
            by_code[code].append(pk)
        by_identifier[identifier] = pk

    def resolve(value: str, where: str) -> int | None:
        if not value:
            problems.append(Problem.of(where, value, "is empty"))
            return None
        if value in by_identifier:
            return by_identifier[value]
        matches = by_code.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            problems.append(
                Problem.of(
                    where, value, f"this code names {len(matches)} standards; use the identifier"
                )
            )
        else:
            problems.append(
                Problem.of(
                    where, value, "no current standard of this district has this code or identifier"
                )
            )
        return None

    rows: list[PrerequisiteRow] = []
    seen: dict[tuple[int, int], int] = {}
    for n, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                Problem.of(
                    f"row {n}",
                    ",".join(record),
                    f"has {len(record)} cells; the header has {len(header)}",
                )
            )
            continue
        cells = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        before = resolve(cells["from"], f"row {n}, column from")
        after = resolve(cells["to"], f"row {n}, column to")
        if before is None or after is None:
            continue
        if before == after:
            problems.append(
                Problem.of(f"row {n}", cells["from"], "a standard cannot be its own prerequisite")
            )
            continue
        if (before, after) in seen:
            problems.append(
                Problem.of(
                    f"row {n}",
                    f"{cells['from']} → {cells['to']}",
                    f"repeats row {seen[(before, after)]}",
                )
            )
            continue
        seen[(before, after)] = n
        rows.append(
            PrerequisiteRow(
                row=n, prerequisite_id=before, dependent_id=after, note=cells.get("note", "")
            )
        )
    return rows, problems
