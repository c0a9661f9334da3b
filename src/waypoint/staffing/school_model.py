"""A school's staffing, read from the roster and positions into the reach engine's terms.

For one school and school year, on the year's count date:

- **teachers**: staff holding an active teaching position at the school (teacher, MCL, team
  teacher), with their salary (summed over their positions there), certifications from the
  positions, and their latest rating up to the year (``not rated`` without one);
- **sections**: the school's sections of the year with their learners and the teacher of
  record from the roster (the primary teacher, else the first); a section whose teacher
  holds no position at the school stays out of the plan (it still counts for reach);
- **convertible positions**: active vacant positions; a teaching one carries the sections
  it ``covers`` (taught by substitutes today);
- **fixed cost**: filled positions that are not teaching positions (coaches, aides, ...).

Learners' weights are 1, plus ``high_need_weight`` for a learner who is economically
disadvantaged, an English learner or has a disability.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from waypoint.effectiveness.measures import CountedLearner, Link, counted_learners
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.engine import access_measures as am
from waypoint.engine import reach
from waypoint.roster.models import Enrollment, LearnerYear, Person, School, SchoolYear, Section
from waypoint.staffing.bands import band_of, parse_certification
from waypoint.staffing.models import Position

LEVELS: dict[str, reach.Level] = {
    EffectivenessRating.Level.HIGHLY_EFFECTIVE.value: reach.Level.HIGHLY_EFFECTIVE,
    EffectivenessRating.Level.EFFECTIVE.value: reach.Level.EFFECTIVE,
    EffectivenessRating.Level.DEVELOPING.value: reach.Level.DEVELOPING,
    EffectivenessRating.Level.INEFFECTIVE.value: reach.Level.INEFFECTIVE,
}
HIGH_NEED = ("economically_disadvantaged", "english_learner", "disability")


@dataclass(frozen=True)
class StaffingData:
    """The engine's school plus what the pages and the reach count need around it."""

    school: reach.School
    year: SchoolYear
    learners: dict[int, CountedLearner]
    ratings: dict[int, str]
    """staff id -> latest rating level (EffectivenessRating.Level value) up to the year"""
    names: dict[object, str]
    """person, section and position ids -> display names"""
    fixed_cost: float
    learners_in_plan: int

    def rated_arrays(self) -> tuple[list[int], list[int]]:
        staff = sorted(self.ratings)
        return staff, [am.LEVEL_CODES[self.ratings[s]] for s in staff]


def _position_id(p: Position) -> str:
    return p.sourced_id or f"position-{p.pk}"


def latest_ratings(year: SchoolYear) -> dict[int, str]:
    """Each staff member's latest rating level in a year that started by ``year``."""
    rows = (
        EffectivenessRating.objects.filter(
            district_id=year.district_id, school_year__start_date__lte=year.start_date
        )
        .order_by("staff_id", "-school_year__start_date")
        .values_list("staff_id", "level")
    )
    latest: dict[int, str] = {}
    for staff, level in rows:
        latest.setdefault(staff, level)
    return latest


def at_school(school: School, year: SchoolYear) -> QuerySet[Person, Any]:
    """Learners enrolled at ``school`` on the count date or attributed to it for the year
    (a superset of those counted there: a learner is counted at one school)."""
    enrolled = Enrollment.objects.filter(
        Enrollment.active_on_q(year.count_date),
        district_id=school.district_id,
        role=Enrollment.Role.STUDENT,
        section__school=school,
        section__school_year=year,
    ).values("person_id")
    attributed = LearnerYear.objects.filter(school_year=year, school=school).values("learner_id")
    return Person.objects.filter(Q(pk__in=enrolled) | Q(pk__in=attributed)).values("pk")


def school_learners(school: School, year: SchoolYear) -> dict[int, CountedLearner]:
    """The learners counted at ``school`` on the year's count date."""
    found = counted_learners(year, among=at_school(school, year))
    return {k: v for k, v in found.items() if v.school == school.pk}


