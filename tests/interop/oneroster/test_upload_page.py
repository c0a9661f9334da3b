"""The roster upload page: a district admin uploads a zip, a background job imports it, and the
page shows the same validation report and progress as the command."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests import factories as f
from tests.interop.oneroster.builders import district_package
from tests.interop.oneroster.support import run_import, snapshot
from waypoint.jobs.models import JobRun
from waypoint.roster.models import District, Person, StaffRole


@pytest.fixture
def maple(transactional_db: None, tmp_path: Path, settings) -> SimpleNamespace:
    """The two-district world, plus Maple district imported from OneRoster, with its admin."""
    from tests.world import build_world

    settings.UPLOAD_DIR = tmp_path / "uploads"
    w = build_world()
    first = district_package(learners=10)
    run_import(first.write(tmp_path / "first"), district="create")
    w.maple = District.objects.exclude(pk__in=[w.district_a.pk, w.district_b.pk]).get()
    # Dee is the district administrator in the package's users.csv; give her a login.
    admin = Person.objects.get(district=w.maple, sourced_id="admin-dee")
    admin.user = f.UserFactory(username="maple-admin")
    admin.save(update_fields=["user"])
    assert admin.staff_roles.filter(role=StaffRole.Role.DISTRICT_ADMIN).exists()
    w.maple_admin = admin
    w.tmp = tmp_path
    return w


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _zip(pkg, path: Path, **kwargs) -> SimpleUploadedFile:
    pkg.write_zip(path, **kwargs)
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_upload_imports_in_the_background(maple: SimpleNamespace) -> None:
    client = _client(maple.maple_admin.user)
    assert client.get("/data/rosters/upload/").status_code == 200
    upload = _zip(district_package(learners=14), maple.tmp / "more.zip")
    response = client.post("/data/rosters/upload/", {"package": upload})
    assert response.status_code == 302
    job = JobRun.objects.get()
    assert response.headers["Location"] == f"/jobs/{job.pk}/"
    assert b"Waiting to start" in client.get(f"/jobs/{job.pk}/").content
    _work()
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.report
    assert job.total > 0 and job.percent == 100
    learners = Person.objects.filter(district=maple.maple, kind="learner", active=True)
    assert learners.count() == 14
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Imported." in page and "people" in page
    assert not any((maple.tmp / "uploads").rglob("*.zip"))  # the upload is not kept


def test_a_broken_upload_lists_every_problem_and_changes_nothing(maple: SimpleNamespace) -> None:
    pkg = district_package(learners=12)
    rows = pkg.files["users.csv"]
    rows[3]["role"] = "wizard"
    rows[4]["givenName"] = ""
    before = snapshot()
    client = _client(maple.maple_admin.user)
    client.post("/data/rosters/upload/", {"package": _zip(pkg, maple.tmp / "bad.zip")})
    _work()
    job = JobRun.objects.get()
    assert job.status == JobRun.Status.FAILED
    assert snapshot() == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Nothing was imported" in page
    assert "users.csv" in page and "wizard" in page and "givenName" in page


def test_a_dry_run_changes_nothing_and_shows_the_plan(maple: SimpleNamespace) -> None:
    before = snapshot()
    client = _client(maple.maple_admin.user)
    upload = _zip(district_package(learners=16), maple.tmp / "dry.zip")
    client.post("/data/rosters/upload/", {"package": upload, "dry_run": "on"})
    _work()
    job = JobRun.objects.get()
    assert job.status == JobRun.Status.SUCCEEDED
    assert snapshot() == before
    assert b"Dry run: nothing was written" in client.get(f"/jobs/{job.pk}/").content


def test_not_a_zip_is_refused_on_the_form(maple: SimpleNamespace) -> None:
    client = _client(maple.maple_admin.user)
    upload = SimpleUploadedFile("users.csv", b"sourcedId,status\n", content_type="text/csv")
    response = client.post("/data/rosters/upload/", {"package": upload})
    assert response.status_code == 200
    assert b"This is not a zip file" in response.content
    assert not JobRun.objects.exists()


def test_another_districts_package_is_refused(maple: SimpleNamespace) -> None:
    before = snapshot()
    client = _client(maple.admin.user)  # district A's admin sends Maple's files
    client.post("/data/rosters/upload/", {"package": _zip(district_package(), maple.tmp / "m.zip")})
    _work()
    job = JobRun.objects.get()
    assert job.status == JobRun.Status.FAILED
    assert snapshot() == before
    assert "this package's district is not" in str(job.report)


@pytest.mark.parametrize("role", ["leader", "t1", "guardian", "l1"])
def test_only_district_admins_may_upload(maple: SimpleNamespace, role: str) -> None:
    client = _client(getattr(maple, role).user)
    assert client.get("/data/rosters/upload/").status_code == 404
    upload = _zip(district_package(), maple.tmp / f"{role}.zip")
    assert client.post("/data/rosters/upload/", {"package": upload}).status_code == 404
    assert not JobRun.objects.exists()
