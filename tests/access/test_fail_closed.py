"""An error inside an access rule denies: nothing shown, the record is a 404, and it is logged."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.test import Client

from waypoint.access import policies
from waypoint.access.viewer import viewer_for
from waypoint.audit.models import AccessEntry


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("enrollment lookup failed")


def test_an_error_in_a_rule_shows_nothing(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.force_login(world.t1.user)
    assert client.get(f"/learners/{world.l1.pk}/").status_code == 200

    monkeypatch.setattr(policies, "_learners_in_sections", _broken)
    with caplog.at_level(logging.ERROR, logger="waypoint.access.policies"):
        assert client.get(f"/learners/{world.l1.pk}/").status_code == 404
        assert client.get("/api/v1/learners").json()["count"] == 0
        assert policies.visible_learners(viewer_for(world.t1.user)).count() == 0
    assert "visible_learners failed; denying" in caplog.text
    assert AccessEntry.objects.filter(outcome="denied", requested_id=str(world.l1.pk)).exists()


def test_an_inactive_account_sees_nothing(world: SimpleNamespace) -> None:
    user = world.t1.user
    user.is_active = False
    user.save()
    assert viewer_for(user).person is None
    assert policies.visible_learners(viewer_for(user)).count() == 0


def test_a_deactivated_person_sees_nothing(world: SimpleNamespace) -> None:
    world.admin.active = False
    world.admin.save()
    assert policies.visible_learners(viewer_for(world.admin.user)).count() == 0
    assert policies.visible_ratings(viewer_for(world.admin.user)).count() == 0
