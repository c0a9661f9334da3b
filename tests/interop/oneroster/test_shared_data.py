"""The public OneRoster sets in ../shared/data/oneroster/, each with its expected outcome."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.interop.oneroster.support import errors, has, refused, snapshot
from waypoint.interop.oneroster import importer
from waypoint.roster import models as m

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "oneroster"
GENERATED = SHARED / "generated_district_v1p1"
OAT = SHARED / "oat_sa_v1p1"


def _rows(path: Path, **where: str) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for r in csv.DictReader(fh) if all(r[k] == v for k, v in where.items()))


def _require(folder: Path) -> None:
    assert folder.is_dir(), (
        f"{folder} is missing: these tests need ../shared/data/oneroster beside the clone "
        "(see ../shared/data/README.md)"
    )


def test_generated_district_imports_with_every_row(world):
    _require(GENERATED)
    outcome = importer.run(GENERATED, district="create")
    d = outcome.result.district
    assert d.sourced_id == "32a10758-fedc-4ac4-ac86-e84133b4b416"
    assert m.School.objects.filter(district=d).count() == _rows(
        GENERATED / "orgs.csv", type="school"
    )
    sessions = GENERATED / "academicSessions.csv"
    assert m.SchoolYear.objects.filter(district=d).count() == _rows(sessions, type="schoolYear")
    assert m.Term.objects.filter(district=d).count() == _rows(sessions) - _rows(
        sessions, type="schoolYear"
    )
    assert m.Course.objects.filter(district=d).count() == _rows(GENERATED / "courses.csv")
    assert m.Section.objects.filter(district=d).count() == _rows(GENERATED / "classes.csv")
    assert m.Person.objects.filter(district=d).count() == _rows(GENERATED / "users.csv")
    assert m.Person.objects.filter(district=d, kind="learner").count() == _rows(
        GENERATED / "users.csv", role="student"
    )
    assert m.Enrollment.objects.filter(district=d).count() == _rows(GENERATED / "enrollments.csv")
    assert m.Demographics.objects.filter(district=d).count() == _rows(
        GENERATED / "demographics.csv"
    )
    assert m.Section.objects.filter(district=d, class_type="homeroom").count() == _rows(
        GENERATED / "classes.csv", classType="homeroom"
    )
    # administrators of a school are its school leaders; teachers teach at their school
    district_admins = _rows(
        GENERATED / "users.csv", role="administrator", orgSourcedIds=d.sourced_id
    )
    assert district_admins == 1
    assert m.StaffRole.objects.filter(district=d, role="district_admin").count() == district_admins
    assert (
        m.StaffRole.objects.filter(district=d, role="school_leader").count()
        == _rows(GENERATED / "users.csv", role="administrator") - district_admins
    )
    assert m.StaffRole.objects.filter(district=d, role="teacher").count() == _rows(
        GENERATED / "users.csv", role="teacher"
    )
    year = m.SchoolYear.objects.get(district=d)
    assert year.count_date.isoformat() == "2025-10-01"
    before = snapshot()
    again = importer.run(GENERATED, district=d.slug)
    assert not again.result.plan.changed
    assert snapshot() == before


def test_oat_sample_is_refused_with_each_defect_named(world):
    _require(OAT)
    before = snapshot()
    problems = errors(refused(OAT))
    # classes point at a term academicSessions.csv does not hold
    assert has(
        problems,
        file="classes.csv",
        row=2,
        column="termSourcedIds",
        value="1",
        reason="term that academicSessions.csv does not hold",
    )
    # empty courseSourcedId
    assert has(
        problems,
        file="classes.csv",
        row=3,
        column="courseSourcedId",
        reason="required field is empty",
    )
    # a school whose parent is a school
    assert has(
        problems,
        file="orgs.csv",
        row=2,
        column="parentSourcedId",
        value="54321",
        reason="parent is another school",
    )
    # non-ISO dates
    assert has(
        problems,
        file="orgs.csv",
        row=2,
        column="dateLastModified",
        value="2017-05-06 08:01:05",
        reason="not an ISO 8601 date-time",
    )
    # non-standard headers
    for file, column in [
        ("users.csv", "userId"),
        ("users.csv", "agents"),
        ("courses.csv", "schoolYearId"),
        ("classes.csv", "grade"),
        ("demographics.csv", "userSourcedId"),
    ]:
        assert has(
            problems, file=file, row=1, column=column, reason="is not a column of this file"
        ), column
    assert has(problems, file="orgs.csv", reason="needs a row of type district")
    assert snapshot() == before
