"""Dry run, delta files, a new school year, the mass-deactivation guard, the import lock."""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from tests.interop.oneroster.builders import DLM, district_package
from tests.interop.oneroster.support import refused, run_import, snapshot
from waypoint.audit.models import ActionEntry
from waypoint.interop.oneroster import importer
from waypoint.roster import models as m
from waypoint.roster.services import ImportRunning

pytestmark = pytest.mark.django_db
SEPT = dt.date(2025, 9, 15)


def _import(tmp_path, pkg, name="pkg", district="create", **kw):
    return importer.run(
        pkg.write(tmp_path / name), district=district, as_of=kw.pop("as_of", SEPT), **kw
    )


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path, world):
    path = district_package().write(tmp_path / "pkg")
    before = snapshot()
    audit = ActionEntry.objects.count()
    out = run_import(path, dry_run=True)
    assert "Dry run: nothing was written" in out
    assert "enrollments" in out and "55" in out
    assert snapshot() == before
    assert ActionEntry.objects.count() == audit
    assert not m.ImportLock.objects.exists()


def test_import_writes_one_audit_entry_and_releases_the_lock(tmp_path, world):
    outcome = _import(tmp_path, district_package())
    entries = ActionEntry.objects.filter(
        action="roster.import", district_id=outcome.result.district.pk
    )
    assert entries.count() == 1
    assert entries.get().details["changes"]["enrollment"]["create"] == 55
    assert not m.ImportLock.objects.exists()


def test_roles_guardians_and_companion_files(tmp_path, world):
    d = _import(tmp_path, district_package()).result.district
    roles = set(
        m.StaffRole.objects.filter(district=d).values_list(
            "person__sourced_id", "role", "school__sourced_id", "school_year__sourced_id"
        )
    )
    assert ("admin-dee", "district_admin", None, None) in roles
    assert ("leader-eve", "school_leader", "maple-elementary", None) in roles
    assert ("aide-cy", "aide", "maple-elementary", None) in roles
    assert ("coach-fay", "coach", None, "year-2025") in roles
    assert ("coach-fay", "mcl", None, "year-2025") in roles
    assert ("t-ada", "advisor", None, "year-2025") in roles
    links = set(
        m.GuardianLink.objects.filter(district=d).values_list(
            "guardian__sourced_id", "learner__sourced_id", "relationship"
        )
    )
    assert links == {("g-gus", "l-000", "parent"), ("g-hal", "l-001", "guardian")}
    assert m.Person.objects.get(district=d, sourced_id="g-gus").kind == "guardian"
    ly = m.LearnerYear.objects.get(district=d, learner__sourced_id="l-001")
    assert (ly.grade, ly.economically_disadvantaged, ly.district_groups) == (
        4,
        True,
        ["Band", "Robotics"],
    )
    assert (
        m.LearnerYear.objects.get(district=d, learner__sourced_id="l-000").disability_service_level
        == "resource"
    )
    assert m.CoachLink.objects.filter(district=d).count() == 2
    assert m.AdvisorLink.objects.get(district=d).learner.sourced_id == "l-000"
    homeroom = m.Section.objects.get(district=d, sourced_id="c-hr4-2025")
    assert homeroom.class_type == "homeroom" and homeroom.terms.count() == 0
    assert m.Section.objects.get(district=d, sourced_id="c-math4-2025").terms.count() == 2
    assert m.Section.objects.get(district=d, sourced_id="c-math4-2025").subject == "mathematics"
    assert m.Demographics.objects.get(district=d, sourced_id="l-001").gender == "female"


def test_oneroster_1_2_with_roles_and_user_profiles(tmp_path, world):
    pkg = district_package(version="1.2")
    d = _import(tmp_path, pkg).result.district
    admin = m.StaffRole.objects.get(district=d, person__sourced_id="admin-dee")
    assert (admin.role, admin.school_id, admin.sourced_id) == (
        "district_admin",
        None,
        "role-admin-dee",
    )
    leader = m.StaffRole.objects.get(district=d, person__sourced_id="leader-eve")
    assert (leader.role, leader.school.sourced_id) == ("school_leader", "maple-elementary")
    assert m.Person.objects.get(district=d, sourced_id="l-003").kind == "learner"
    ada = m.Person.objects.get(district=d, sourced_id="t-ada")
    assert ada.extra["userProfiles"][0]["vendorId"] == "acme"
    assert m.GuardianLink.objects.filter(district=d).count() == 2
    again = importer.run(tmp_path / "pkg", district=d.slug, as_of=SEPT)
    assert not again.result.plan.changed


def _delta(tmp_path, rows_users, rows_enrollments):
    from tests.interop.oneroster.builders import Package

    pkg = Package(manifest={"file.users": "delta", "file.enrollments": "delta"})
    pkg.files["users.csv"] = rows_users
    pkg.files["enrollments.csv"] = rows_enrollments
    return pkg


def test_delta_tobedeleted_deactivates_and_end_dates(tmp_path, world):
    full = district_package()
    d = _import(tmp_path, full).result.district
    leaving = dict(full.row("users.csv", "l-005"), status="tobedeleted", dateLastModified=DLM)
    one_enrollment = dict(
        full.row("enrollments.csv", "e-c-math4-2025-l-006"),
        status="tobedeleted",
        dateLastModified=DLM,
        endDate="",
    )
    outcome = _import(
        tmp_path,
        _delta(tmp_path, [leaving], [one_enrollment]),
        name="delta",
        district=d.slug,
        as_of=dt.date(2025, 10, 20),
    )
    summary = outcome.result.plan.summary()
    assert summary["person"]["deactivate"] == 1 and summary["enrollment"]["deactivate"] == 4
    person = m.Person.objects.get(district=d, sourced_id="l-005")
    assert not person.active
    for e in m.Enrollment.objects.filter(person=person):
        assert (e.status, e.end_date) == ("inactive", dt.date(2025, 10, 20))
    e = m.Enrollment.objects.get(district=d, sourced_id="e-c-math4-2025-l-006")
    assert (e.status, e.end_date) == ("inactive", dt.date(2025, 10, 20))
    assert (
        m.Enrollment.objects.filter(district=d, person__sourced_id="l-006", status="active").count()
        == 2
    )
    assert m.Person.objects.filter(district=d).count() == 28  # nobody deleted
    # the same delta again changes nothing
    again = importer.run(tmp_path / "delta", district=d.slug, as_of=dt.date(2025, 11, 1))
    assert not again.result.plan.changed


