"""Log in, log out, and the home page each role lands on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import PASSWORD


def test_login_with_a_bad_password_says_so(world: SimpleNamespace) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "t1", "password": "wrong"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    assert "_auth_user_id" not in client.session


def test_login_and_logout(world: SimpleNamespace) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "t1", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/accounts/login/")


def test_pages_need_a_login(world: SimpleNamespace) -> None:
    for url in ["/", "/learners/", f"/learners/{world.l1.pk}/", "/learners/export.csv"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/accounts/login/")


def _home(world: SimpleNamespace, role: str):
    client = Client()
    client.force_login(getattr(world, role).user)
    return client.get("/", follow=True)


def test_teacher_home_lists_my_sections_and_their_learner_counts(world: SimpleNamespace) -> None:
    page = _home(world, "t1")
    sections = list(page.context["my_sections"])
    assert [s.title for s in sections] == ["Grade 4 Math (T1)"]
    assert sections[0].learner_count == 1  # Ada; the dropped learner is not counted
    assert page.context["learner_total"] == 1


def test_guardian_home_lists_exactly_my_children(world: SimpleNamespace) -> None:
    page = _home(world, "guardian")
    assert [c.given_name for c in page.context["children"]] == ["Ada"]
    assert b"Ben" not in page.content


def test_learner_home_is_my_own_page(world: SimpleNamespace) -> None:
    page = _home(world, "l1")
    assert page.redirect_chain[-1][0] == f"/learners/{world.l1.pk}/"
    assert page.context["learner"] == world.l1


def test_coach_home_shows_the_teachers_i_support(world: SimpleNamespace) -> None:
    page = _home(world, "coach")
    assert [m["teacher"] for m in page.context["team"]] == [world.t1]


def test_leader_and_admin_homes_show_their_schools(world: SimpleNamespace) -> None:
    leader = _home(world, "leader")
    assert [s.name for s in leader.context["schools"]] == ["Alder Elementary"]
    admin = _home(world, "admin")
    assert {s.name for s in admin.context["schools"]} == {"Alder Elementary", "Alder Middle"}
    assert b"Birch" not in admin.content


@pytest.mark.django_db
def test_an_account_without_a_person_sees_nothing() -> None:
    user = get_user_model().objects.create_user("ops", password=PASSWORD, is_superuser=True)
    client = Client()
    client.force_login(user)
    assert b"not linked" in client.get("/").content
    assert client.get("/api/v1/learners").json()["count"] == 0
    assert client.get("/admin/").status_code == 302


def test_health_endpoint(world: SimpleNamespace) -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_race_and_ethnicity_use_the_federal_labels() -> None:
    from tests.factories import LearnerFactory
    from waypoint.roster.models import Demographics

    learner = LearnerFactory()
    demo = Demographics(person=learner, district=learner.district, black_or_african_american=True)
    assert demo.race_ethnicity == "Black or African American"
    demo.asian = True
    assert demo.race_ethnicity == "Two or more races"
    demo.hispanic_or_latino = True
    assert demo.race_ethnicity == "Hispanic or Latino"
