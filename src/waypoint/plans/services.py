"""Writes of plans and portfolios. Each is one action: the access check (the learner must be
visible to the viewer, else a 404; the viewer must be allowed to do this, else
:class:`NotAllowed`), the change, and an audit entry, in one transaction.

Who may write what:

- the learner: their profile, goals, reflections, comments, their next standard, artifacts;
- staff who may see the learner: goals, comments, how learner-led the plan is;
- the learner's teachers (of a section they teach today): which classmates may give feedback
  on the plan (peer grants), and revoking them;
- a peer with a live grant: comments on that classmate's plan (and nothing else);
- staff who may record evidence (teachers, aides, coaches, MCLs): artifact reviews;
- guardians: nothing (they read);
- growth plans: the educator, and their coaches, school leaders and district admins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waypoint.access import selectors as access
from waypoint.access.selectors import NotAllowed, NotVisible
from waypoint.access.viewer import Viewer, current_school_year
from waypoint.audit.services import record_access, record_action
from waypoint.evidence.models import Observation
from waypoint.evidence.services import ObservationRow
from waypoint.mastery import selectors as mastery
from waypoint.mastery.services import record_evidence
from waypoint.plans import uploads
from waypoint.plans.models import (
    AccountPreference,
    Artifact,
    ArtifactReview,
    Comment,
    Goal,
    GrowthComment,
    GrowthGoal,
    GrowthPlan,
    LearnerProfile,
    Milestone,
    PathChoice,
    PeerGrant,
    Plan,
    Reflection,
)
from waypoint.roster.models import AdvisorLink, District, Enrollment, Person
from waypoint.standards.models import FrameworkItem

__all__ = ["NotAllowed", "NotVisible", "PlanInputError"]


class PlanInputError(ValueError):
    """Input that cannot be saved; ``errors`` maps a field to a message for the person."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def as_id(value: object) -> int | None:
    """A positive integer id from user input, or None."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _learner(viewer: Viewer, learner_id: object, view: str) -> Person:
    return access.get_student(viewer=viewer, id=learner_id, view=view)


def _is_self(viewer: Viewer, learner: Person) -> bool:
    return viewer.person_id == learner.pk


def _is_staff(viewer: Viewer) -> bool:
    return viewer.kind == Person.Kind.STAFF


def _require(allowed: bool, why: str) -> None:
    if not allowed:
        raise NotAllowed(why)


def _district(learner: Person) -> District:
    return District.objects.get(pk=learner.district_id)


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def current_plan(*, viewer: Viewer, learner: Person) -> Plan | None:
    """The learner's plan for this school year, created on first use (None between years)."""
    year = current_school_year(learner.district_id, viewer.today)
    if year is None:
        return None
    plan, _created = Plan.objects.get_or_create(
        learner=learner, school_year=year, defaults={"district_id": learner.district_id}
    )
    return plan


def _plan(viewer: Viewer, learner: Person) -> Plan:
    plan = current_plan(viewer=viewer, learner=learner)
    if plan is None:
        raise PlanInputError({"plan": _("There is no school year to plan for.")})
    return plan


def _standards(learner: Person, ids: Sequence[object]) -> list[FrameworkItem]:
    wanted: set[int] = set()
    for raw in ids:
        try:
            wanted.add(int(str(raw)))
        except ValueError:
            raise PlanInputError({"standards": _("Choose standards from the list.")}) from None
    found = list(
        FrameworkItem.objects.filter(district_id=learner.district_id, retired=False, pk__in=wanted)
    )
    if len(found) != len(wanted):
        raise PlanInputError({"standards": _("Choose standards from the list.")})
    return found


# --- profile and plan -------------------------------------------------------------------------

PROFILE_FIELDS = ("strengths", "interests", "aspirations", "learns_best", "home_languages")


