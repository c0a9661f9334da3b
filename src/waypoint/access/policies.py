"""The access rules (DESIGN.md, "Who may see what"), as querysets. The only place that answers it.

Each ``visible_*`` function returns a queryset of the rows the viewer may see. Everything else
(pages, API, exports, Django admin, counts) filters through these. The rules fail closed: a
viewer without a person sees nothing, and an error while building a rule yields nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from waypoint.access.viewer import Viewer
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.plans.models import PeerGrant
from waypoint.roster.models import (
    AdvisorLink,
    CoachLink,
    Enrollment,
    GuardianLink,
    LearnerYear,
    Person,
    Section,
    StaffRole,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)
TEACHING_ROLES = (Enrollment.Role.TEACHER, Enrollment.Role.AIDE)


Rule = Callable[[Viewer], QuerySet[M]]


def fail_closed(model: type[M]) -> Callable[[Rule[M]], Rule[M]]:
    """Wrap a rule so that no viewer, or any error while building it, gives an empty queryset."""

    def decorate(rule: Rule[M]) -> Rule[M]:
        @functools.wraps(rule)
        def wrapper(viewer: Viewer) -> QuerySet[M]:
            if viewer.person is None or viewer.district_id is None:
                return model._default_manager.none()
            try:
                return rule(viewer)
            except Exception:
                log.exception("access rule %s failed; denying", rule.__name__)
                return model._default_manager.none()

        return wrapper

    return decorate


def _tenant(viewer: Viewer) -> int:
    """The viewer's district; rules only run for viewers that have one (see fail_closed)."""
    if viewer.district_id is None:
        raise PermissionError("viewer has no district")
    return viewer.district_id


def _me(viewer: Viewer) -> int:
    if viewer.person_id is None:
        raise PermissionError("viewer has no person")
    return viewer.person_id


def _current_sections_taught_by(viewer: Viewer, teacher_ids: Any) -> QuerySet[Section]:
    """Sections of this school year in which the given people teach (or aide) today."""
    if viewer.school_year is None:
        return Section.objects.none()
    taught = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        district_id=_tenant(viewer),
        person_id__in=teacher_ids,
        role__in=TEACHING_ROLES,
    ).values("section_id")
    return Section.objects.filter(
        district_id=_tenant(viewer), school_year=viewer.school_year, id__in=taught
    )


def _learners_in_sections(viewer: Viewer, sections: QuerySet[Section]) -> Any:
    """Ids of learners enrolled today in the given sections."""
    return Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        role=Enrollment.Role.STUDENT,
        section_id__in=sections.values("id"),
    ).values("person_id")


def _supported_teacher_ids(viewer: Viewer) -> Any:
    """Teachers this coach or multi-classroom leader supports this year."""
    return CoachLink.objects.filter(
        coach_id=viewer.person_id, school_year=viewer.school_year
    ).values("teacher_id")


def _learners_at_schools(viewer: Viewer, school_ids: frozenset[int]) -> Q:
    """Learners attributed to these schools this year, or enrolled in their sections today."""
    if viewer.school_year is None or not school_ids:
        return Q(pk__in=[])
    home = LearnerYear.objects.filter(
        school_year=viewer.school_year, school_id__in=school_ids
    ).values("learner_id")
    sections = Section.objects.filter(school_year=viewer.school_year, school_id__in=school_ids)
    return Q(id__in=home) | Q(id__in=_learners_in_sections(viewer, sections))


@fail_closed(Person)
def visible_learners(viewer: Viewer) -> QuerySet[Person]:
    base = Person.objects.filter(district_id=_tenant(viewer), kind=Person.Kind.LEARNER)
    if viewer.is_district_admin:
        return base
    me = _me(viewer)
    rule = Q(pk__in=[])
    if viewer.kind == Person.Kind.LEARNER:
        rule |= Q(pk=me)
    elif viewer.kind == Person.Kind.GUARDIAN:
        rule |= Q(id__in=GuardianLink.objects.filter(guardian_id=me).values("learner_id"))
    elif viewer.kind == Person.Kind.STAFF:
        rule |= Q(id__in=_learners_in_sections(viewer, _current_sections_taught_by(viewer, [me])))
        rule |= _learners_at_schools(viewer, viewer.led_school_ids)
        if viewer.has_role(StaffRole.Role.COACH) or viewer.has_role(StaffRole.Role.MCL):
            team = _current_sections_taught_by(viewer, _supported_teacher_ids(viewer))
            rule |= Q(id__in=_learners_in_sections(viewer, team))
        if viewer.school_year is not None:
            advisees = AdvisorLink.objects.filter(advisor_id=me, school_year=viewer.school_year)
            rule |= Q(id__in=advisees.values("learner_id"))
    return base.filter(rule)


@fail_closed(Section)
def visible_sections(viewer: Viewer) -> QuerySet[Section]:
    """Sections the viewer may open: any year for staff who teach or lead them; this year's
    sections of a learner (or a guardian's children); a coach's team's sections this year."""
    base = Section.objects.filter(district_id=_tenant(viewer))
    if viewer.is_district_admin:
        return base
    me = _me(viewer)
    rule = Q(pk__in=[])
    if viewer.kind == Person.Kind.STAFF:
        own = Enrollment.objects.filter(person_id=me, role__in=TEACHING_ROLES).values("section_id")
        rule |= Q(id__in=own) | Q(school_id__in=viewer.led_school_ids)
        rule |= Q(id__in=_current_sections_taught_by(viewer, _supported_teacher_ids(viewer)))
    else:
        if viewer.kind == Person.Kind.LEARNER:
            learner_ids: Any = [me]
        else:
            learner_ids = GuardianLink.objects.filter(guardian_id=me).values("learner_id")
        theirs = Enrollment.objects.filter(
            person_id__in=learner_ids, role=Enrollment.Role.STUDENT
        ).values("section_id")
        rule |= Q(id__in=theirs, school_year=viewer.school_year)
    return base.filter(rule)


