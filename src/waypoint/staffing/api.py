"""Scenarios in the API (``/api/v1/staffing/…``), under the planner pages' rules.

Another school's or district's scenario is a 404; bad parameters a 400 naming each value,
with the saved scenario unchanged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.access.viewer import request_viewer
from waypoint.staffing import selectors
from waypoint.staffing.model_templates import ParameterError
from waypoint.staffing.models import Scenario
from waypoint.staffing.services import save_scenario

router = Router(tags=["staffing"])


class ScenarioIn(Schema):
    school_id: int
    name: str
    template: str = Scenario.Template.MCL
    parameters: dict[str, Any] = {}


class ScenarioUpdate(Schema):
    name: str | None = None
    parameters: dict[str, Any] = {}


class ScenarioOut(Schema):
    id: int
    school_id: int
    school_year: str
    name: str
    template: str
    parameters: dict[str, Any]
    plan: dict[str, Any]
    result: dict[str, Any]


class Problems(Schema):
    detail: str
    errors: dict[str, str]


def _out(s: Scenario) -> dict[str, Any]:
    return {
        "id": s.pk,
        "school_id": s.school_id,
        "school_year": s.school_year.title,
        "name": s.name,
        "template": s.template,
        "parameters": s.parameters,
        "plan": s.plan,
        "result": s.result,
    }


def _problems(exc: ParameterError) -> Status[dict[str, Any]]:
    return Status(400, {"detail": "nothing was saved", "errors": exc.errors})


@router.get("/scenarios", response=list[ScenarioOut])
def list_scenarios(request: HttpRequest) -> Any:
    return [_out(s) for s in selectors.scenario_list(viewer=request_viewer(request))]


@router.get("/scenarios/{scenario_id}", response={200: ScenarioOut})
def get_scenario(request: HttpRequest, scenario_id: str) -> Any:
    return _out(selectors.get_scenario(viewer=request_viewer(request), id=scenario_id))


@router.post("/scenarios", response={201: ScenarioOut, 400: Problems})
def create_scenario(request: HttpRequest, body: ScenarioIn) -> Any:
    viewer = request_viewer(request)
    school = selectors.get_planning_school(viewer=viewer, id=body.school_id)
    try:
        scenario = save_scenario(
            viewer,
            school=school,
            year=selectors.planning_year(viewer=viewer),
            name=body.name,
            template=body.template,
            parameters=body.parameters,
            user=request.user,
        )
    except ParameterError as exc:
        return _problems(exc)
    return Status(201, _out(scenario))


@router.put("/scenarios/{scenario_id}", response={200: ScenarioOut, 400: Problems})
def update_scenario(request: HttpRequest, scenario_id: str, body: ScenarioUpdate) -> Any:
    viewer = request_viewer(request)
    scenario = selectors.get_scenario(viewer=viewer, id=scenario_id)
    try:
        scenario = save_scenario(
            viewer,
            school=scenario.school,
            year=scenario.school_year,
            name=body.name if body.name is not None else scenario.name,
            template=scenario.template,
            parameters={**scenario.parameters, **body.parameters},
            scenario=scenario,
            user=request.user,
        )
    except ParameterError as exc:
        return _problems(exc)
    return _out(scenario)
