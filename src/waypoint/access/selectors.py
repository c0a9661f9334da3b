"""Reads of protected records, always given the viewer. Use these, never raw querysets.

``get_*`` raise :class:`NotVisible` (a 404) for a record the viewer may not see and for one
that does not exist alike, and write the audit entry for learner and staff records.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from waypoint.access import policies
from waypoint.access.viewer import Viewer
from waypoint.audit.services import record_access
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.plans.models import PeerGrant
from waypoint.roster.models import Enrollment, Person, Section, StaffRole

ASSESSING_ROLES = frozenset(
    {StaffRole.Role.TEACHER, StaffRole.Role.AIDE, StaffRole.Role.MCL, StaffRole.Role.COACH}
)
"""Staff who may record evidence (scores) for the learners they may see."""


class NotVisible(Http404):
    """The record does not exist, or the viewer may not see it. Callers cannot tell which."""

    def __init__(self) -> None:
        super().__init__("Not found.")


class NotAllowed(Exception):
    """The viewer may see the record but not do this to it (a 403, not a 404)."""


def _as_id(value: object) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def student_list(*, viewer: Viewer) -> QuerySet[Person]:
    return policies.visible_learners(viewer)


def _open_learner(learners: QuerySet[Person], viewer: Viewer, id: object, view: str) -> Person:
    """The learner ``id`` among ``learners``, the opening (or refusal) logged; NotVisible."""
    pk = _as_id(id)
    learner = learners.filter(pk=pk).first() if pk is not None else None
    record_access(
        viewer=viewer,
        record_type="learner",
        requested_id=id,
        record_id=learner.pk if learner else None,
        view=view,
        allowed=learner is not None,
    )
    if learner is None:
        raise NotVisible()
    return learner


def get_student(*, viewer: Viewer, id: object, view: str) -> Person:
    """Open one learner's record; logs the opening, or the refusal."""
    return _open_learner(policies.visible_learners(viewer), viewer, id, view)


def get_student_to_assess(*, viewer: Viewer, id: object, view: str) -> Person:
    """A learner the viewer may record evidence for: one they may see (else
    :class:`NotVisible`), as teaching staff (else :class:`NotAllowed`)."""
    learner = get_student(viewer=viewer, id=id, view=view)
    if not ASSESSING_ROLES & viewer.roles:
        raise NotAllowed("only the learner's teachers may record evidence")
    return learner


def get_student_as_peer(*, viewer: Viewer, id: object, view: str) -> Person:
    """Open a classmate's plan as a peer the teacher allowed (the narrow view: goals and
    feedback, nothing else). :class:`NotVisible` for anyone else; logs the opening, or the
    refusal. Never a way into the learner's other records: use :func:`get_student` for those."""
    return _open_learner(policies.peer_feedback_learners(viewer), viewer, id, view)


def peer_student_list(*, viewer: Viewer) -> QuerySet[Person]:
    """Classmates whose plans the viewer may give feedback on as a peer."""
    return policies.peer_feedback_learners(viewer)


def get_student_to_grant_peers(*, viewer: Viewer, id: object, view: str) -> Person:
    """A learner whose classmates the viewer may let give feedback on their plan: one they may
    see (else :class:`NotVisible`) and teach today in a section of this year (else
    :class:`NotAllowed`)."""
    learner = get_student(viewer=viewer, id=id, view=view)
    if not peer_grant_sections_of(viewer=viewer, learner=learner).exists():
        raise NotAllowed("only the learner's teachers let classmates give feedback")
    return learner


def peer_grant_sections_of(*, viewer: Viewer, learner: Person) -> QuerySet[Section]:
    """The sections the viewer teaches today in which ``learner`` is enrolled today."""
    enrolled = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today), role=Enrollment.Role.STUDENT, person=learner
    ).values("section_id")
    return policies.peer_grant_sections(viewer).filter(id__in=enrolled)


def peer_candidates(*, viewer: Viewer, learner: Person) -> QuerySet[Person]:
    """Classmates the viewer may let give feedback on ``learner``'s plan: learners enrolled
    today in a section the viewer teaches together with ``learner``."""
    sections = peer_grant_sections_of(viewer=viewer, learner=learner).values("id")
    classmates = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        role=Enrollment.Role.STUDENT,
        section_id__in=sections,
    ).values("person_id")
    return (
        policies.visible_learners(viewer)
        .filter(id__in=classmates)
        .exclude(pk=learner.pk)
        .order_by("family_name", "given_name", "pk")
    )


def peer_grant_list(*, viewer: Viewer, learner: Person) -> QuerySet[PeerGrant]:
    """Live peer grants on ``learner``'s plan, for a viewer who may see the learner."""
    return (
        policies.visible_peer_grants(viewer)
        .filter(learner=learner)
        .select_related("peer", "granted_by", "section")
    )


def section_list(*, viewer: Viewer) -> QuerySet[Section]:
    return policies.visible_sections(viewer)


def get_section(*, viewer: Viewer, id: object) -> Section:
    pk = _as_id(id)
    section = (
        policies.visible_sections(viewer)
        .select_related("school", "school_year", "course")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if section is None:
        raise NotVisible()
    return section


def enrollment_list(*, viewer: Viewer) -> QuerySet[Enrollment]:
    return policies.visible_enrollments(viewer)


def staff_list(*, viewer: Viewer) -> QuerySet[Person]:
    return policies.visible_staff_records(viewer)


def rating_list(*, viewer: Viewer) -> QuerySet[EffectivenessRating]:
    return policies.visible_ratings(viewer)


def get_rating(*, viewer: Viewer, id: object, view: str) -> EffectivenessRating:
    """Open one staff rating record; logs the opening, or the refusal."""
    pk = _as_id(id)
    rating = (
        policies.visible_ratings(viewer)
        .select_related("staff", "school_year")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    record_access(
        viewer=viewer,
        record_type="rating",
        requested_id=id,
        record_id=rating.pk if rating else None,
        view=view,
        allowed=rating is not None,
    )
    if rating is None:
        raise NotVisible()
    return rating
