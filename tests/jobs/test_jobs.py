"""Background jobs run by the real database worker, with progress and a report a page shows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from waypoint.jobs import registry
from waypoint.jobs.models import JobRun
from waypoint.jobs.services import start_job


@registry.register("test.count")
def _count(job: JobRun, progress: Any) -> dict[str, Any]:
    n = int(job.params["n"])
    progress.start("Counting", n)
    for _ in range(n):
        progress.advance()
    progress.finish()
    return {
        "summary": f"Counted to {n}.",
        "counts": [{"entity": "numbers", "created": n, "updated": 0, "deactivated": 0}],
    }


@registry.register("test.refuse")
def _refuse(job: JobRun, progress: Any) -> dict[str, Any]:
    raise registry.JobFailed(
        {
            "summary": "1 problem.",
            "problems": [
                {
                    "file": "users.csv",
                    "row": 3,
                    "column": "role",
                    "value": "wizard",
                    "reason": "not a OneRoster role",
                }
            ],
        }
    )


@registry.register("test.crash")
def _crash(job: JobRun, progress: Any) -> dict[str, Any]:
    raise ZeroDivisionError("secret internals")


@pytest.fixture
def world(transactional_db: None) -> SimpleNamespace:
    """The worker closes database connections between tasks, as in production, so these tests
    commit for real (a transactional test) instead of running inside one test transaction."""
    from tests.world import build_world

    return build_world()


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _client(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def test_a_job_runs_in_the_worker_and_reports(world: SimpleNamespace) -> None:
    job = start_job(
        kind="test.count",
        title="Count",
        district=world.district_a,
        user=world.admin.user,
        params={"n": 25},
    )
    assert job.status == JobRun.Status.QUEUED and job.task_id
    page = _client(world, "admin").get(f"/jobs/{job.pk}/")
    assert b"Waiting to start" in page.content
    _run_worker()
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (25, 25, 100)
    status = _client(world, "admin").get(f"/jobs/{job.pk}/status.json").json()
    assert status["finished"] and status["percent"] == 100
    page = _client(world, "admin").get(f"/jobs/{job.pk}/")
    assert b"Counted to 25." in page.content


def test_a_refused_job_shows_every_problem(world: SimpleNamespace) -> None:
    job = start_job(
        kind="test.refuse",
        title="Import",
        district=world.district_a,
        user=world.admin.user,
        params={},
    )
    _run_worker()
    job.refresh_from_db()
    assert job.status == JobRun.Status.FAILED
    page = _client(world, "admin").get(f"/jobs/{job.pk}/").content.decode()
    assert "users.csv" in page and "wizard" in page and "not a OneRoster role" in page
    assert "nothing was changed" in page


def test_a_crash_is_reported_without_internals(world: SimpleNamespace) -> None:
    job = start_job(
        kind="test.crash",
        title="Crash",
        district=world.district_a,
        user=world.admin.user,
        params={},
    )
    _run_worker()
    job.refresh_from_db()
    assert job.status == JobRun.Status.FAILED
    assert "internal error" in job.report["summary"]
    assert b"secret internals" not in _client(world, "admin").get(f"/jobs/{job.pk}/").content


def test_jobs_are_seen_by_their_starter_and_district_admins_only(world: SimpleNamespace) -> None:
    job = start_job(
        kind="test.count",
        title="Count",
        district=world.district_a,
        user=world.leader.user,
        params={"n": 1},
    )
    assert _client(world, "leader").get(f"/jobs/{job.pk}/").status_code == 200
    assert _client(world, "admin").get(f"/jobs/{job.pk}/").status_code == 200
    for role in ["t1", "guardian", "admin_b"]:
        assert _client(world, role).get(f"/jobs/{job.pk}/").status_code == 404, role
        assert _client(world, role).get(f"/jobs/{job.pk}/status.json").status_code == 404
