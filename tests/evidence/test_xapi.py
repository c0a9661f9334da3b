"""xAPI statements from tools: in as evidence, mastery moves; bad ones stored not at all."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.evidence import factories as ef
from waypoint.audit.models import ActionEntry
from waypoint.evidence.models import Observation, ToolToken, XapiStatement
from waypoint.mastery.models import MasteryState
from waypoint.mastery.services import DEFAULT_PARAMS

URL = "/api/v1/xapi/statements"
VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture
def xapi(world: SimpleNamespace) -> SimpleNamespace:
    """A tool and an aligned activity in each district."""
    x = SimpleNamespace(world=world)
    x.raw_a, x.raw_b = "wpt_alder_tool", "wpt_birch_tool"
    x.tool_a = ef.ToolTokenFactory(district=world.district_a, raw=x.raw_a)
    x.tool_b = ef.ToolTokenFactory(district=world.district_b, raw=x.raw_b)
    x.framework_a = ef.FrameworkFactory(district=world.district_a)
    x.item = ef.FrameworkItemFactory(framework=x.framework_a, human_coding_scheme="4.NF.1")
    x.alignment = ef.AlignmentFactory(item=x.item)
    x.framework_b = ef.FrameworkFactory(district=world.district_b)
    x.item_b = ef.FrameworkItemFactory(framework=x.framework_b)
    ef.AlignmentFactory(item=x.item_b, activity_iri=x.alignment.activity_iri)
    return x


def statement(
    learner: Any,
    activity: str,
    *,
    success: bool | None = True,
    statement_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://tool.example.org", "name": learner.sourced_id},
        },
        "verb": {"id": VERB_ANSWERED, "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": "2025-03-01T10:00:00Z",
        "version": "1.0.3",
    }
    if success is not None:
        out["result"] = {"success": success}
    out.update(extra)
    return out


def post(raw_token: str, body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(
        URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw_token}"
    )


def counts() -> tuple[int, int, int]:
    return (
        XapiStatement.objects.count(),
        Observation.objects.count(),
        MasteryState.objects.count(),
    )


def test_a_posted_statement_becomes_evidence_and_raises_mastery(xapi: SimpleNamespace) -> None:
    learner = xapi.world.l1
    sent = statement(learner, xapi.alignment.activity_iri)
    response = post(xapi.raw_a, sent)
    assert response.status_code == 200, response.content
    assert response.json() == [sent["id"]]

    stored = XapiStatement.objects.get()
    assert (stored.district, stored.learner, stored.tool) == (
        xapi.world.district_a,
        learner,
        xapi.tool_a,
    )
    assert str(stored.statement_id) == sent["id"]
    obs = Observation.objects.get()
    assert (obs.learner, obs.item, obs.correct, obs.source) == (learner, xapi.item, True, "xapi")
    assert obs.source_ref == sent["id"]
    assert obs.observed_at.isoformat() == "2025-03-01T10:00:00+00:00"

    state = MasteryState.objects.get(learner=learner, item=xapi.item)
    assert state.probability > DEFAULT_PARAMS.prior
    assert state.observation_count == 1
    first = state.probability

    # a second correct answer raises it again; a wrong one then lowers it
    assert post(xapi.raw_a, statement(learner, xapi.alignment.activity_iri)).status_code == 200
    state.refresh_from_db()
    assert state.probability > first and state.observation_count == 2
    second = state.probability
    wrong = statement(learner, xapi.alignment.activity_iri, success=False)
    assert post(xapi.raw_a, wrong).status_code == 200
    state.refresh_from_db()
    assert state.probability < second and state.observation_count == 3
    assert ActionEntry.objects.filter(action="evidence.xapi_statements").count() == 3
    assert ActionEntry.objects.filter(action="mastery.apply_observations").count() == 3
    # nothing in the other district moved
    assert not MasteryState.objects.filter(district=xapi.world.district_b).exists()


def test_a_list_of_statements_is_stored_in_order(xapi: SimpleNamespace) -> None:
    w = xapi.world
    body = [
        statement(w.l1, xapi.alignment.activity_iri),
        statement(w.l2, xapi.alignment.activity_iri, success=False),
    ]
    response = post(xapi.raw_a, body)
    assert response.status_code == 200
    assert response.json() == [s["id"] for s in body]
    assert counts() == (2, 2, 2)
    assert Observation.objects.get(learner=w.l2).correct is False


def test_the_learner_is_found_by_identifier_too(xapi: SimpleNamespace) -> None:
    learner = xapi.world.l3
    learner.identifier = "STATE-0042"
    learner.save()
    sent = statement(learner, xapi.alignment.activity_iri)
    sent["actor"]["account"]["name"] = "STATE-0042"
    assert post(xapi.raw_a, sent).status_code == 200
    assert Observation.objects.get().learner == learner


MALFORMED: list[tuple[str, Any, str]] = [
    ("not json", "{not json", "malformed JSON"),
    ("not an object", json.dumps([42]), "statement"),
    ("no actor", {"actor": None}, "actor"),
    ("actor without account", {"actor": {"mbox": "mailto:a@example.org"}}, "actor.account"),
    ("group actor", {"actor": {"objectType": "Group", "member": []}}, "actor"),
    ("id not a uuid", {"id": "nope"}, "id"),
    ("no verb", {"verb": None}, "verb"),
    ("object is a statement ref", {"object": {"objectType": "StatementRef", "id": "x"}}, "object"),
    ("bad timestamp", {"timestamp": "yesterday"}, "timestamp"),
    ("bad version", {"version": "0.95"}, "version"),
    ("scaled out of range", {"result": {"score": {"scaled": 1.5}}}, "result.score.scaled"),
    ("raw without max", {"result": {"score": {"raw": 3}}}, "result.score"),
    ("no outcome", {"result": {"completion": True}}, "result"),
]


@pytest.mark.parametrize(("label", "change", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_statement_is_refused_with_its_reason(
    xapi: SimpleNamespace, label: str, change: Any, field: str
) -> None:
    before = counts()
    if isinstance(change, str):
        body: Any = change
    else:
        body = statement(xapi.world.l1, xapi.alignment.activity_iri)
        body.update(change)
    response = post(xapi.raw_a, body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["detail"]
    if label != "not json":
        assert field in [e["field"] for e in payload["errors"]]
    assert counts() == before


def test_one_bad_statement_in_a_list_stores_nothing(xapi: SimpleNamespace) -> None:
    w = xapi.world
    good = statement(w.l1, xapi.alignment.activity_iri)
    bad = statement(w.l2, xapi.alignment.activity_iri, verb=None)
    response = post(xapi.raw_a, [good, bad])
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [1]
    assert counts() == (0, 0, 0)


def test_an_unknown_learner_and_another_districts_token_look_the_same(
    xapi: SimpleNamespace,
) -> None:
    w = xapi.world
    nobody = SimpleNamespace(sourced_id="no-such-learner")
    before = counts()
    unknown = post(xapi.raw_a, statement(nobody, xapi.alignment.activity_iri))
    assert unknown.status_code == 404
    assert "no learner in this district" in unknown.json()["detail"]

    # district B's tool names district A's learner (and the activity B aligned too)
    foreign = post(xapi.raw_b, statement(w.l1, xapi.alignment.activity_iri))
    assert foreign.status_code == 404
    assert foreign.json() == unknown.json()
    # a staff member's account name is not a learner either
    staff = post(xapi.raw_a, statement(w.t1, xapi.alignment.activity_iri))
    assert staff.status_code == 404
    assert counts() == before == (0, 0, 0)


def test_tokens_are_the_tools_own(xapi: SimpleNamespace) -> None:
    body = statement(xapi.world.l1, xapi.alignment.activity_iri)
    assert post("wpt_wrong", body).status_code == 401
    assert Client().post(URL, data=body, content_type="application/json").status_code == 401
    xapi.tool_a.revoked_at = timezone.now()
    xapi.tool_a.save()
    assert post(xapi.raw_a, body).status_code == 401
    # a person's session is not a tool
    client = Client()
    client.force_login(xapi.world.admin.user)
    assert client.post(URL, data=body, content_type="application/json").status_code == 401
    assert counts() == (0, 0, 0)


def test_a_tool_with_a_home_page_accepts_only_its_accounts(xapi: SimpleNamespace) -> None:
    xapi.tool_a.home_page = "https://other.example.org"
    xapi.tool_a.save()
    response = post(xapi.raw_a, statement(xapi.world.l1, xapi.alignment.activity_iri))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "actor.account.homePage"
    assert counts() == (0, 0, 0)


def test_an_unaligned_activity_is_refused(xapi: SimpleNamespace) -> None:
    response = post(xapi.raw_a, statement(xapi.world.l1, "https://tool.example.org/unknown"))
    assert response.status_code == 400
    assert "not aligned" in response.json()["errors"][0]["reason"]
    assert counts() == (0, 0, 0)


def test_the_same_statement_id_twice_is_stored_once(xapi: SimpleNamespace) -> None:
    learner = xapi.world.l1
    sent = statement(learner, xapi.alignment.activity_iri)
    assert post(xapi.raw_a, sent).json() == [sent["id"]]
    state = MasteryState.objects.get()
    again = post(xapi.raw_a, sent)
    assert again.status_code == 200 and again.json() == [sent["id"]]
    assert counts() == (1, 1, 1)
    assert MasteryState.objects.get().probability == state.probability
    # and twice in one batch
    twin = statement(learner, xapi.alignment.activity_iri)
    assert post(xapi.raw_a, [twin, twin]).json() == [twin["id"], twin["id"]]
    assert counts() == (2, 2, 1)
    # the same id in another district is that district's own statement
    twin_b = statement(xapi.world.lb, xapi.alignment.activity_iri, statement_id=twin["id"])
    assert post(xapi.raw_b, twin_b).status_code == 200
    assert XapiStatement.objects.filter(statement_id=twin["id"]).count() == 2


@pytest.mark.parametrize(
    ("result", "correct"),
    [
        ({"score": {"scaled": 0.8}}, True),
        ({"score": {"scaled": 0.79}}, False),
        ({"score": {"raw": 8, "max": 10}}, True),
        ({"score": {"raw": 7, "max": 10}}, False),
        ({"score": {"raw": 9, "min": 5, "max": 10}}, True),  # (9 - 5) / (10 - 5) = 0.8
        ({"score": {"raw": 8, "min": 5, "max": 10}}, False),  # 0.6
        ({"score": {"scaled": 0.5}, "success": True}, False),  # the district's threshold wins
        ({"success": False}, False),
    ],
)
def test_scores_become_observations_by_the_threshold(
    xapi: SimpleNamespace, result: dict[str, Any], correct: bool
) -> None:
    sent = statement(xapi.world.l1, xapi.alignment.activity_iri, success=None, result=result)
    assert post(xapi.raw_a, sent).status_code == 200
    assert Observation.objects.get().correct is correct


def test_passed_and_failed_verbs_score_a_statement_without_a_result(
    xapi: SimpleNamespace,
) -> None:
    for verb, expected in [("passed", True), ("failed", False)]:
        sent = statement(
            xapi.world.l1,
            xapi.alignment.activity_iri,
            success=None,
            verb={"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        )
        assert post(xapi.raw_a, sent).status_code == 200
        assert Observation.objects.get(source_ref=sent["id"]).correct is expected


def test_an_activity_aligned_to_several_standards_gives_one_observation_each(
    xapi: SimpleNamespace,
) -> None:
    second = ef.FrameworkItemFactory(framework=xapi.framework_a)
    ef.AlignmentFactory(item=second, activity_iri=xapi.alignment.activity_iri)
    # a third standard named directly by its CASE identifier among the context activities,
    # a fourth by its uri; the aligned one named again counts once
    third = ef.FrameworkItemFactory(framework=xapi.framework_a)
    fourth = ef.FrameworkItemFactory(framework=xapi.framework_a)
    context = {
        "contextActivities": {
            "category": [{"id": third.identifier}, {"id": xapi.item.identifier}],
            "other": {"id": fourth.uri},  # xAPI 1.0 allows a single object
        }
    }
    sent = statement(xapi.world.l1, xapi.alignment.activity_iri, context=context)
    assert post(xapi.raw_a, sent).status_code == 200
    observed = set(Observation.objects.values_list("item_id", flat=True))
    assert observed == {xapi.item.pk, second.pk, third.pk, fourth.pk}
    assert Observation.objects.count() == 4
    assert MasteryState.objects.filter(learner=xapi.world.l1).count() == 4


def test_a_standard_named_directly_needs_no_alignment_table(xapi: SimpleNamespace) -> None:
    direct = ef.FrameworkItemFactory(framework=xapi.framework_a)
    context = {"contextActivities": {"category": [{"id": direct.identifier}]}}
    sent = statement(xapi.world.l1, "https://tool.example.org/new-quiz", context=context)
    assert post(xapi.raw_a, sent).status_code == 200
    assert Observation.objects.get().item == direct
    # another district's standard identifier aligns nothing here
    other = {"contextActivities": {"category": [{"id": xapi.item_b.identifier}]}}
    refused = post(xapi.raw_a, statement(xapi.world.l1, "https://x.example.org/q", context=other))
    assert refused.status_code == 400


def test_tool_tokens_from_the_command_line(
    world: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("evidence", "token", "create", "Quiz tool", "--district", "alder")
    raw = capsys.readouterr().out.strip()
    token = ToolToken.objects.get()
    assert raw.startswith("wpt_") and raw not in token.key_hash
    assert token.district == world.district_a
    assert ActionEntry.objects.filter(action="evidence.tool_token.create").exists()
    framework = ef.FrameworkFactory(district=world.district_a)
    alignment = ef.AlignmentFactory(item=ef.FrameworkItemFactory(framework=framework))
    assert post(raw, statement(world.l1, alignment.activity_iri)).status_code == 200
    call_command("evidence", "token", "revoke", str(token.pk), "--district", "alder")
    assert post(raw, statement(world.l1, alignment.activity_iri)).status_code == 401
