"""Plans in the API (``/api/v1/plans/``): the plan, goals, reflections, the path and the
portfolio, under the same access rules as the pages (a learner the viewer may not see is a
404; seeing but not being allowed to change is a 403; bad input is a 400 that saves nothing).

Peers the learner's teacher allows read ``/{id}/peer`` (goals and feedback only) and post to
``/{id}/feedback``; every other route is a 404 for them, as for any other learner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from waypoint.access import selectors as access
from waypoint.access.selectors import NotAllowed
from waypoint.access.viewer import request_viewer
from waypoint.plans import selectors, services, uploads
from waypoint.plans.models import Artifact, Goal

router = Router(tags=["plans"])


class Refusal(Schema):
    detail: str
    errors: dict[str, str] = {}


class StandardRef(Schema):
    id: int
    code: str
    statement: str


class MilestoneSchema(Schema):
    title: str = Field(max_length=200)
    due_date: dt.date | None = None
    done: bool = False


class GoalOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    target_date: dt.date | None
    standards: list[StandardRef]
    milestones: list[MilestoneSchema]
    author_id: int | None
    updated_by_id: int | None


class GoalIn(Schema):
    kind: str
    title: str
    description: str = ""
    status: str = Goal.Status.NOT_STARTED
    target_date: dt.date | None = None
    standards: list[int] = []
    milestones: list[MilestoneSchema] | None = None


class NoteOut(Schema):
    id: int
    author_id: int
    author_role: str
    text: str
    goal_id: int | None
    created_at: dt.datetime


class TextIn(Schema):
    text: str = Field(max_length=4000)
    goal_id: int | None = None


class FeedbackIn(Schema):
    """Feedback text; the service refuses empty or over-long text with a 400 by field."""

    text: str
    goal_id: int | None = None


class PeerGoalOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    target_date: dt.date | None
    milestones: list[MilestoneSchema]


class PeerPlanOut(Schema):
    learner_id: int
    name: str
    school_year: str | None
    goals: list[PeerGoalOut]
    feedback: list[NoteOut]


class PeerGrantIn(Schema):
    peer_id: int


class PeerGrantOut(Schema):
    id: int
    learner_id: int
    peer_id: int
    peer_name: str
    section_id: int
    granted_by_id: int
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class ProfileOut(Schema):
    strengths: str
    interests: str
    aspirations: str
    learns_best: str
    home_languages: str


class PlanOut(Schema):
    learner_id: int
    school_year: str | None
    leadership: str | None
    profile: ProfileOut | None
    goals: list[GoalOut]
    reflections: list[NoteOut]
    feedback: list[NoteOut]
    next_standard: StandardRef | None


class PathOut(Schema):
    mastered: list[StandardRef]
    in_progress: list[StandardRef]
    ready: list[StandardRef]
    not_yet_ready: list[StandardRef]
    pace: str | None
    next_standard: StandardRef | None


class ChoiceIn(Schema):
    standard_id: int


class ArtifactOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    description: str
    url: str
    text: str
    file_name: str
    content_type: str
    size: int
    standards: list[StandardRef]
    created_at: dt.datetime


class ReviewIn(Schema):
    accept: bool
    score: float | None = None
    max_score: float | None = None
    feedback: str = Field(default="", max_length=4000)


def _ref(item: Any) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"id": item.pk, "code": item.human_coding_scheme, "statement": item.full_statement}


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "kind": goal.kind,
        "title": goal.title,
        "description": goal.description,
        "status": goal.status,
        "target_date": goal.target_date,
        "standards": [_ref(s) for s in goal.standards.all()],
        "milestones": [
            {"title": m.title, "due_date": m.due_date, "done": m.done}
            for m in goal.milestones.all()
        ],
        "author_id": goal.author_id,
        "updated_by_id": goal.updated_by_id,
    }


def _note(note: Any) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author_id": note.author_id,
        "author_role": getattr(note, "author_role", "learner"),  # reflections: the learner's
        "text": note.text,
        "goal_id": note.goal_id,
        "created_at": note.created_at,
    }


def _artifact(a: Artifact) -> dict[str, Any]:
    return {
        **{f: getattr(a, f) for f in ArtifactOut.model_fields if f != "standards"},
        "standards": [_ref(s) for s in a.standards.all()],
    }


def _guarded(action: Callable[[], Any]) -> Any:
    """Run a write: 403 for "may see, may not change", 400 (nothing saved) for bad input."""
    try:
        return action()
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except services.PlanInputError as exc:
        return Status(400, {"detail": "nothing was saved", "errors": exc.errors})


@router.get("/{learner_id}", response={200: PlanOut, 404: Refusal})
def get_plan(request: HttpRequest, learner_id: str) -> Any:
    """This school year's plan: profile, goals with milestones, reflections and feedback."""
    view = selectors.plan_for(
        viewer=request_viewer(request), learner_id=learner_id, view="api:plan"
    )
    plan = view.plan
    p = view.profile
    return {
        "learner_id": view.learner.pk,
        "school_year": plan.school_year.title if plan else None,
        "leadership": plan.leadership if plan else None,
        "profile": {f: getattr(p, f) for f in ProfileOut.model_fields} if p else None,
        "goals": [_goal(g) for g in view.goals],
        "reflections": [_note(r) for r in plan.reflections.all()] if plan else [],
        "feedback": [_note(c) for c in plan.comments.all()] if plan else [],
        "next_standard": _ref(view.chosen.item) if view.chosen else None,
    }


