"""The nightly refit as a background job, and the district's mastery rules on the command line."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.evidence import factories as ef
from waypoint.jobs.models import JobRun
from waypoint.mastery.jobs import KIND
from waypoint.mastery.models import MasterySettings, MasteryState, SkillModel
from waypoint.mastery.services import mastered_at

T0 = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(transactional_db: None) -> SimpleNamespace:
    """The worker commits for real, so these tests do too (see tests/jobs)."""
    from tests.world import build_world

    return build_world()


def _evidence(world: SimpleNamespace) -> None:
    """Three learners × 6 answers on one standard of district A, one answer in district B."""
    item = ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=world.district_a))
    for n, learner in enumerate([world.l1, world.l2, world.l3]):
        for t in range(6):
            ef.ObservationFactory(
                item=item,
                learner=learner,
                correct=(t + n) % 3 != 0,
                observed_at=T0 + dt.timedelta(days=t),
            )
    other = ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=world.district_b))
    ef.ObservationFactory(item=other, learner=world.lb, correct=True, observed_at=T0)


def test_the_refit_runs_as_a_background_job_once_per_district(world: SimpleNamespace) -> None:
    _evidence(world)
    out = StringIO()
    call_command("mastery", "fit", "--district", world.district_a.slug, "--background", stdout=out)
    call_command("mastery", "fit", "--district", world.district_a.slug, "--background", stdout=out)
    job = JobRun.objects.get(kind=KIND)
    assert f"refit queued as job {job.pk}" in out.getvalue()
    assert f"refit already queued or running as job {job.pk}" in out.getvalue()
    assert not MasteryState.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.report
    assert job.report["fit"]["observations"] == 18
    assert "3 mastery state(s) recomputed" in job.report["summary"]
    assert MasteryState.objects.filter(district=world.district_a).count() == 3
    assert SkillModel.objects.filter(district=world.district_a).count() == 1
    # district B's evidence is not touched by A's refit
    assert not MasteryState.objects.filter(district=world.district_b).exists()
    client = Client()
    client.force_login(world.admin.user)
    assert b"3 mastery state(s) recomputed" in client.get(f"/jobs/{job.pk}/").content
    client.force_login(world.admin_b.user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404

    # nightly: one job per district; a finished job does not stop the next one
    out = StringIO()
    call_command("mastery", "fit", "--all-districts", "--background", stdout=out)
    assert JobRun.objects.filter(kind=KIND, status=JobRun.Status.QUEUED).count() == 2
    with pytest.raises(CommandError, match="--background"):
        call_command("mastery", "fit", "--all-districts")


def test_the_mastery_rules_on_the_command_line(world: SimpleNamespace) -> None:
    slug = world.district_a.slug
    out = StringIO()
    call_command("mastery", "settings", "--district", slug, stdout=out)
    assert "mastered at P ≥ 0.95; a score is correct at ≥ 80% of its maximum" in out.getvalue()
    with pytest.raises(CommandError, match="nothing was changed"):  # both or neither
        call_command(
            "mastery", "settings", "--district", slug, "--mastered-at", "0.9",
            "--score-threshold", "5",
        )  # fmt: skip
    assert mastered_at(world.district_a.pk) == 0.95
    out = StringIO()
    call_command(
        "mastery", "settings", "--district", slug, "--mastered-at", "0.9",
        "--score-threshold", "0.75", stdout=out,
    )  # fmt: skip
    assert "mastered at P ≥ 0.9; a score is correct at ≥ 75% of its maximum" in out.getvalue()
    assert "applies to evidence that arrives from now on" in out.getvalue()
    with pytest.raises(CommandError, match=r"at least 0\.5 and below 1"):
        call_command("mastery", "settings", "--district", slug, "--mastered-at", "1.2")
    with pytest.raises(CommandError, match="no district"):
        call_command("mastery", "settings", "--district", "nowhere", "--mastered-at", "0.9")
    assert mastered_at(world.district_a.pk) == 0.9
    assert MasterySettings.objects.count() == 1  # district B keeps the default, no row
