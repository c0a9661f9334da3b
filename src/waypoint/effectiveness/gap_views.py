"""The gaps page: proficiency, mean scale score and median SGP by subgroup, district → school,
the gaps to the highest group and to all learners, and the trend across years.

The page and its CSV are one published set: :func:`waypoint.reports.equity.gap_report` (the
same call ``waypoint report gaps`` makes) over every year and subject of the viewer's scope.
The year, subject, school and trend-group choices only pick which of its rows to show.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.access.selectors import NotVisible
from waypoint.effectiveness.charts import ValueBar, line_chart, value_bars
from waypoint.effectiveness.measures import SUBGROUPS
from waypoint.reports.equity import (
    GAP_DIMENSIONS,
    GapReport,
    GapRow,
    gap_report,
    report_scope,
    value_label,
)
from waypoint.reports.published import ALL
from waypoint.reports.suppression import HIDDEN_TEXT
from waypoint.roster.models import SchoolYear
from waypoint.web.context import get_viewer

SUBGROUP_LABELS = SUBGROUPS


def _report(request: HttpRequest) -> GapReport:
    return gap_report(scope=report_scope(get_viewer(request)))


def _points(x: float | None) -> str:
    return "" if x is None else f"{x:+.1f}".replace("+0.0", "0.0")


def _sgp(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _row(report: GapReport, r: GapRow) -> dict[str, Any]:
    hidden = r.learners == HIDDEN_TEXT
    label = (
        report.places.get(r.place, str(r.place))
        if r.dimension == ALL
        else value_label(r.dimension, r.value)
    )
    if hidden:
        why = "hidden (small group)"
    elif r.rate is None:
        why = f"{r.proficient_percent} proficient (coded or hidden)"
    else:
        why = f"{r.proficient_percent} proficient of {r.learners} learners"
    return {
        "label": label,
        "place": r.place,
        "dimension": r.dimension,
        "learners": r.learners,
        "proficient": r.proficient_percent,
        "mean": "" if r.mean_score is None else f"{r.mean_score:.1f}",
        "sgp_learners": r.sgp_learners,
        "median_sgp": _sgp(r.median_sgp),
        "gap_to_highest": _points(r.gap_to_highest),
        "gap_to_all": _points(r.gap_to_all),
        "sgp_gap_to_highest": _points(r.sgp_gap_to_highest),
        "bar": ValueBar(label, r.rate, why),
        "sgp_bar": ValueBar(
            label,
            r.median_sgp,
            "hidden (small group)"
            if hidden
            else (
                "no SGPs"
                if r.median_sgp is None
                else f"median SGP {r.median_sgp:g} of {r.sgp_learners} learners"
            ),
        ),
    }


def _pick(options: list[Any], text: str | None, default: Any) -> Any:
    for option in options:
        if str(option) == text:
            return option
    return default


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    """One year and subject: by school, then the chosen place by subgroup, then the trend."""
    report = _report(request)
    rows = report.rows
    subjects = sorted({r.subject for r in rows})
    years = sorted({r.year for r in rows})
    subject = _pick(
        subjects,
        request.GET.get("subject"),
        "mathematics" if "mathematics" in subjects else (subjects[0] if subjects else ""),
    )
    year = _pick(years, request.GET.get("year"), years[-1] if years else None)
    places: list[Hashable] = [
        r.place for r in rows if r.year == year and r.subject == subject and r.dimension == ALL
    ]
    school = request.GET.get("school")
    place = _pick(places, school, ALL)
    if school and str(place) != school:
        raise NotVisible()  # another school (or none): the same 404 as a missing one
    titles = dict(
        SchoolYear.objects.filter(district=report.scope.district).values_list(
            "start_date__year", "title"
        )
    )

    def _year_title(start: int | None) -> str:
        return "" if start is None else titles.get(start, str(start))

    dimension = _pick(list(GAP_DIMENSIONS), request.GET.get("trend"), GAP_DIMENSIONS[0])

    this = [r for r in rows if r.year == year and r.subject == subject]
    overview = [_row(report, r) for r in this if r.dimension == ALL]
    everyone = next((r for r in this if r.place == place and r.dimension == ALL), None)
    detail = [_row(report, r) for r in this if r.place == place and r.dimension != ALL]
    for d in detail:
        d["dimension_label"] = SUBGROUP_LABELS.get(d["dimension"], d["dimension"])

    # trend: every year of the subject at the chosen place, all learners and the chosen group
    trend_rows = [
        r
        for r in rows
        if r.subject == subject and r.place == place and r.dimension in (ALL, dimension)
    ]
    groups: list[tuple[str, Hashable]] = []
    for r in trend_rows:
        if (r.dimension, r.value) not in groups:
            groups.append((r.dimension, r.value))
    cell = {(r.dimension, r.value, r.year): r for r in trend_rows}
    trend: list[dict[str, Any]] = []
    for dim, value in groups:
        cells: list[dict[str, Any]] = []
        for y in years:
            c = cell.get((dim, value, y))
            cells.append(
                {
                    "year": y,
                    "proficient": c.proficient_percent if c else "—",
                    "gap_to_all": _points(c.gap_to_all) if c else "",
                    "median_sgp": _sgp(c.median_sgp) if c else "",
                    "rate": c.rate if c else None,
                }
            )
        trend.append({"label": value_label(dim, value), "cells": cells})
    place_name = report.places.get(place, str(place))
    subject_name = value_label("subject", subject) if subject else ""
    year_labels = [_year_title(y) for y in years]
    context = {
        "report": report,
        "subjects": [(s, value_label("subject", s)) for s in subjects],
        "subject": subject,
        "subject_name": subject_name,
        "years": [(y, _year_title(y)) for y in years],
        "year": year,
        "year_name": _year_title(year) if year is not None else "",
        "place": place,
        "place_name": place_name,
        "dimensions": [(d, SUBGROUP_LABELS[d]) for d in GAP_DIMENSIONS],
        "dimension": dimension,
        "dimension_name": SUBGROUP_LABELS[dimension],
        "overview": overview,
        "detail": detail,
        "trend": trend,
        "trend_years": year_labels,
        "overview_chart": value_bars(
            f"Percent proficient in {subject_name} by school, {_year_title(year)}",
            [r["bar"] for r in overview],
            chart_id="gaps-overview",
        ),
        "detail_chart": value_bars(
            f"Percent proficient in {subject_name} by group, {place_name}, {_year_title(year)}",
            [r["bar"] for r in detail],
            chart_id="gaps-detail",
            reference=everyone.rate if everyone else None,
            reference_label="all learners",
        ),
        "sgp_chart": value_bars(
            f"Median SGP in {subject_name} by group, {place_name}, {_year_title(year)}",
            [r["sgp_bar"] for r in detail],
            chart_id="gaps-sgp",
            reference=50.0,
            reference_label="typical growth",
            unit="",
        ),
        "trend_chart": line_chart(
            f"Percent proficient in {subject_name} by year, {place_name}, "
            f"{SUBGROUP_LABELS[dimension]}",
            year_labels,
            [(t["label"], [c["rate"] for c in t["cells"]]) for t in trend],
            chart_id="gaps-trend",
        ),
        "note": report.published.result.note(),
        "note_cells": report.published.result.note(label=report.label),
    }
    return render(request, "effectiveness/gaps.html", context)


@login_required
def gaps_csv(request: HttpRequest) -> HttpResponse:
    """The whole published set as CSV: every year, subject, school and group, as on the page
    (the same rows as ``waypoint report gaps --csv``)."""
    report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gaps.csv"'
    csv.writer(response).writerows(report.csv_rows())
    return response
