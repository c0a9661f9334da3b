"""Reads of mastery, always given the viewer: states, ready to learn, pace (DESIGN.md).

Every function opens the learner through ``waypoint.access.selectors.get_student``: a learner
the viewer may not see is a 404, exactly like one that does not exist, and the opening is
logged. Mastery is tracked on the standards evidence is aligned to, the leaves of the
framework tree (items with no current child); "ready to learn" and "pace" count those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from waypoint.access.selectors import get_student
from waypoint.access.viewer import Viewer, current_school_year
from waypoint.mastery.models import MasteryState
from waypoint.mastery.services import mastered_at
from waypoint.roster.models import LearnerYear, Person, SchoolYear
from waypoint.standards.models import FrameworkAssociation, FrameworkItem
from waypoint.standards.selectors import prerequisite_edges

PACE_BAND = 10.0
"""Within this many percentage points of the year elapsed is "on pace"."""


def mastery_for(*, viewer: Viewer, learner_id: object) -> QuerySet[MasteryState]:
    """The learner's mastery states, one per standard with evidence."""
    learner = get_student(viewer=viewer, id=learner_id, view="mastery")
    return (
        MasteryState.objects.filter(district_id=learner.district_id, learner=learner)
        .select_related("item")
        .order_by("item__human_coding_scheme", "item_id")
    )


def _probabilities(learner: Person) -> dict[int, float]:
    return dict(
        MasteryState.objects.filter(district_id=learner.district_id, learner=learner).values_list(
            "item_id", "probability"
        )
    )


def _year_and_grade(viewer: Viewer, learner: Person) -> tuple[SchoolYear | None, int | None]:
    year = current_school_year(learner.district_id, viewer.today)
    if year is None:
        return None, None
    grade = (
        LearnerYear.objects.filter(learner=learner, school_year=year)
        .values_list("grade", flat=True)
        .first()
    )
    return year, grade


def tracked_items(district_id: int) -> QuerySet[FrameworkItem]:
    """Current items with no current child: the standards mastery is tracked on."""
    parents = FrameworkAssociation.objects.filter(
        district_id=district_id,
        association_type=FrameworkAssociation.Type.IS_CHILD_OF,
        origin_item__retired=False,
        destination_item__isnull=False,
    ).values("destination_item_id")
    return FrameworkItem.objects.filter(district_id=district_id, retired=False).exclude(
        pk__in=parents
    )


def ready_to_learn(*, viewer: Viewer, learner_id: object) -> list[FrameworkItem]:
    """Standards not yet mastered, at or below the learner's grade, every prerequisite mastered.

    "At or below the grade" means the standard's lowest grade is at most the learner's grade
    this school year (a standard with no grade levels is left out). A learner with no grade
    this year has no grade to compare with, so nothing is listed.
    """
    learner = get_student(viewer=viewer, id=learner_id, view="mastery:ready")
    _, grade = _year_and_grade(viewer, learner)
    if grade is None:
        return []
    candidates = tracked_items(learner.district_id).filter(
        grade_low__isnull=False, grade_low__lte=grade
    )
    ready = ready_among(
        [item.pk for item in candidates],
        _probabilities(learner),
        mastered_at(learner.district_id),
        prerequisite_map(learner.district_id),
    )
    return sorted(
        (item for item in candidates if item.pk in ready),
        key=lambda i: (i.grade_low, i.human_coding_scheme, i.pk),
    )


def prerequisite_map(district_id: int) -> dict[int, set[int]]:
    """Standard → its direct prerequisites (the framework's and the district's)."""
    prerequisites: dict[int, set[int]] = {}
    for before, after in prerequisite_edges(district_id):
        prerequisites.setdefault(after, set()).add(before)
    return prerequisites


def ready_among(
    candidates: Iterable[int],
    probability: Mapping[int, float],
    threshold: float,
    prerequisites: Mapping[int, Iterable[int]],
) -> set[int]:
    """The candidates that are ready to learn: not mastered, every prerequisite mastered.

    (The grade rule — at or below the learner's grade — is the caller's choice of candidates.)
    """

    def mastered(item_id: int) -> bool:
        return probability.get(item_id, 0.0) >= threshold

    return {
        pk
        for pk in candidates
        if not mastered(pk) and all(mastered(p) for p in prerequisites.get(pk, ()))
    }