@fail_closed(Enrollment)
def visible_enrollments(viewer: Viewer) -> QuerySet[Enrollment]:
    """A learner's enrollment follows the learner; a teacher's follows the section."""
    base = Enrollment.objects.filter(district_id=_tenant(viewer))
    if viewer.is_district_admin:
        return base
    return base.filter(
        Q(role=Enrollment.Role.STUDENT, person_id__in=visible_learners(viewer).values("id"))
        | (Q(role__in=TEACHING_ROLES) & Q(section_id__in=visible_sections(viewer).values("id")))
    )


@fail_closed(Person)
def visible_staff_records(viewer: Viewer) -> QuerySet[Person]:
    """Staff whose own records (ratings, growth plans, pay) the viewer may see: themselves,
    the teachers they coach, staff of the schools they lead, or all staff for district admins.
    Never peers."""
    base = Person.objects.filter(district_id=_tenant(viewer), kind=Person.Kind.STAFF)
    if viewer.is_district_admin:
        return base
    if viewer.kind != Person.Kind.STAFF:
        return base.none()
    rule = Q(pk=viewer.person_id) | Q(id__in=_supported_teacher_ids(viewer))
    if viewer.led_school_ids and viewer.school_year is not None:
        at_school = StaffRole.objects.filter(
            Q(school_year__isnull=True) | Q(school_year=viewer.school_year),
            school_id__in=viewer.led_school_ids,
        ).values("person_id")
        teaching_there = Enrollment.objects.filter(
            role__in=TEACHING_ROLES,
            section__school_id__in=viewer.led_school_ids,
            section__school_year=viewer.school_year,
        ).values("person_id")
        rule |= Q(id__in=at_school) | Q(id__in=teaching_there)
    return base.filter(rule)


@fail_closed(EffectivenessRating)
def visible_ratings(viewer: Viewer) -> QuerySet[EffectivenessRating]:
    return EffectivenessRating.objects.filter(
        district_id=_tenant(viewer), staff_id__in=visible_staff_records(viewer).values("id")
    )


# --- peer feedback: a narrow rule, apart from visible_learners ---------------------------------
#
# A peer never "sees" a classmate in the sense of visible_learners: the grant opens one narrow
# view of the classmate's plan (goals and feedback) and nothing else. Keep it out of
# visible_learners, or the peer would get the profile, path, portfolio and downloads too.


@fail_closed(Section)
def peer_grant_sections(viewer: Viewer) -> QuerySet[Section]:
    """Sections of this school year in which the viewer teaches today (as a teacher, not an
    aide): the sections through which they may let one learner give feedback on another's plan."""
    if viewer.kind != Person.Kind.STAFF or viewer.school_year is None:
        return Section.objects.none()
    taught = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        district_id=_tenant(viewer),
        person_id=_me(viewer),
        role=Enrollment.Role.TEACHER,
    ).values("section_id")
    return Section.objects.filter(
        district_id=_tenant(viewer), school_year=viewer.school_year, id__in=taught
    )


def _live_peer_grants(viewer: Viewer) -> QuerySet[PeerGrant]:
    """Grants that hold today: not revoked, through a section of this school year in which both
    learners are enrolled today."""
    if viewer.school_year is None:
        return PeerGrant.objects.none()
    enrolled = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        role=Enrollment.Role.STUDENT,
        section_id=OuterRef("section_id"),
    )
    return PeerGrant.objects.filter(
        Exists(enrolled.filter(person_id=OuterRef("learner_id"))),
        Exists(enrolled.filter(person_id=OuterRef("peer_id"))),
        district_id=_tenant(viewer),
        revoked_at__isnull=True,
        section__district_id=_tenant(viewer),
        section__school_year=viewer.school_year,
    )


@fail_closed(Person)
def peer_feedback_learners(viewer: Viewer) -> QuerySet[Person]:
    """Learners whose plan the viewer may open as a peer: goals, milestones and feedback only,
    and give feedback on it. Only a learner is ever a peer (never their guardians), and only
    through a live grant (see :func:`_live_peer_grants`)."""
    base = Person.objects.filter(district_id=_tenant(viewer), kind=Person.Kind.LEARNER)
    if viewer.kind != Person.Kind.LEARNER:
        return base.none()
    me = _me(viewer)
    granted = _live_peer_grants(viewer).filter(peer_id=me).values("learner_id")
    return base.filter(id__in=granted).exclude(pk=me)


@fail_closed(PeerGrant)
def visible_peer_grants(viewer: Viewer) -> QuerySet[PeerGrant]:
    """Live grants on the plans of learners the viewer may see (their teachers and other staff,
    the learner, their guardians): who may give the learner feedback as a peer."""
    learners = visible_learners(viewer).values("id")
    return _live_peer_grants(viewer).filter(learner_id__in=learners)
