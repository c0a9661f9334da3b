"""The access matrix: every role against every kind of learner (and staff record), through the
page, the API, the list endpoints and exports, and Django admin.

Allowed: 200. Not allowed: the very same 404 as for an id that does not exist, and the record
is absent from lists, counts and exports.
"""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest
from django.test import Client

ROLES = ["admin", "leader", "t1", "aide", "coach", "mcl", "advisor", "guardian", "l1"]
LEARNER_TARGETS = {
    "own": "l1",
    "other_section": "l2",
    "other_school": "l3",
    "other_district": "lb",
    "former": "lf",  # T1's learner last year, in T2's section this year
    "dropped": "ld",  # left T1's section yesterday
}
MISSING_ID = 987_654_321
CAN_SEE_LEARNERS = {
    "admin": {"own", "other_section", "other_school", "former", "dropped"},
    "leader": {"own", "other_section", "former"},
}
ADMIN_SITE_ROLES = {"admin", "leader"}

RATING_TARGETS = {
    "own_teacher": "rating_t1",
    "peer_same_school": "rating_t2",
    "other_school": "rating_t3",
    "leader": "rating_leader",
    "other_district": "rating_tb",
}
CAN_SEE_RATINGS = {
    "admin": {"own_teacher", "peer_same_school", "other_school", "leader"},
    "leader": {"own_teacher", "peer_same_school", "leader"},
    "t1": {"own_teacher"},
    "coach": {"own_teacher"},
    "mcl": {"own_teacher"},
}

LEARNER_URLS = {
    "page": "/learners/{}/",
    "api": "/api/v1/learners/{}",
    "admin": "/admin/roster/learner/{}/change/",
}
RATING_URLS = {
    "page": "/ratings/{}/",
    "api": "/api/v1/ratings/{}",
    "admin": "/admin/effectiveness/effectivenessrating/{}/change/",
}


def _client_for(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def _normalised(body: bytes) -> bytes:
    """Page bodies differ only in the per-response CSRF token; remove it to compare."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def _statuses(client: Client, urls: dict[str, str], ids: dict[str, int]) -> dict[str, int]:
    return {name: client.get(urls.format(pk)).status_code for name, pk in ids.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("channel", ["page", "api", "admin"])
def test_learner_record_matrix(world: SimpleNamespace, role: str, channel: str) -> None:
    client = _client_for(world, role)
    ids = {name: getattr(world, attr).pk for name, attr in LEARNER_TARGETS.items()}
    ids["missing"] = MISSING_ID
    url = LEARNER_URLS[channel]
    actual = _statuses(client, url, ids)

    if channel == "admin" and role not in ADMIN_SITE_ROLES:
        # Roles without the data-admin window are sent to its login, whatever they ask for.
        assert set(actual.values()) == {302}
        return
    allowed = CAN_SEE_LEARNERS.get(role, {"own"})
    expected = {name: 200 if name in allowed else 404 for name in ids}
    assert actual == expected

    missing = client.get(url.format(MISSING_ID))
    for name in ids.keys() - allowed:
        hidden = client.get(url.format(ids[name]))
        assert _normalised(hidden.content) == _normalised(missing.content), name
        assert hidden.headers.get("Content-Type") == missing.headers.get("Content-Type")


@pytest.mark.parametrize("role", ROLES)
def test_learner_lists_counts_and_exports_hold_only_visible_learners(
    world: SimpleNamespace, role: str
) -> None:
    client = _client_for(world, role)
    allowed = CAN_SEE_LEARNERS.get(role, {"own"})
    expected_ids = {getattr(world, LEARNER_TARGETS[name]).pk for name in allowed}
    forbidden_ids = {
        getattr(world, attr).pk for name, attr in LEARNER_TARGETS.items() if name not in allowed
    }

    listing = client.get("/api/v1/learners?limit=1000").json()
    assert {row["id"] for row in listing["items"]} == expected_ids
    assert listing["count"] == len(expected_ids)

    page = client.get("/learners/")
    assert page.status_code == 200
    assert page.context["total"] == len(expected_ids)
    shown = {int(pk) for pk in re.findall(rb'data-learner="(\d+)"', page.content)}
    assert shown == expected_ids

    export = client.get("/learners/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {int(row["id"]) for row in rows} == expected_ids
    assert not forbidden_ids & {int(row["id"]) for row in rows}

    enrollments = client.get("/api/v1/enrollments?limit=1000").json()["items"]
    learner_rows = {row["person_id"] for row in enrollments if row["role"] == "student"}
    assert learner_rows <= expected_ids
    assert not learner_rows & forbidden_ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("channel", ["page", "api", "admin"])
def test_staff_rating_record_matrix(world: SimpleNamespace, role: str, channel: str) -> None:
    client = _client_for(world, role)
    ids = {name: getattr(world, attr).pk for name, attr in RATING_TARGETS.items()}
    ids["missing"] = MISSING_ID
    url = RATING_URLS[channel]
    actual = _statuses(client, url, ids)
    if channel == "admin" and role not in ADMIN_SITE_ROLES:
        assert set(actual.values()) == {302}
        return
    allowed = set(CAN_SEE_RATINGS.get(role, set()))
    if role == "leader":
        allowed.add("leader")
    expected = {name: 200 if name in allowed else 404 for name in ids}
    assert actual == expected

    missing = client.get(url.format(MISSING_ID))
    for name in ids.keys() - allowed:
        assert _normalised(client.get(url.format(ids[name])).content) == _normalised(
            missing.content
        )


@pytest.mark.parametrize("role", ROLES)
def test_rating_list_holds_only_visible_records(world: SimpleNamespace, role: str) -> None:
    client = _client_for(world, role)
    allowed = CAN_SEE_RATINGS.get(role, set())
    expected = {getattr(world, RATING_TARGETS[name]).pk for name in allowed}
    listing = client.get("/api/v1/ratings?limit=100").json()
    assert {row["id"] for row in listing["items"]} == expected
    assert listing["count"] == len(expected)


def test_admin_changelist_counts_only_visible_learners(world: SimpleNamespace) -> None:
    client = _client_for(world, "leader")
    response = client.get("/admin/roster/learner/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3  # Ada, Ben, Fay
    assert response.context["cl"].full_result_count == 3
    names = {p.given_name for p in response.context["cl"].result_list}
    assert names == {"Ada", "Ben", "Fay"}
