"""Reads for the teacher's dashboard, always given the viewer (docs/classroom.md).

The dashboard is staff-only: a section opens through ``access.selectors.get_section`` and its
learners through ``access.selectors.student_list`` (the learners the viewer may see, enrolled
in the section today). Everything on the page is computed from a fixed number of queries,
whatever the number of learners, so a class of 35 costs what a class of 5 does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Prefetch, QuerySet

from waypoint.access.selectors import NotVisible, get_section, student_list
from waypoint.access.viewer import Viewer, current_school_year
from waypoint.classroom.models import Intervention, InterventionComparison, SmallGroup
from waypoint.engine.bkt import SkillParams
from waypoint.engine.grouping import Grouping, Learner, suggest_groups
from waypoint.engine.interventions import LearnerSnapshot, rank_interventions
from waypoint.mastery.models import TRAIL_LENGTH, MasteryState, SkillModel
from waypoint.mastery.selectors import (
    pace_status,
    prerequisite_map,
    ready_among,
    tracked_items,
    year_elapsed,
)
from waypoint.mastery.services import DEFAULT_PARAMS, mastered_at
from waypoint.roster.models import Enrollment, Person, Section
from waypoint.standards.models import FrameworkAssociation, FrameworkItem

STUCK_OBSERVATIONS = TRAIL_LENGTH
"""Stuck: at least this many observations on a standard …"""
STUCK_GAIN = 0.1
"""… with P(mastered) up by less than this over them, and not mastered."""
QUIET_DAYS = 14
"""No evidence on the section's standards for this many days: "no recent evidence"."""


class State(NamedTuple):
    """What the dashboard reads of a mastery state (a row, not a model: 2,000 per page)."""

    probability: float
    observation_count: int
    last_evidence_at: dt.datetime | None
    trail: list[float]

    def recent_gain(self, observations: int = TRAIL_LENGTH) -> float | None:
        if len(self.trail) <= observations:
            return None
        return float(self.trail[-1]) - float(self.trail[-1 - observations])


@dataclass(frozen=True)
class Standard:
    """A column of the grid."""

    id: int
    code: str
    statement: str
    grade_low: int | None
    domain_id: int | None
    grade_level: bool  # False: a prerequisite from an earlier grade (a "foundation")


@dataclass(frozen=True)
class Cell:
    standard_id: int
    probability: float | None
    observations: int
    mastered: bool
    ready: bool
    stuck: bool

    @property
    def band(self) -> str:
        """For colour and symbol: mastered, close, learning, low, or none (no evidence)."""
        if self.probability is None:
            return "none"
        if self.mastered:
            return "mastered"
        if self.probability >= 0.7:
            return "close"
        if self.probability >= 0.4:
            return "learning"
        return "low"

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(100 * self.probability)


@dataclass(frozen=True)
class Row:
    learner: Person
    cells: tuple[Cell, ...]
    ready: tuple[int, ...]
    stuck: tuple[int, ...]
    mastered: int  # grade-level standards mastered
    pace: str
    last_evidence_at: dt.datetime | None
    quiet: bool
    need: int | None  # the next standard to work on (for groups)

    @property
    def flags(self) -> tuple[str, ...]:
        out = []
        if self.ready:
            out.append("ready")
        if self.stuck:
            out.append("stuck")
        if self.pace == "behind":
            out.append("behind")
        if self.quiet:
            out.append("quiet")
        return tuple(out)


@dataclass
class Dashboard:
    """One section's grid and everything computed from it."""

    section: Section
    standards: list[Standard]
    domains: list[tuple[int, str]]
    rows: list[Row]
    mastered_at: float
    today: dt.date
    elapsed: float | None
    prerequisites: dict[int, set[int]]
    params: dict[int, SkillParams]
    states: dict[tuple[int, int], State] = field(default_factory=dict)
    by_id: dict[int, Standard] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.standards}

    def label(self, item_id: Hashable) -> str:
        found = self.by_id.get(item_id) if isinstance(item_id, int) else None
        return found.code if found else str(item_id)

    def param(self, item_id: Hashable) -> SkillParams:
        return self.params.get(int(str(item_id)), DEFAULT_PARAMS)


def dashboard_section(*, viewer: Viewer, section_id: object) -> Section:
    """The section, for staff who may open it; anyone else gets the same 404 as for none."""
    if viewer.kind != Person.Kind.STAFF:
        raise NotVisible()
    return get_section(viewer=viewer, id=section_id)