@dataclass(frozen=True)
class ChildShare:
    """Of the tracked standards below a parent item (cluster, domain …), how many are mastered."""

    mastered: int
    total: int

    @property
    def share(self) -> float:
        return self.mastered / self.total if self.total else 0.0


def parent_progress(*, viewer: Viewer, learner_id: object) -> dict[int, ChildShare]:
    """For every parent item, the share of the tracked standards below it the learner has
    mastered (DESIGN.md: "a parent item shows the share of its children mastered").

    Counted over the tracked standards anywhere below the parent (a domain counts the
    standards of its clusters), each once, retired items left out.
    """
    learner = get_student(viewer=viewer, id=learner_id, view="mastery:parents")
    district_id = learner.district_id
    parents_of: dict[int, set[int]] = {}
    for child, parent in FrameworkAssociation.objects.filter(
        district_id=district_id,
        association_type=FrameworkAssociation.Type.IS_CHILD_OF,
        origin_item__retired=False,
        destination_item__retired=False,
    ).values_list("origin_item_id", "destination_item_id"):
        parents_of.setdefault(child, set()).add(parent)
    probability = _probabilities(learner)
    threshold = mastered_at(district_id)
    mastered: dict[int, int] = {}
    total: dict[int, int] = {}
    for leaf in tracked_items(district_id).values_list("pk", flat=True):
        above: set[int] = set()
        stack = list(parents_of.get(leaf, ()))
        while stack:  # every ancestor once, whatever the shape (cycles included)
            parent = stack.pop()
            if parent not in above:
                above.add(parent)
                stack.extend(parents_of.get(parent, ()))
        is_mastered = probability.get(leaf, 0.0) >= threshold
        for parent in above:
            total[parent] = total.get(parent, 0) + 1
            mastered[parent] = mastered.get(parent, 0) + int(is_mastered)
    return {pk: ChildShare(mastered[pk], total[pk]) for pk in total}


@dataclass(frozen=True)
class Pace:
    """``status`` is "ahead", "on pace", "behind", or "unknown" (no grade or no standards)."""

    status: str
    mastered: int
    total: int
    mastered_share: float | None
    elapsed_share: float | None
    grade: int | None

    @property
    def difference_points(self) -> float | None:
        if self.mastered_share is None or self.elapsed_share is None:
            return None
        return round(100 * (self.mastered_share - self.elapsed_share), 6)


def year_elapsed(year: SchoolYear, today: dt.date) -> float:
    """Share of the school year gone by on ``today`` (0 before it starts, 1 after it ends)."""
    length = (year.end_date - year.start_date).days
    return min(max((today - year.start_date).days / length, 0.0), 1.0)


def pace(*, viewer: Viewer, learner_id: object) -> Pace:
    """Share of the learner's grade-level standards mastered against the year elapsed.

    Grade-level standards are the tracked standards whose grade span holds the learner's
    grade this year. Ahead / behind when the shares differ by more than 10 points.
    """
    learner = get_student(viewer=viewer, id=learner_id, view="mastery:pace")
    year, grade = _year_and_grade(viewer, learner)
    if year is None or grade is None:
        return Pace("unknown", 0, 0, None, None, grade)
    items = list(
        tracked_items(learner.district_id)
        .filter(grade_low__lte=grade, grade_high__gte=grade)
        .values_list("pk", flat=True)
    )
    elapsed = year_elapsed(year, viewer.today)
    if not items:
        return Pace("unknown", 0, 0, None, elapsed, grade)
    probability = _probabilities(learner)
    threshold = mastered_at(learner.district_id)
    mastered = sum(1 for pk in items if probability.get(pk, 0.0) >= threshold)
    status = pace_status(mastered, len(items), elapsed)
    return Pace(status, mastered, len(items), mastered / len(items), elapsed, grade)


def pace_status(mastered: int, total: int, elapsed: float | None) -> str:
    """DESIGN.md's pace: "ahead", "on pace" (within 10 points), "behind", or "unknown"."""
    if not total or elapsed is None:
        return "unknown"
    diff = round(100 * (mastered / total - elapsed), 6)
    return "ahead" if diff > PACE_BAND else "behind" if diff < -PACE_BAND else "on pace"
