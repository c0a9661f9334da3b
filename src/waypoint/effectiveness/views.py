"""The leader dashboard: access to effective teachers and principals, district → school →
subgroup, with charts and the CSV export of the same published set."""

from __future__ import annotations

import csv
from collections.abc import Hashable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import Viewer
from waypoint.effectiveness.charts import Bar, stacked_bars
from waypoint.reports.equity import (
    LEVEL_LABELS,
    ROLES,
    UNITS,
    AccessReport,
    access_report,
    report_scope,
    value_label,
)
from waypoint.reports.published import ALL, N
from waypoint.roster.models import SchoolYear
from waypoint.web.context import get_viewer

ROLE_LABELS = {"teacher": "Teacher of record", "principal": "Principal", "both": "Both"}


def _year(viewer: Viewer, text: str | None) -> SchoolYear:
    if viewer.district_id is None:
        raise NotVisible()
    years = SchoolYear.objects.filter(district_id=viewer.district_id)
    if text:
        year = years.filter(pk=text).first() if text.isdigit() else None
        if year is None:
            raise NotVisible()
        return year
    if viewer.school_year is None:
        raise NotVisible()
    return viewer.school_year


def _report(request: HttpRequest) -> AccessReport:
    viewer = get_viewer(request)
    scope = report_scope(viewer)
    unit = request.GET.get("unit", "learner")
    if unit not in UNITS:
        unit = "learner"
    return access_report(scope=scope, year=_year(viewer, request.GET.get("year")), unit=unit)


def _row(
    report: AccessReport, place: Hashable, dim: str, value: Hashable, role: str
) -> dict[str, Any]:
    group = (report.year.title, place, dim, value)
    n = report.published.result[(N, *group)]
    row: dict[str, Any] = {
        "label": value_label(dim, value) if dim != ALL else report.places.get(place, str(place)),
        "place": place,
        "learners": n.text,
        "hidden": n.hidden,
    }
    published = report.published
    cells = {m: (f"{role}_{m}", *group) for m in ("he", "e", "nr")}
    for m in ("he", "e", "nr"):
        row[m] = published.count(cells[m])
        row[f"{m}_pct"] = published.percent(cells[m])
    row["eob"], row["eob_pct"] = report.effective_or_better(role, group)
    shares = None
    if not n.hidden and n.value and not any(published.is_hidden(c) for c in cells.values()):
        he, e, nr = (published.value(cells[m]) for m in ("he", "e", "nr"))
        other = n.value - he - e - nr
        shares = tuple(100.0 * x / n.value for x in (he, e, other, nr))
    text = (
        f"{row['learners']} learners; highly effective {row['he_pct']}, effective "
        f"{row['e_pct']}, not rated {row['nr_pct']}"
    )
    row["bar"] = Bar(row["label"], shares, text)  # type: ignore[arg-type]
    return row


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """District (or the leader's schools) → school → grade / subject / subgroup."""
    report = _report(request)
    role = request.GET.get("role", "teacher")
    if role not in ROLES:
        role = "teacher"
    place_param = request.GET.get("school", "")
    places = [g[1] for g in report.published.groups if g[2] == ALL]
    place: Hashable = ALL
    for p in places:
        if str(p) == place_param:
            place = p
    if place_param and str(place) != place_param:
        raise NotVisible()  # a school outside the viewer's scope: the same 404 as a missing one
    overview = [_row(report, p, ALL, ALL, role) for p in places]
    detail: list[dict[str, Any]] = []
    for _, p, dim, value in report.published.groups:
        if p == place and dim != ALL:
            row = _row(report, p, dim, value, role)
            row["dimension"] = dim
            detail.append(row)
    years = SchoolYear.objects.filter(district_id=report.scope.district.pk).order_by("-start_date")
    context = {
        "report": report,
        "role": role,
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES],
        "units": [("learner", "Per learner"), ("learner_subject", "Per learner and subject")],
        "years": years,
        "place": place,
        "place_name": report.places.get(place, str(place)),
        "overview": overview,
        "detail": detail,
        "overview_chart": stacked_bars(
            f"{ROLE_LABELS[role]} rating, by school, {report.year.title}",
            [r["bar"] for r in overview],
            chart_id="overview",
        ),
        "detail_chart": stacked_bars(
            f"{ROLE_LABELS[role]} rating by group, {report.places.get(place, place)}",
            [r["bar"] for r in detail],
            chart_id="detail",
        ),
        "levels": LEVEL_LABELS,
        "note": report.published.note(),
        "note_cells": report.published.note(label=report.label),
    }
    return render(request, "effectiveness/dashboard.html", context)


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The whole published set as CSV: every level, the same cells as the page."""
    report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"access-{report.year.start_date.year}-{report.unit}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    csv.writer(response).writerows(report.csv_rows())
    return response
