"""Views above one class: a coach's or multi-classroom leader's team, a school leader's school.

The team view lists the sections the viewer teaches or supports, each with its flags at a
glance (the same dashboard, one section at a time). The school roll-up counts learners by
subject and grade; it is an aggregate shown outside a teacher's own class, so every count goes
through ``waypoint.reports.suppression`` (DESIGN.md: small groups hidden, complements too,
percentages coded, and the page says what was hidden and why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from waypoint.access.selectors import NotVisible, section_list, student_list
from waypoint.access.viewer import Viewer, current_school_year
from waypoint.classroom.selectors import section_dashboard
from waypoint.mastery.models import MasteryState
from waypoint.mastery.selectors import pace_status, tracked_items, year_elapsed
from waypoint.mastery.services import mastered_at
from waypoint.reports.suppression import Relation, SuppressedSet, mirror, suppress
from waypoint.roster.models import CoachLink, Enrollment, LearnerYear, School, Section


@dataclass(frozen=True)
class TeamCard:
    section: Section
    learners: int
    behind: int
    stuck: int
    quiet: int
    ready: int


def team_cards(*, viewer: Viewer) -> list[TeamCard]:
    """This year's sections the viewer teaches, or teaches through the teachers they support."""
    supported = CoachLink.objects.filter(
        coach_id=viewer.person_id, school_year=viewer.school_year
    ).values("teacher_id")
    taught = Enrollment.objects.filter(
        Q(person_id=viewer.person_id) | Q(person_id__in=supported),
        role__in=[Enrollment.Role.TEACHER, Enrollment.Role.AIDE],
    ).values("section_id")
    sections = (
        section_list(viewer=viewer)
        .filter(pk__in=taught, school_year=viewer.school_year)
        .select_related("school")
        .order_by("school__name", "title")
    )
    cards = []
    for section in sections:
        dash = section_dashboard(viewer=viewer, section_id=section.pk)
        rows = dash.rows
        cards.append(
            TeamCard(
                section=section,
                learners=len(rows),
                behind=sum(1 for r in rows if r.pace == "behind"),
                stuck=sum(1 for r in rows if r.stuck),
                quiet=sum(1 for r in rows if r.quiet),
                ready=sum(1 for r in rows if r.ready),
            )
        )
    return cards


@dataclass(frozen=True)
class RollupRow:
    """One line of a subject's table, as the page shows it (hidden numbers are "*")."""

    label: str
    learners: str
    behind: str
    behind_share: str
    mastered: str


@dataclass
class SubjectTable:
    subject: str
    label: str
    grades: list[int]
    rows: list[RollupRow] | None = None


@dataclass
class SchoolRollup:
    school: School
    tables: list[SubjectTable]
    cells: SuppressedSet | None
    mastered_share: dict[Any, float]
    threshold: int

    def count(self, key: Any) -> str:
        return self.cells.count(key) if self.cells else "*"

    def percent(self, key: Any) -> str:
        return self.cells.percent(key) if self.cells else "*"

    def share(self, key: Any) -> str:
        """Mean share of grade-level standards mastered, shown only with its group."""
        if self.cells is None or self.cells[key].hidden or key not in self.mastered_share:
            return "*"
        return f"{round(100 * self.mastered_share[key])}%"

    @property
    def note(self) -> str:
        return self.cells.note() if self.cells else ""


def _spans(item: Any, grade: int) -> bool:
    return bool((item.grade_low or 0) <= grade <= (item.grade_high or item.grade_low or 0))


def school_rollup(*, viewer: Viewer, school_id: object) -> SchoolRollup:
    """By subject and grade: learners, how many are behind pace, and the mean share of their
    grade-level standards mastered — for the school's leaders and the district's admins."""
    try:
        pk = int(str(school_id))
    except ValueError:
        raise NotVisible() from None
    if not (viewer.is_district_admin or pk in viewer.led_school_ids):
        raise NotVisible()
    school = School.objects.filter(pk=pk, district_id=viewer.district_id).first()
    if school is None:
        raise NotVisible()
    year = current_school_year(school.district_id, viewer.today)
    grades: dict[int, int] = dict(
        LearnerYear.objects.filter(
            school=school,
            school_year=year,
            learner_id__in=student_list(viewer=viewer).values("pk"),
        ).values_list("learner_id", "grade")
    )
    subjects = sorted(
        set(
            Section.objects.filter(school=school, school_year=year).values_list(
                "subject", flat=True
            )
        )
    )
    labels = dict(Section._meta.get_field("subject").choices or [])
    items = list(tracked_items(school.district_id).filter(grade_low__isnull=False))
    threshold = mastered_at(school.district_id)
    elapsed = year_elapsed(year, viewer.today) if year else None
    states = {
        (s[0], s[1]): s[2]
        for s in MasteryState.objects.filter(
            district_id=school.district_id, learner_id__in=list(grades)
        ).values_list("learner_id", "item_id", "probability")
    }
    counts: dict[Any, int] = {}
    numerators: dict[Any, Any] = {}
    shares: dict[Any, list[float]] = {}
    relations: list[Relation] = []
    tables = []
    for subject in subjects:
        names = {subject.casefold(), str(labels.get(subject, subject)).casefold()}
        mine = [i for i in items if {str(s).casefold() for s in (i.subject or [])} & names]
        if not mine:
            continue
        present = sorted({g for g in grades.values()})
        table_grades = []
        for grade in present:
            level = [
                i.pk
                for i in mine
                if (i.grade_low or 0) <= grade <= (i.grade_high or i.grade_low or 0)
            ]
            if not level:
                continue
            table_grades.append(grade)
            key = (subject, grade)
            learners = [learner for learner, g in grades.items() if g == grade]
            counts[key] = len(learners)
            behind = 0
            values = []
            for learner in learners:
                done = sum(1 for i in level if states.get((learner, i), 0.0) >= threshold)
                values.append(done / len(level))
                behind += pace_status(done, len(level), elapsed) == "behind"
            counts[(subject, grade, "behind")] = behind
            numerators[(subject, grade, "behind")] = key
            if values:
                shares[key] = values
        if not table_grades:
            continue
        total = (subject, "all")
        counts[total] = sum(counts[(subject, g)] for g in table_grades)
        counts[(subject, "all", "behind")] = sum(
            counts[(subject, g, "behind")] for g in table_grades
        )
        numerators[(subject, "all", "behind")] = total
        relation = Relation(total, [(subject, g) for g in table_grades])
        relations.append(relation)
        relations += mirror([relation], lambda k: (*k, "behind"))
        all_values = [v for g in table_grades for v in shares.get((subject, g), [])]
        if all_values:
            shares[total] = all_values
        tables.append(SubjectTable(subject, str(labels.get(subject, subject)), table_grades))
    threshold_n = school.district.suppression_min_n
    cells = (
        suppress(counts, relations, threshold=threshold_n, numerators=numerators)
        if counts
        else None
    )
    report = SchoolRollup(
        school=school,
        tables=tables,
        cells=cells,
        mastered_share={k: sum(v) / len(v) for k, v in shares.items()},
        threshold=threshold_n,
    )
    for table in tables:
        keys = [(str(g), (table.subject, g)) for g in table.grades]
        keys.append(("All grades", (table.subject, "all")))
        table.rows = [
            RollupRow(
                label=label,
                learners=report.count(key),
                behind=report.count((*key, "behind")),
                behind_share=report.percent((*key, "behind")),
                mastered=report.share(key),
            )
            for label, key in keys
        ]
    return report
