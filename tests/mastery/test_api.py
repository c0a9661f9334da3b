"""Mastery in the API: reading a learner's mastery and path, and teachers entering scores."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.evidence import factories as ef
from waypoint.audit.models import ActionEntry
from waypoint.evidence.models import Observation
from waypoint.mastery.models import MasteryState


@pytest.fixture
def std(world: SimpleNamespace) -> SimpleNamespace:
    framework = ef.FrameworkFactory(district=world.district_a)
    a = ef.FrameworkItemFactory(framework=framework, human_coding_scheme="4.NF.A.1")
    b = ef.FrameworkItemFactory(framework=framework, human_coding_scheme="4.NF.B.3")
    ef.AssociationFactory(origin_item=a, destination_item=b)  # a before b
    return SimpleNamespace(a=a, b=b)


def _as(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def _post(client: Client, learner_id: int, scores: list[dict]) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/learners/{learner_id}/scores",
        {"scores": scores},
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_a_teacher_enters_scores_and_mastery_moves(world: SimpleNamespace, std: SimpleNamespace):
    t1 = _as(world, "t1")
    before = t1.get(f"/api/v1/learners/{world.l1.pk}/mastery").json()
    assert before["states"] == [] and before["mastered_at"] == 0.95
    assert [s["code"] for s in before["ready_to_learn"]] == ["4.NF.A.1"]  # b waits for a

    status, body = _post(
        t1,
        world.l1.pk,
        [
            {"standard": "4.NF.A.1", "score": 9, "max_score": 10, "note": "exit ticket"},
            {"standard": std.a.identifier, "correct": True},
            {"standard": "4.NF.A.1", "correct": True},
        ],
    )
    assert status == 200, body
    assert body["observations"] == 3
    [state] = body["states"]
    assert state["standard"]["code"] == "4.NF.A.1" and state["observations"] == 3
    stored = Observation.objects.filter(learner=world.l1)
    assert set(stored.values_list("source", flat=True)) == {Observation.Source.TEACHER}
    assert stored.filter(source_ref="t1|exit ticket").count() == 1
    assert ActionEntry.objects.filter(action="evidence.record_observations").count() == 1

    # by hand, default parameters (prior 0.2, learn 0.15, guess 0.2, slip 0.1), three correct:
    # 0.2 → 0.600 → 0.890 → 0.977, mastered; so b, whose prerequisite is a, is ready next
    assert state["probability"] == pytest.approx(0.977, abs=0.001) and state["mastered"]
    after = t1.get(f"/api/v1/learners/{world.l1.pk}/mastery").json()
    assert after["states"][0]["probability"] == pytest.approx(state["probability"])
    assert [s["code"] for s in after["ready_to_learn"]] == ["4.NF.B.3"]


def test_scores_are_refused_whole_with_reasons(world: SimpleNamespace, std: SimpleNamespace):
    t1 = _as(world, "t1")
    status, body = _post(
        t1,
        world.l1.pk,
        [
            {"standard": "4.NF.A.1", "correct": True},
            {"standard": "9.ZZ.9", "correct": True},
            {"standard": "4.NF.A.1", "correct": True, "score": 1, "max_score": 1},
        ],
    )
    assert status == 400
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "standard"), (2, "correct")]
    status, body = _post(t1, world.l1.pk, [{"standard": "4.NF.A.1", "score": 11, "max_score": 10}])
    assert status == 400 and body["errors"][0]["field"] == "score"
    status, _ = _post(t1, world.l1.pk, [])
    assert status == 422  # the request itself is malformed
    assert not Observation.objects.exists() and not MasteryState.objects.exists()


def test_only_the_learners_teachers_may_enter_scores(world: SimpleNamespace, std: SimpleNamespace):
    score = [{"standard": "4.NF.A.1", "correct": True}]
    # may see the learner, may not enter evidence
    for role in ("guardian", "l1", "leader", "admin"):
        client = _as(world, role)
        assert client.get(f"/api/v1/learners/{world.l1.pk}/mastery").status_code == 200, role
        status, body = _post(client, world.l1.pk, score)
        assert status == 403, role
        assert "teachers" in body["detail"]
    # may not see the learner at all: the same 404 as a learner who does not exist
    for role in ("t2", "tb", "admin_b", "guardian2"):
        client = _as(world, role)
        assert client.get(f"/api/v1/learners/{world.l1.pk}/mastery").status_code == 404, role
        assert _post(client, world.l1.pk, score)[0] == 404, role
    assert _post(_as(world, "t1"), 10**9, score)[0] == 404
    assert not Observation.objects.exists()
    # the aide of t1's section may
    assert _post(_as(world, "aide"), world.l1.pk, score)[0] == 200
