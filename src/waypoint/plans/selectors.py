"""Reads of plans and portfolios, always given the viewer.

Every function opens the learner through ``waypoint.access.selectors.get_student`` first:
a learner the viewer may not see is a 404, like one that does not exist, and the opening is
logged. Nothing here writes, except that a learner's plan for this year is created on first
read (an empty plan, so that everyone sees the same one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from waypoint.access import selectors as access
from waypoint.access.viewer import Viewer
from waypoint.mastery import selectors as mastery
from waypoint.mastery.models import MasteryState
from waypoint.mastery.services import mastered_at
from waypoint.plans.models import (
    Artifact,
    Comment,
    Goal,
    LearnerProfile,
    PathChoice,
    Plan,
)
from waypoint.plans.services import as_id, current_plan
from waypoint.roster.models import Person
from waypoint.standards.models import FrameworkItem

RECENT_DAYS = 30
"""The family view's "recent evidence" looks back this many days."""


@dataclass
class PlanView:
    learner: Person
    plan: Plan | None
    profile: LearnerProfile | None
    goals: list[Goal]
    chosen: PathChoice | None


def plan_for(*, viewer: Viewer, learner_id: object, view: str = "plans:plan") -> PlanView:
    """The learner's plan for this school year with its goals, milestones and feedback."""
    learner = access.get_student(viewer=viewer, id=learner_id, view=view)
    plan = current_plan(viewer=viewer, learner=learner)
    goals: list[Goal] = []
    if plan is not None:
        goals = list(
            plan.goals.select_related("author", "updated_by").prefetch_related(
                "milestones", "standards"
            )
        )
    return PlanView(
        learner=learner,
        plan=plan,
        profile=LearnerProfile.objects.filter(learner=learner).first(),
        goals=goals,
        chosen=latest_choice(learner),
    )


@dataclass
class PeerPlanView:
    """What a peer the teacher allowed sees of a classmate's plan: the goals (status, target
    date, milestones) and the feedback thread. Nothing of the profile, path, mastery,
    reflections or portfolio is read here."""

    learner: Person
    plan: Plan | None
    goals: list[Goal]
    comments: list[Comment]


def peer_plan_for(*, viewer: Viewer, learner_id: object) -> PeerPlanView:
    """A classmate's plan, narrowed for a peer with a live grant (else a 404, logged)."""
    learner = access.get_student_as_peer(viewer=viewer, id=learner_id, view="plans:peer")
    plan = current_plan(viewer=viewer, learner=learner)
    goals: list[Goal] = []
    comments: list[Comment] = []
    if plan is not None:
        goals = list(plan.goals.prefetch_related("milestones"))
        comments = list(plan.comments.select_related("author", "goal"))
    return PeerPlanView(learner=learner, plan=plan, goals=goals, comments=comments)


def latest_choice(learner: Person) -> PathChoice | None:
    """The learner's latest choice of what to learn next (called after the access check)."""
    return PathChoice.objects.filter(learner=learner).select_related("item").first()


def get_goal(*, viewer: Viewer, learner_id: object, goal_id: object) -> Goal:
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:goal")
    goal = (
        Goal.objects.filter(plan__learner=learner, pk=as_id(goal_id))
        .prefetch_related("milestones", "standards")
        .first()
    )
    if goal is None:
        raise access.NotVisible()
    return goal


@dataclass
class StandardState:
    item: FrameworkItem
    probability: float | None


@dataclass
class Path:
    """The learner's path: what is mastered, in progress, ready next and not yet ready."""

    learner: Person
    mastered: list[StandardState] = field(default_factory=list)
    in_progress: list[StandardState] = field(default_factory=list)
    ready: list[StandardState] = field(default_factory=list)
    not_yet: list[StandardState] = field(default_factory=list)
    pace: mastery.Pace | None = None
    chosen: PathChoice | None = None


def path_for(*, viewer: Viewer, learner_id: object) -> Path:
    """Mastered, in progress (evidence, not yet mastered), ready to learn next (every
    prerequisite mastered, no evidence yet), not yet ready (this grade's other standards), and
    pace — from the mastery engine's selectors."""
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:path")
    threshold = mastered_at(learner.district_id)
    states = list(mastery.mastery_for(viewer=viewer, learner_id=learner.pk))
    ready_items = mastery.ready_to_learn(viewer=viewer, learner_id=learner.pk)
    pace = mastery.pace(viewer=viewer, learner_id=learner.pk)
    path = Path(learner=learner, pace=pace, chosen=latest_choice(learner))
    seen: set[int] = set()
    for s in states:
        target = path.mastered if s.probability >= threshold else path.in_progress
        target.append(StandardState(s.item, s.probability))
        seen.add(s.item_id)
    for item in ready_items:
        if item.pk not in seen:
            path.ready.append(StandardState(item, None))
            seen.add(item.pk)
    if pace.grade is not None:
        grade_items = mastery.tracked_items(learner.district_id).filter(
            grade_low__lte=pace.grade, grade_high__gte=pace.grade
        )
        path.not_yet = [
            StandardState(item, None)
            for item in grade_items.order_by("human_coding_scheme", "pk")
            if item.pk not in seen
        ]
    return path


