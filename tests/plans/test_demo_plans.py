"""The demo's plans: every demo login has something to see, files are real, reset is clean."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from waypoint.demo.logins import DEMO_PASSWORD
from waypoint.evidence.models import Observation
from waypoint.plans import uploads
from waypoint.plans.models import Artifact, Goal, GrowthPlan, Milestone, Plan
from waypoint.roster.models import District, Person


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    out = io.StringIO()
    call_command("demo", "--no-serve", "--learners", "300", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_plans(demo):
    assert "plans with" in demo
    district = District.objects.get(slug="demo")
    learner = Person.objects.get(district=district, user__username="learner")
    plan = Plan.objects.get(learner=learner)
    assert plan.goals.filter(kind=Goal.Kind.ACADEMIC).exists()
    assert Milestone.objects.filter(goal__plan=plan).exists()
    pieces = {a.status: a for a in Artifact.objects.filter(learner=learner)}
    assert set(pieces) == {"accepted", "submitted", "returned"}
    for piece in pieces.values():
        assert uploads.path_of(district.pk, piece.stored_name).is_file()
    accepted = pieces["accepted"]
    assert Observation.objects.filter(
        learner=learner, source_ref=f"artifact:{accepted.pk}"
    ).exists()
    assert GrowthPlan.objects.filter(staff__user__username="teacher").get().goals.count() == 2

    for username, path in [
        ("learner", f"/plans/{learner.pk}/"),
        ("guardian", f"/plans/{learner.pk}/family/"),
        ("teacher", "/plans/reviews/"),
        ("teacher", f"/plans/{learner.pk}/portfolio/{pieces['submitted'].pk}/"),
        ("coach", f"/plans/growth/{GrowthPlan.objects.get().staff_id}/"),
    ]:
        c = Client()
        assert c.login(username=username, password=DEMO_PASSWORD)
        response = c.get(path)
        assert response.status_code == 200, (username, path)
    # every learner's guardian in the demo sees a plan with goals
    c = Client()
    assert c.login(username="guardian", password=DEMO_PASSWORD)
    assert "Fraction wall poster" in c.get(f"/plans/{learner.pk}/family/").content.decode()


def test_demo_rebuild_removes_the_old_plans(demo):
    before = Plan.objects.count()
    call_command(
        "demo",
        "--no-serve",
        "--learners",
        "300",
        "--reset",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Plan.objects.count() == before
    assert District.objects.filter(slug="demo").count() == 1
