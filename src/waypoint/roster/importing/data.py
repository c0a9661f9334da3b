"""What a roster importer hands to the roster services: rows keyed by their external id.

Each entity's rows are tuples in the order of :data:`FIELDS`; a foreign key is given as the
``sourced_id`` of the row it points to (``None`` for none). Values are already Waypoint values
(grades as integers, dates as ``date``, kinds from the model's choices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

Key = Any  # a sourced_id, or a tuple of sourced_ids for rows keyed by their natural key

FIELDS: dict[str, tuple[str, ...]] = {
    "school": ("name", "identifier", "kind", "date_last_modified", "extra"),
    "school_year": ("title", "start_date", "end_date", "count_date", "date_last_modified", "extra"),
    "term": (
        "school_year",
        "parent",
        "kind",
        "title",
        "start_date",
        "end_date",
        "date_last_modified",
        "extra",
    ),
    "course": ("title", "code", "subject", "grade", "school", "date_last_modified", "extra"),
    "section": (
        "school",
        "school_year",
        "course",
        "title",
        "code",
        "subject",
        "grade",
        "period",
        "location",
        "class_type",
        "date_last_modified",
        "extra",
    ),
    "person": (
        "kind",
        "given_name",
        "family_name",
        "middle_name",
        "preferred_name",
        "email",
        "identifier",
        "username",
        "enabled",
        "user_ids",
        "phone",
        "sms",
        "grades",
        "active",
        "date_last_modified",
        "extra",
    ),
    "demographics": (
        "person",
        "birth_date",
        "gender",
        "american_indian_or_alaska_native",
        "asian",
        "black_or_african_american",
        "native_hawaiian_or_other_pacific_islander",
        "white",
        "hispanic_or_latino",
        "date_last_modified",
        "extra",
    ),
    "staff_role": ("person", "role", "school", "school_year", "primary", "extra"),
    "guardian_link": ("guardian", "learner", "relationship"),
    "enrollment": (
        "section",
        "person",
        "role",
        "primary",
        "begin_date",
        "end_date",
        "status",
        "instructor_share",
        "date_last_modified",
        "extra",
    ),
    "learner_year": (
        "learner",
        "school_year",
        "school",
        "grade",
        "economically_disadvantaged",
        "english_learner",
        "disability",
        "disability_service_level",
        "gifted",
        "homeless",
        "foster_care",
        "district_groups",
    ),
    "coach_link": ("coach", "teacher", "school_year", "kind"),
    "advisor_link": ("advisor", "learner", "school_year"),
}

# field -> entity it points to (values are that entity's keys)
FOREIGN_KEYS: dict[str, dict[str, str]] = {
    "term": {"school_year": "school_year", "parent": "term"},
    "course": {"school": "school"},
    "section": {"school": "school", "school_year": "school_year", "course": "course"},
    "demographics": {"person": "person"},
    "staff_role": {"person": "person", "school": "school", "school_year": "school_year"},
    "guardian_link": {"guardian": "person", "learner": "person"},
    "enrollment": {"section": "section", "person": "person"},
    "learner_year": {"learner": "person", "school_year": "school_year", "school": "school"},
    "coach_link": {"coach": "person", "teacher": "person", "school_year": "school_year"},
    "advisor_link": {"advisor": "person", "learner": "person", "school_year": "school_year"},
}

# Entities keyed by a natural key (a tuple of these fields' keys) rather than their sourced_id.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "learner_year": ("learner", "school_year"),
    "coach_link": ("coach", "teacher", "school_year"),
    "advisor_link": ("advisor", "learner", "school_year"),
}

# The order rows are written in: every entity after the ones it points to.
ORDER = (
    "school",
    "school_year",
    "term",
    "course",
    "section",
    "person",
    "demographics",
    "staff_role",
    "guardian_link",
    "enrollment",
    "learner_year",
    "coach_link",
    "advisor_link",
)

BULK = "bulk"
DELTA = "delta"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located precisely enough for a data clerk to fix it.

    ``row`` is the spreadsheet row (the header is row 1); ``None`` for a whole-file problem.
    """

    file: str
    row: int | None
    column: str
    value: str
    reason: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        col = f", column {self.column}" if self.column else ""
        val = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}{col}{val}: {self.reason}"


@dataclass
class EntityRows:
    """The rows of one entity from one file: upserted; ``deleted`` are to be deactivated.

    In ``bulk`` mode the file is the whole set: rows of this entity that it does not name are
    deactivated (people, enrollments) or unlinked (roles, guardian links, term links).
    """

    mode: str
    rows: dict[Key, tuple[Any, ...]] = field(default_factory=dict)
    deleted: set[Key] = field(default_factory=set)
    # bulk: only existing rows within this scope may be unlinked (a set, or any container that
    # answers ``in``: a bulk users file's (person, role) pairs are kept more compactly)
    scope: Container[Key] | None = None
    # how many rows the file brings exactly as last imported (their stored source fingerprint
    # matches): neither loaded, compared nor written (so a bulk file does not drop them either)
    unchanged: int = 0
    # the source fingerprint of rows in ``rows``, stored with them when written
    fingerprints: dict[Key, int] = field(default_factory=dict)


@dataclass
class DistrictData:
    sourced_id: str
    name: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RosterData:
    """Everything one import brings, ready for planning."""

    district: DistrictData | None
    entities: dict[str, EntityRows] = field(default_factory=dict)
    section_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    as_of: dt.date | None = None


class RefusedImport(Exception):
    """The import was refused; nothing was written. ``problems`` says why."""

    def __init__(self, problems: list[Problem], message: str = "") -> None:
        super().__init__(message or f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems
