"""Scale scores, instructor links and evaluation ratings from CSV or Parquet.

See docs/effectiveness.md.

Every row is checked first and every problem reported by file, row, column, value and reason;
any error and nothing is stored. Re-importing the same file changes nothing.

- scores: ``learner, subject, year, grade, scale_score, achievement_level`` (+ ``proficient``)
- instructors: ``learner, subject, year, staff, share``
- ratings: ``staff, year, level`` (+ ``score``, and ``component_*`` columns)

``learner`` and ``staff`` are a person's sourcedId or district identifier; ``year`` is the
school year's start year (2024 for 2024–25), sourcedId or title; ``subject`` a Waypoint
subject, its label, or ``math`` / ``reading``; ``grade`` a CEDS code or number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import Q

from waypoint.effectiveness import services
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.interop.evidence.tables import Table, UnreadableFile, read_table
from waypoint.roster.grades import grade_from_code
from waypoint.roster.importing.data import Problem
from waypoint.roster.models import District, Person, SchoolYear, Subject

SUBJECT_ALIASES = {"math": "mathematics", "reading": "ela", "english": "ela"}
PROFICIENT_LEVELS = {
    "proficient",
    "advanced",
    "distinguished",
    "meets",
    "exceeds",
    "level 3",
    "level 4",
    "level 5",
    "3",
    "4",
    "5",
}
"""Achievement levels counted as proficient when the file has no ``proficient`` column."""
TRUE, FALSE = {"1", "true", "t", "yes", "y"}, {"0", "false", "f", "no", "n"}


class Refused(Exception):
    """Nothing was stored; ``problems`` lists every reason, row by row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Outcome:
    rows: int = 0
    stored: services.Stored = field(default_factory=services.Stored)
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)


def _subjects() -> dict[str, str]:
    out = {v.lower(): v for v in Subject.values}
    out.update({label.lower(): v for v, label in Subject.choices})
    out.update(SUBJECT_ALIASES)
    return out


def _levels() -> dict[str, str]:
    out = {v.lower(): v for v in EffectivenessRating.Level.values}
    out.update({label.lower(): v for v, label in EffectivenessRating.Level.choices})
    return out


def _people(district: District, kind: str, names: set[str]) -> dict[str, int]:
    """sourcedId or identifier → person id (a sourcedId match wins)."""
    names.discard("")
    if not names:
        return {}
    rows = list(
        Person.objects.filter(district=district, kind=kind)
        .filter(Q(sourced_id__in=names) | Q(identifier__in=names))
        .values_list("id", "sourced_id", "identifier")
        .order_by("id")
    )
    found = {sid: pk for pk, sid, _ in rows if sid in names}
    for pk, _, ident in rows:
        if ident in names:
            found.setdefault(ident, pk)
    return found


def _years(district: District) -> dict[str, SchoolYear]:
    out: dict[str, SchoolYear] = {}
    for y in SchoolYear.objects.filter(district=district):
        out[str(y.start_date.year)] = y
        out[y.title] = y
        if y.sourced_id:
            out[y.sourced_id] = y
    return out


class _Checker:
    """Collects problems for one file while rows are parsed."""

    def __init__(self, name: str, table: Table, required: tuple[str, ...]) -> None:
        self.name = name
        self.table = table
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        for column in required:
            if column not in table.columns:
                self.problems.append(Problem(name, 1, column, "", "this column is required"))

    def bad(self, number: int, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.name, number, column, value, reason))

    def warn_unused(self, known: set[str], prefix: str = "") -> None:
        for column in self.table.columns:
            if column not in known and not (prefix and column.startswith(prefix)):
                self.warnings.append(
                    Problem(self.name, 1, column, "", "column not used", "warning")
                )

    def number(self, number: int, column: str, value: str) -> float | None:
        try:
            out = float(value)
        except ValueError:
            out = math.nan
        if not math.isfinite(out):
            self.bad(number, column, value, "a number is required")
            return None
        return out

    def decimal(self, number: int, column: str, value: str, low: str, high: str) -> Decimal | None:
        try:
            out = Decimal(value)
        except InvalidOperation:
            out = Decimal("NaN")
        if not out.is_finite() or not Decimal(low) <= out <= Decimal(high):
            self.bad(number, column, value, f"a number from {low} to {high} is required")
            return None
        return out

    def lookup(self, number: int, column: str, value: str, table: dict[str, Any], what: str) -> Any:
        found = table.get(value) if value else None
        if found is None:
            self.bad(number, column, value, "required" if not value else what)
        return found

    def duplicate(
        self, seen: dict[Any, int], key: Any, number: int, column: str, value: str
    ) -> None:
        if key in seen:
            self.bad(number, column, value, f"same {column} as row {seen[key]}: one row each")
        else:
            seen[key] = number


def _run(
    path: Path,
    required: tuple[str, ...],
    parse: Callable[[_Checker], list[dict[str, Any]]],
    store: Callable[[list[dict[str, Any]]], services.Stored],
    dry_run: bool,
) -> Outcome:
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise Refused([exc.problem]) from None
    check = _Checker(path.name, table, required)
    if check.problems:
        raise Refused(check.problems)
    rows = parse(check)
    if check.problems:
        raise Refused(check.problems)
    outcome = Outcome(rows=len(rows), dry_run=dry_run, warnings=check.warnings)
    if not dry_run:
        outcome.stored = store(rows)
    return outcome


