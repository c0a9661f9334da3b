"""A school's staffing model as a planner sees and edits it: every position with its holder,
rating, pay, certifications, and the sections and learners it covers.

Ratings are read through the access layer (``rating_list``): a school leader sees their
school's staff ratings, a district admin every one. Edits are checked field by field; any
error and nothing is saved; a saved edit is audited in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from waypoint.access.selectors import rating_list
from waypoint.access.viewer import Viewer
from waypoint.audit.services import record_action
from waypoint.roster.models import Enrollment, School, SchoolYear, Section, Subject
from waypoint.staffing.bands import parse_certification
from waypoint.staffing.model_templates import ParameterError
from waypoint.staffing.models import Position

SUBJECT_ALIASES = {"math": "mathematics", "reading": "ela", "english": "ela"}


@dataclass(frozen=True)
class PositionRow:
    position: Position
    holder: str
    rating: str
    sections: int
    learners: int


def school_positions(viewer: Viewer, school: School, year: SchoolYear) -> list[PositionRow]:
    """Every position of the school (active first), with what it covers this year."""
    positions = list(
        Position.objects.filter(district_id=school.district_id, school=school)
        .select_related("staff")
        .prefetch_related("covers")
        .order_by("-active", "kind", "sourced_id", "pk")
    )
    staff_ids = {p.staff_id for p in positions if p.staff_id}
    ratings: dict[int, str] = {}
    for staff, label in (
        rating_list(viewer=viewer)
        .filter(staff_id__in=staff_ids, school_year__start_date__lte=year.start_date)
        .order_by("staff_id", "-school_year__start_date")
        .values_list("staff_id", "level")
    ):
        ratings.setdefault(staff, label)
    day = year.count_date
    teaches: dict[int, set[int]] = defaultdict(set)
    for person, section in Enrollment.objects.filter(
        Enrollment.active_on_q(day),
        district_id=school.district_id,
        role=Enrollment.Role.TEACHER,
        person_id__in=staff_ids,
        section__school=school,
        section__school_year=year,
    ).values_list("person_id", "section_id"):
        teaches[person].add(section)
    learners: dict[int, int] = defaultdict(int)
    for section in Enrollment.objects.filter(
        Enrollment.active_on_q(day),
        district_id=school.district_id,
        role=Enrollment.Role.STUDENT,
        section__school=school,
        section__school_year=year,
    ).values_list("section_id", flat=True):
        learners[section] += 1
    rows = []
    for p in positions:
        covered = (
            {s.pk for s in p.covers.all()} if p.staff_id is None else teaches.get(p.staff_id, set())
        )
        level = ratings.get(p.staff_id or 0, "")
        rows.append(
            PositionRow(
                p,
                p.staff.display_name if p.staff else "vacant",
                level.replace("_", " ") if level else ("not rated" if p.staff_id else ""),
                len(covered),
                sum(learners[s] for s in covered),
            )
        )
    return rows


def _certifications(text: str) -> list[str]:
    out = []
    for part in text.replace(";", " ").replace(",", " ").split():
        subject, band = parse_certification(part)
        subject = SUBJECT_ALIASES.get(subject.lower(), subject.lower())
        if subject not in Subject.values:
            raise ValueError(f"subject {subject!r} is not one of {', '.join(Subject.values)}")
        out.append(f"{subject}:{band}")
    return sorted(set(out))


def update_position(
    *, user: Any, position: Position, data: dict[str, Any], year: SchoolYear
) -> Position:
    """Apply a planner's edit; ParameterError names each bad value and nothing is saved."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    kind = data.get("kind", position.kind)
    if kind not in Position.Kind.values:
        errors["kind"] = f"{kind!r} is not a position type"
    else:
        changes["kind"] = kind
    for name, low, high in (("salary", Decimal(0), None), ("fte", Decimal(0), Decimal(1))):
        text = str(data.get(name, getattr(position, name))).strip().replace(",", "")
        try:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = f"{text!r} is not a number"
            continue
        if name == "salary" and value < low:
            errors[name] = f"{value} must not be negative"
        elif name == "fte" and not low < value <= (high or value):
            errors[name] = f"{value} must be more than 0 and at most 1"
        elif value.as_tuple().exponent < -2:  # type: ignore[operator]
            errors[name] = f"{value} has more than two decimals"
        else:
            changes[name] = value
    step = str(data.get("step", "" if position.step is None else position.step)).strip()
    if step and not step.isdigit():
        errors["step"] = f"{step!r} is not a whole number of at least 0"
    else:
        changes["step"] = int(step) if step else None
    changes["lane"] = str(data.get("lane", position.lane)).strip()[:20]
    try:
        changes["certifications"] = _certifications(
            str(data.get("certifications", " ".join(position.certifications)))
        )
    except ValueError as exc:
        errors["certifications"] = str(exc)
    changes["active"] = bool(data.get("active", position.active))
    covers: list[Section] = []
    wanted = [str(x) for x in data.get("covers", [])]
    if wanted or "covers" in data:
        if position.staff_id is not None and wanted:
            errors["covers"] = "only a vacant position covers sections; this one has a holder"
        else:
            found = {
                str(s.pk): s
                for s in Section.objects.filter(
                    school=position.school,
                    school_year=year,
                    pk__in=[w for w in wanted if w.isdigit()],
                )
            }
            missing = [w for w in wanted if w not in found]
            if missing:
                errors["covers"] = f"not sections of {position.school.name} this year: {missing}"
            covers = list(found.values())
    if errors:
        raise ParameterError(errors)
    with transaction.atomic():
        before = {k: str(getattr(position, k)) for k in changes}
        for k, v in changes.items():
            setattr(position, k, v)
        position.save()
        if position.staff_id is None and "covers" in data:  # (checked above)
            position.covers.set(covers)
        record_action(
            user=user,
            district_id=position.district_id,
            action="edit position",
            obj=position,
            details={k: [before[k], str(v)] for k, v in changes.items() if before[k] != str(v)},
        )
    return position
