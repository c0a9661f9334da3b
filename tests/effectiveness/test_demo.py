"""The demo district's effectiveness data: every report shows real numbers."""

from __future__ import annotations

import io
import time
from collections import Counter

from django.core.management import call_command

from waypoint.effectiveness.measures import counted_learners
from waypoint.effectiveness.models import EffectivenessRating, GrowthPercentile, ScaleScore
from waypoint.reports.equity import Scope, access_report, gap_report
from waypoint.reports.published import ALL, N
from waypoint.roster.models import District, SchoolYear


def test_demo_has_scores_ratings_growth_and_reports(db: None) -> None:
    out = io.StringIO()
    started = time.monotonic()
    call_command("demo", "--no-serve", "--learners", "600", stdout=out, stderr=io.StringIO())
    seconds = time.monotonic() - started
    assert "growth percentiles" in out.getvalue(), out.getvalue()
    district = District.objects.get(slug="demo")
    years = sorted(
        ScaleScore.objects.filter(district=district)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    assert len(years) == 4
    assert EffectivenessRating.objects.filter(district=district).count() > 20
    assert GrowthPercentile.objects.filter(district=district).count() > 500
    year = SchoolYear.objects.filter(district=district).order_by("-start_date").first()
    report = access_report(scope=Scope(district, None), year=year)
    total = report.published.result[(N, year.title, ALL, ALL, ALL)]
    assert not total.hidden and total.value >= 500
    he = report.published.result[("teacher_he", year.title, ALL, ALL, ALL)]
    assert 0 < he.value < total.value
    gaps = gap_report(scope=Scope(district, None))
    shown = [r for r in gaps.rows if r.median_sgp is not None and r.dimension != ALL]
    assert shown and any(r.gap_to_highest is not None for r in gaps.rows)
    # the subgroup drill-down has real groups: the demo fills Demographics (gender, race and
    # ethnicity) for nearly every learner, so "Not reported" is a small minority
    counted = counted_learners(year).values()
    races = Counter(c.groups["race"] for c in counted)
    genders = Counter(c.groups["gender"] for c in counted)
    assert len(set(races) - {"Not reported"}) >= 4, races
    assert {"Female", "Male"} <= set(genders), genders
    assert races["Not reported"] < 0.05 * len(counted) > genders["Not reported"], (races, genders)
    assert seconds < 120, seconds
