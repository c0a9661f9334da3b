"""The narrow peer rule (policies.peer_feedback_learners): a learner the teacher allowed opens
a classmate's plan view and nothing else; the rule never widens visible_learners, and it
fails closed like every other rule."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.plans.helpers import add_classmates, viewer
from waypoint.access import policies
from waypoint.access.viewer import ANONYMOUS
from waypoint.plans import services


@pytest.fixture
def w(world: SimpleNamespace) -> SimpleNamespace:
    w = add_classmates(world)
    services.grant_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, peer_id=w.peer1.pk)
    return w


def test_a_peer_gets_the_classmate_and_only_through_the_narrow_rule(w: SimpleNamespace) -> None:
    assert list(policies.peer_feedback_learners(viewer(w.peer1))) == [w.l1]
    assert list(policies.visible_learners(viewer(w.peer1))) == [w.peer1]  # never widened
    assert not policies.visible_sections(viewer(w.peer1)).exclude(pk=w.s1.pk).exists()


@pytest.mark.parametrize("who", ["l1", "peer2", "guardian_p", "guardian", "t1", "admin", "lb"])
def test_nobody_else_is_a_peer(w: SimpleNamespace, who: str) -> None:
    assert not policies.peer_feedback_learners(viewer(getattr(w, who))).exists()
    assert not policies.peer_feedback_learners(ANONYMOUS).exists()


def test_grants_are_listed_for_those_who_see_the_learner(w: SimpleNamespace) -> None:
    for who in (w.t1, w.aide, w.advisor, w.admin, w.l1, w.guardian):
        assert [g.peer for g in policies.visible_peer_grants(viewer(who))] == [w.peer1]
    for who in (w.t2, w.peer1, w.peer2, w.guardian_p, w.tb, w.admin_b):
        assert not policies.visible_peer_grants(viewer(who)).exists()


def test_only_teachers_of_the_section_may_grant(w: SimpleNamespace) -> None:
    assert list(policies.peer_grant_sections(viewer(w.t1))) == [w.s1]
    for who in (w.aide, w.coach, w.advisor, w.leader, w.admin, w.t2, w.l1, w.guardian):
        assert w.s1 not in policies.peer_grant_sections(viewer(who))


def test_an_error_in_the_peer_rule_denies(
    w: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("grant lookup failed")

    client = Client()
    client.force_login(w.peer1.user)
    assert client.get(f"/plans/{w.l1.pk}/peer/").status_code == 200
    monkeypatch.setattr(policies, "_live_peer_grants", broken)
    with caplog.at_level(logging.ERROR, logger="waypoint.access.policies"):
        assert client.get(f"/plans/{w.l1.pk}/peer/").status_code == 404
    assert "peer_feedback_learners failed; denying" in caplog.text
