"""The dashboard in the API (``/api/v1/classroom/…``): every action of the pages, same rules.

A section that is not the viewer's, or a learner they may not see, is a 404; someone who may
look but not teach (a school leader saving groups) gets a 403; bad input a 400 with every
reason, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from waypoint.access.selectors import NotAllowed
from waypoint.access.viewer import request_viewer
from waypoint.classroom import selectors, services
from waypoint.classroom.models import Intervention

router = Router(tags=["classroom"])


class StandardOut(Schema):
    id: int
    code: str
    statement: str
    grade_level: bool
    domain_id: int | None


class CellOut(Schema):
    standard_id: int
    probability: float | None
    observations: int
    mastered: bool
    ready: bool
    stuck: bool


class StepOut(Schema):
    action: str
    standard_id: int | None
    expected_gain: float
    reason: str


class RowOut(Schema):
    learner_id: int
    name: str
    flags: list[str]
    pace: str
    mastered: int
    need: int | None
    cells: list[CellOut]
    next_steps: list[StepOut]


class DashboardOut(Schema):
    section_id: int
    mastered_at: float
    standards: list[StandardOut]
    rows: list[RowOut]


class GroupOut(Schema):
    target_id: int
    target: str
    learners: list[int]
    explanation: str


class SuggestionOut(Schema):
    status: str
    gap: float
    seconds: float
    groups: list[GroupOut]


class SuggestQuery(Schema):
    targets: list[int] = Field(default_factory=list)
    min_size: int = 3
    max_size: int = 6


class GroupIn(Schema):
    target_id: int
    learner_ids: list[int] = Field(min_length=1)
    led_by_id: int | None = None
    note: str = Field(default="", max_length=200)


class GroupsIn(Schema):
    meets_on: dt.date
    groups: list[GroupIn] = Field(min_length=1, max_length=40)


class SavedGroupOut(Schema):
    id: int
    meets_on: dt.date
    target_id: int
    led_by_id: int | None
    learners: list[int]


class InterventionIn(Schema):
    learner_id: int
    action: str = Field(description=", ".join(Intervention.Action.values))
    standard_id: int | None = None
    done_on: dt.date | None = None
    section_id: int | None = None
    note: str = Field(default="", max_length=300)


class InterventionOut(Schema):
    id: int
    learner_id: int
    action: str
    standard_id: int | None
    done_on: dt.date
    mastery_before: float | None
    comparisons: int


class OutcomeOut(Schema):
    action: str
    treated: int
    treated_change: float | None
    compared: int
    compared_change: float | None
    difference: float | None


class Refusal(Schema):
    detail: str
    errors: list[str] = []


def _steps(dash: selectors.Dashboard, row: selectors.Row) -> list[dict[str, Any]]:
    return [
        {
            "action": str(step.action),
            "standard_id": step.standard,
            "expected_gain": step.expected_gain,
            "reason": step.reason,
        }
        for step in selectors.next_steps(dash, row, 3)
    ]


@router.get("/sections/{section_id}/dashboard", response={200: DashboardOut, 404: Refusal})
def dashboard(request: HttpRequest, section_id: str, domain: str = "", sort: str = "name") -> Any:
    """The learners × standards grid with flags, needs and each learner's next best steps."""
    dash = selectors.section_dashboard(
        viewer=request_viewer(request), section_id=section_id, domain=domain, sort=sort
    )
    return {
        "section_id": dash.section.pk,
        "mastered_at": dash.mastered_at,
        "standards": [s.__dict__ for s in dash.standards],
        "rows": [
            {
                "learner_id": row.learner.pk,
                "name": row.learner.display_name,
                "flags": list(row.flags),
                "pace": row.pace,
                "mastered": row.mastered,
                "need": row.need,
                "cells": [c.__dict__ for c in row.cells],
                "next_steps": _steps(dash, row),
            }
            for row in dash.rows
        ],
    }


@router.get(
    "/sections/{section_id}/groups/suggested",
    response={200: SuggestionOut, 400: Refusal, 404: Refusal},
)
def suggested(request: HttpRequest, section_id: str, query: Query[SuggestQuery]) -> Any:
    dash = selectors.section_dashboard(viewer=request_viewer(request), section_id=section_id)
    try:
        grouping = selectors.suggested_groups(
            dash,
            targets=query.targets or None,
            min_size=query.min_size,
            max_size=query.max_size,
        )
    except ValueError as exc:
        return Status(400, {"detail": str(exc)})
    return {
        "status": grouping.status,
        "gap": grouping.gap,
        "seconds": grouping.seconds,
        "groups": [
            {
                "target_id": group.target,
                "target": dash.label(group.target),
                "learners": list(group.learners),
                "explanation": group.explanation,
            }
            for group in grouping.groups
        ],
    }


def _saved(groups: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": g.pk,
            "meets_on": g.meets_on,
            "target_id": g.target_id,
            "led_by_id": g.led_by_id,
            "learners": sorted(p.pk for p in g.learners.all()),
        }
        for g in groups
    ]


@router.get("/sections/{section_id}/groups", response={200: list[SavedGroupOut], 404: Refusal})
def saved(request: HttpRequest, section_id: str) -> Any:
    """The section's most recent saved groups."""
    section = selectors.dashboard_section(viewer=request_viewer(request), section_id=section_id)
    return _saved(selectors.saved_groups(section=section)[1])


@router.post(
    "/sections/{section_id}/groups",
    response={200: list[SavedGroupOut], 400: Refusal, 403: Refusal, 404: Refusal},
)
def save(request: HttpRequest, section_id: str, body: GroupsIn) -> Any:
    """Save the day's groups (replacing that day's). All or nothing."""
    try:
        groups = services.save_groups(
            viewer=request_viewer(request),
            user=request.user,
            section_id=section_id,
            meets_on=body.meets_on,
            groups=[
                services.GroupPlan(g.target_id, g.learner_ids, g.led_by_id, g.note)
                for g in body.groups
            ],
        )
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except services.ClassroomError as exc:
        return Status(400, {"detail": "no group was saved", "errors": exc.problems})
    return _saved(groups)


@router.post(
    "/interventions", response={200: InterventionOut, 400: Refusal, 403: Refusal, 404: Refusal}
)
def record(request: HttpRequest, body: InterventionIn) -> Any:
    """Record what was done for a learner (compared later with similar learners)."""
    viewer = request_viewer(request)
    try:
        done = services.record_intervention(
            viewer=viewer,
            user=request.user,
            learner_id=body.learner_id,
            action=body.action,
            standard_id=body.standard_id,
            section_id=body.section_id,
            done_on=body.done_on or viewer.today,
            note=body.note,
        )
    except NotAllowed as exc:
        return Status(403, {"detail": str(exc)})
    except services.ClassroomError as exc:
        return Status(400, {"detail": "nothing was recorded", "errors": exc.problems})
    return {
        "id": done.pk,
        "learner_id": done.learner_id,
        "action": done.action,
        "standard_id": done.standard_id,
        "done_on": done.done_on,
        "mastery_before": done.mastery_before,
        "comparisons": done.comparisons.count(),
    }


@router.get("/sections/{section_id}/outcomes", response={200: list[OutcomeOut], 404: Refusal})
def section_outcomes(request: HttpRequest, section_id: str) -> Any:
    """Did it work: per action, mastery change since, against comparable learners."""
    section = selectors.dashboard_section(viewer=request_viewer(request), section_id=section_id)
    return [
        {**o.__dict__, "difference": o.difference}
        for o in selectors.outcomes(selectors.section_interventions(section=section))
    ]