def section_learners(*, viewer: Viewer, section: Section) -> QuerySet[Person]:
    """Learners enrolled in the section today whom the viewer may see."""
    enrolled = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        section=section,
        role=Enrollment.Role.STUDENT,
    ).values("person_id")
    return (
        student_list(viewer=viewer)
        .filter(pk__in=enrolled)
        .order_by("family_name", "given_name", "id")
    )


def _subject_names(section: Section) -> set[str]:
    return {section.subject.casefold(), str(section.get_subject_display()).casefold()}


def _standards(
    section: Section, prerequisites: dict[int, set[int]]
) -> tuple[list[Standard], list[tuple[int, str]]]:
    """Grade-level standards of the section's subject, then their earlier prerequisites."""
    grade = section.grade
    if grade is None:
        return [], []
    names = _subject_names(section)
    items = [
        i
        for i in tracked_items(section.district_id).filter(
            grade_low__isnull=False, grade_low__lte=grade
        )
        if {str(s).casefold() for s in (i.subject or [])} & names
    ]
    grade_level = [i for i in items if (i.grade_high or i.grade_low or 0) >= grade]
    level_ids = {i.pk for i in grade_level}
    wanted = {p for i in grade_level for p in prerequisites.get(i.pk, ())} - level_ids
    foundations = [i for i in items if i.pk in wanted]

    parents: dict[int, int] = dict(
        FrameworkAssociation.objects.filter(
            district_id=section.district_id,
            association_type=FrameworkAssociation.Type.IS_CHILD_OF,
            origin_item_id__in=[i.pk for i in items],
            destination_item__retired=False,
        ).values_list("origin_item_id", "destination_item_id")
    )
    domain_items = FrameworkItem.objects.in_bulk(set(parents.values()))

    def key(i: FrameworkItem) -> tuple[Any, ...]:
        return (i.grade_low, i.sequence_number or 0, i.human_coding_scheme, i.pk)

    standards = [
        Standard(
            id=i.pk,
            code=i.human_coding_scheme or str(i.pk),
            statement=i.full_statement,
            grade_low=i.grade_low,
            domain_id=parents.get(i.pk),
            grade_level=i.pk in level_ids,
        )
        for i in sorted(foundations, key=key) + sorted(grade_level, key=key)
    ]
    domains = sorted(
        {
            (pk, domain_items[pk].human_coding_scheme or domain_items[pk].full_statement[:40])
            for pk in {s.domain_id for s in standards if s.domain_id in domain_items}
            if pk is not None
        },
        key=lambda d: d[1],
    )
    return standards, domains


def section_dashboard(
    *, viewer: Viewer, section_id: object, domain: object = None, sort: str = "name"
) -> Dashboard:
    """The learners × standards grid of one section, with flags and each learner's next need."""
    section = dashboard_section(viewer=viewer, section_id=section_id)
    learners = list(section_learners(viewer=viewer, section=section))
    return build_dashboard(
        viewer=viewer, section=section, learners=learners, domain=domain, sort=sort
    )


