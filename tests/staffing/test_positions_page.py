"""A school's staffing model page and position edits: who may see and edit, named errors with
nothing saved, audited edits, and edits that change what a scenario plans with."""

from __future__ import annotations

import html
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.staffing.scene import build_two
from waypoint.access.viewer import viewer_for
from waypoint.audit.models import ActionEntry
from waypoint.staffing.model_templates import ParameterError
from waypoint.staffing.models import Position
from waypoint.staffing.positions import update_position
from waypoint.staffing.services import save_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> SimpleNamespace:
    a, b = build_two()
    return SimpleNamespace(a=a, b=b)


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_the_school_page_lists_positions_with_ratings_and_coverage(scene: SimpleNamespace) -> None:
    a, b = scene.a, scene.b
    url = reverse("staffing:school", args=[a.school.pk])
    page = _client(a.leader).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alder-pos-A" in text and "highly effective" in text
    assert "vacant" in text and "$282,000" in text  # 60k + 50k + 50k + 52k + 70k
    # the vacancy covers the substitute's class of 24
    row = text[text.index("Alder-pos-V1") :]
    assert "<td>1</td><td>24</td>" in row[: row.index("</tr>")]
    for person in (a.other_leader, b.admin, b.leader, a.teachers["B"]):
        assert _client(person).get(url).status_code == 404
        assert (
            _client(person).get(reverse("staffing:position", args=[a.vacancy.pk])).status_code
            == 404
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("salary", "-5000", "-5000 must not be negative"),
        ("salary", "lots", "'lots' is not a number"),
        ("fte", "1.5", "1.5 must be more than 0 and at most 1"),
        ("step", "two", "'two' is not a whole number"),
        ("certifications", "mathematics:13-14", "band '13-14'"),
        ("certifications", "cooking:3-5", "subject 'cooking'"),
    ],
)
def test_a_bad_edit_is_named_and_nothing_is_saved(
    scene: SimpleNamespace, field: str, value: str, message: str
) -> None:
    a = scene.a
    position = Position.objects.get(sourced_id="Alder-pos-A")
    before = Position.objects.values().get(pk=position.pk)
    form = {
        "kind": "teacher",
        "fte": "1",
        "salary": "60000",
        "lane": "",
        "step": "",
        "certifications": "mathematics:3-5",
        "active": "on",
        field: value,
    }
    response = _client(a.leader).post(reverse("staffing:position", args=[position.pk]), form)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert Position.objects.values().get(pk=position.pk) == before
    assert not ActionEntry.objects.filter(action="edit position").exists()


def test_an_edit_is_saved_audited_and_changes_the_plan(scene: SimpleNamespace) -> None:
    a = scene.a
    vacancy = a.vacancy
    response = _client(a.admin).post(
        reverse("staffing:position", args=[vacancy.pk]),
        {
            "kind": "teacher",
            "fte": "1",
            "salary": "80,000",
            "lane": "MA",
            "step": "4",
            "certifications": "math:3-5 ela:3-5",
            "active": "on",
            "covers": [a.sections["sub"].pk],
        },
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.salary == Decimal(80_000) and vacancy.step == 4 and vacancy.lane == "MA"
    assert vacancy.certifications == ["ela:3-5", "mathematics:3-5"]
    entry = ActionEntry.objects.get(action="edit position")
    assert entry.details["salary"] == ["70000.00", "80000"]
    scenario = save_scenario(
        viewer_for(a.admin.user),
        school=a.school,
        year=a.year,
        name="x",
        template="mcl",
        parameters={},
    )
    assert scenario.result["cost_before"] == pytest.approx(292_000)
    # converting the dearer vacancy frees 80,000 - 32,000
    assert scenario.result["cost_after"] == pytest.approx(292_000 + 21_000 + 32_000 - 80_000)


def test_only_a_vacant_position_covers_sections(scene: SimpleNamespace) -> None:
    a, b = scene.a, scene.b
    filled = Position.objects.get(sourced_id="Alder-pos-B")
    with pytest.raises(ParameterError, match="only a vacant position"):
        update_position(
            user=None, position=filled, data={"covers": [a.sections["B"].pk]}, year=a.year
        )
    with pytest.raises(ParameterError, match="not sections of Alder Elementary"):
        update_position(
            user=None, position=a.vacancy, data={"covers": [b.sections["sub"].pk]}, year=a.year
        )
    assert list(a.vacancy.covers.all()) == [a.sections["sub"]]
