"""Salary schedules and positions from CSV or Parquet. See docs/staffing-import.md.

OneRoster carries no HR data, so a district sends two files of its own:

- salaries: ``schedule, step, salary`` (+ ``lane``) — one row per step of a schedule;
- positions: ``sourcedId, school, staff, kind, fte, salary`` (+ ``schedule, lane, step,
  certifications, covers``) — one row per budget line, ``staff`` empty when it is vacant.

Every row is checked first and every problem reported by file, row, column, value and reason;
any error and nothing is stored. Checking and writing happen in one transaction (the
district's row is locked, so two imports of one district take turns). Re-importing the same
file changes nothing. A file is the whole set (bulk) unless ``delta``: a schedule's steps that
a bulk salaries file leaves out are removed, the district's positions a bulk positions file
leaves out are deactivated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from waypoint.access.viewer import current_school_year
from waypoint.interop.effectiveness.files import SUBJECT_ALIASES, Refused
from waypoint.interop.evidence.tables import Table, UnreadableFile, read_table
from waypoint.interop.staffing.store import (
    PositionRow,
    StepRow,
    Stored,
    store_positions,
    store_salary_steps,
)
from waypoint.roster.importing.data import Problem
from waypoint.roster.models import District, Person, School, Section, Subject
from waypoint.staffing.bands import parse_certification
from waypoint.staffing.models import Position, SalarySchedule, SalaryStep

__all__ = ["Outcome", "Refused", "import_positions", "import_salaries"]

CENT = Decimal("0.01")
MAX_SALARY = Decimal("99999999.99")  # DecimalField(max_digits=10, decimal_places=2)
MAX_STEP = 32767
SEPARATORS = re.compile(r"[\s;]+")

R = TypeVar("R")


@dataclass
class Outcome:
    rows: int = 0
    stored: Stored = field(default_factory=Stored)
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)


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

    def bad(self, number: int | None, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.name, number, column, value, reason))

    def warn(self, number: int | None, column: str, value: str, reason: str) -> None:
        self.warnings.append(Problem(self.name, number, column, value, reason, "warning"))

    def warn_unused(self, known: set[str]) -> None:
        for column in self.table.columns:
            if column not in known:
                self.warn(1, column, "", "column not used")

    def text(self, number: int, row: dict[str, str], column: str, limit: int) -> str | None:
        value = row.get(column, "")
        if len(value) > limit:
            self.bad(number, column, value, f"at most {limit} characters")
            return None
        return value

    def amount(self, number: int, column: str, value: str) -> Decimal | None:
        """Money: a number ≥ 0 in cents."""
        try:
            out = Decimal(value)
        except InvalidOperation:
            out = Decimal("NaN")
        if not out.is_finite():
            self.bad(number, column, value, "a number is required")
        elif out < 0:
            self.bad(number, column, value, f"{column} {value}: must not be negative")
        elif out > MAX_SALARY:
            self.bad(number, column, value, f"{column} {value}: at most {MAX_SALARY:,}")
        elif out != out.quantize(CENT):
            self.bad(number, column, value, f"{column} {value}: at most two decimals (cents)")
        else:
            return out.quantize(CENT)
        return None

    def step(self, number: int, value: str) -> int | None:
        try:
            out = Decimal(value)
        except InvalidOperation:
            out = Decimal("NaN")
        if not out.is_finite() or out != out.to_integral_value() or not 0 <= out <= MAX_STEP:
            self.bad(number, "step", value, f"a whole number from 0 to {MAX_STEP} is required")
            return None
        return int(out)

    def duplicate(self, seen: dict[Any, int], key: Any, number: int, what: str, value: str) -> None:
        column = what.split(",")[0].split(" and ")[0]
        if key in seen:
            self.bad(number, column, value, f"same {what} as row {seen[key]}: one row each")
        else:
            seen[key] = number


def _run(
    path: Path,
    required: tuple[str, ...],
    district: District,
    dry_run: bool,
    parse: Callable[[_Checker], list[R]],
    store: Callable[[list[R]], Stored],
) -> Outcome:
    """Read, check and store in one transaction; refuse on any problem; roll a dry run back."""
    try:
        table = read_table(path)
    except UnreadableFile as exc:
        raise Refused([exc.problem]) from None
    check = _Checker(path.name, table, required)
    if check.problems:
        raise Refused(check.problems)
    with transaction.atomic():
        # one import of a district at a time (PostgreSQL; SQLite writes one at a time anyway)
        District.objects.select_for_update().filter(pk=district.pk).first()
        rows = parse(check)
        if check.problems:
            raise Refused(check.problems)
        outcome = Outcome(rows=len(rows), dry_run=dry_run, warnings=check.warnings)
        outcome.stored = store(rows)
        if dry_run:
            transaction.set_rollback(True)
    return outcome


# --- salaries ------------------------------------------------------------------------------


def import_salaries(
    path: Path, *, district: District, dry_run: bool = False, delta: bool = False
) -> Outcome:
    """``schedule, step, salary`` (+ ``lane``): each schedule's steps.

    Bulk (the default): a schedule the file names gets exactly the file's steps; a step it
    leaves out is removed, unless a position is on it (then the file is refused).
    """
    required = ("schedule", "step", "salary")

    def parse(check: _Checker) -> list[StepRow]:
        check.warn_unused({*required, "lane"})
        out: list[StepRow] = []
        seen: dict[Any, int] = {}
        for n, r in check.table.rows:
            schedule = check.text(n, r, "schedule", 80)
            if schedule == "":
                check.bad(n, "schedule", "", "required")
            lane = check.text(n, r, "lane", 20)
            step = check.step(n, r["step"]) if r["step"] else None
            if not r["step"]:
                check.bad(n, "step", "", "required")
            salary = check.amount(n, "salary", r["salary"]) if r["salary"] else None
            if not r["salary"]:
                check.bad(n, "salary", "", "required")
            if not schedule or lane is None or step is None or salary is None:
                continue
            what = "schedule, lane and step"
            check.duplicate(seen, (schedule, lane, step), n, what, schedule)
            out.append(StepRow(schedule, lane, step, salary))
        if not delta and not check.problems:
            _check_removed_steps(check, district, out)
        return out

    return _run(
        path,
        required,
        district,
        dry_run,
        parse,
        lambda rows: store_salary_steps(district=district, rows=rows, replace=not delta),
    )


def _check_removed_steps(check: _Checker, district: District, rows: list[StepRow]) -> None:
    """A step a bulk file leaves out is removed: refuse it while a position is on it."""
    kept = {(r.schedule, r.lane, r.step) for r in rows}
    schedules = {r.schedule for r in rows}
    steps = SalaryStep.objects.filter(district=district, schedule__name__in=schedules)
    for name, lane, step in steps.values_list("schedule__name", "lane", "step").order_by(
        "schedule__name", "lane", "step"
    ):
        if (name, lane, step) in kept:
            continue
        users = list(
            Position.objects.filter(
                district=district, schedule__name=name, lane=lane, step=step
            ).values_list("sourced_id", "pk", "active")
        )
        if not users:
            continue
        shown = ", ".join(
            (sid or f"#{pk}") + ("" if active else " (inactive)") for sid, pk, active in users[:10]
        )
        more = f" and {len(users) - 10} more" if len(users) > 10 else ""
        where = f"schedule {name!r}" + (f" lane {lane!r}" if lane else "") + f" step {step}"
        check.bad(
            None,
            "step",
            str(step),
            f"{where} is not in the file, so it would be removed, but position(s) {shown}{more} "
            "are on it: keep the step in the file or move those positions first",
        )


# --- positions -----------------------------------------------------------------------------


def _subjects() -> dict[str, str]:
    out = {v.lower(): v for v in Subject.values}
    out.update({label.lower(): v for v, label in Subject.choices})
    out.update(SUBJECT_ALIASES)
    out["math"] = Subject.MATHEMATICS
    return out


def _kinds() -> dict[str, str]:
    out = {v.lower(): v for v in Position.Kind.values}
    out.update({label.lower(): v for v, label in Position.Kind.choices})
    return out


def _by_id_or_identifier(rows: list[tuple[Any, str, str]], names: set[str]) -> dict[str, Any]:
    """(value, sourcedId, identifier) rows → name → value; a sourcedId match wins."""
    found = {sid: v for v, sid, _ in rows if sid in names}
    for v, _, ident in rows:
        if ident in names:
            found.setdefault(ident, v)
    return found


@dataclass(frozen=True)
class _Person:
    pk: int
    kind: str
    name: str
    active: bool


def import_positions(
    path: Path, *, district: District, dry_run: bool = False, delta: bool = False
) -> Outcome:
    """``sourcedId, school, staff, kind, fte, salary`` (+ ``schedule, lane, step,
    certifications, covers``). Bulk (the default): the district's positions the file leaves out
    are deactivated."""
    required = ("sourcedId", "school", "staff", "kind", "fte", "salary")
    optional = ("schedule", "lane", "step", "certifications", "covers")

    def parse(check: _Checker) -> list[PositionRow]:
        check.warn_unused({*required, *optional})
        rows_in = check.table.rows
        names = {r["school"] for _, r in rows_in} - {""}
        schools = _by_id_or_identifier(
            list(
                School.objects.filter(district=district)
                .filter(Q(sourced_id__in=names) | Q(identifier__in=names))
                .order_by("pk")
                .values_list("pk", "sourced_id", "identifier")
            ),
            names,
        )
        names = {r["staff"] for _, r in rows_in} - {""}
        people = _by_id_or_identifier(
            [
                (_Person(pk, kind, f"{preferred or given} {family}".strip(), active), sid, ident)
                for pk, sid, ident, kind, given, preferred, family, active in Person.objects.filter(
                    district=district
                )
                .filter(Q(sourced_id__in=names) | Q(identifier__in=names))
                .order_by("pk")
                .values_list(
                    "pk",
                    "sourced_id",
                    "identifier",
                    "kind",
                    "given_name",
                    "preferred_name",
                    "family_name",
                    "active",
                )
            ],
            names,
        )
        schedules = {s.name: s.pk for s in SalarySchedule.objects.filter(district=district)}
        steps = {
            (schedule_id, lane, step): salary
            for schedule_id, lane, step, salary in SalaryStep.objects.filter(
                district=district
            ).values_list("schedule_id", "lane", "step", "salary")
        }
        tokens = {t for _, r in rows_in for t in SEPARATORS.split(r.get("covers", "")) if t}
        sections = {
            sid: (pk, school_id, year_id)
            for pk, sid, school_id, year_id in Section.objects.filter(
                district=district, sourced_id__in=tokens
            ).values_list("pk", "sourced_id", "school_id", "school_year_id")
        }
        year = current_school_year(district.pk, timezone.localdate()) if tokens else None
        school_names = dict(School.objects.filter(district=district).values_list("pk", "name"))
        subjects, kinds = _subjects(), _kinds()

        out: list[PositionRow] = []
        seen: dict[Any, int] = {}
        fte_rows: dict[int, list[tuple[int, Decimal, str]]] = {}
        for n, r in rows_in:
            sourced_id = check.text(n, r, "sourcedId", 255)
            if sourced_id == "":
                check.bad(n, "sourcedId", "", "required")
            elif sourced_id is not None:
                check.duplicate(seen, sourced_id, n, "sourcedId", sourced_id)

            school = schools.get(r["school"]) if r["school"] else None
            if school is None:
                reason = "no school of this district has this sourcedId or identifier"
                check.bad(n, "school", r["school"], reason if r["school"] else "required")

            staff = _staff(check, n, r["staff"], people)
            ok_staff = staff is not None or r["staff"] == ""

            kind = kinds.get(r["kind"].lower()) if r["kind"] else None
            if kind is None:
                reason = "not a position kind: one of " + ", ".join(Position.Kind.values)
                check.bad(n, "kind", r["kind"], reason if r["kind"] else "required")

            fte = _fte(check, n, r["fte"])
            if staff is not None and fte is not None:
                fte_rows.setdefault(staff.pk, []).append((n, fte, r["fte"]))

            pay = _pay(check, n, r, fte, schedules, steps)

            certifications = _certifications(check, n, r.get("certifications", ""), subjects)

            covers = _covers(
                check,
                n,
                r.get("covers", "") if ok_staff else "",
                staff=staff,
                kind=kind,
                school=school,
                year=year,
                sections=sections,
                school_names=school_names,
            )
            if (
                not sourced_id
                or school is None
                or not ok_staff
                or kind is None
                or fte is None
                or pay is None
                or certifications is None
                or covers is None
            ):
                continue
            salary, schedule_id, lane, step = pay
            out.append(
                PositionRow(
                    sourced_id,
                    {
                        "school_id": school,
                        "staff_id": staff.pk if staff else None,
                        "kind": kind,
                        "fte": fte,
                        "salary": salary,
                        "schedule_id": schedule_id,
                        "lane": lane,
                        "step": step,
                        "certifications": certifications,
                        "active": True,
                    },
                    covers,
                )
            )
        _check_fte_sums(check, district, fte_rows, people, {p.sourced_id for p in out}, delta)
        return out

    return _run(
        path,
        required,
        district,
        dry_run,
        parse,
        lambda rows: store_positions(district=district, rows=rows, replace=not delta),
    )


def _staff(check: _Checker, n: int, text: str, people: dict[str, _Person]) -> _Person | None:
    if not text:
        return None
    person = people.get(text)
    if person is None:
        check.bad(n, "staff", text, "no person of this district has this sourcedId or identifier")
    elif person.kind == Person.Kind.LEARNER:
        check.bad(n, "staff", text, f"{person.name} is a learner: only staff hold positions")
        return None
    elif person.kind != Person.Kind.STAFF:
        check.bad(
            n,
            "staff",
            text,
            f"{person.name} is a {person.kind}, not a staff member: only staff hold positions",
        )
        return None
    elif not person.active:
        check.warn(n, "staff", text, f"{person.name} is inactive in the roster")
    return person


def _fte(check: _Checker, n: int, text: str) -> Decimal | None:
    if not text:
        check.bad(n, "fte", "", "required (1 for full time)")
        return None
    try:
        fte = Decimal(text)
    except InvalidOperation:
        fte = Decimal("NaN")
    if not fte.is_finite() or not 0 < fte <= 1:
        check.bad(n, "fte", text, "an FTE above 0 and at most 1 is required (0.5 for half time)")
    elif fte != fte.quantize(CENT):
        check.bad(n, "fte", text, "at most two decimals (0.33, not 0.333)")
    else:
        return fte.quantize(CENT)
    return None


def _pay(
    check: _Checker,
    n: int,
    r: dict[str, str],
    fte: Decimal | None,
    schedules: dict[str, int],
    steps: dict[tuple[int, str, int], Decimal],
) -> tuple[Decimal, int | None, str, int | None] | None:
    """(salary, schedule id, lane, step), or ``None`` after reporting why not."""
    name, lane, step_text = r.get("schedule", ""), r.get("lane", ""), r.get("step", "")
    ok = True
    schedule_id = schedules.get(name) if name else None
    if name and schedule_id is None:
        reason = "no salary schedule of this district has this name (import salaries first)"
        check.bad(n, "schedule", name, reason)
        ok = False
    if not name:
        for column, value in (("lane", lane), ("step", step_text)):
            if value:
                check.bad(n, column, value, f"a {column} needs a schedule")
                ok = False
    step = check.step(n, step_text) if step_text else None
    if step_text and step is None:
        ok = False
    on_schedule: Decimal | None = None
    if schedule_id is not None and step is not None:
        on_schedule = steps.get((schedule_id, lane, step))
        if on_schedule is None:
            where = f"schedule {name!r}" + (f" lane {lane!r}" if lane else "")
            check.bad(n, "step", step_text, f"{where} has no step {step}")
            ok = False
    salary: Decimal | None
    if r["salary"]:
        salary = check.amount(n, "salary", r["salary"])
    elif name and step_text:
        salary = None if on_schedule is None or fte is None else on_schedule * fte
    else:
        check.bad(n, "salary", "", "required (or give schedule and step: the step's salary × fte)")
        salary = None
    if not ok or salary is None:
        return None
    return salary.quantize(CENT, rounding=ROUND_HALF_UP), schedule_id, lane, step


def _certifications(
    check: _Checker, n: int, text: str, subjects: dict[str, str]
) -> list[str] | None:
    out: set[str] = set()
    ok = True
    for token in SEPARATORS.split(text):
        if not token:
            continue
        try:
            subject, band = parse_certification(token)
        except ValueError as exc:
            check.bad(n, "certifications", token, str(exc))
            ok = False
            continue
        value = subjects.get(subject.lower())
        if value is None:
            reason = f"subject {subject!r} is not a subject: one of {', '.join(Subject.values)}"
            check.bad(n, "certifications", token, reason)
            ok = False
            continue
        out.add(f"{value}:{band}")
    return sorted(out) if ok else None


def _covers(
    check: _Checker,
    n: int,
    text: str,
    *,
    staff: _Person | None,
    kind: str | None,
    school: int | None,
    year: Any,
    sections: dict[str, tuple[int, int, int]],
    school_names: dict[int, str],
) -> frozenset[int] | None:
    tokens = [t for t in SEPARATORS.split(text) if t]
    if not tokens:
        return frozenset()
    if staff is not None:
        reason = f"covers is only for a vacant position; this one is filled by {staff.name}"
        check.bad(n, "covers", text, reason)
        return None
    if kind is not None and kind not in Position.TEACHING:
        teaching = ", ".join(str(k) for k in Position.TEACHING)
        check.bad(n, "covers", text, f"covers is only for a vacant teaching position ({teaching})")
        return None
    out: set[int] = set()
    ok = True
    for token in tokens:
        found = sections.get(token)
        if found is None:
            check.bad(n, "covers", token, "no class of this district has this sourcedId")
            ok = False
            continue
        pk, school_id, year_id = found
        if school is not None and school_id != school:
            reason = f"this class is at {school_names.get(school_id, 'another school')}, not at "
            reason += "the position's school"
            check.bad(n, "covers", token, reason)
            ok = False
        elif year is None or year_id != year.pk:
            current = f" ({year.title})" if year is not None else ""
            check.bad(n, "covers", token, f"this class is not in the current school year{current}")
            ok = False
        out.add(pk)
    return frozenset(out) if ok and school is not None else None


def _check_fte_sums(
    check: _Checker,
    district: District,
    fte_rows: dict[int, list[tuple[int, Decimal, str]]],
    people: dict[str, _Person],
    in_file: set[str],
    delta: bool,
) -> None:
    """A person's positions add up to at most one full time (FTE 1)."""
    others: dict[int, list[tuple[str, Decimal]]] = {}
    if delta:
        for staff_id, sid, fte in (
            Position.objects.filter(district=district, active=True, staff_id__in=fte_rows)
            .exclude(sourced_id__in=in_file)
            .values_list("staff_id", "sourced_id", "fte")
        ):
            others.setdefault(staff_id, []).append((sid, fte))
    names = {p.pk: p.name for p in people.values()}
    for staff_id, rows in fte_rows.items():
        total = sum((fte for _, fte, _ in rows), Decimal(0)) + sum(
            (fte for _, fte in others.get(staff_id, [])), Decimal(0)
        )
        if total <= 1:
            continue
        where = "; ".join(f"row {n}: {text}" for n, _, text in rows)
        where += "".join(f"; stored position {sid}: {fte}" for sid, fte in others.get(staff_id, []))
        last, _, text = rows[-1]
        check.bad(
            last,
            "fte",
            text,
            f"{names.get(staff_id, 'this person')}'s positions add up to FTE {total} "
            f"({where}): at most 1",
        )