@transaction.atomic
def save_profile(
    *, viewer: Viewer, learner_id: object, user: Any = None, **fields: str
) -> LearnerProfile:
    """The learner writes their own profile."""
    learner = _learner(viewer, learner_id, "plans:profile-save")
    _require(_is_self(viewer, learner), "only the learner edits their profile")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise PlanInputError({k: _("Unknown field.") for k in sorted(unknown)})
    profile, _created = LearnerProfile.objects.get_or_create(
        learner=learner, defaults={"district_id": learner.district_id}
    )
    for name in PROFILE_FIELDS:
        if name in fields:
            limit = 200 if name == "home_languages" else 2000
            setattr(profile, name, _text(fields[name], limit))
    profile.updated_by = viewer.person
    profile.save()
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.profile",
        obj=profile,
        details={"fields": sorted(fields)},
    )
    return profile


@transaction.atomic
def set_leadership(
    *, viewer: Viewer, learner_id: object, leadership: str, user: Any = None
) -> Plan:
    """Record how far this year's plan is learner-led (the learner's teachers and advisor)."""
    learner = _learner(viewer, learner_id, "plans:leadership")
    _require(_is_staff(viewer), "only staff record how learner-led a plan is")
    if leadership not in Plan.Leadership.values:
        raise PlanInputError({"leadership": _("Choose one of the listed levels.")})
    plan = _plan(viewer, learner)
    before = plan.leadership
    plan.leadership = leadership
    plan.save(update_fields=["leadership", "updated_at"])
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.leadership",
        obj=plan,
        details={"leadership": [before, leadership]},
    )
    return plan


# --- goals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneIn:
    title: str
    due_date: dt.date | None = None
    done: bool = False


@transaction.atomic
def save_goal(
    *,
    viewer: Viewer,
    learner_id: object,
    kind: str,
    title: str,
    goal_id: object = None,
    description: str = "",
    status: str = Goal.Status.NOT_STARTED,
    target_date: dt.date | None = None,
    standard_ids: Sequence[object] = (),
    milestones: Sequence[MilestoneIn] | None = None,
    user: Any = None,
) -> Goal:
    """Create or change a goal of this year's plan (the learner, or staff who may see them).

    ``milestones``, when given, replace the goal's milestones."""
    learner = _learner(viewer, learner_id, "plans:goal-save")
    _require(_is_self(viewer, learner) or _is_staff(viewer), "guardians read plans")
    errors: dict[str, str] = {}
    title = _text(title, 200)
    if not title:
        errors["title"] = _("Give the goal a title.")
    if kind not in Goal.Kind.values:
        errors["kind"] = _("Choose a kind of goal.")
    if status not in Goal.Status.values:
        errors["status"] = _("Choose a status.")
    for m in milestones or ():
        if not _text(m.title, 200):
            errors["milestones"] = _("Every milestone needs a title.")
    if errors:
        raise PlanInputError(errors)
    standards = _standards(learner, standard_ids)
    if kind != Goal.Kind.ACADEMIC and standards:
        raise PlanInputError({"standards": _("Only academic goals are linked to standards.")})
    plan = _plan(viewer, learner)
    if goal_id is None:
        goal = Goal(plan=plan, district_id=learner.district_id, author=viewer.person)
    else:
        goal = Goal.objects.filter(plan__learner=learner, pk=as_id(goal_id)).first()
        if goal is None:
            raise NotVisible()
    goal.kind = kind
    goal.title = title
    goal.description = _text(description, 4000)
    goal.status = status
    goal.target_date = target_date
    goal.updated_by = viewer.person
    goal.save()
    goal.standards.set(standards)
    if milestones is not None:
        goal.milestones.all().delete()
        Milestone.objects.bulk_create(
            Milestone(
                district_id=learner.district_id,
                goal=goal,
                title=_text(m.title, 200),
                due_date=m.due_date,
                done=m.done,
            )
            for m in milestones
        )
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.goal.create" if goal_id is None else "plans.goal.update",
        obj=goal,
        details={"kind": kind, "status": status, "standards": [s.pk for s in standards]},
    )
    return goal


