"""What an importer hands to the services: a framework's data, already parsed and checked.

Readers (``waypoint.interop.case``) build these from files; services compare them with the
database and apply the difference. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an input: where, what value, and why.

    ``path`` is a JSON pointer into a package (``/CFItems/3/identifier``) or a CSV location
    (``row 4, column to``).
    """

    path: str
    value: str
    reason: str
    level: str = "error"  # "error" or "warning"

    @classmethod
    def of(cls, path: str, value: Any, reason: str, level: str = "error") -> Problem:
        return cls(path=path or "/", value=shorten(value), reason=reason, level=level)

    def __str__(self) -> str:
        return f"{self.level.upper()} {self.path}: {self.reason} (value: {self.value})"


def shorten(value: Any, limit: int = 240) -> str:
    """A short printable rendering of a value for reports."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class FrameworkData:
    identifier: str
    title: str
    uri: str = ""
    original_identifier: str = ""
    creator: str = ""
    publisher: str = ""
    description: str = ""
    official_source_url: str = ""
    version: str = ""
    adoption_status: str = ""
    status_start_date: dt.date | None = None
    status_end_date: dt.date | None = None
    subject: list[str] = field(default_factory=list)
    language: str = ""
    framework_type: str = ""
    notes: str = ""
    last_change: dt.datetime | None = None


@dataclass
class ItemData:
    identifier: str
    full_statement: str
    path: str = ""  # where it sits in the file, for problems found later
    uri: str = ""
    original_identifier: str = ""
    item_type: str = ""
    human_coding_scheme: str = ""
    abbreviated_statement: str = ""
    alternative_label: str = ""
    list_enumeration: str = ""
    sequence_number: int | None = None
    education_levels: list[str] = field(default_factory=list)
    grade_low: int | None = None
    grade_high: int | None = None
    language: str = ""
    subject: list[str] = field(default_factory=list)
    concept_keywords: list[str] = field(default_factory=list)
    notes: str = ""
    status_start_date: dt.date | None = None
    status_end_date: dt.date | None = None
    last_change: dt.datetime | None = None


@dataclass
class AssociationData:
    identifier: str
    association_type: str
    origin_identifier: str
    destination_identifier: str
    path: str = ""
    uri: str = ""
    origin_uri: str = ""
    origin_title: str = ""
    destination_uri: str = ""
    destination_title: str = ""
    sequence_number: int | None = None
    notes: str = ""
    last_change: dt.datetime | None = None


@dataclass
class FrameworkPackage:
    """A whole framework as read from one file."""

    case_version: str
    framework: FrameworkData
    items: list[ItemData] = field(default_factory=list)
    associations: list[AssociationData] = field(default_factory=list)


@dataclass
class Plan:
    """What an import does (or would do, in a dry run): counts per kind of row."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, action: str, n: int = 1) -> None:
        self.counts.setdefault(kind, {}).setdefault(action, 0)
        self.counts[kind][action] += n

    def get(self, kind: str, action: str) -> int:
        return self.counts.get(kind, {}).get(action, 0)

    @property
    def changes(self) -> int:
        return sum(n for row in self.counts.values() for a, n in row.items() if a != "unchanged")

    def lines(self) -> list[str]:
        order = ["create", "update", "retire", "restore", "delete", "unchanged"]
        out = []
        for kind, row in self.counts.items():
            parts = [f"{row.get(a, 0)} {a}" for a in order if a in row or a in ("create", "update")]
            out.append(f"{kind}: " + ", ".join(parts))
        return out


@dataclass
class ImportResult:
    """The outcome of an import: the plan, problems, and whether anything was written."""

    plan: Plan = field(default_factory=Plan)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False
    object_id: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class PrerequisiteRow:
    """One row of a district prerequisite CSV, already resolved to item primary keys."""

    row: int
    prerequisite_id: int
    dependent_id: int
    note: str = ""