def build_dashboard(
    *,
    viewer: Viewer,
    section: Section,
    learners: list[Person],
    domain: object = None,
    sort: str = "name",
) -> Dashboard:
    """The grid for a section and learners already opened through the access layer (by
    ``dashboard_section`` and ``section_learners``, for this viewer)."""
    prerequisites = prerequisite_map(section.district_id)
    standards, domains = _standards(section, prerequisites)
    if domain not in (None, ""):
        try:
            wanted = int(str(domain))
        except ValueError:
            wanted = -1
        standards = [s for s in standards if s.domain_id == wanted]
    ids = [s.id for s in standards]
    threshold = mastered_at(section.district_id)
    states = {
        (learner_id, item_id): State(p, n, last, trail or [])
        for learner_id, item_id, p, n, last, trail in MasteryState.objects.filter(
            district_id=section.district_id,
            learner_id__in=[p.pk for p in learners],
            item_id__in=ids,
        ).values_list(
            "learner_id", "item_id", "probability", "observation_count", "last_evidence_at", "trail"
        )
    }
    params = {
        m.item_id: SkillParams(m.prior, m.learn, m.forget, m.guess, m.slip)
        for m in SkillModel.objects.filter(district_id=section.district_id, item_id__in=ids)
    }
    year = current_school_year(section.district_id, viewer.today)
    elapsed = year_elapsed(year, viewer.today) if year else None
    quiet_since = dt.datetime.combine(
        viewer.today - dt.timedelta(days=QUIET_DAYS), dt.time(), tzinfo=dt.UTC
    )
    grade_level = [s.id for s in standards if s.grade_level]
    rows = []
    for learner in learners:
        probability = {
            i: states[(learner.pk, i)].probability for i in ids if (learner.pk, i) in states
        }
        ready = ready_among(ids, probability, threshold, prerequisites)
        stuck = set()
        cells = []
        last: dt.datetime | None = None
        for s in standards:
            state = states.get((learner.pk, s.id))
            p = state.probability if state else None
            gain = state.recent_gain(STUCK_OBSERVATIONS) if state else None
            is_mastered = p is not None and p >= threshold
            is_stuck = gain is not None and gain < STUCK_GAIN and not is_mastered
            if is_stuck:
                stuck.add(s.id)
            if state and state.last_evidence_at and (last is None or state.last_evidence_at > last):
                last = state.last_evidence_at
            count = state.observation_count if state else 0
            cells.append(Cell(s.id, p, count, is_mastered, s.id in ready, is_stuck))
        mastered_count = sum(1 for i in grade_level if probability.get(i, 0.0) >= threshold)
        need = next((s.id for s in standards if s.id in ready), None)
        if need is None:
            need = next((s.id for s in standards if probability.get(s.id, 0.0) < threshold), None)
        rows.append(
            Row(
                learner=learner,
                cells=tuple(cells),
                ready=tuple(s.id for s in standards if s.id in ready),
                stuck=tuple(s.id for s in standards if s.id in stuck),
                mastered=mastered_count,
                pace=pace_status(mastered_count, len(grade_level), elapsed),
                last_evidence_at=last,
                quiet=bool(standards) and (last is None or last < quiet_since),
                need=need,
            )
        )
    rows = _sorted(rows, sort, ids)
    return Dashboard(
        section=section,
        standards=standards,
        domains=domains,
        rows=rows,
        mastered_at=threshold,
        today=viewer.today,
        elapsed=elapsed,
        prerequisites=prerequisites,
        params=params,
        states=states,
    )


SORTS = ("name", "pace", "mastered", "flags")


def _sorted(rows: list[Row], sort: str, ids: list[int]) -> list[Row]:
    pace_order = {"behind": 0, "on pace": 1, "ahead": 2, "unknown": 3}
    if sort == "pace":
        return sorted(rows, key=lambda r: (pace_order[r.pace], r.mastered))
    if sort == "mastered":
        return sorted(rows, key=lambda r: (-r.mastered, r.learner.family_name))
    if sort == "flags":
        return sorted(rows, key=lambda r: (-len(r.flags), r.learner.family_name))
    if sort.startswith("standard-"):
        try:
            column = ids.index(int(sort.split("-", 1)[1]))
        except ValueError:
            return rows
        return sorted(rows, key=lambda r: r.cells[column].probability or -1.0)
    return rows


def suggested_groups(
    dashboard: Dashboard,
    *,
    targets: Iterable[int] | None = None,
    min_size: int = 3,
    max_size: int = 6,
) -> Grouping:
    """Small groups for the section's learners (``waypoint.engine.grouping``): "next up" or
    the chosen target standards. Learners with nothing left to learn here are left out."""
    learners = []
    for row in dashboard.rows:
        if row.need is None:
            continue
        mastered = frozenset(
            s.id for s, cell in zip(dashboard.standards, row.cells, strict=True) if cell.mastered
        )
        learners.append(Learner(id=row.learner.pk, need=row.need, mastered=mastered))
    chosen = list(dict.fromkeys(targets)) if targets else None
    prerequisites = {k: v for k, v in dashboard.prerequisites.items()}
    return suggest_groups(
        learners,
        prerequisites,
        targets=chosen,
        min_size=min_size,
        max_size=max_size,
        label=dashboard.label,
        time_limit=5.0,
    )


