"""Feeds the access-measure engine from the roster: who is counted, where, with whom, rated how.

For one school year of one district, on its count date:

- **counted learners**: every learner with a row for the year (``LearnerYear``) or a student
  enrollment active on the count date in a section of the year;
- **school**: the school of the sections they are enrolled in on the count date (so a learner
  who moved after it stays with the first school), else ``LearnerYear.school``;
- **instructor links**: the teachers and aides enrolled on the count date in those sections,
  with the section's subject and the teacher's ``instructor_share``; imported
  :class:`InstructorLink` rows replace the roster's links of their learner–subject; a
  multi-classroom leader (``CoachLink`` kind mcl) joins every section of their team's teachers;
- **principals**: school leaders of the school (roles of the year, or standing);
- **ratings**: the year's :class:`EffectivenessRating` levels.

This is a system computation over the whole district, like a nightly job; what a person sees
is decided by :mod:`waypoint.reports.equity`, which publishes only suppressed aggregates of the
schools the viewer may report on, and never names.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet

from waypoint.effectiveness.models import EffectivenessRating, InstructorLink
from waypoint.engine import access_measures as am
from waypoint.roster.models import (
    CoachLink,
    Demographics,
    Enrollment,
    LearnerYear,
    SchoolYear,
    StaffRole,
)

I64 = npt.NDArray[np.int64]

SUBGROUPS: dict[str, str] = {
    "economically_disadvantaged": "Economically disadvantaged",
    "english_learner": "English learner",
    "disability": "Students with disabilities",
    "gifted": "Gifted",
    "homeless": "Homeless",
    "foster_care": "Foster care",
    "race": "Race and ethnicity",
    "gender": "Gender",
}
FLAGS: tuple[str, ...] = (
    "economically_disadvantaged",
    "english_learner",
    "disability",
    "gifted",
    "homeless",
    "foster_care",
)
NO_SCHOOL = -1
UNKNOWN_GRADE = -99


@dataclass(frozen=True)
class CountedLearner:
    """One counted learner: school and grade on the count date, and subgroup values."""

    id: int
    school: int
    grade: int
    groups: dict[str, str]


@dataclass(frozen=True, eq=False)
class YearMeasures:
    """The engine's access rows for one year, with the learners they describe."""

    year: SchoolYear
    learners: dict[int, CountedLearner]
    subjects: list[str]
    per_subject: am.AccessRows
    per_learner: am.AccessRows
    teachers_of_record: list[tuple[int, str, int, float]]
    """(learner, subject, staff, share or NaN) for every teacher of record of the year."""


def _flag_label(flag: str, value: bool) -> str:
    return "Yes" if value else "No"


