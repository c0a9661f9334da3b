"""Writes of the dashboard: saving small groups and recording interventions.

Each is an action: a permission check (the section or learner opened through the access
layer, by teaching staff), the change, and an audit entry, in one transaction. Bad input
raises :class:`ClassroomError` with every reason, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from waypoint.access.selectors import (
    ASSESSING_ROLES,
    NotAllowed,
    get_student_to_assess,
    student_list,
)
from waypoint.access.viewer import Viewer
from waypoint.audit.services import record_action
from waypoint.classroom.models import (
    Intervention,
    InterventionComparison,
    SmallGroup,
    SmallGroupMember,
)
from waypoint.classroom.selectors import dashboard_section, section_learners
from waypoint.mastery.models import MasteryState, SkillModel
from waypoint.mastery.services import params_of
from waypoint.roster.models import Enrollment
from waypoint.standards.models import FrameworkItem

COMPARISON_BAND = 0.1
"""Comparable learners had P(mastered) within this of the learner's when it was recorded."""
COMPARISON_MAX = 30
COMPARISON_EXCLUDE_DAYS = 30
"""Learners with an intervention on the same standard this recently are not comparisons."""


class ClassroomError(ValueError):
    """Nothing was saved; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class GroupPlan:
    """One group to save: its target standard, its learners, who leads it."""

    target_id: int
    learner_ids: Sequence[int]
    led_by_id: int | None = None
    note: str = ""


def _require_teaching(viewer: Viewer) -> None:
    if not ASSESSING_ROLES & viewer.roles:
        raise NotAllowed("only teaching staff may change a section's groups")


def section_leads(section: Any) -> set[int]:
    """Who may lead a group of the section: its teachers and aides (any role on it)."""
    return set(
        Enrollment.objects.filter(
            section=section, role__in=[Enrollment.Role.TEACHER, Enrollment.Role.AIDE]
        ).values_list("person_id", flat=True)
    )


def save_groups(
    *,
    viewer: Viewer,
    user: Any,
    section_id: object,
    meets_on: dt.date,
    groups: Sequence[GroupPlan],
) -> list[SmallGroup]:
    """Save the section's groups for a day, replacing that day's groups. All or nothing."""
    section = dashboard_section(viewer=viewer, section_id=section_id)
    _require_teaching(viewer)
    roster = set(section_learners(viewer=viewer, section=section).values_list("pk", flat=True))
    leads = section_leads(section) | ({viewer.person_id} if viewer.person_id else set())
    targets = set(
        FrameworkItem.objects.filter(
            district_id=section.district_id,
            retired=False,
            pk__in=[g.target_id for g in groups],
        ).values_list("pk", flat=True)
    )
    problems: list[str] = []
    seen: set[int] = set()
    for number, plan in enumerate(groups, start=1):
        if plan.target_id not in targets:
            problems.append(f"group {number}: no current standard {plan.target_id} here")
        if not plan.learner_ids:
            problems.append(f"group {number}: no learners")
        for learner_id in plan.learner_ids:
            if learner_id not in roster:
                problems.append(f"group {number}: learner {learner_id} is not in this section")
            elif learner_id in seen:
                problems.append(f"group {number}: learner {learner_id} is in two groups")
            seen.add(learner_id)
        if plan.led_by_id is not None and plan.led_by_id not in leads:
            problems.append(f"group {number}: {plan.led_by_id} does not teach this section")
    if not groups:
        problems.append("no groups to save")
    if problems:
        raise ClassroomError(problems)
    with transaction.atomic():
        SmallGroup.objects.filter(section=section, meets_on=meets_on).delete()
        saved = []
        for plan in groups:
            group = SmallGroup.objects.create(
                district_id=section.district_id,
                section=section,
                target_id=plan.target_id,
                meets_on=meets_on,
                led_by_id=plan.led_by_id,
                note=plan.note[:200],
                created_by=user if getattr(user, "pk", None) else None,
            )
            SmallGroupMember.objects.bulk_create(
                [
                    SmallGroupMember(district_id=section.district_id, group=group, learner_id=i)
                    for i in plan.learner_ids
                ]
            )
            saved.append(group)
        record_action(
            user=user,
            district_id=section.district_id,
            action="classroom.save_groups",
            obj=section,
            details={
                "meets_on": meets_on.isoformat(),
                "groups": [[g.target_id, list(g.learner_ids)] for g in groups],
            },
        )
    return saved


def record_intervention(
    *,
    viewer: Viewer,
    user: Any,
    learner_id: object,
    action: str,
    done_on: dt.date,
    standard_id: int | None = None,
    section_id: object = None,
    note: str = "",
) -> Intervention:
    """Record what was done for a learner, with their mastery of the standard now, and pick
    comparable learners (same standard, similar mastery, no recent intervention on it) so
    that "did it work" can be answered later."""
    learner = get_student_to_assess(viewer=viewer, id=learner_id, view="classroom:intervention")
    problems: list[str] = []
    if action not in Intervention.Action.values:
        problems.append(f"unknown action {action!r}")
    section = None
    if section_id not in (None, ""):
        section = dashboard_section(viewer=viewer, section_id=section_id)
    standard = None
    if standard_id is not None:
        standard = FrameworkItem.objects.filter(
            district_id=learner.district_id, retired=False, pk=standard_id
        ).first()
        if standard is None:
            problems.append(f"no current standard {standard_id} here")
    elif action != Intervention.Action.CHECK_IN:
        problems.append("name the standard the intervention was on")
    if done_on > viewer.today:
        problems.append("the date is in the future")
    if problems:
        raise ClassroomError(problems)
    with transaction.atomic():
        before = None
        if standard is not None:
            state = MasteryState.objects.filter(learner=learner, item=standard).first()
            model = SkillModel.objects.filter(item=standard).first()
            before = state.probability if state else params_of(model).prior
        intervention = Intervention.objects.create(
            district_id=learner.district_id,
            learner=learner,
            section=section,
            standard=standard,
            action=action,
            done_on=done_on,
            mastery_before=before,
            note=note[:300],
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        if standard is not None and before is not None:
            _pick_comparisons(viewer, intervention, before)
        record_action(
            user=user,
            district_id=learner.district_id,
            action="classroom.record_intervention",
            obj=intervention,
            details={"learner": learner.pk, "action": action, "standard": standard_id},
        )
    return intervention


def _pick_comparisons(viewer: Viewer, intervention: Intervention, before: float) -> None:
    recent = Intervention.objects.filter(
        standard_id=intervention.standard_id,
        done_on__gte=intervention.done_on - dt.timedelta(days=COMPARISON_EXCLUDE_DAYS),
    ).values("learner_id")
    candidates = (
        MasteryState.objects.filter(
            district_id=intervention.district_id,
            item_id=intervention.standard_id,
            probability__gte=before - COMPARISON_BAND,
            probability__lte=before + COMPARISON_BAND,
            learner_id__in=student_list(viewer=viewer).values("pk"),
        )
        .exclude(learner_id__in=recent)
        .values_list("learner_id", "probability")
    )
    nearest = sorted(candidates, key=lambda c: (abs(c[1] - before), c[0]))[:COMPARISON_MAX]
    InterventionComparison.objects.bulk_create(
        [
            InterventionComparison(
                district_id=intervention.district_id,
                intervention=intervention,
                learner_id=i,
                probability_before=p,
            )
            for i, p in nearest
        ]
    )