def next_steps(dashboard: Dashboard, row: Row, how_many: int = 3) -> list[Any]:
    """The learner's best candidate actions (``waypoint.engine.interventions``), with reasons."""
    ids = {s.id for s in dashboard.standards}
    grade = dashboard.section.grade or 0
    mastery = {
        i: dashboard.states[(row.learner.pk, i)].probability
        for i in ids
        if (row.learner.pk, i) in dashboard.states
    }
    recent_obs = {}
    recent_gain = {}
    for i in ids:
        state = dashboard.states.get((row.learner.pk, i))
        if state is None:
            continue
        gain = state.recent_gain(STUCK_OBSERVATIONS)
        if gain is not None:
            recent_obs[i] = STUCK_OBSERVATIONS
            recent_gain[i] = gain
    days = None
    if row.last_evidence_at is not None:
        days = (dashboard.today - row.last_evidence_at.date()).days
    snapshot = LearnerSnapshot(
        mastery=mastery,
        scope=[s.id for s in dashboard.standards if (s.grade_low or 0) <= grade],
        grade_level=[s.id for s in dashboard.standards if s.grade_level],
        recent_observations=recent_obs,
        recent_gain=recent_gain,
        days_since_evidence=days,
    )
    ranked = rank_interventions(
        snapshot,
        dashboard.param,
        {k: v & ids for k, v in dashboard.prerequisites.items() if k in ids},
        mastered_at=dashboard.mastered_at,
        stuck_observations=STUCK_OBSERVATIONS,
        stuck_gain=STUCK_GAIN,
        quiet_days=QUIET_DAYS,
        label=dashboard.label,
    )
    return ranked[:how_many]


def group_leads(section: Section) -> list[Person]:
    """Who may lead a group of the section: its teachers and aides (the caller opened it)."""
    ids = Enrollment.objects.filter(
        section=section, role__in=[Enrollment.Role.TEACHER, Enrollment.Role.AIDE]
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids).order_by("family_name", "given_name"))


def saved_groups(*, section: Section) -> tuple[dt.date | None, list[SmallGroup]]:
    """The section's most recent saved groups (the caller has opened the section)."""
    latest = (
        SmallGroup.objects.filter(section=section)
        .order_by("-meets_on")
        .values_list("meets_on", flat=True)
        .first()
    )
    if latest is None:
        return None, []
    groups = (
        SmallGroup.objects.filter(section=section, meets_on=latest)
        .select_related("target", "led_by")
        .prefetch_related(
            Prefetch("learners", queryset=Person.objects.order_by("family_name", "given_name"))
        )
        .order_by("id")
    )
    return latest, list(groups)


@dataclass(frozen=True)
class Outcome:
    """Did it work: mastery change since the intervention, against comparable learners."""

    action: str
    label: str
    treated: int
    treated_change: float | None
    compared: int
    compared_change: float | None

    @property
    def difference(self) -> float | None:
        if self.treated_change is None or self.compared_change is None:
            return None
        return self.treated_change - self.compared_change


def outcomes(interventions: QuerySet[Intervention]) -> list[Outcome]:
    """Per action: the mean change of P(mastered) on the standard since the intervention, for
    the learners who got it and for comparable learners who did not (same standard, similar
    mastery at the time: ``InterventionComparison``), with the counts."""
    rows = list(
        interventions.filter(standard__isnull=False, mastery_before__isnull=False).values_list(
            "pk", "action", "learner_id", "standard_id", "mastery_before"
        )
    )
    comparisons = list(
        InterventionComparison.objects.filter(intervention_id__in=[r[0] for r in rows]).values_list(
            "intervention_id", "learner_id", "probability_before"
        )
    )
    action_of = {r[0]: r[1] for r in rows}
    standard_of = {r[0]: r[3] for r in rows}
    pairs = {(r[2], r[3]) for r in rows} | {(c[1], standard_of[c[0]]) for c in comparisons}
    now = {
        (s.learner_id, s.item_id): s.probability
        for s in MasteryState.objects.filter(
            learner_id__in={p[0] for p in pairs}, item_id__in={p[1] for p in pairs}
        ).only("learner_id", "item_id", "probability")
    }
    treated: dict[str, list[float]] = {}
    compared: dict[str, list[float]] = {}
    for _pk, action, learner_id, standard_id, before in rows:
        if (learner_id, standard_id) in now:
            treated.setdefault(action, []).append(now[(learner_id, standard_id)] - before)
    for intervention_id, learner_id, before in comparisons:
        key = (learner_id, standard_of[intervention_id])
        if key in now:
            compared.setdefault(action_of[intervention_id], []).append(now[key] - before)
    labels = dict(Intervention.Action.choices)

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return [
        Outcome(
            action=str(action),
            label=str(labels[action]),
            treated=len(treated.get(action, [])),
            treated_change=mean(treated.get(action, [])),
            compared=len(compared.get(action, [])),
            compared_change=mean(compared.get(action, [])),
        )
        for action in Intervention.Action.values
        if action in treated
    ]


def section_interventions(*, section: Section) -> QuerySet[Intervention]:
    """Interventions recorded in the section (the caller has opened the section)."""
    return Intervention.objects.filter(section=section).select_related(
        "learner", "standard", "recorded_by"
    )