@transaction.atomic
def add_reflection(
    *, viewer: Viewer, learner_id: object, text: str, goal_id: object = None, user: Any = None
) -> Reflection:
    """The learner writes a reflection (on the plan, or on one goal)."""
    learner = _learner(viewer, learner_id, "plans:reflection")
    _require(_is_self(viewer, learner), "reflections are the learner's own")
    text = (text or "").strip()
    if not text:
        raise PlanInputError({"text": _("Write something first.")})
    if len(text) > COMMENT_MAX:
        raise PlanInputError(
            {
                "text": _(
                    "A reflection can be at most %(limit)s characters long; this is "
                    "%(length)s. Nothing was saved."
                )
                % {"limit": COMMENT_MAX, "length": len(text)}
            }
        )
    plan = _plan(viewer, learner)
    goal = _goal_of(plan, goal_id)
    reflection = Reflection.objects.create(
        district_id=learner.district_id, plan=plan, goal=goal, author=viewer.person, text=text
    )
    record_action(
        user=user, district_id=learner.district_id, action="plans.reflection", obj=reflection
    )
    return reflection


def _goal_of(plan: Plan, goal_id: object) -> Goal | None:
    if goal_id in (None, ""):
        return None
    goal = plan.goals.filter(pk=as_id(goal_id)).first()
    if goal is None:
        raise PlanInputError({"goal": _("Choose a goal of this plan.")})
    return goal


COMMENT_MAX = 4000
"""The longest comment (characters); longer text is refused, not cut."""


def _comment_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise PlanInputError({"text": _("Write something first.")})
    if len(text) > COMMENT_MAX:
        raise PlanInputError(
            {
                "text": _(
                    "Feedback can be at most %(limit)s characters long; this is %(length)s. "
                    "Nothing was saved."
                )
                % {"limit": COMMENT_MAX, "length": len(text)}
            }
        )
    return text


def _staff_role_for(viewer: Viewer, learner: Person) -> str:
    """The role a staff member writes feedback in: the learner's teacher (or aide) in a section
    today, their advisor this year, or staff (a coach, school leader or district admin)."""
    theirs = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today), role=Enrollment.Role.STUDENT, person=learner
    ).values("section_id")
    teaches = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today),
        person_id=viewer.person_id,
        role__in=(Enrollment.Role.TEACHER, Enrollment.Role.AIDE),
        section__school_year=viewer.school_year,
        section_id__in=theirs,
    )
    if viewer.school_year is not None and teaches.exists():
        return Comment.AuthorRole.TEACHER
    if AdvisorLink.objects.filter(
        advisor_id=viewer.person_id, learner=learner, school_year=viewer.school_year
    ).exists():
        return Comment.AuthorRole.ADVISOR
    return Comment.AuthorRole.STAFF


def _open_for_comment(viewer: Viewer, learner_id: object) -> tuple[Person, str]:
    """The learner whose plan the viewer comments on, and the role they write in. A learner
    asking for someone else's plan can only be a peer with a live grant (the narrow rule in
    the access layer); everyone else goes through the usual one. Either way: else a 404."""
    if viewer.kind == Person.Kind.LEARNER and as_id(learner_id) != viewer.person_id:
        learner = access.get_student_as_peer(viewer=viewer, id=learner_id, view="plans:comment")
        return learner, Comment.AuthorRole.PEER
    learner = _learner(viewer, learner_id, "plans:comment")
    if _is_self(viewer, learner):
        return learner, Comment.AuthorRole.LEARNER
    _require(_is_staff(viewer), "guardians read feedback")
    return learner, _staff_role_for(viewer, learner)


@transaction.atomic
def add_comment(
    *, viewer: Viewer, learner_id: object, text: str, goal_id: object = None, user: Any = None
) -> Comment:
    """Feedback on the plan from staff who may see the learner or a peer the learner's teacher
    allows, or the learner's reply; stored with its author and the role they wrote it in.

    Empty text, or text longer than :data:`COMMENT_MAX`, raises :class:`PlanInputError` and
    nothing is saved."""
    learner, role = _open_for_comment(viewer, learner_id)
    text = _comment_text(text)
    plan = _plan(viewer, learner)
    comment = Comment.objects.create(
        district_id=learner.district_id,
        plan=plan,
        goal=_goal_of(plan, goal_id),
        author=viewer.person,
        author_role=role,
        text=text,
    )
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.comment",
        obj=comment,
        details={"role": role},
    )
    return comment


