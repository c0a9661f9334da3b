"""Median SGP by teacher of record, by school and by subgroup: one published set.

For one school year: every teacher-of-record link (learner, subject, teacher, share) whose
learner has an SGP that year counts once for the teacher, in the learner's school on the
count date (``waypoint.effectiveness.measures``), by subject and by every subgroup. The
counts go through :mod:`waypoint.reports.published` (section = school, place = teacher, so
each school is a teachers × groups table with its margins), which hides groups below the
district's threshold and their complements; a median is shown only where its group's count
is. The medians come from the engine (:func:`waypoint.engine.access_measures.median_sgp_by_staff`):
plain, and weighted by the instructor share (a missing share weighs 1).

Who sees which rows follows the access layer (``access.selectors.staff_list``: a staff
record is seen by the person, their coach, their school's leaders and district admins, never
by peers): a district admin sees every teacher of the district; a school leader the teachers
of learners at the schools they lead; a teacher their own rows only (a coach: also the
teachers they support). Learners, guardians and other districts see nothing (a 404).
Learners' names are never shown; teachers' names are staff data these viewers may see.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from waypoint.access.selectors import NotVisible, staff_list
from waypoint.access.viewer import Viewer
from waypoint.effectiveness.measures import SUBGROUPS, year_measures
from waypoint.effectiveness.models import GrowthPercentile
from waypoint.engine import access_measures as am
from waypoint.reports.equity import place_names, value_label
from waypoint.reports.published import ALL, N, PublishedSet, Record, publish
from waypoint.roster.models import District, Person, SchoolYear

DIMENSIONS = ("subject", *SUBGROUPS)


@dataclass(frozen=True)
class GrowthRow:
    """One shown or hidden group: a teacher (or ``ALL``) at a school, for a group of learners."""

    school: Hashable
    staff: Hashable
    dimension: str
    value: Hashable
    learners: str
    hidden: bool
    median_sgp: float | None
    weighted_median_sgp: float | None


@dataclass
class TeacherGrowthReport:
    year: SchoolYear
    district: District
    published: PublishedSet
    schools: dict[Hashable, str]
    teachers: dict[int, str]
    rows: list[GrowthRow] = field(default_factory=list)

    def label(self, key: Hashable) -> str:
        assert isinstance(key, tuple)
        _, school, staff, dim, value = key
        who = (
            "all teachers of record"
            if staff == ALL
            else self.teachers.get(int(str(staff)), "a teacher")
        )
        return f"{self.schools.get(school, school)}, {who}, {value_label(dim, value)}"

    def teacher_name(self, row: GrowthRow) -> str:
        return self.teachers[int(str(row.staff))]

    def teacher_rows(self) -> list[GrowthRow]:
        """The rows of teachers (not the schools' totals over teachers)."""
        return [r for r in self.rows if r.staff != ALL]

    def csv_rows(self) -> list[list[str]]:
        def num(x: float | None) -> str:
            return "" if x is None else f"{x:g}"

        out = [
            [
                "year",
                "school",
                "teacher",
                "group",
                "learners_with_sgp",
                "median_sgp",
                "weighted_median_sgp",
            ]
        ]
        for r in self.teacher_rows():
            out.append(
                [
                    self.year.title,
                    self.schools.get(r.school, str(r.school)),
                    self.teacher_name(r),
                    value_label(r.dimension, r.value),
                    r.learners,
                    num(r.median_sgp),
                    num(r.weighted_median_sgp),
                ]
            )
        return out


Link = tuple[int, str, int, float]


def _visible_links(
    viewer: Viewer, year: SchoolYear
) -> tuple[list[Link], dict[int, str], dict[int, dict[str, str]], dict[int, int]]:
    """The teacher-of-record links the viewer may see, with teachers' names, the learners'
    school and groups."""
    if viewer.person is None or viewer.person.kind != Person.Kind.STAFF:
        raise NotVisible()
    if year.district_id != viewer.district_id:
        raise NotVisible()
    m = year_measures(year)
    visible = {
        p.pk: p.display_name
        for p in staff_list(viewer=viewer).filter(pk__in={t[2] for t in m.teachers_of_record})
    }
    led = viewer.led_school_ids
    links = []
    for learner, subject, staff, share in m.teachers_of_record:
        if staff not in visible:
            continue
        school = m.learners[learner].school
        if viewer.is_district_admin or school in led or staff == viewer.person_id or not led:
            links.append((learner, subject, staff, share))
    groups = {k: v.groups for k, v in m.learners.items()}
    schools = {k: v.school for k, v in m.learners.items()}
    return links, visible, groups, schools


def teacher_growth_report(*, viewer: Viewer, year: SchoolYear) -> TeacherGrowthReport:
    """Median SGP (plain and weighted) by teacher of record, school and group, suppressed."""
    links, names, groups, schools = _visible_links(viewer, year)
    district = District.objects.get(pk=year.district_id)
    sgps = dict(
        ((learner, subj), sgp)
        for learner, subj, sgp in GrowthPercentile.objects.filter(
            district=district, year=year.start_date.year
        ).values_list("learner_id", "subject", "sgp")
    )
    kept = [(lr, s, st, sh, sgps[(lr, s)]) for lr, s, st, sh in links if (lr, s) in sgps]
    records = [Record(schools[lr], st, {**groups[lr], "subject": s}) for lr, s, st, _, _ in kept]
    # a subject a teacher does not teach is a structural zero (left out), not a small cell:
    # hiding it would hide the teacher's other subject with it
    published = publish(
        records,
        DIMENSIONS,
        (),
        threshold=district.suppression_min_n,
        structural=frozenset({"subject"}),
    )

    # medians by (school, teacher, dimension, value): one engine call over coded groups
    code: dict[tuple[Hashable, ...], int] = {}
    key_codes: list[int] = []
    values: list[float] = []
    weights: list[float] = []
    for lr, s, st, sh, sgp in kept:
        school = schools[lr]
        keys = [(school, st, ALL, ALL)] + [
            (school, st, d, s if d == "subject" else groups[lr][d]) for d in DIMENSIONS
        ]
        for k in keys:
            key_codes.append(code.setdefault(k, len(code)))
            values.append(float(sgp))
            weights.append(sh)
    medians: dict[tuple[Hashable, ...], tuple[float, float]] = {}
    if key_codes:
        table = am.median_sgp_by_staff(
            np.asarray(key_codes), np.asarray(values), np.asarray(weights)
        )
        by_code = {c: k for k, c in code.items()}
        for c, med, wmed in zip(
            table.staff.tolist(), table.median.tolist(), table.weighted_median.tolist(), strict=True
        ):
            medians[by_code[c]] = (med, wmed)

    report = TeacherGrowthReport(year, district, published, place_names(district), dict(names))
    result = published.result
    for section, place, dim, value in published.groups:
        cell = result[(N, section, place, dim, value)]
        med = medians.get((section, place, dim, value)) if not cell.hidden else None
        report.rows.append(
            GrowthRow(
                section,
                place,
                dim,
                value,
                cell.text,
                cell.hidden,
                med[0] if med else None,
                med[1] if med else None,
            )
        )
    return report
