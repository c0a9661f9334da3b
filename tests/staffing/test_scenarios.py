"""Saved staffing scenarios: reach and cost on a worked example, the same reach as the access
measures, named errors that leave a saved scenario unchanged, and who may see what."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.staffing.scene import build_two
from waypoint.access.viewer import viewer_for
from waypoint.audit.models import ActionEntry
from waypoint.effectiveness.measures import year_measures
from waypoint.engine import access_measures as am
from waypoint.staffing import funding
from waypoint.staffing.model_templates import ParameterError
from waypoint.staffing.models import FundingFormula, Scenario
from waypoint.staffing.services import save_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> SimpleNamespace:
    a, b = build_two()
    return SimpleNamespace(a=a, b=b)


def _save(s: SimpleNamespace, name: str = "MCL", template: str = "mcl", **parameters):
    return save_scenario(
        viewer_for(s.admin.user),
        school=s.school,
        year=s.year,
        name=name,
        template=template,
        parameters=parameters,
    )


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_worked_example_reach_and_cost(scene: SimpleNamespace) -> None:
    s = scene.a
    scenario = _save(s)
    result = scenario.result
    # A leads B, C, D; the vacant position becomes a reach associate and its 24 learners
    # join the team's classes (22 + 8 places in each of four classes of cap 30)
    assert result["reach"] == {
        "before": {"reached": 22, "total": 112},
        "after": {"reached": 112, "total": 112},
    }
    assert [t["leader"] for t in scenario.plan["teams"]] == [s.teachers["A"].pk]
    assert sorted(m["id"] for m in scenario.plan["teams"][0]["members"]) == sorted(
        s.teachers[n].pk for n in "BCD"
    )
    assert result["cost_before"] == pytest.approx(282_000)
    # + leader 35% of 60,000 + associate 32,000 - vacant 70,000
    assert result["cost_after"] == pytest.approx(282_000 + 21_000 + 32_000 - 70_000)
    assert result["status"] == "Optimal" and result["gap"] == pytest.approx(0.0)
    assert any("converted into a reach associate" in line for line in result["changes"])
    # the published rows (suppressed) hold the same totals
    overall = [r for r in result["published"] if r["dimension"] == "all" and r["place"] == "all"]
    assert {(r["section"], r["reached"], r["learners"]) for r in overall} == {
        ("before", "22", "112"),
        ("after", "112", "112"),
    }
    # nothing of the other district was read
    assert "Birch" not in json.dumps(scenario.plan)
    entry = ActionEntry.objects.get(action="create scenario")
    assert entry.object_id == str(scenario.pk) and entry.district_id == s.district.pk


def test_reach_before_is_the_access_measure(scene: SimpleNamespace) -> None:
    s = scene.a
    scenario = _save(s)
    measures = year_measures(s.year)
    at_school = {pid for pid, x in measures.learners.items() if x.school == s.school.pk}
    he = sum(
        1
        for learner, category in zip(
            measures.per_subject.learner.tolist(),
            measures.per_subject.teacher.tolist(),
            strict=True,
        )
        if learner in at_school and category == am.HIGHLY_EFFECTIVE
    )
    assert scenario.result["reach"]["before"]["reached"] == he == 22


def test_models_without_teams_make_no_team(scene: SimpleNamespace) -> None:
    for template in ("time_tech", "class_size"):
        scenario = _save(scene.a, name=template, template=template)
        assert scenario.plan["teams"] == []
        assert scenario.parameters["teams"] is False
    # the by-hand plan is available too and never beats the optimizer here
    greedy = _save(scene.a, name="by hand", method="greedy")
    best = Scenario.objects.get(name="time_tech")
    assert greedy.result["status"] == "greedy"
    assert greedy.result["reach"]["after"]["reached"] >= best.result["reach"]["before"]["reached"]


@pytest.mark.parametrize(
    ("parameters", "field", "message"),
    [
        ({"associate_salary": -5000}, "associate_salary", "-5000 must not be negative"),
        ({"team_max": 12}, "team_max", "12 is more than the 8 members"),
        ({"team_min": "two"}, "team_min", "'two' is not a whole number"),
        ({"extra_budget": -500_000}, "extra_budget", "below"),
        ({"bands": ["13-14"]}, "bands", "13-14"),
    ],
)
def test_bad_input_is_named_and_the_saved_scenario_is_unchanged(
    scene: SimpleNamespace, parameters: dict, field: str, message: str
) -> None:
    s = scene.a
    saved = _save(s)
    before = Scenario.objects.values().get(pk=saved.pk)
    with pytest.raises(ParameterError) as caught:
        save_scenario(
            viewer_for(s.admin.user),
            school=s.school,
            year=s.year,
            name="MCL renamed",
            template="mcl",
            parameters=parameters,
            scenario=Scenario.objects.get(pk=saved.pk),
        )
    assert field in caught.value.errors and message in caught.value.errors[field]
    assert Scenario.objects.values().get(pk=saved.pk) == before
    assert Scenario.objects.count() == 1
    assert not ActionEntry.objects.filter(action="update scenario").exists()


def test_a_name_is_required_and_unique_per_school(scene: SimpleNamespace) -> None:
    _save(scene.a)
    with pytest.raises(ParameterError, match="already a scenario"):
        _save(scene.a)
    with pytest.raises(ParameterError, match="give the scenario a name"):
        _save(scene.a, name="  ")
    assert Scenario.objects.count() == 1


def test_planner_pages_and_who_may_see_them(scene: SimpleNamespace) -> None:
    a, b = scene.a, scene.b
    scenario = _save(a)
    detail = reverse("staffing:detail", args=[scenario.pk])
    page = _client(a.leader).get(detail)
    assert page.status_code == 200
    text = page.content.decode()
    assert "20%" in text and "100%" in text  # 22 of 112 before, 112 of 112 after
    assert "no extra cost" in text
    for person in (a.other_leader, b.admin, b.leader, a.teachers["B"]):
        assert _client(person).get(detail).status_code == 404
        assert (
            _client(person).get(reverse("staffing:export"), {"ids": scenario.pk}).status_code == 404
        )
    assert _client(a.teachers["B"]).get(reverse("staffing:index")).status_code == 404
    # the other district's admin sees none of it in the list or export
    listed = _client(b.admin).get(reverse("staffing:index")).content.decode()
    assert scenario.name not in listed
    rows = list(
        csv.reader(io.StringIO(_client(b.admin).get(reverse("staffing:export")).content.decode()))
    )
    assert len(rows) == 1  # the header only


def test_bad_input_on_the_page_says_why_and_saves_nothing(scene: SimpleNamespace) -> None:
    a = scene.a
    scenario = _save(a)
    before = Scenario.objects.values().get(pk=scenario.pk)
    client = _client(a.leader)
    response = client.post(
        reverse("staffing:detail", args=[scenario.pk]),
        {"name": "Bigger teams", "team_max": "12", "associate_salary": "-1"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was saved" in text and "12 is more than the 8 members" in text
    assert "-1 must not be negative" in text
    assert Scenario.objects.values().get(pk=scenario.pk) == before
    created = client.post(
        reverse("staffing:new"),
        {"template": "mcl", "school": a.other_school.pk, "name": "Not my school"},
    )
    assert created.status_code == 404 and Scenario.objects.count() == 1


def test_new_edit_compare_and_csv(scene: SimpleNamespace) -> None:
    a = scene.a
    client = _client(a.admin)
    response = client.post(
        reverse("staffing:new"),
        {"template": "mcl", "school": a.school.pk, "name": "Neutral"},
    )
    assert response.status_code == 302
    first = Scenario.objects.get(name="Neutral")
    response = client.post(
        reverse("staffing:new"),
        {
            "template": "class_size",
            "school": a.school.pk,
            "name": "Class size",
            "class_size_cap": "28",
        },
    )
    second = Scenario.objects.get(name="Class size")
    assert second.parameters["class_size_cap"] == 28
    # edit: a grant that ends shows in the projection
    response = client.post(
        reverse("staffing:detail", args=[first.pk]),
        {"name": "Neutral", "grant": "50000", "grant_ends": str(a.year.start_date.year + 3)},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    grants = [y["grant"] for y in first.result["projection"]["years"]]
    assert grants[:2] == [50_000, 50_000] and grants[-1] == 0
    page = client.get(reverse("staffing:compare"), {"ids": [first.pk, second.pk]})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Neutral" in text and "Class size" in text and "<svg" in text
    data = client.get(reverse("staffing:export"), {"ids": [first.pk, second.pk]}).content.decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    overall = {r["scenario"]: r for r in rows if r["dimension"] == "all"}
    assert overall["Neutral"]["reached_before"] == "22"
    assert overall["Neutral"]["reached_after"] == "112"
    assert float(overall["Neutral"]["cost_change"]) == pytest.approx(-17_000)
    assert {r["school"] for r in rows} == {a.school.name}


def test_api_follows_the_same_rules(scene: SimpleNamespace) -> None:
    a, b = scene.a, scene.b
    scenario = _save(a)
    client = _client(a.leader)
    listed = client.get("/api/v1/staffing/scenarios").json()
    assert [x["id"] for x in listed] == [scenario.pk]
    assert _client(b.admin).get(f"/api/v1/staffing/scenarios/{scenario.pk}").status_code == 404
    assert _client(b.admin).get("/api/v1/staffing/scenarios").json() == []
    before = Scenario.objects.values().get(pk=scenario.pk)
    bad = client.put(
        f"/api/v1/staffing/scenarios/{scenario.pk}",
        data={"parameters": {"team_max": 12}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "12 is more than the 8 members" in bad.json()["errors"]["team_max"]
    assert Scenario.objects.values().get(pk=scenario.pk) == before
    made = client.post(
        "/api/v1/staffing/scenarios",
        data={"school_id": a.school.pk, "name": "By API", "template": "class_size"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["plan"]["teams"] == []
    other = client.post(
        "/api/v1/staffing/scenarios",
        data={"school_id": b.school.pk, "name": "Theirs"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_weighted_student_funding(scene: SimpleNamespace) -> None:
    a = scene.a
    assert funding.allocations(a.year) is None
    funding.save_formula(a.district, base="8000", weights={"english_learner": 0.5})
    (allocation,) = funding.allocations(a.year)
    # 116 learners at the school, 40 of them English learners: weights 0 for grades 3-5
    learners = len(a.learners)
    english = sum(1 for i in range(22) if i % 3 == 0) * 4 + sum(1 for i in range(24) if i % 3 == 0)
    assert allocation.learners == learners
    assert allocation.allocation == pytest.approx(8000 * (learners + 0.5 * english))
    with pytest.raises(ParameterError) as caught:
        funding.save_formula(a.district, base="-1", weights={"gifted": "lots"})
    assert "base" in caught.value.errors and "gifted" in caught.value.errors
    assert FundingFormula.objects.get(district=a.district).base == 8000
    assert ActionEntry.objects.filter(action="set funding formula").count() == 1
    page = _client(a.admin).get(reverse("staffing:funding"))
    assert page.status_code == 200 and a.school.name in page.content.decode()
    refused = _client(a.leader).post(reverse("staffing:funding"), {"base": "1"})
    assert refused.status_code == 403
    assert FundingFormula.objects.get(district=a.district).base == 8000