def import_scores(path: Path, *, district: District, dry_run: bool = False) -> Outcome:
    required = ("learner", "subject", "year", "grade", "scale_score", "achievement_level")

    def parse(check: _Checker) -> list[dict[str, Any]]:
        rows_in = check.table.rows
        learners = _people(district, Person.Kind.LEARNER, {r["learner"] for _, r in rows_in})
        subjects, years = _subjects(), _years(district)
        check.warn_unused(set(required) | {"proficient"})
        out: list[dict[str, Any]] = []
        seen: dict[Any, int] = {}
        for n, r in rows_in:
            learner = check.lookup(
                n,
                "learner",
                r["learner"],
                learners,
                "no learner of this district has this sourcedId or identifier",
            )
            subject = check.lookup(n, "subject", r["subject"].lower(), subjects, "not a subject")
            year_text = r["year"]
            year: int | None = None
            if year_text in years:
                year = years[year_text].start_date.year
            elif year_text.isdigit() and 1900 < int(year_text) < 2200:
                year = int(year_text)
            else:
                check.bad(n, "year", year_text, "a start year (2024 for 2024–25) or a school year")
            try:
                grade: int | None = grade_from_code(r["grade"])
            except ValueError:
                grade = None
                check.bad(n, "grade", r["grade"], "a grade (CEDS code such as KG or 03, or 1–12)")
            score = check.number(n, "scale_score", r["scale_score"])
            level = r["achievement_level"]
            proficient = level.lower() in PROFICIENT_LEVELS
            if "proficient" in r and r["proficient"] != "":
                flag = r["proficient"].lower()
                if flag not in TRUE | FALSE:
                    check.bad(n, "proficient", r["proficient"], "true or false")
                proficient = flag in TRUE
            if None in (learner, subject, year, grade, score):
                continue
            check.duplicate(seen, (learner, subject, year), n, "learner", r["learner"])
            out.append(
                {
                    "learner_id": learner,
                    "subject": subject,
                    "year": year,
                    "grade": grade,
                    "scale_score": score,
                    "achievement_level": level,
                    "proficient": proficient,
                }
            )
        return out

    return _run(
        path,
        required,
        parse,
        lambda rows: services.store_scale_scores(district=district, rows=rows),
        dry_run,
    )


def import_instructors(path: Path, *, district: District, dry_run: bool = False) -> Outcome:
    required = ("learner", "subject", "year", "staff", "share")

    def parse(check: _Checker) -> list[dict[str, Any]]:
        rows_in = check.table.rows
        learners = _people(district, Person.Kind.LEARNER, {r["learner"] for _, r in rows_in})
        staff = _people(district, Person.Kind.STAFF, {r["staff"] for _, r in rows_in})
        subjects, years = _subjects(), _years(district)
        check.warn_unused(set(required))
        out: list[dict[str, Any]] = []
        seen: dict[Any, int] = {}
        for n, r in rows_in:
            learner = check.lookup(
                n,
                "learner",
                r["learner"],
                learners,
                "no learner of this district has this sourcedId or identifier",
            )
            person = check.lookup(
                n,
                "staff",
                r["staff"],
                staff,
                "no staff member of this district has this sourcedId or identifier",
            )
            subject = check.lookup(n, "subject", r["subject"].lower(), subjects, "not a subject")
            year = check.lookup(
                n,
                "year",
                r["year"],
                years,
                "no school year of this district (give its start year, sourcedId or title)",
            )
            share = check.decimal(n, "share", r["share"], "0", "1") if r["share"] else None
            if r["share"] and share is None:
                continue
            if None in (learner, person, subject, year):
                continue
            check.duplicate(seen, (learner, person, subject, year.pk), n, "staff", r["staff"])
            out.append(
                {
                    "learner_id": learner,
                    "staff_id": person,
                    "subject": subject,
                    "school_year_id": year.pk,
                    "share": share.quantize(Decimal("0.001")) if share is not None else None,
                }
            )
        return out

    return _run(
        path,
        required,
        parse,
        lambda rows: services.store_instructor_links(district=district, rows=rows),
        dry_run,
    )


def import_ratings(path: Path, *, district: District, dry_run: bool = False) -> Outcome:
    required = ("staff", "year", "level")

    def parse(check: _Checker) -> list[dict[str, Any]]:
        rows_in = check.table.rows
        staff = _people(district, Person.Kind.STAFF, {r["staff"] for _, r in rows_in})
        levels, years = _levels(), _years(district)
        check.warn_unused(set(required) | {"score"}, prefix="component_")
        components = [c for c in check.table.columns if c.startswith("component_")]
        out: list[dict[str, Any]] = []
        seen: dict[Any, int] = {}
        for n, r in rows_in:
            person = check.lookup(
                n,
                "staff",
                r["staff"],
                staff,
                "no staff member of this district has this sourcedId or identifier",
            )
            year = check.lookup(
                n,
                "year",
                r["year"],
                years,
                "no school year of this district (give its start year, sourcedId or title)",
            )
            level = check.lookup(
                n,
                "level",
                r["level"].lower(),
                levels,
                "one of highly effective, effective, developing, ineffective",
            )
            score = None
            if r.get("score"):
                score = check.decimal(n, "score", r["score"], "-999.99", "999.99")
            parts: dict[str, float] = {}
            for column in components:
                if r[column] != "":
                    value = check.number(n, column, r[column])
                    if value is not None:
                        parts[column.removeprefix("component_")] = value
            if None in (person, year, level):
                continue
            check.duplicate(seen, (person, year.pk), n, "staff", r["staff"])
            out.append(
                {
                    "staff_id": person,
                    "school_year_id": year.pk,
                    "level": level,
                    "score": score.quantize(Decimal("0.01")) if score is not None else None,
                    "components": parts,
                }
            )
        return out

    return _run(
        path,
        required,
        parse,
        lambda rows: services.store_ratings(district=district, rows=rows),
        dry_run,
    )