# --- peer feedback grants ---------------------------------------------------------------------


@transaction.atomic
def grant_peer_feedback(
    *, viewer: Viewer, learner_id: object, peer_id: object, user: Any = None
) -> PeerGrant:
    """A teacher lets a classmate (a learner of a section they teach, where the learner is
    enrolled too) read this learner's goals and feedback and give feedback.

    404 for a learner the viewer may not see; :class:`NotAllowed` for one they may see but do
    not teach; :class:`PlanInputError` for a peer who is not a classmate or already allowed."""
    learner = access.get_student_to_grant_peers(
        viewer=viewer, id=learner_id, view="plans:peer-grant"
    )
    peer = access.peer_candidates(viewer=viewer, learner=learner).filter(pk=as_id(peer_id)).first()
    if peer is None:
        raise PlanInputError({"peer": _("Choose a classmate from a section you teach.")})
    shared = Enrollment.objects.filter(
        Enrollment.active_on_q(viewer.today), role=Enrollment.Role.STUDENT, person=peer
    ).values("section_id")
    section = (
        access.peer_grant_sections_of(viewer=viewer, learner=learner)
        .filter(id__in=shared)
        .order_by("pk")
        .first()
    )
    if section is None:  # peer_candidates found them, so this does not happen; fail closed
        raise PlanInputError({"peer": _("Choose a classmate from a section you teach.")})
    already = _("%(name)s may already give feedback.") % {"name": peer.display_name}
    if PeerGrant.objects.filter(learner=learner, peer=peer, revoked_at__isnull=True).exists():
        raise PlanInputError({"peer": already})
    try:
        with transaction.atomic():  # two teachers at once: the live-grant constraint decides
            grant = PeerGrant.objects.create(
                district_id=learner.district_id,
                learner=learner,
                peer=peer,
                section=section,
                granted_by=viewer.person,
            )
    except IntegrityError:
        raise PlanInputError({"peer": already}) from None
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.peer_grant.create",
        obj=grant,
        details={"learner": learner.pk, "peer": peer.pk, "section": section.pk},
    )
    return grant


@transaction.atomic
def revoke_peer_feedback(
    *, viewer: Viewer, learner_id: object, grant_id: object, user: Any = None
) -> PeerGrant:
    """A teacher of the learner takes a peer's permission back (from then on, a 404)."""
    learner = access.get_student_to_grant_peers(
        viewer=viewer, id=learner_id, view="plans:peer-revoke"
    )
    grant = (
        PeerGrant.objects.select_for_update()
        .filter(learner=learner, pk=as_id(grant_id), revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        raise NotVisible()
    grant.revoked_at = timezone.now()
    grant.revoked_by = viewer.person
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.peer_grant.revoke",
        obj=grant,
        details={"learner": learner.pk, "peer": grant.peer_id},
    )
    return grant


# --- the path ---------------------------------------------------------------------------------


@transaction.atomic
def choose_next(
    *, viewer: Viewer, learner_id: object, item_id: object, user: Any = None
) -> PathChoice:
    """The learner picks one of their ready-to-learn standards to work on next."""
    learner = _learner(viewer, learner_id, "plans:choose")
    _require(_is_self(viewer, learner), "learners choose their own next standard")
    ready = {i.pk: i for i in mastery.ready_to_learn(viewer=viewer, learner_id=learner.pk)}
    item = ready.get(as_id(item_id) or 0)
    if item is None:
        raise PlanInputError({"item": _("Choose one of the standards you are ready to learn.")})
    choice = PathChoice.objects.create(district_id=learner.district_id, learner=learner, item=item)
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.path_choice",
        obj=choice,
        details={"item": item.pk},
    )
    return choice


# --- portfolio --------------------------------------------------------------------------------