def _save_goal(request: HttpRequest, learner_id: str, body: GoalIn, goal_id: int | None) -> Any:
    milestones = (
        None
        if body.milestones is None
        else [services.MilestoneIn(m.title, m.due_date, m.done) for m in body.milestones]
    )

    def save() -> Any:
        goal = services.save_goal(
            viewer=request_viewer(request),
            learner_id=learner_id,
            goal_id=goal_id,
            kind=body.kind,
            title=body.title,
            description=body.description,
            status=body.status,
            target_date=body.target_date,
            standard_ids=body.standards,
            milestones=milestones,
            user=request.user,
        )
        return _goal(goal)

    return _guarded(save)


@router.post(
    "/{learner_id}/goals", response={200: GoalOut, 400: Refusal, 403: Refusal, 404: Refusal}
)
def create_goal(request: HttpRequest, learner_id: str, body: GoalIn) -> Any:
    return _save_goal(request, learner_id, body, None)


@router.put(
    "/{learner_id}/goals/{goal_id}",
    response={200: GoalOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def update_goal(request: HttpRequest, learner_id: str, goal_id: int, body: GoalIn) -> Any:
    return _save_goal(request, learner_id, body, goal_id)


@router.post(
    "/{learner_id}/reflections",
    response={200: NoteOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def add_reflection(request: HttpRequest, learner_id: str, body: TextIn) -> Any:
    return _guarded(
        lambda: _note(
            services.add_reflection(
                viewer=request_viewer(request),
                learner_id=learner_id,
                text=body.text,
                goal_id=body.goal_id,
                user=request.user,
            )
        )
    )


@router.post(
    "/{learner_id}/feedback", response={200: NoteOut, 400: Refusal, 403: Refusal, 404: Refusal}
)
def add_feedback(request: HttpRequest, learner_id: str, body: FeedbackIn) -> Any:
    """Feedback from staff who may see the learner, a peer the teacher allows, or the
    learner's reply; empty or over-long text is a 400 and nothing is saved."""
    return _guarded(
        lambda: _note(
            services.add_comment(
                viewer=request_viewer(request),
                learner_id=learner_id,
                text=body.text,
                goal_id=body.goal_id,
                user=request.user,
            )
        )
    )


@router.get("/{learner_id}/peer", response={200: PeerPlanOut, 404: Refusal})
def get_peer_plan(request: HttpRequest, learner_id: str) -> Any:
    """A classmate's plan for a peer the teacher allows: goals and feedback, nothing else."""
    view = selectors.peer_plan_for(viewer=request_viewer(request), learner_id=learner_id)
    return {
        "learner_id": view.learner.pk,
        "name": view.learner.display_name,
        "school_year": view.plan.school_year.title if view.plan else None,
        "goals": [
            {
                **{f: getattr(g, f) for f in PeerGoalOut.model_fields if f != "milestones"},
                "milestones": [
                    {"title": m.title, "due_date": m.due_date, "done": m.done}
                    for m in g.milestones.all()
                ],
            }
            for g in view.goals
        ],
        "feedback": [_note(c) for c in view.comments],
    }


def _grant(grant: Any) -> dict[str, Any]:
    return {
        **{f: getattr(grant, f) for f in PeerGrantOut.model_fields if f != "peer_name"},
        "peer_name": grant.peer.display_name,
    }


@router.get("/{learner_id}/peers", response={200: list[PeerGrantOut], 403: Refusal, 404: Refusal})
def list_peer_grants(request: HttpRequest, learner_id: str) -> Any:
    """The classmates who may give feedback on this plan now (the learner's teachers)."""
    viewer = request_viewer(request)

    def grants() -> Any:
        learner = access.get_student_to_grant_peers(viewer=viewer, id=learner_id, view="api:peers")
        return [_grant(g) for g in access.peer_grant_list(viewer=viewer, learner=learner)]

    return _guarded(grants)


@router.post(
    "/{learner_id}/peers",
    response={200: PeerGrantOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def grant_peer(request: HttpRequest, learner_id: str, body: PeerGrantIn) -> Any:
    """Let a classmate (a learner of a section you teach with this learner) give feedback."""
    return _guarded(
        lambda: _grant(
            services.grant_peer_feedback(
                viewer=request_viewer(request),
                learner_id=learner_id,
                peer_id=body.peer_id,
                user=request.user,
            )
        )
    )


@router.delete(
    "/{learner_id}/peers/{grant_id}",
    response={200: PeerGrantOut, 403: Refusal, 404: Refusal},
)
def revoke_peer(request: HttpRequest, learner_id: str, grant_id: int) -> Any:
    """Take a classmate's permission back; from then on their requests are a 404."""
    return _guarded(
        lambda: _grant(
            services.revoke_peer_feedback(
                viewer=request_viewer(request),
                learner_id=learner_id,
                grant_id=grant_id,
                user=request.user,
            )
        )
    )


@router.get("/{learner_id}/path", response={200: PathOut, 404: Refusal})
def get_path(request: HttpRequest, learner_id: str) -> Any:
    """Mastered, in progress, ready to learn next, not yet ready, pace and the learner's choice."""
    path = selectors.path_for(viewer=request_viewer(request), learner_id=learner_id)
    return {
        "mastered": [_ref(s.item) for s in path.mastered],
        "in_progress": [_ref(s.item) for s in path.in_progress],
        "ready": [_ref(s.item) for s in path.ready],
        "not_yet_ready": [_ref(s.item) for s in path.not_yet],
        "pace": path.pace.status if path.pace else None,
        "next_standard": _ref(path.chosen.item) if path.chosen else None,
    }


@router.post(
    "/{learner_id}/path/choice",
    response={200: StandardRef, 400: Refusal, 403: Refusal, 404: Refusal},
)
def choose(request: HttpRequest, learner_id: str, body: ChoiceIn) -> Any:
    """The learner picks one of their ready-to-learn standards."""
    return _guarded(
        lambda: _ref(
            services.choose_next(
                viewer=request_viewer(request),
                learner_id=learner_id,
                item_id=body.standard_id,
                user=request.user,
            ).item
        )
    )


@router.get("/{learner_id}/artifacts", response={200: list[ArtifactOut], 404: Refusal})
def list_artifacts(request: HttpRequest, learner_id: str) -> Any:
    artifacts = selectors.artifacts_for(viewer=request_viewer(request), learner_id=learner_id)
    return [_artifact(a) for a in artifacts]


@router.post(
    "/{learner_id}/artifacts",
    response={200: ArtifactOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def add_artifact(
    request: HttpRequest,
    learner_id: str,
    title: Form[str],
    kind: Form[str],
    description: Form[str] = "",
    url: Form[str] = "",
    text: Form[str] = "",
    standards: Form[list[int]] = [],  # noqa: B006 — ninja reads the default, never mutates it
    file: UploadedFile | None = File(None),  # noqa: B008 — how ninja declares a file part
) -> Any:
    """Multipart form: ``title``, ``kind`` (file, link, text), ``file`` / ``url`` / ``text``,
    ``standards`` (ids, repeated). The same checks as the page: size, type, content."""
    data = None
    if file is not None:
        limit = uploads.max_bytes()
        data = bytes(file.read(limit + 1))

    def add() -> Any:
        artifact = services.add_artifact(
            viewer=request_viewer(request),
            learner_id=learner_id,
            title=title,
            kind=kind,
            description=description,
            url=url,
            text=text,
            file_name=file.name or "" if file is not None else "",
            data=data,
            standard_ids=standards,
            user=request.user,
        )
        return _artifact(artifact)

    return _guarded(add)


@router.post(
    "/{learner_id}/artifacts/{artifact_id}/review",
    response={200: ArtifactOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def review(request: HttpRequest, learner_id: str, artifact_id: int, body: ReviewIn) -> Any:
    """Accept with a score (evidence that moves mastery) or return with feedback."""
    viewer = request_viewer(request)

    def act() -> Any:
        services.review_artifact(
            viewer=viewer,
            learner_id=learner_id,
            artifact_id=artifact_id,
            accept=body.accept,
            score=body.score,
            max_score=body.max_score,
            feedback=body.feedback,
            user=request.user,
        )
        return _artifact(
            selectors.get_artifact(viewer=viewer, learner_id=learner_id, artifact_id=artifact_id)
        )

    return _guarded(act)
