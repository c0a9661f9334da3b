"""Median SGP by teacher of record, by school and by group: a page and its CSV (one published
set, :mod:`waypoint.reports.teacher_growth`). District admins see the district's teachers,
school leaders the teachers of their schools' learners, a teacher only their own rows."""

from __future__ import annotations

import csv
from collections.abc import Hashable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.access.selectors import NotVisible
from waypoint.effectiveness.charts import ValueBar, value_bars
from waypoint.effectiveness.views import _year
from waypoint.reports.equity import value_label
from waypoint.reports.published import ALL
from waypoint.reports.teacher_growth import TeacherGrowthReport, teacher_growth_report
from waypoint.roster.models import SchoolYear
from waypoint.web.context import get_viewer


def _report(request: HttpRequest) -> TeacherGrowthReport:
    viewer = get_viewer(request)
    return teacher_growth_report(viewer=viewer, year=_year(viewer, request.GET.get("year")))


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


@login_required
def growth(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    rows = report.teacher_rows()
    choices: list[tuple[str, str]] = [("all", "All learners")]
    seen: set[str] = {"all"}
    for r in rows:
        key = f"{r.dimension}:{r.value}"
        if r.dimension != ALL and key not in seen:
            seen.add(key)
            choices.append((key, value_label(r.dimension, r.value)))
    group = request.GET.get("group", "all")
    if group not in seen:
        group = "all"
    dim, _, value = group.partition(":") if group != "all" else (ALL, "", ALL)
    shown = [r for r in rows if r.dimension == dim and str(r.value) == str(value)]
    school_param = request.GET.get("school")
    if school_param:
        # drill-down to one school: a school without rows the viewer may see is a 404
        shown = [r for r in shown if str(r.school) == school_param]
        if not any(str(r.school) == school_param for r in rows):
            raise NotVisible()
    by_school: dict[tuple[str, Hashable], list[dict[str, Any]]] = {}
    bars = []
    for r in shown:
        school = report.schools.get(r.school, str(r.school))
        teacher = report.teacher_name(r)
        by_school.setdefault((school, r.school), []).append(
            {
                "teacher": teacher,
                "learners": r.learners,
                "median": _num(r.median_sgp),
                "weighted": _num(r.weighted_median_sgp),
            }
        )
        text = (
            "hidden (small group)"
            if r.hidden
            else f"median SGP {_num(r.median_sgp)}, weighted {_num(r.weighted_median_sgp)}, "
            f"{r.learners} learners"
        )
        bars.append(ValueBar(f"{teacher}, {school}", r.median_sgp, text))
    group_name = dict(choices)[group]
    years = SchoolYear.objects.filter(district_id=report.district.pk).order_by("-start_date")
    context = {
        "report": report,
        "years": years,
        "choices": choices,
        "group": group,
        "group_name": group_name,
        "schools": [(name, pk, rows) for (name, pk), rows in sorted(by_school.items(), key=str)],
        "school_param": school_param or "",
        "chart": value_bars(
            f"Median SGP by teacher of record, {group_name}, {report.year.title}",
            bars,
            chart_id="growth",
            reference=50.0,
            reference_label="typical growth",
            unit="",
        ),
        "note": report.published.result.note(),
        "note_cells": report.published.result.note(label=report.label),
        "leader": report_viewer_is_leader(request),
    }
    return render(request, "effectiveness/growth.html", context)


def report_viewer_is_leader(request: HttpRequest) -> bool:
    viewer = get_viewer(request)
    return viewer.is_district_admin or bool(viewer.led_school_ids)


@login_required
def growth_csv(request: HttpRequest) -> HttpResponse:
    """Every teacher row the viewer may see, every school and group, as on the page."""
    report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"growth-by-teacher-{report.year.start_date.year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(report.csv_rows())
    return response
