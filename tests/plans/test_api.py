"""Plans through the API: the same access rules as the pages, bad input saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.plans.helpers import add_standards, png
from waypoint.mastery.models import MasteryState
from waypoint.plans.models import Artifact, Goal


@pytest.fixture
def w(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return add_standards(world)


def api(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def test_plan_goals_and_reflections(w):
    c = api("learner1")
    base = f"/api/v1/plans/{w.l1.pk}"
    created = c.post(
        f"{base}/goals",
        {
            "kind": "academic",
            "title": "Fractions",
            "standards": [w.std1.pk],
            "milestones": [{"title": "Strips"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    goal_id = created.json()["id"]
    assert created.json()["standards"][0]["code"] == "4.NF.1"
    changed = c.put(
        f"{base}/goals/{goal_id}",
        {"kind": "academic", "title": "Fractions!", "status": "met"},
        content_type="application/json",
    )
    assert changed.json()["status"] == "met"
    assert changed.json()["milestones"][0]["title"] == "Strips"  # left out: kept
    assert (
        c.post(
            f"{base}/reflections", {"text": "Done."}, content_type="application/json"
        ).status_code
        == 200
    )
    plan = api("guardian1").get(base).json()
    assert [g["title"] for g in plan["goals"]] == ["Fractions!"]
    assert plan["reflections"][0]["text"] == "Done."


def test_bad_input_and_refusals(w):
    base = f"/api/v1/plans/{w.l1.pk}"
    bad = api("learner1").post(
        f"{base}/goals", {"kind": "hobby", "title": ""}, content_type="application/json"
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"kind", "title"}
    assert not Goal.objects.exists()
    forbidden = api("guardian1").post(
        f"{base}/goals", {"kind": "personal", "title": "x"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    for outsider in ("guardian2", "t2", "tb", "adminb"):
        assert api(outsider).get(base).status_code == 404
        assert api(outsider).get(f"{base}/path").status_code == 404
        assert api(outsider).get(f"{base}/artifacts").status_code == 404
        assert (
            api(outsider)
            .post(
                f"{base}/goals", {"kind": "personal", "title": "x"}, content_type="application/json"
            )
            .status_code
            == 404
        )
    assert not Goal.objects.exists()


def test_artifact_upload_review_and_path(w):
    base = f"/api/v1/plans/{w.l1.pk}"
    c = api("learner1")
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = c.post(
        f"{base}/artifacts",
        {"title": "x", "kind": "file", "file": SimpleUploadedFile("a.png", b"GIF89a")},
    )
    assert refused.status_code == 400 and "does not match" in refused.json()["errors"]["file"]
    assert not Artifact.objects.exists()
    added = c.post(
        f"{base}/artifacts",
        {
            "title": "Poster",
            "kind": "file",
            "standards": [w.std1.pk],
            "file": SimpleUploadedFile("a.png", png()),
        },
    )
    assert added.status_code == 200, added.content
    artifact_id = added.json()["id"]
    assert (
        api("t2")
        .post(
            f"{base}/artifacts/{artifact_id}/review",
            {"accept": True, "score": 4, "max_score": 4},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    reviewed = api("t1").post(
        f"{base}/artifacts/{artifact_id}/review",
        {"accept": True, "score": 4, "max_score": 4},
        content_type="application/json",
    )
    assert reviewed.json()["status"] == "accepted"
    assert MasteryState.objects.get(learner=w.l1, item=w.std1).probability > 0.2
    path = api("guardian1").get(f"{base}/path").json()
    assert [s["code"] for s in path["in_progress"]] == ["4.NF.1"]
    assert [s["code"] for s in path["ready"]] == ["4.OA.1"]
    assert (
        c.post(
            f"{base}/path/choice", {"standard_id": w.std2.pk}, content_type="application/json"
        ).status_code
        == 400
    )
    chosen = c.post(
        f"{base}/path/choice", {"standard_id": w.std3.pk}, content_type="application/json"
    )
    assert chosen.json()["code"] == "4.OA.1"
    assert api("t1").get(base).json()["next_standard"]["code"] == "4.OA.1"
    assert len(api("advisor1").get(f"{base}/artifacts").json()) == 1