def load(
    school: School,
    year: SchoolYear,
    *,
    bands: frozenset[str] | None = None,
    high_need_weight: float = 0.0,
) -> StaffingData:
    """Read one school's staffing (see the module docstring). ``bands`` limits the grade
    bands a teacher may lead or receive learners in (a template's scope)."""
    learners = school_learners(school, year)
    ratings = latest_ratings(year)
    positions = list(
        Position.objects.filter(district_id=school.district_id, school=school, active=True)
        .select_related("staff")
        .prefetch_related("covers")
        .order_by("pk")
    )
    names: dict[object, str] = {}
    salary: dict[int, float] = defaultdict(float)
    certs: dict[int, set[tuple[str, str]]] = defaultdict(set)
    fixed = 0.0
    vacant: list[Position] = []
    for p in positions:
        if p.staff_id is None:
            vacant.append(p)
            names[_position_id(p)] = f"vacant {p.get_kind_display().lower()} position"
            continue
        if p.kind not in Position.TEACHING:
            fixed += float(p.salary)
            continue
        assert p.staff is not None
        names[p.staff_id] = p.staff.display_name
        salary[p.staff_id] += float(p.salary)
        for text in p.certifications:
            subject, band = parse_certification(text)
            if bands is None or band in bands:
                certs[p.staff_id].add((subject, band))

    day = year.count_date
    enrolled = (
        Enrollment.objects.filter(
            Enrollment.active_on_q(day),
            district_id=school.district_id,
            section__school=school,
            section__school_year=year,
        )
        .order_by("section_id", "-primary", "pk")
        .values_list("section_id", "person_id", "role")
    )
    students: dict[int, list[int]] = defaultdict(list)
    teacher_of: dict[int, int] = {}
    for section, person, role in enrolled:
        if role == Enrollment.Role.STUDENT:
            if person in learners:
                students[section].append(person)
        elif role == Enrollment.Role.TEACHER:
            teacher_of.setdefault(section, person)
    covered = {s.pk for p in vacant for s in p.covers.all()}

    def learner(pid: int) -> reach.Learner:
        groups = learners[pid].groups
        need = any(groups.get(flag) == "Yes" for flag in HIGH_NEED)
        return reach.Learner(
            pid,
            1.0 + (high_need_weight if need else 0.0),
            frozenset(f"{k}={v}" for k, v in groups.items()),
        )

    def engine_section(s: Section, teacher: int | None) -> reach.Section | None:
        band = band_of(s.grade)
        if band is None:
            return None
        names[s.pk] = s.title
        return reach.Section(
            s.pk, teacher, s.subject, band, learners=tuple(learner(x) for x in students[s.pk])
        )

    sections: list[reach.Section] = []
    in_plan = 0
    for s in Section.objects.filter(school=school, school_year=year).order_by("pk"):
        teacher = teacher_of.get(s.pk)
        if s.pk in covered or teacher not in salary:
            continue
        es = engine_section(s, teacher)
        if es is not None:
            sections.append(es)
            in_plan += es.count
    by_pk = {s.pk: s for p in vacant for s in p.covers.all()}
    engine_positions = []
    for p in vacant:
        covers = [engine_section(by_pk[s.pk], None) for s in p.covers.all()]
        kept = tuple(c for c in covers if c is not None)
        in_plan += sum(c.count for c in kept)
        engine_positions.append(
            reach.Position(_position_id(p), float(p.salary), kept, names[_position_id(p)])
        )
    teachers = tuple(
        reach.Teacher(
            pid,
            salary[pid],
            LEVELS.get(ratings.get(pid, ""), reach.Level.NOT_RATED),
            frozenset(certs[pid]),
            name=names[pid],
        )
        for pid in sorted(salary)
    )
    engine_school = reach.School(
        school.pk, teachers, tuple(sections), tuple(engine_positions), school.name
    )
    return StaffingData(engine_school, year, learners, ratings, names, fixed, in_plan)


def links_after(data: StaffingData, links: list[Link], plan: reach.Plan) -> list[Link]:
    """The instructor links as they would be under ``plan``.

    Learners of a converted position move to their new class and take its teacher; a
    team's leader joins every class of the team's members in the team's subject and band
    as an MCL (a teacher of record alongside the member, as DESIGN.md says), moved learners
    included.
    """
    nan = float("nan")
    leader_of = {(u, t.key): t.leader for t in plan.teams for u in t.members}
    sections = {s.id: s for s in data.school.sections}
    vacant = {s.id: s for p in data.school.positions for s in p.sections}
    added: list[Link] = []

    def lead(learner: object, section: reach.Section) -> None:
        leader = leader_of.get((section.teacher, section.key))
        if leader is not None:
            added.append((learner, section.subject, leader, True, nan, True))  # type: ignore[arg-type]

    for s in data.school.sections:
        for x in s.learners:
            lead(x.id, s)
    moved: set[tuple[object, str]] = set()
    for conv in plan.conversions:
        for move in conv.moves:
            target = sections[move.target]
            subject = vacant[move.source].subject
            for lid in move.learner_ids:
                moved.add((lid, subject))
                added.append((lid, subject, target.teacher, True, nan, False))  # type: ignore[arg-type]
                lead(lid, target)
    return [r for r in links if (r[0], r[1]) not in moved] + added
