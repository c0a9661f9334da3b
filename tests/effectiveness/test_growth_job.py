"""Growth percentiles as a background job: once per district at a time, district by district."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests import factories as f
from tests.effectiveness.test_reports import _scores
from waypoint.effectiveness.jobs import KIND
from waypoint.effectiveness.models import GrowthPercentile
from waypoint.jobs.models import JobRun
from waypoint.roster.models import StaffRole


@pytest.fixture
def two(transactional_db: None) -> SimpleNamespace:
    """Two districts with three years of mathematics scores for 30 and 12 learners."""
    s = SimpleNamespace()
    for name, n in (("a", 30), ("b", 12)):
        district = f.DistrictFactory(slug=f"growth-{name}")
        year = f.SchoolYearFactory(district=district)
        learners = [f.LearnerFactory(district=district) for _ in range(n)]
        scene = SimpleNamespace(district=district, learners=learners, year=year)
        start = year.start_date.year
        _scores(scene, range(start - 2, start + 1))
        admin = f.StaffFactory(district=district, user=f.UserFactory(username=f"growth-{name}"))
        f.StaffRoleFactory(person=admin, role=StaffRole.Role.DISTRICT_ADMIN)
        scene.admin = admin
        setattr(s, name, scene)
    return s


def test_growth_runs_as_a_background_job_once_per_district(two: SimpleNamespace) -> None:
    out = StringIO()
    call_command("growth", "--district", "growth-a", "--background", stdout=out)
    call_command("growth", "--district", "growth-a", "--background", stdout=out)
    job = JobRun.objects.get(kind=KIND)
    assert f"growth percentiles queued as job {job.pk}" in out.getvalue()
    assert f"already queued or running as job {job.pk}" in out.getvalue()
    assert not GrowthPercentile.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.report
    assert job.report["scores"] == 30 * 3 and job.report["created"] == 30 * 2
    assert GrowthPercentile.objects.filter(district=two.a.district).count() == 30 * 2
    assert not GrowthPercentile.objects.filter(district=two.b.district).exists()
    client = Client()
    client.force_login(two.a.admin.user)
    assert b"60 growth percentile(s)" in client.get(f"/jobs/{job.pk}/").content
    client.force_login(two.b.admin.user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404

    out = StringIO()
    call_command("growth", "--all-districts", "--background", stdout=out)
    assert JobRun.objects.filter(kind=KIND, status=JobRun.Status.QUEUED).count() == 2
    with pytest.raises(CommandError, match="--background"):
        call_command("growth", "--all-districts")
