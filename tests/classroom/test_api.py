"""The dashboard through the API: the same numbers and the same rules as the pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.classroom import scenes
from waypoint.classroom.models import Intervention, SmallGroup


@pytest.fixture
def scene(world: SimpleNamespace) -> SimpleNamespace:
    s = scenes.standards(world)
    more = scenes.add_learners(world, 5)
    scenes.state(world.l1, s.F, 0.97)
    scenes.state(world.l1, s.B, 0.3)
    for learner in more:
        scenes.state(learner, s.F, 0.2)
    return SimpleNamespace(world=world, s=s, more=more)


def _as(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def test_dashboard_groups_and_interventions_through_the_api(scene: SimpleNamespace) -> None:
    w, s = scene.world, scene.s
    t1 = _as(w, "t1")
    base = f"/api/v1/classroom/sections/{w.s1.pk}"
    dash = t1.get(f"{base}/dashboard").json()
    assert [c["code"] for c in dash["standards"]] == [
        "3.NF.1",
        "4.NF.1",
        "4.NF.2",
        "4.NF.3",
        "4.OA.1",
    ]
    l1 = next(r for r in dash["rows"] if r["learner_id"] == w.l1.pk)
    assert l1["need"] == s.A.pk and "ready" in l1["flags"]  # 4.NF.1: 3.NF.1 is mastered
    assert l1["next_steps"] and l1["next_steps"][0]["reason"]

    suggestion = t1.get(f"{base}/groups/suggested").json()
    placed = sorted(i for g in suggestion["groups"] for i in g["learners"])
    assert placed == sorted([w.l1.pk, *[m.pk for m in scene.more]])
    assert t1.get(f"{base}/groups/suggested?min_size=5&max_size=4").status_code == 400

    body = {
        "meets_on": "2026-11-30",
        "groups": [
            {"target_id": g["target_id"], "learner_ids": g["learners"]}
            for g in suggestion["groups"]
        ],
    }
    saved = t1.post(f"{base}/groups", body, content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert sorted(i for g in t1.get(f"{base}/groups").json() for i in g["learners"]) == placed
    bad = {"meets_on": "2026-12-01", "groups": [{"target_id": s.B.pk, "learner_ids": [w.l2.pk]}]}
    refused = t1.post(f"{base}/groups", bad, content_type="application/json")
    assert refused.status_code == 400 and "not in this section" in refused.json()["errors"][0]
    assert SmallGroup.objects.filter(meets_on="2026-12-01").count() == 0

    done = t1.post(
        "/api/v1/classroom/interventions",
        {"learner_id": w.l1.pk, "action": "practice", "standard_id": s.B.pk, "section_id": w.s1.pk},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["mastery_before"] == pytest.approx(0.3)
    [outcome] = t1.get(f"{base}/outcomes").json()
    assert (outcome["action"], outcome["treated"]) == ("practice", 1)


def test_the_api_follows_the_access_rules(scene: SimpleNamespace) -> None:
    w, s = scene.world, scene.s
    base = f"/api/v1/classroom/sections/{w.s1.pk}"
    for role in ("t2", "guardian", "learner_client", "admin_b"):
        if role == "learner_client":
            client = Client()
            client.force_login(w.l1.user)
        else:
            client = _as(w, role)
        for path in ("dashboard", "groups", "groups/suggested", "outcomes"):
            assert client.get(f"{base}/{path}").status_code == 404, (role, path)
    leader = _as(w, "leader")
    assert leader.get(f"{base}/dashboard").status_code == 200
    body = {"meets_on": "2026-11-30", "groups": [{"target_id": s.B.pk, "learner_ids": [w.l1.pk]}]}
    assert leader.post(f"{base}/groups", body, content_type="application/json").status_code == 403
    guardian = _as(w, "guardian")
    iv = {"learner_id": w.l1.pk, "action": "check-in"}
    assert (
        guardian.post(
            "/api/v1/classroom/interventions", iv, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        _as(w, "t2")
        .post("/api/v1/classroom/interventions", iv, content_type="application/json")
        .status_code
        == 404
    )
    assert not Intervention.objects.exists() and not SmallGroup.objects.exists()
