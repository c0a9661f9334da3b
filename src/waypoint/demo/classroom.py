"""Demo dashboard data: saved small groups and a term of recorded interventions.

For this year's mathematics and ELA sections (grades 3–8) at the demo teacher's school, the
learners' next needs go through the real grouping engine and the groups are saved for the
last school day, led by the section's teacher. Over the past term about half of each
section's learners get one to three interventions on a standard they were working on, each
with comparison learners chosen as the dashboard chooses them (same standard, mastery within
0.1 at the time; here from the same section). "At the time" is the start of each state's
trail (P before the last six observations), so the "did it work" table compares like with
like. The evidence is
simulated without any intervention effect, so the demo's treated and comparison learners
should gain about the same: the demo shows the comparison, not a finding. Seeded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from waypoint.classroom.models import (
    Intervention,
    InterventionComparison,
    SmallGroup,
    SmallGroupMember,
)
from waypoint.engine.grouping import Learner, suggest_groups
from waypoint.mastery.models import MasteryState
from waypoint.mastery.selectors import prerequisite_map, ready_among, tracked_items
from waypoint.mastery.services import mastered_at
from waypoint.roster.models import District, Enrollment, Person, SchoolYear, Section

MAX_SECTIONS = 30
BAND = 0.1
ACTIONS = ("reteach", "practice", "practice", "conference", "check-in")


@dataclass(frozen=True)
class ClassroomResult:
    sections: int
    groups: int
    interventions: int


def _school_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def seed_classroom(*, district: District, seed: int, today: dt.date) -> ClassroomResult:
    teacher = Person.objects.filter(district=district, user__username="teacher").first()
    year = (
        SchoolYear.objects.filter(district=district, start_date__lte=today)
        .order_by("-start_date")
        .first()
    )
    if teacher is None or year is None:
        return ClassroomResult(0, 0, 0)
    school_ids = Section.objects.filter(school_year=year, enrollments__person=teacher).values_list(
        "school_id", flat=True
    )
    sections = list(
        Section.objects.filter(
            school_id__in=list(school_ids),
            school_year=year,
            grade__gte=3,
            grade__lte=8,
            subject__in=["mathematics", "ela"],
        ).order_by("pk")[:MAX_SECTIONS]
    )
    rng = np.random.default_rng([seed, 6_000_006])
    threshold = mastered_at(district.pk)
    prerequisites = prerequisite_map(district.pk)
    items = list(tracked_items(district.pk).filter(grade_low__isnull=False))
    meets_on = _school_day(min(today, year.end_date) - dt.timedelta(days=1))
    term_start = max(year.start_date, meets_on - dt.timedelta(weeks=10))
    groups_made = 0
    interventions: list[Intervention] = []
    comparisons_for: list[list[tuple[int, float]]] = []
    members: list[tuple[SmallGroup, list[int]]] = []
    for section in sections:
        names = {section.subject, "english language arts" if section.subject == "ela" else ""}
        level = [
            i
            for i in items
            if {str(s).casefold() for s in i.subject or []} & names
            and (i.grade_low or 0) <= (section.grade or 0) <= (i.grade_high or i.grade_low or 0)
        ]
        level.sort(key=lambda i: (i.sequence_number or 0, i.human_coding_scheme))
        ids = [i.pk for i in level]
        if not ids:
            continue
        learners = list(
            Enrollment.objects.filter(
                Enrollment.active_on_q(today), section=section, role=Enrollment.Role.STUDENT
            ).values_list("person_id", flat=True)
        )
        states: dict[int, dict[int, MasteryState]] = defaultdict(dict)
        for state in MasteryState.objects.filter(learner_id__in=learners, item_id__in=ids):
            states[state.learner_id][state.item_id] = state
        lead = (
            Enrollment.objects.filter(section=section, role=Enrollment.Role.TEACHER)
            .values_list("person_id", flat=True)
            .first()
        )
        pool = []
        for learner in learners:
            p = {i: s.probability for i, s in states[learner].items()}
            if not p:
                continue  # no evidence in this demo (large demos cap evidence)
            ready = ready_among(ids, p, threshold, prerequisites)
            need = next((i for i in ids if i in ready), None) or next(
                (i for i in ids if p.get(i, 0.0) < threshold), None
            )
            if need is not None:
                mastered = frozenset(i for i, v in p.items() if v >= threshold)
                pool.append(Learner(learner, need, mastered))
        if len(pool) >= 3:
            grouping = suggest_groups(pool, prerequisites, time_limit=5.0)
            for group in grouping.groups:
                saved = SmallGroup(
                    district=district,
                    section=section,
                    target_id=int(str(group.target)),
                    meets_on=meets_on,
                    led_by_id=lead,
                    note="suggested by Waypoint",
                )
                members.append((saved, [int(str(i)) for i in group.learners]))
                groups_made += 1
        for learner in learners:
            worked = [s for s in states[learner].values() if len(s.trail) > 1]
            if not worked or rng.random() < 0.5:
                continue
            for _ in range(int(rng.integers(1, 4))):
                state = worked[int(rng.integers(len(worked)))]
                action = ACTIONS[int(rng.integers(len(ACTIONS)))]
                before = float(state.trail[0])
                days = max((meets_on - term_start).days, 1)
                interventions.append(
                    Intervention(
                        district=district,
                        learner_id=learner,
                        section=section,
                        standard_id=None if action == "check-in" else state.item_id,
                        action=action,
                        done_on=term_start + dt.timedelta(days=int(rng.integers(days))),
                        mastery_before=None if action == "check-in" else before,
                        note="demo",
                    )
                )
                comparisons_for.append(
                    []
                    if action == "check-in"
                    else [
                        (other, float(s.trail[0]))
                        for other in learners
                        if other != learner
                        and (s := states[other].get(state.item_id)) is not None
                        and s.trail
                        and abs(float(s.trail[0]) - before) <= BAND
                    ][:30]
                )
    SmallGroup.objects.bulk_create([g for g, _ in members])
    SmallGroupMember.objects.bulk_create(
        [
            SmallGroupMember(district=district, group=g, learner_id=i)
            for g, learners in members
            for i in learners
        ],
        batch_size=2000,
    )
    Intervention.objects.bulk_create(interventions, batch_size=2000)
    InterventionComparison.objects.bulk_create(
        [
            InterventionComparison(
                district=district, intervention=iv, learner_id=other, probability_before=p
            )
            for iv, chosen in zip(interventions, comparisons_for, strict=True)
            for other, p in chosen
        ],
        batch_size=2000,
    )
    return ClassroomResult(len(sections), groups_made, len(interventions))