def add_artifact(
    *,
    viewer: Viewer,
    learner_id: object,
    title: str,
    kind: str,
    description: str = "",
    url: str = "",
    text: str = "",
    file_name: str = "",
    data: bytes | None = None,
    standard_ids: Sequence[object] = (),
    user: Any = None,
) -> Artifact:
    """The learner adds a file, a link or a text to their portfolio, for some standards.

    A refused file (too large, a type not allowed, content that does not match the name)
    raises :class:`PlanInputError` and nothing is saved: no row, no file."""
    learner = _learner(viewer, learner_id, "plans:artifact-add")
    _require(_is_self(viewer, learner), "learners add to their own portfolio")
    errors: dict[str, str] = {}
    title = _text(title, 200)
    if not title:
        errors["title"] = _("Give your work a title.")
    checked = None
    if kind == Artifact.Kind.FILE:
        if data is None:
            errors["file"] = _("Choose a file.")
        else:
            try:
                checked = uploads.check_file(file_name, data)
            except uploads.UploadRefused as refused:
                errors["file"] = str(refused)
    elif kind == Artifact.Kind.LINK:
        url = _text(url, 500)
        if not url.startswith(("https://", "http://")):
            errors["url"] = _("Give a web address that starts with https://")
    elif kind == Artifact.Kind.TEXT:
        text = _text(text, 20000)
        if not text:
            errors["text"] = _("Write something first.")
    else:
        errors["kind"] = _("Choose a file, a link or a text.")
    if errors:
        raise PlanInputError(errors)
    standards = _standards(learner, standard_ids)
    stored = uploads.store(learner.district_id, checked.data) if checked else ""
    try:
        with transaction.atomic():
            artifact = Artifact.objects.create(
                district_id=learner.district_id,
                learner=learner,
                title=title,
                kind=kind,
                description=_text(description, 4000),
                url=url if kind == Artifact.Kind.LINK else "",
                text=text if kind == Artifact.Kind.TEXT else "",
                file_name=checked.name if checked else "",
                stored_name=stored,
                content_type=checked.content_type if checked else "",
                size=len(checked.data) if checked else 0,
                sha256=_sha256(checked.data) if checked else "",
            )
            artifact.standards.set(standards)
            record_action(
                user=user,
                district_id=learner.district_id,
                action="plans.artifact.add",
                obj=artifact,
                details={
                    "kind": kind,
                    "size": artifact.size,
                    "standards": [s.pk for s in standards],
                },
            )
    except BaseException:
        if stored:
            uploads.remove(learner.district_id, stored)
        raise
    return artifact


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def review_artifact(
    *,
    viewer: Viewer,
    learner_id: object,
    artifact_id: object,
    accept: bool,
    score: float | None = None,
    max_score: float | None = None,
    feedback: str = "",
    user: Any = None,
) -> ArtifactReview:
    """A teacher accepts an artifact with a score, or returns it with feedback.

    Accepting records one observation per linked standard (source ``teacher``, reference
    ``artifact:<id>``) and moves the learner's mastery at once, in this transaction."""
    learner = access.get_student_to_assess(viewer=viewer, id=learner_id, view="plans:review")
    artifact = (
        Artifact.objects.select_for_update().filter(learner=learner, pk=as_id(artifact_id)).first()
    )
    if artifact is None:
        raise NotVisible()
    feedback = _text(feedback, 4000)
    errors: dict[str, str] = {}
    if artifact.status != Artifact.Status.SUBMITTED:
        errors["decision"] = _("This work has already been reviewed.")
    standard_ids = list(artifact.standards.values_list("pk", flat=True))
    if accept:
        if score is None or max_score is None or not (max_score > 0 and 0 <= score <= max_score):
            errors["score"] = _("Give a score between 0 and the maximum.")
        if not standard_ids:
            errors["decision"] = _("This work is not linked to a standard; return it instead.")
    elif not feedback:
        errors["feedback"] = _("Say what to change when you return work.")
    if errors:
        raise PlanInputError(errors)
    review = ArtifactReview.objects.create(
        district_id=learner.district_id,
        artifact=artifact,
        reviewer=viewer.person,
        decision=Artifact.Status.ACCEPTED if accept else Artifact.Status.RETURNED,
        score=score if accept else None,
        max_score=max_score if accept else None,
        feedback=feedback,
    )
    artifact.status = review.decision
    artifact.save(update_fields=["status"])
    observations: list[Observation] = []
    if accept:
        district = _district(learner)
        observations, _states = record_evidence(
            district=district,
            rows=[
                ObservationRow(
                    learner_id=learner.pk,
                    item_ids=standard_ids,
                    observed_at=timezone.now(),
                    score=score,
                    max_score=max_score,
                    source_ref=f"artifact:{artifact.pk}",
                )
            ],
            source=Observation.Source.TEACHER,
            user=user,
        )
    record_action(
        user=user,
        district_id=learner.district_id,
        action="plans.artifact.review",
        obj=artifact,
        details={"decision": review.decision, "observations": len(observations)},
    )
    return review