def test_delta_needs_status_and_date(tmp_path, world):
    full = district_package()
    d = _import(tmp_path, full).result.district
    row = dict(full.row("users.csv", "l-005"), status="", dateLastModified="")
    problems = refused(_delta(tmp_path, [row], []).write(tmp_path / "d"), district=d.slug)
    reasons = {p.reason for p in problems}
    assert "a delta file needs a status (active or tobedeleted)" in reasons
    assert "a delta file needs a dateLastModified" in reasons


def test_new_school_year_ends_last_years_enrollments_and_keeps_history(tmp_path, world):
    d = _import(tmp_path, district_package(start_year=2025)).result.district
    year1 = {
        name: set(model.objects.filter(district=d).values_list("id", flat=True))
        for name, model in [
            ("section", m.Section),
            ("enrollment", m.Enrollment),
            ("term", m.Term),
            ("learner_year", m.LearnerYear),
            ("coach", m.CoachLink),
        ]
    }
    outcome = _import(
        tmp_path,
        district_package(start_year=2026),
        name="y2",
        district=d.slug,
        as_of=dt.date(2026, 8, 20),
    )
    assert outcome.result.plan.summary()["enrollment"]["deactivate"] == 55
    for name, ids in year1.items():
        model = {
            "section": m.Section,
            "enrollment": m.Enrollment,
            "term": m.Term,
            "learner_year": m.LearnerYear,
            "coach": m.CoachLink,
        }[name]
        assert set(model.objects.filter(id__in=ids).values_list("id", flat=True)) == ids, name
    old = m.Enrollment.objects.filter(id__in=year1["enrollment"])
    assert set(old.values_list("status", flat=True)) == {"inactive"}
    assert set(old.values_list("end_date", flat=True)) == {dt.date(2026, 6, 10)}
    new = m.Enrollment.objects.filter(district=d).exclude(id__in=year1["enrollment"])
    assert new.count() == 55 and set(new.values_list("status", flat=True)) == {"active"}
    assert m.Person.objects.filter(district=d, active=False).count() == 0
    assert m.SchoolYear.objects.filter(district=d).count() == 2
    assert m.LearnerYear.objects.filter(district=d).count() == 40
    assert m.CoachLink.objects.filter(district=d).count() == 4


def test_mass_deactivation_needs_the_flag(tmp_path, world):
    d = _import(tmp_path, district_package(learners=20)).result.district
    smaller = district_package(learners=17)
    before = snapshot()
    problems = refused(smaller.write(tmp_path / "small"), district=d.slug, as_of=SEPT)
    assert "would deactivate 3 of the district's 20 active learners" in problems[0].reason
    assert "--allow-mass-deactivation" in problems[0].reason
    assert snapshot() == before
    with pytest.raises(CommandError, match="Nothing was imported"):
        run_import(tmp_path / "small", district=d.slug)
    importer.run(tmp_path / "small", district=d.slug, as_of=SEPT, allow_mass_deactivation=True)
    gone = m.Person.objects.filter(district=d, sourced_id__in=["l-017", "l-018", "l-019"])
    assert [p.active for p in gone] == [False] * 3
    assert not m.Enrollment.objects.filter(person__in=gone, status="active").exists()
    assert set(m.Enrollment.objects.filter(person__in=gone).values_list("end_date", flat=True)) == {
        SEPT
    }


def test_one_learner_leaving_is_not_a_mass_deactivation(tmp_path, world):
    d = _import(tmp_path, district_package(learners=20)).result.district
    outcome = _import(tmp_path, district_package(learners=19), name="n19", district=d.slug)
    assert outcome.result.plan.summary()["person"]["deactivate"] == 1


def test_a_second_import_of_the_same_district_is_refused(tmp_path, world):
    path = district_package().write(tmp_path / "pkg")
    m.ImportLock.objects.create(
        district_key="maple-district",
        started_at=timezone.now(),
        host=socket.gethostname(),
        pid=os.getpid(),
        started_by="clerk1",
    )
    before = snapshot()
    with pytest.raises(ImportRunning, match="Another import of this district is running"):
        importer.run(path, district="create")
    with pytest.raises(CommandError, match="started by clerk1"):
        run_import(path)
    assert snapshot() == before
    # another district is not held up
    other = district_package()
    other.files["orgs.csv"][0]["sourcedId"] = "oak-district"
    for row in other.files["orgs.csv"][1:]:
        row["parentSourcedId"] = "oak-district"
    for row in other.files["users.csv"]:
        if row.get("orgSourcedIds") == "maple-district":
            row["orgSourcedIds"] = "oak-district"
    importer.run(other.write(tmp_path / "oak"), district="create", as_of=SEPT)


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path, world):
    m.ImportLock.objects.create(
        district_key="maple-district",
        started_at=timezone.now(),
        host=socket.gethostname(),
        pid=2**22 + 12345,
    )
    _import(tmp_path, district_package())
    assert not m.ImportLock.objects.exists()
