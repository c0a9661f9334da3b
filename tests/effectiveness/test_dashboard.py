"""The leader dashboard and its CSV export, without a browser."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.effectiveness.test_reports import district_scene  # noqa: F401 — fixture
from waypoint.reports.equity import Scope, access_report
from waypoint.roster.models import StaffRole


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_only_admins_and_leaders(world: SimpleNamespace) -> None:
    url = reverse("effectiveness:dashboard")
    assert _client(world.admin).get(url).status_code == 200
    assert _client(world.leader).get(url).status_code == 200
    for person in (world.t1, world.aide, world.coach, world.mcl, world.guardian, world.l1):
        assert _client(person).get(url).status_code == 404
        assert _client(person).get(reverse("effectiveness:export")).status_code == 404
    # a year of another district is a 404 too
    other = _client(world.admin).get(url, {"year": world.year_b.pk})
    assert other.status_code == 404


def test_leader_page_shows_their_school_only(world: SimpleNamespace) -> None:
    page = _client(world.leader).get(reverse("effectiveness:dashboard")).content.decode()
    assert "Alder Elementary" in page and "Alder Middle" not in page
    assert "Birch" not in page
    for learner in (world.l1, world.l2, world.lf):
        assert learner.family_name not in page
    assert 'role="img"' in page and "<desc" in page
    assert 'id="suppression-note"' in page


def _login(person) -> None:
    person.user = f.UserFactory()
    person.save(update_fields=["user"])


def test_drill_down_and_export_are_one_set(district_scene: SimpleNamespace) -> None:  # noqa: F811
    s = district_scene
    admin = f.StaffFactory(district=s.district)
    f.StaffRoleFactory(person=admin, role=StaffRole.Role.DISTRICT_ADMIN)
    _login(admin)
    client = _client(admin)
    page = client.get(
        reverse("effectiveness:dashboard"), {"year": s.year.pk, "school": s.north.pk}
    ).content.decode()
    assert "North: by grade, subject and group" in page
    assert "English learner: yes" in page
    assert "Zanzibar" not in page
    response = client.get(reverse("effectiveness:export"), {"year": s.year.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    expected = access_report(scope=Scope(s.district, None), year=s.year).csv_rows()
    assert rows == expected
    assert "Zanzibar" not in response.content.decode()
    # principal (and both) by group as well, from the same published set
    page = client.get(
        reverse("effectiveness:dashboard"),
        {"year": s.year.pk, "school": s.north.pk, "role": "principal"},
    ).content.decode()
    assert "English learner: no" in page and "by school only" not in page
