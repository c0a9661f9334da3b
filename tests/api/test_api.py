"""The JSON API: session and token auth, OpenAPI schema, pagination, and errors."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.management import call_command
from django.test import Client

from waypoint.access.models import ApiToken
from waypoint.audit.models import ActionEntry


def test_anonymous_requests_are_refused(world: SimpleNamespace) -> None:
    response = Client().get("/api/v1/learners")
    assert response.status_code == 401


def test_token_auth_sees_what_the_account_may_see(world: SimpleNamespace, capsys) -> None:
    call_command("token", "create", "t1", "--name", "gradebook")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("wp_")
    token = ApiToken.objects.get(user=world.t1.user)
    assert raw not in token.key_hash  # only the hash is kept
    assert ActionEntry.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listing = client.get("/api/v1/learners", **auth).json()
    assert [row["id"] for row in listing["items"]] == [world.l1.pk]
    assert client.get(f"/api/v1/learners/{world.l2.pk}", **auth).status_code == 404
    detail = client.get(f"/api/v1/learners/{world.l1.pk}", **auth).json()
    assert detail["given_name"] == "Ada"
    assert detail["years"][0]["school_year"] == world.year_a.title

    call_command("token", "revoke", "t1")
    assert client.get("/api/v1/learners", **auth).status_code == 401


def test_a_wrong_token_is_refused(world: SimpleNamespace) -> None:
    response = Client().get("/api/v1/learners", HTTP_AUTHORIZATION="Bearer wp_nope")
    assert response.status_code == 401


def test_sections_and_enrollments_follow_the_access_rules(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.guardian.user)
    sections = client.get("/api/v1/sections").json()["items"]
    assert [s["id"] for s in sections] == [world.s1.pk]
    assert client.get(f"/api/v1/sections/{world.s2.pk}").status_code == 404
    enrollments = client.get("/api/v1/enrollments").json()["items"]
    people = {(e["person_id"], e["role"]) for e in enrollments}
    # the child's own enrollment and the section's teachers, never classmates
    assert (world.l1.pk, "student") in people
    assert all(pid == world.l1.pk for pid, role in people if role == "student")
    filtered = client.get(f"/api/v1/enrollments?section_id={world.s2.pk}").json()
    assert filtered["count"] == 0


def test_openapi_schema_is_generated_from_the_code(world: SimpleNamespace) -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Waypoint API"
    for path in [
        "/api/v1/learners",
        "/api/v1/learners/{learner_id}",
        "/api/v1/sections",
        "/api/v1/enrollments",
        "/api/v1/ratings/{rating_id}",
    ]:
        assert path in schema["paths"], path


def test_pagination_counts_and_limits(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.admin.user)
    first = client.get("/api/v1/learners?limit=2&offset=0").json()
    rest = client.get("/api/v1/learners?limit=10&offset=2").json()
    assert first["count"] == rest["count"] == 5
    ids = [r["id"] for r in first["items"]] + [r["id"] for r in rest["items"]]
    assert len(ids) == len(set(ids)) == 5
    assert client.get("/api/v1/learners?limit=abc").status_code == 422