def counted_learners(year: SchoolYear, among: Among = None) -> dict[int, CountedLearner]:
    """The learners counted in ``year`` with their school, grade and subgroups; ``among``
    (person ids, e.g. a subquery) limits the reading to those learners."""
    day = year.count_date
    enrolled = Enrollment.objects.filter(
        Enrollment.active_on_q(day),
        district_id=year.district_id,
        role=Enrollment.Role.STUDENT,
        section__school_year=year,
    )
    learner_years = LearnerYear.objects.filter(school_year=year, district_id=year.district_id)
    if among is not None:
        enrolled = enrolled.filter(person_id__in=among)
        learner_years = learner_years.filter(learner_id__in=among)
    sections_on_day = enrolled.values_list(
        "person_id", "section__school_id", "section__grade"
    ).order_by("person_id", "section__school_id")
    schools: dict[int, Counter[int]] = defaultdict(Counter)
    section_grade: dict[int, int] = {}
    for person, school, grade in sections_on_day:
        schools[person][school] += 1
        if grade is not None:
            section_grade.setdefault(person, grade)
    years = {ly.learner_id: ly for ly in learner_years}
    ids = set(schools) | set(years)
    demographics = {
        d.person_id: d for d in Demographics.objects.filter(person_id__in=ids).order_by()
    }
    out: dict[int, CountedLearner] = {}
    for pid in sorted(ids):
        ly = years.get(pid)
        if schools[pid]:
            # most sections on the count date; ties to the lowest id
            school = min(schools[pid].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        else:
            school = ly.school_id if ly is not None and ly.school_id else NO_SCHOOL
        grade = ly.grade if ly is not None else section_grade.get(pid, UNKNOWN_GRADE)
        groups = {f: _flag_label(f, bool(ly and getattr(ly, f))) for f in FLAGS}
        demo = demographics.get(pid)
        groups["race"] = demo.race_ethnicity if demo else "Not reported"
        groups["gender"] = demo.get_gender_display() if demo else "Not reported"
        out[pid] = CountedLearner(pid, school, grade, groups)
    return out


Among = QuerySet[Any, Any] | Collection[int] | None
Link = tuple[int, str, int, bool, float, bool]
"""An instructor link: (learner, subject, staff, is teacher, share or NaN, MCL)."""


def instructor_links(
    year: SchoolYear, learners: Collection[int], among: Among = None
) -> list[Link]:
    """The instructor links of ``learners`` on the year's count date (see the module doc);
    ``among`` (person ids, e.g. a subquery holding ``learners``) narrows the reading."""
    day = year.count_date
    active = Enrollment.active_on_q(day)
    enrolled = Enrollment.objects.filter(
        active,
        district_id=year.district_id,
        role=Enrollment.Role.STUDENT,
        section__school_year=year,
    )
    staff_of = Enrollment.objects.filter(
        active,
        district_id=year.district_id,
        role__in=(Enrollment.Role.TEACHER, Enrollment.Role.AIDE),
        section__school_year=year,
    )
    imported_links = InstructorLink.objects.filter(district_id=year.district_id, school_year=year)
    if among is not None:
        enrolled = enrolled.filter(person_id__in=among)
        staff_of = staff_of.filter(section_id__in=enrolled.values("section_id"))
        imported_links = imported_links.filter(learner_id__in=among)
    students = enrolled.values_list("person_id", "section_id", "section__subject")
    staff = staff_of.values_list("section_id", "person_id", "role", "instructor_share")
    by_section: dict[int, list[tuple[int, bool, float, bool]]] = defaultdict(list)
    teaches: dict[int, set[int]] = defaultdict(set)
    for section, person, role, share in staff:
        is_teacher = role == Enrollment.Role.TEACHER
        value = float(share) if share is not None else math.nan
        by_section[section].append((person, is_teacher, value, False))
        if is_teacher:
            teaches[person].add(section)
    for mcl, teacher in CoachLink.objects.filter(
        district_id=year.district_id, school_year=year, kind=CoachLink.Kind.MCL
    ).values_list("coach_id", "teacher_id"):
        for section in teaches.get(teacher, ()):
            by_section[section].append((mcl, True, math.nan, True))

    imported: dict[tuple[int, str], list[tuple[int, bool, float, bool]]] = defaultdict(list)
    for learner, staff_id, subject, share in imported_links.values_list(
        "learner_id", "staff_id", "subject", "share"
    ):
        value = float(share) if share is not None else math.nan
        imported[(learner, subject)].append((staff_id, True, value, False))

    rows: list[Link] = []
    for learner, section, subject in students:
        if learner in learners and (learner, subject) not in imported:
            rows.extend((learner, subject, *link) for link in by_section.get(section, ()))
    # (imported links replace the roster's links of their learner and subject, MCL included)
    for (learner, subject), links in imported.items():
        if learner in learners:
            rows.extend((learner, subject, *link) for link in links)
    return rows


def year_measures(year: SchoolYear) -> YearMeasures:
    """Access categories per learner–subject and per learner for one school year."""
    learners = counted_learners(year)
    rows = instructor_links(year, learners)
    imported_subjects = set(
        InstructorLink.objects.filter(district_id=year.district_id, school_year=year)
        .values_list("subject", flat=True)
        .distinct()
    )
    subjects = sorted({r[1] for r in rows} | imported_subjects)
    code = {s: i for i, s in enumerate(subjects)}

    principals = StaffRole.objects.filter(
        district_id=year.district_id, role=StaffRole.Role.SCHOOL_LEADER, school__isnull=False
    ).filter(school_year__in=[year.pk]) | StaffRole.objects.filter(
        district_id=year.district_id,
        role=StaffRole.Role.SCHOOL_LEADER,
        school__isnull=False,
        school_year__isnull=True,
    )
    pairs = sorted(set(principals.values_list("school_id", "person_id")))
    ratings = list(
        EffectivenessRating.objects.filter(
            district_id=year.district_id, school_year=year
        ).values_list("staff_id", "level")
    )
    ids = sorted(learners)
    per_subject, per_learner = am.access_measures(
        link_learner=[r[0] for r in rows],
        link_subject=[code[r[1]] for r in rows],
        link_staff=[r[2] for r in rows],
        link_is_teacher=[r[3] for r in rows],
        link_share=[r[4] for r in rows],
        link_always=[r[5] for r in rows],
        learner=ids,
        learner_school=[learners[i].school for i in ids],
        principal_school=[p[0] for p in pairs],
        principal_staff=[p[1] for p in pairs],
        rated_staff=[r[0] for r in ratings],
        rated_level=[am.LEVEL_CODES[r[1]] for r in ratings],
    )
    mask = am.teachers_of_record(
        [r[0] * len(subjects) + code[r[1]] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
        [r[5] for r in rows],
    )
    tor = sorted({(r[0], r[1], r[2], r[4]) for r, keep in zip(rows, mask, strict=True) if keep})
    return YearMeasures(year, learners, subjects, per_subject, per_learner, tor)
