"""Planner pages: saved scenarios, a new or edited scenario, side-by-side comparison, CSV,
and weighted student funding. District admins plan for every school, school leaders for
their own; anyone else gets a 404."""

from __future__ import annotations

import csv
from collections.abc import Hashable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waypoint.access.selectors import NotVisible
from waypoint.roster.models import Section
from waypoint.staffing import funding, positions, selectors
from waypoint.staffing.charts import projection_bars, reach_bars
from waypoint.staffing.model_templates import DEFAULTS, LABELS, ParameterError
from waypoint.staffing.models import Position, Scenario
from waypoint.staffing.services import save_scenario
from waypoint.staffing.summary import CSV_HEADER, csv_rows, parameter_rows, summarize
from waypoint.web.context import get_viewer

EDITABLE = [name for name in LABELS if name != "method"]


def _form_values(template: str, source: dict[str, Any]) -> list[dict[str, Any]]:
    defaults = DEFAULTS[template]
    out = []
    for name in EDITABLE:
        value = source.get(name, defaults[name])
        if isinstance(value, list):
            value = " ".join(value)
        out.append({"name": name, "label": LABELS[name], "value": "" if value is None else value})
    return out


def _posted(request: HttpRequest) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in EDITABLE:
        if name in request.POST:
            raw[name] = request.POST[name].strip()
    if "bands" in raw:
        raw["bands"] = [b for b in raw["bands"].replace(",", " ").split() if b]
    raw["method"] = request.POST.get("method", "optimizer")
    return raw


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    scenarios = list(selectors.scenario_list(viewer=viewer))
    return render(
        request,
        "staffing/index.html",
        {
            "summaries": [summarize(s) for s in scenarios],
            "schools": selectors.planning_schools(viewer=viewer),
            "templates": Scenario.Template.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    schools = selectors.planning_schools(viewer=viewer)
    data = request.POST if request.method == "POST" else request.GET
    template = data.get("template", Scenario.Template.MCL)
    if template not in DEFAULTS:
        template = Scenario.Template.MCL
    errors: dict[str, str] = {}
    if request.method == "POST":
        school = selectors.get_planning_school(viewer=viewer, id=request.POST.get("school"))
        raw = _posted(request)
        try:
            scenario = save_scenario(
                viewer,
                school=school,
                year=selectors.planning_year(viewer=viewer),
                name=request.POST.get("name", ""),
                template=template,
                parameters=raw,
                user=request.user,
            )
        except ParameterError as exc:
            errors = exc.errors
        else:
            return redirect("staffing:detail", scenario.pk)
        fields = _form_values(template, raw)
    else:
        fields = _form_values(template, {})
    return render(
        request,
        "staffing/form.html",
        {
            "schools": schools,
            "school_id": str(data.get("school", "")),
            "name": data.get("name", ""),
            "template": template,
            "templates": Scenario.Template.choices,
            "fields": fields,
            "method": data.get("method", "optimizer"),
            "errors": errors,
            "scenario": None,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, scenario_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    scenario = selectors.get_scenario(viewer=viewer, id=scenario_id)
    errors: dict[str, str] = {}
    fields = _form_values(scenario.template, scenario.parameters)
    if request.method == "POST":
        raw = _posted(request)
        try:
            scenario = save_scenario(
                viewer,
                school=scenario.school,
                year=scenario.school_year,
                name=request.POST.get("name", ""),
                template=scenario.template,
                parameters=raw,
                scenario=scenario,
                user=request.user,
            )
        except ParameterError as exc:
            errors = exc.errors
            fields = _form_values(scenario.template, raw)
            scenario = selectors.get_scenario(viewer=viewer, id=scenario_id)  # as saved
        else:
            return redirect("staffing:detail", scenario.pk)
    summary = summarize(scenario)
    return render(
        request,
        "staffing/detail.html",
        {
            "s": summary,
            "scenario": scenario,
            "parameters": parameter_rows(scenario),
            "fields": fields,
            "method": scenario.parameters.get("method", "optimizer"),
            "errors": errors,
            "chart": reach_bars([summary], chart_id="reach"),
            "projection_chart": projection_bars(scenario, chart_id="budget"),
            "projection": scenario.result.get("projection", {}),
        },
        status=400 if errors else 200,
    )


def _chosen(request: HttpRequest) -> list[Scenario]:
    viewer = get_viewer(request)
    ids = request.GET.getlist("ids")
    if not ids:
        return list(selectors.scenario_list(viewer=viewer))
    return [selectors.get_scenario(viewer=viewer, id=i) for i in dict.fromkeys(ids)]


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    summaries = [summarize(s) for s in _chosen(request)]
    if not summaries:
        raise NotVisible()
    return render(
        request,
        "staffing/compare.html",
        {
            "summaries": summaries,
            "chart": reach_bars(summaries, chart_id="compare"),
            "ids": [s.scenario.pk for s in summaries],
        },
    )


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="waypoint-scenarios.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for scenario in _chosen(request):
        writer.writerows(csv_rows(summarize(scenario)))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def funding_page(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    schools: dict[Hashable, str] = {s.pk: s.name for s in selectors.planning_schools(viewer=viewer)}
    year = selectors.planning_year(viewer=viewer)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not viewer.is_district_admin:
            return HttpResponse("Only a district administrator sets the formula.", status=403)
        weights = {
            "economically_disadvantaged": request.POST.get("economically_disadvantaged", "0"),
            "english_learner": request.POST.get("english_learner", "0"),
            "gifted": request.POST.get("gifted", "0"),
            "grade_bands": {
                b: request.POST.get(f"band_{b}", "0")
                for b in funding.DEFAULT_WEIGHTS["grade_bands"]
            },
            "disability_levels": {
                k: request.POST.get(f"disability_{k or 'none'}", "0")
                for k in funding.DEFAULT_WEIGHTS["disability_levels"]
            },
        }
        try:
            funding.save_formula(
                selectors.planning_district(viewer=viewer),
                base=request.POST.get("base", ""),
                weights=_numbers(weights),
                user=request.user,
            )
        except ParameterError as exc:
            errors = exc.errors
        else:
            return redirect("staffing:funding")
    allocations = [a for a in funding.allocations(year) or () if a.school in schools]
    formula = funding.current_formula(year.district_id)
    return render(
        request,
        "staffing/funding.html",
        {
            "rows": [(schools[a.school], a) for a in allocations],
            "formula": formula,
            "weights": funding.weight_rows(formula),
            "errors": errors,
            "can_edit": viewer.is_district_admin,
            "year": year,
        },
        status=400 if errors else 200,
    )


def _numbers(weights: dict[str, Any]) -> dict[str, Any]:
    """Form text to numbers; text that is not a number is kept for the formula to name."""

    def num(text: object) -> object:
        try:
            return float(str(text).strip())
        except ValueError:
            return text

    return {
        k: ({kk: num(vv) for kk, vv in v.items()} if isinstance(v, dict) else num(v))
        for k, v in weights.items()
    }


@login_required
def school_staffing(request: HttpRequest, school_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    school = selectors.get_planning_school(viewer=viewer, id=school_id)
    year = selectors.planning_year(viewer=viewer)
    rows = positions.school_positions(viewer, school, year)
    active = [r for r in rows if r.position.active]
    return render(
        request,
        "staffing/school.html",
        {
            "school": school,
            "year": year,
            "rows": rows,
            "total": sum(float(r.position.salary) for r in active),
            "vacant": sum(1 for r in active if r.position.staff_id is None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_position(request: HttpRequest, position_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    position = selectors.get_position(viewer=viewer, id=position_id)
    year = selectors.planning_year(viewer=viewer)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "kind": position.kind,
        "fte": position.fte,
        "salary": position.salary,
        "lane": position.lane,
        "step": "" if position.step is None else position.step,
        "certifications": " ".join(position.certifications),
        "active": position.active,
        "covers": [str(s.pk) for s in position.covers.all()],
    }
    if request.method == "POST":
        data: dict[str, Any] = {
            k: request.POST.get(k, "") for k in ("kind", "fte", "salary", "lane", "step")
        }
        data["certifications"] = request.POST.get("certifications", "")
        data["active"] = request.POST.get("active") == "on"
        if position.staff_id is None:
            data["covers"] = request.POST.getlist("covers")
        try:
            positions.update_position(user=request.user, position=position, data=data, year=year)
        except ParameterError as exc:
            errors = exc.errors
            values.update(data)
        else:
            return redirect("staffing:school", position.school_id)
    sections = (
        Section.objects.filter(school=position.school, school_year=year).order_by("title")
        if position.staff_id is None
        else Section.objects.none()
    )
    return render(
        request,
        "staffing/position.html",
        {
            "position": position,
            "values": values,
            "kinds": Position.Kind.choices,
            "sections": sections,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
