"""The equity reports: who may open them, what they count, what they hide, the commands."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import viewer_for
from waypoint.effectiveness.growth import compute_growth
from waypoint.effectiveness.models import (
    EffectivenessRating,
    GrowthKnots,
    GrowthPercentile,
    ScaleScore,
)
from waypoint.reports.equity import Scope, access_report, gap_report, report_scope
from waypoint.reports.published import ALL, N
from waypoint.roster.models import Enrollment, StaffRole, Subject

L = EffectivenessRating.Level


@pytest.fixture
def district_scene(db: None) -> SimpleNamespace:
    """Two schools: North (24 learners, teacher highly effective, principal effective) and
    South (14 learners, teacher not rated, no principal). 5 English learners at North."""
    s = SimpleNamespace()
    d = s.district = f.DistrictFactory(slug="scene")
    y = s.year = f.SchoolYearFactory(district=d)
    s.north = f.SchoolFactory(district=d, name="North")
    s.south = f.SchoolFactory(district=d, name="South")
    s.principal = f.StaffFactory(district=d)
    f.StaffRoleFactory(person=s.principal, role=StaffRole.Role.SCHOOL_LEADER, school=s.north)
    f.RatingFactory(staff=s.principal, school_year=y, level=L.EFFECTIVE)
    s.tn, s.ts = f.StaffFactory(district=d), f.StaffFactory(district=d)
    f.RatingFactory(staff=s.tn, school_year=y, level=L.HIGHLY_EFFECTIVE)
    sec_n = f.SectionFactory(school=s.north, school_year=y, subject=Subject.MATHEMATICS)
    sec_s = f.SectionFactory(school=s.south, school_year=y, subject=Subject.MATHEMATICS)
    f.EnrollmentFactory(section=sec_n, person=s.tn, role=Enrollment.Role.TEACHER, primary=True)
    f.EnrollmentFactory(section=sec_s, person=s.ts, role=Enrollment.Role.TEACHER, primary=True)
    s.learners = []
    for i in range(38):
        school, sec = (s.north, sec_n) if i < 24 else (s.south, sec_s)
        learner = f.LearnerFactory(district=d, given_name=f"Zanzibar{i}")
        f.LearnerYearFactory(
            learner=learner, school_year=y, school=school, grade=4, english_learner=i < 5
        )
        f.EnrollmentFactory(section=sec, person=learner)
        s.learners.append(learner)
    return s


def test_access_report_counts_and_suppression(district_scene: SimpleNamespace) -> None:
    s = district_scene
    report = access_report(scope=Scope(s.district, None), year=s.year)
    published, r = report.published, report.published.result
    sec = s.year.title

    def value(measure: str, place: object, dim: str = ALL, v: object = ALL) -> int:
        return published.value((measure, sec, place, dim, v))

    assert value(N, ALL) == 38
    assert value("teacher_he", s.north.pk) == 24 and value("teacher_nr", s.south.pk) == 14
    assert value("principal_e", s.north.pk) == 24 and value("principal_nr", s.south.pk) == 14
    assert value("both_e", ALL) == 24 and value("both_nr", ALL) == 14
    assert value("teacher_he", ALL, "english_learner", "Yes") == 5
    # principal and both by group: all of a school's learners or none, so North's English
    # learners under its effective principal are the (hidden) group itself
    assert value("principal_e", s.north.pk, "english_learner", "Yes") == 5
    assert value("principal_he", s.north.pk, "english_learner", "Yes") == 0
    assert value("both_e", ALL, "english_learner", "Yes") == 5
    assert published.count(("principal_e", sec, s.north.pk, "english_learner", "Yes")) == "*"
    assert published.count(("principal_he", sec, s.north.pk, "english_learner", "Yes")) == "0"
    for group in report.published.groups:  # effective or better: shown where both are,
        he, e = r[("teacher_he", *group)], r[("teacher_e", *group)]  # or worked out anyway
        count, _ = report.effective_or_better("teacher", group)
        key = ("teacher_eob", *group)
        if he.hidden or e.hidden:
            assert count == ("*" if key not in published.revealed else f"{he.value + e.value:,}")
        else:
            assert count == f"{he.value + e.value:,}"
    # shown: the totals; hidden: the 5 English learners at North, and enough else that
    # neither they nor what their teachers are rated can be worked out (every North learner
    # has a highly effective teacher, so North's numerators would tell it)
    assert r.count((N, sec, ALL, ALL, ALL)) == "38"
    assert r.count((N, sec, s.south.pk, ALL, ALL)) == "14"
    assert r[(N, sec, s.north.pk, "english_learner", "Yes")].hidden
    assert r[(N, sec, s.north.pk, "english_learner", "No")].hidden
    assert r.percent(("teacher_he", sec, s.north.pk, "english_learner", "Yes")) == "*"
    assert "fewer than 10 learners" in r.note()
    text = "\n".join(",".join(row) for row in report.csv_rows())
    assert "Zanzibar" not in text
    assert "English learner: yes" in text


def test_learner_subject_unit(district_scene: SimpleNamespace) -> None:
    s = district_scene
    report = access_report(scope=Scope(s.district, None), year=s.year, unit="learner_subject")
    r = report.published.result
    sec = s.year.title
    assert r.count((N, sec, ALL, "subject", "mathematics")) == "38"


def test_who_may_open_the_reports(world: SimpleNamespace) -> None:
    assert report_scope(viewer_for(world.admin.user)).schools is None
    leader = report_scope(viewer_for(world.leader.user))
    assert leader.schools == frozenset({world.school_a1.pk})
    for person in (world.t1, world.aide, world.coach, world.guardian, world.l1):
        with pytest.raises(NotVisible):
            report_scope(viewer_for(person.user))
    # another district's year is not visible to this district's admin
    with pytest.raises(NotVisible):
        access_report(scope=report_scope(viewer_for(world.admin.user)), year=world.year_b)


def test_leader_sees_only_their_school(world: SimpleNamespace) -> None:
    report = access_report(scope=report_scope(viewer_for(world.leader.user)), year=world.year_a)
    places = {g[1] for g in report.published.groups}
    assert places == {ALL, world.school_a1.pk}
    assert report.published.counts[(N, world.year_a.title, ALL, ALL, ALL)] == 3  # l1, l2, lf


def _scores(s: SimpleNamespace, years: range) -> None:
    rng = random.Random(7)
    base = {learner.pk: rng.gauss(400, 40) for learner in s.learners}
    for learner in s.learners:
        for k, yr in enumerate(years):
            score = base[learner.pk] + 30 * k + rng.gauss(0, 15)
            ScaleScore.objects.create(
                district=s.district,
                learner=learner,
                subject="mathematics",
                year=yr,
                grade=2 + k,
                scale_score=round(score, 1),
                achievement_level="Proficient" if score > 430 else "Basic",
                proficient=score > 430,
            )


def test_growth_and_gaps(district_scene: SimpleNamespace) -> None:
    s = district_scene
    start = s.year.start_date.year
    _scores(s, range(start - 2, start + 1))
    out = compute_growth(district=s.district)
    assert out.scores == 38 * 3
    # grade 3 from one prior, grade 4 from two (or one where a model cannot be fitted)
    assert out.percentiles.created == 38 * 2
    sgps = GrowthPercentile.objects.filter(district=s.district, year=start)
    assert sgps.count() == 38 and all(1 <= g.sgp <= 99 for g in sgps)
    knots = GrowthKnots.objects.get(district=s.district, subject="mathematics", grade=3)
    assert len(knots.knots) == 4 and len(knots.boundaries) == 2
    again = compute_growth(district=s.district)
    assert again.percentiles.created == 0 and again.percentiles.updated == 0

    report = gap_report(scope=Scope(s.district, None))
    rows = {(r.year, r.place, r.dimension, r.value): r for r in report.rows}
    everyone = rows[(start, ALL, ALL, ALL)]
    assert everyone.learners == "38"
    assert everyone.median_sgp is not None and everyone.mean_score is not None
    # earlier years have no school year: not reported (nobody is counted in them)
    assert all(r.year == start for r in report.rows)
    el = rows[(start, s.north.pk, "english_learner", "Yes")]
    assert el.learners == "*" and el.median_sgp is None and el.mean_score is None
    csv_text = "\n".join(",".join(r) for r in report.csv_rows())
    assert "Zanzibar" not in csv_text


def test_report_commands(district_scene: SimpleNamespace, tmp_path: Path) -> None:
    s = district_scene
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "report", "access", "--year", str(s.year.start_date.year), "--district", "scene",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "All schools in scope" in out.getvalue() and "North" in out.getvalue()
    assert "hidden" in err.getvalue()
    path = tmp_path / "access.csv"
    call_command(
        "report", "access", "--year", s.year.title, "--district", "scene", "--csv", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][:4] == ["year", "place", "group", "learners"]
    assert any(r[1] == "South" and r[2] == "All learners" and r[3] == "14" for r in rows)
    with pytest.raises(CommandError, match="no school year"):
        call_command("report", "access", "--year", "1990", "--district", "scene")
    gaps = io.StringIO()
    call_command("report", "gaps", "--district", "scene", stdout=gaps, stderr=io.StringIO())
    assert "proficient_percent" in gaps.getvalue()


def test_median_sgp_by_teacher_of_record(district_scene: SimpleNamespace) -> None:
    from waypoint.reports.equity import teacher_growth

    s = district_scene
    start = s.year.start_date.year
    _scores(s, range(start - 2, start + 1))
    compute_growth(district=s.district)
    admin = f.StaffFactory(district=s.district)
    f.StaffRoleFactory(person=admin, role=StaffRole.Role.DISTRICT_ADMIN)
    for person in (admin, s.principal, s.tn):
        person.user = f.UserFactory()
        person.save(update_fields=["user"])
    rows = {r.staff_id: r for r in teacher_growth(viewer=viewer_for(admin.user), year=s.year)}
    assert {k: v.learners for k, v in rows.items()} == {s.tn.pk: 24, s.ts.pk: 14}
    expected = sorted(
        GrowthPercentile.objects.filter(year=start, learner__in=s.learners[:24]).values_list(
            "sgp", flat=True
        )
    )
    assert rows[s.tn.pk].median_sgp == (expected[11] + expected[12]) / 2
    assert rows[s.tn.pk].weighted_median_sgp is not None
    # the North principal sees North's teacher only; a teacher cannot open it at all
    led = teacher_growth(viewer=viewer_for(s.principal.user), year=s.year)
    assert [r.staff_id for r in led] == [s.tn.pk]
    with pytest.raises(NotVisible):
        teacher_growth(viewer=viewer_for(s.tn.user), year=s.year)
