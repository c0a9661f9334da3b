"""Mastery in the API: a learner's mastery, path and pace, and scores entered by teachers.

``GET /api/v1/learners/{id}/mastery`` reads through the mastery selectors (the access layer:
a learner the viewer may not see is a 404). ``POST /api/v1/learners/{id}/scores`` records
teacher-entered evidence: the learner's teachers (teacher, aide, multi-classroom leader,
coach) may; anyone else who may see the learner gets a 403. All or nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from waypoint.access.selectors import NotAllowed, get_student_to_assess
from waypoint.access.viewer import request_viewer
from waypoint.evidence.models import Observation
from waypoint.evidence.services import EvidenceRejected, ObservationRow
from waypoint.mastery import selectors
from waypoint.mastery.services import mastered_at, record_evidence
from waypoint.standards.lookup import StandardFinder

router = Router(tags=["mastery"])


class StandardRef(Schema):
    id: int
    code: str
    statement: str


class StateOut(Schema):
    standard: StandardRef
    probability: float
    mastered: bool
    observations: int
    last_evidence_at: dt.datetime | None


class PaceOut(Schema):
    status: str
    mastered: int
    total: int
    mastered_share: float | None
    elapsed_share: float | None
    grade: int | None


class ParentOut(Schema):
    standard_id: int
    mastered: int
    total: int


class MasteryOut(Schema):
    mastered_at: float
    states: list[StateOut]
    ready_to_learn: list[StandardRef]
    pace: PaceOut
    parents: list[ParentOut]


class ScoreIn(Schema):
    standard: str = Field(description="CASE identifier, URI or code of the standard")
    correct: bool | None = None
    score: float | None = None
    max_score: float | None = None
    observed_at: dt.datetime | None = Field(default=None, description="default: now")
    note: str = Field(default="", max_length=200, description="e.g. the task or quiz")


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(min_length=1, max_length=500)


class ScoresOut(Schema):
    observations: int
    states: list[StateOut]


class Refusal(Schema):
    detail: str
    errors: list[dict[str, Any]] = []


def _ref(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "code": item.human_coding_scheme, "statement": item.full_statement}


def _state(state: Any, threshold: float) -> dict[str, Any]:
    return {
        "standard": _ref(state.item),
        "probability": state.probability,
        "mastered": state.probability >= threshold,
        "observations": state.observation_count,
        "last_evidence_at": state.last_evidence_at,
    }


@router.get("/{learner_id}/mastery", response={200: MasteryOut, 404: Refusal})
def learner_mastery(request: HttpRequest, learner_id: str) -> Any:
    """Every standard with evidence, what is ready to learn next, pace, and parent shares."""
    viewer = request_viewer(request)
    states = list(selectors.mastery_for(viewer=viewer, learner_id=learner_id))
    ready = selectors.ready_to_learn(viewer=viewer, learner_id=learner_id)
    pace = selectors.pace(viewer=viewer, learner_id=learner_id)
    parents = selectors.parent_progress(viewer=viewer, learner_id=learner_id)
    # a viewer only ever sees learners of their own district
    threshold = mastered_at(viewer.district_id or 0)
    return {
        "mastered_at": threshold,
        "states": [_state(s, threshold) for s in states],
        "ready_to_learn": [_ref(i) for i in ready],
        "pace": {
            "status": pace.status,
            "mastered": pace.mastered,
            "total": pace.total,
            "mastered_share": pace.mastered_share,
            "elapsed_share": pace.elapsed_share,
            "grade": pace.grade,
        },
        "parents": [
            {"standard_id": pk, "mastered": share.mastered, "total": share.total}
            for pk, share in sorted(parents.items())
        ],
    }


@router.post(
    "/{learner_id}/scores",
    response={200: ScoresOut, 400: Refusal, 403: Refusal, 404: Refusal},
)
def enter_scores(request: HttpRequest, learner_id: str, body: ScoresIn) -> Any:
    """Teacher-entered scores: each becomes an observation and moves mastery at once."""
    viewer = request_viewer(request)
    try:
        learner = get_student_to_assess(viewer=viewer, id=learner_id, view="api:scores")
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    district = learner.district
    finder = StandardFinder(district, {s.standard for s in body.scores})
    problems: list[dict[str, Any]] = []
    rows = []
    now = timezone.now()
    for index, entry in enumerate(body.scores):
        item_id, reason = finder.find(entry.standard)
        if item_id is None:
            problems.append({"index": index, "field": "standard", "reason": reason})
            continue
        if (entry.correct is None) == (entry.score is None):
            reason = "give correct, or a score with its max_score"
            problems.append({"index": index, "field": "correct", "reason": reason})
            continue
        when = entry.observed_at or now
        if timezone.is_naive(when):
            when = timezone.make_aware(when, timezone.get_default_timezone())
        rows.append(
            ObservationRow(
                learner_id=learner.pk,
                item_ids=[item_id],
                observed_at=when,
                correct=entry.correct,
                score=entry.score,
                max_score=entry.max_score,
                source_ref=f"{viewer.username}|{entry.note}"[:255],
            )
        )
    if problems:
        return Status(400, {"detail": "no score was recorded", "errors": problems})
    try:
        created, states = record_evidence(
            district=district, rows=rows, source=Observation.Source.TEACHER, user=request.user
        )
    except EvidenceRejected as exc:
        errors = [p.as_dict() for p in exc.problems]
        return Status(400, {"detail": "no score was recorded", "errors": errors})
    threshold = mastered_at(district.pk)
    return {"observations": len(created), "states": [_state(s, threshold) for s in states]}