# --- educator growth plans --------------------------------------------------------------------


def open_staff(*, viewer: Viewer, staff_id: object, view: str) -> Person:
    """A staff member whose records the viewer may see (themselves, their coach or leader,
    district admins), else a 404. Logs the opening."""
    pk = as_id(staff_id)
    staff = access.staff_list(viewer=viewer).filter(pk=pk).first() if pk else None
    record_access(
        viewer=viewer,
        record_type="staff",
        requested_id=staff_id,
        record_id=staff.pk if staff else None,
        view=view,
        allowed=staff is not None,
    )
    if staff is None:
        raise NotVisible()
    return staff


def current_growth_plan(*, viewer: Viewer, staff: Person) -> GrowthPlan | None:
    year = current_school_year(staff.district_id, viewer.today)
    if year is None:
        return None
    plan, _created = GrowthPlan.objects.get_or_create(
        staff=staff, school_year=year, defaults={"district_id": staff.district_id}
    )
    return plan


@transaction.atomic
def save_growth_goal(
    *,
    viewer: Viewer,
    staff_id: object,
    title: str,
    description: str = "",
    status: str = "not_started",
    target_date: dt.date | None = None,
    user: Any = None,
) -> GrowthGoal:
    """The educator (or their coach or school leader) adds a professional goal."""
    staff = open_staff(viewer=viewer, staff_id=staff_id, view="plans:growth-goal")
    title = _text(title, 200)
    errors = {}
    if not title:
        errors["title"] = _("Give the goal a title.")
    if status not in Goal.Status.values:
        errors["status"] = _("Choose a status.")
    if errors:
        raise PlanInputError(errors)
    plan = current_growth_plan(viewer=viewer, staff=staff)
    if plan is None:
        raise PlanInputError({"plan": _("There is no school year to plan for.")})
    goal = GrowthGoal.objects.create(
        district_id=staff.district_id,
        plan=plan,
        title=title,
        description=_text(description, 4000),
        status=status,
        target_date=target_date,
        author=viewer.person,
    )
    record_action(user=user, district_id=staff.district_id, action="plans.growth.goal", obj=goal)
    return goal


@transaction.atomic
def add_growth_comment(
    *, viewer: Viewer, staff_id: object, text: str, user: Any = None
) -> GrowthComment:
    """A coach's or school leader's comment on a growth plan, or the educator's reply."""
    staff = open_staff(viewer=viewer, staff_id=staff_id, view="plans:growth-comment")
    text = _text(text, 4000)
    if not text:
        raise PlanInputError({"text": _("Write something first.")})
    plan = current_growth_plan(viewer=viewer, staff=staff)
    if plan is None:
        raise PlanInputError({"plan": _("There is no school year to plan for.")})
    comment = GrowthComment.objects.create(
        district_id=staff.district_id, plan=plan, author=viewer.person, text=text
    )
    record_action(
        user=user, district_id=staff.district_id, action="plans.growth.comment", obj=comment
    )
    return comment


# --- language ---------------------------------------------------------------------------------


@transaction.atomic
def set_language(*, user: Any, language: str) -> None:
    """Remember the account's language (applied on every request by the middleware)."""
    if language not in dict(settings.LANGUAGES):
        raise PlanInputError({"language": "unknown language"})
    AccountPreference.objects.update_or_create(user=user, defaults={"language": language})