def probability_of(*, viewer: Viewer, learner_id: object, item_id: int) -> float | None:
    """P(mastered) of one standard for a learner the viewer may see (None without evidence)."""
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:mastery")
    value = (
        MasteryState.objects.filter(learner=learner, item_id=item_id)
        .values_list("probability", flat=True)
        .first()
    )
    return None if value is None else float(value)


def artifacts_for(*, viewer: Viewer, learner_id: object) -> QuerySet[Artifact]:
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:portfolio")
    return Artifact.objects.filter(learner=learner).prefetch_related(
        "standards", "reviews", "reviews__reviewer"
    )


def get_artifact(
    *, viewer: Viewer, learner_id: object, artifact_id: object, view: str = "plans:artifact"
) -> Artifact:
    """One artifact of a learner the viewer may see; else a 404 (also for another learner's)."""
    learner = access.get_student(viewer=viewer, id=learner_id, view=view)
    artifact = (
        Artifact.objects.filter(learner=learner, pk=as_id(artifact_id))
        .select_related("learner")
        .prefetch_related("standards", "reviews", "reviews__reviewer")
        .first()
    )
    if artifact is None:
        raise access.NotVisible()
    return artifact


def review_queue(*, viewer: Viewer) -> QuerySet[Artifact]:
    """Work waiting for review from the learners the viewer may see and assess."""
    if not access.ASSESSING_ROLES & viewer.roles:
        return Artifact.objects.none()
    learners = access.student_list(viewer=viewer)
    return (
        Artifact.objects.filter(
            status=Artifact.Status.SUBMITTED, learner_id__in=learners.values("id")
        )
        .select_related("learner")
        .order_by("created_at", "id")
    )


def recent_artifacts(learner: Person, today: dt.date) -> QuerySet[Artifact]:
    """Work of the last :data:`RECENT_DAYS` days (called after the access check)."""
    since = today - dt.timedelta(days=RECENT_DAYS)
    return Artifact.objects.filter(learner=learner, created_at__date__gte=since)


@dataclass
class OwnershipRow:
    label: str
    cells: list[str]


@dataclass
class OwnershipTable:
    year: str
    rows: list[OwnershipRow]


NO_PLAN = "none"


def ownership_report(
    *, viewer: Viewer, years: int = 2
) -> tuple[list[OwnershipTable], str, list[str]] | None:
    """How learner-led this year's and last year's plans are, per school the viewer leads
    (all schools for district admins), counted over learners attributed to the school that
    year. Small cells are suppressed (``reports.suppression``, the district's threshold) with
    complementary cells, and the page says what was hidden. ``None`` for other viewers."""
    from waypoint.reports.suppression import Relation, suppress
    from waypoint.roster.models import District, LearnerYear, School, SchoolYear

    if not (viewer.is_district_admin or viewer.led_school_ids) or viewer.district_id is None:
        return None
    levels = [*Plan.Leadership.values, NO_PLAN]
    schools = School.objects.filter(district_id=viewer.district_id).order_by("name")
    if not viewer.is_district_admin:
        schools = schools.filter(pk__in=viewer.led_school_ids)
    school_list = list(schools)
    school_years = list(
        SchoolYear.objects.filter(
            district_id=viewer.district_id, start_date__lte=viewer.today
        ).order_by("-start_date")[:years]
    )
    visible = access.student_list(viewer=viewer).values("id")
    counts: dict[tuple[int, int | str, str], int] = {}
    relations = []
    for year in school_years:
        attributed = dict(
            LearnerYear.objects.filter(
                school_year=year, school__in=school_list, learner_id__in=visible
            ).values_list("learner_id", "school_id")
        )
        led = dict(
            Plan.objects.filter(school_year=year, learner_id__in=list(attributed)).values_list(
                "learner_id", "leadership"
            )
        )
        for school in school_list:
            for level in [*levels, "all"]:
                counts[(year.pk, school.pk, level)] = 0
        for learner_id, school_id in attributed.items():
            counts[(year.pk, school_id, led.get(learner_id, NO_PLAN))] += 1
            counts[(year.pk, school_id, "all")] += 1
        for level in [*levels, "all"]:
            counts[(year.pk, "total", level)] = sum(
                counts[(year.pk, s.pk, level)] for s in school_list
            )
        for place in [*(s.pk for s in school_list), "total"]:
            relations.append(
                Relation((year.pk, place, "all"), [(year.pk, place, lv) for lv in levels])
            )
        for level in [*levels, "all"]:
            relations.append(
                Relation((year.pk, "total", level), [(year.pk, s.pk, level) for s in school_list])
            )
    if not counts:
        return [], "", levels
    district = District.objects.get(pk=viewer.district_id)
    result = suppress(counts, relations, threshold=district.suppression_min_n)
    tables = []
    for year in school_years:
        rows = [
            OwnershipRow(s.name, [result.count((year.pk, s.pk, lv)) for lv in [*levels, "all"]])
            for s in school_list
        ]
        if len(school_list) > 1:
            rows.append(
                OwnershipRow("", [result.count((year.pk, "total", lv)) for lv in [*levels, "all"]])
            )
        tables.append(OwnershipTable(year.title, rows))
    return tables, result.note(), levels
