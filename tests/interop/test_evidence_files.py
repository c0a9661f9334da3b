"""Evidence files in: item responses (CSV, Parquet), activity alignments, xAPI JSON lines.

Every file is checked whole before anything is stored; one bad row and nothing changes,
with every problem by row, column, value and reason. Importing a file twice stores it once.
District B's learners and standards are invisible to an import into district A.
"""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from tests.evidence import factories as ef
from waypoint.evidence.models import ActivityAlignment, Observation, XapiStatement
from waypoint.mastery.models import MasteryState


@pytest.fixture
def std(world: SimpleNamespace) -> SimpleNamespace:
    framework = ef.FrameworkFactory(district=world.district_a)
    other = ef.FrameworkFactory(district=world.district_a)
    framework_b = ef.FrameworkFactory(district=world.district_b)
    return SimpleNamespace(
        nf1=ef.FrameworkItemFactory(framework=framework, human_coding_scheme="4.NF.A.1"),
        nf3=ef.FrameworkItemFactory(framework=framework, human_coding_scheme="4.NF.B.3"),
        # the same code in two frameworks of A: only the identifier names one of them
        twice_a=ef.FrameworkItemFactory(framework=framework, human_coding_scheme="4.OA.1"),
        twice_b=ef.FrameworkItemFactory(framework=other, human_coding_scheme="4.OA.1"),
        in_b=ef.FrameworkItemFactory(framework=framework_b, human_coding_scheme="4.MD.1"),
    )


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(fmt: str, path: Path, slug: str, *extra: str) -> str:
    out = StringIO()
    call_command("import", fmt, str(path), "--district", slug, *extra, stdout=out)
    return out.getvalue()


def _refusal(fmt: str, path: Path, slug: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", fmt, str(path), "--district", slug, stderr=err)
    return err.getvalue()


def _snapshot() -> tuple[int, int, int, int]:
    return (
        Observation.objects.count(),
        MasteryState.objects.count(),
        ActivityAlignment.objects.count(),
        XapiStatement.objects.count(),
    )


def responses_csv(w: SimpleNamespace, std: SimpleNamespace) -> str:
    return (
        "learner,standards,time,correct,score,max_score,item,source\n"
        f"{w.l1.sourced_id},4.NF.A.1,2025-01-06T09:00:00Z,1,,,q1,unit test\n"
        f"{w.l1.sourced_id},4.NF.A.1; 4.NF.B.3,2025-01-06T09:05:00Z,,8,10,q2,unit test\n"
        f"{w.l2.sourced_id},{std.twice_a.identifier},2025-01-07,,3,10,q3,unit test\n"
    )


def test_responses_become_observations_and_move_mastery_once(
    world: SimpleNamespace, std: SimpleNamespace, tmp_path: Path
) -> None:
    path = _write(tmp_path, "responses.csv", responses_csv(world, std))
    slug = world.district_a.slug
    dry = _import("responses", path, slug, "--dry-run")
    assert "Dry run, nothing changed; the import would store 4 observation(s)" in dry
    assert _snapshot() == (0, 0, 0, 0)

    out = _import("responses", path, slug)
    assert "Stored 4 observation(s) from 3 row(s) (0 already recorded); 3 mastery state(s)" in out
    got = {
        (o.learner_id, o.item_id, o.correct, o.score)
        for o in Observation.objects.filter(source=Observation.Source.RESPONSES)
    }
    assert got == {
        (world.l1.pk, std.nf1.pk, True, None),
        (world.l1.pk, std.nf1.pk, True, 8.0),  # 8/10 = 80%: correct, on both standards
        (world.l1.pk, std.nf3.pk, True, 8.0),
        (world.l2.pk, std.twice_a.pk, False, 3.0),
    }
    state = MasteryState.objects.get(learner=world.l1, item=std.nf1)
    assert state.observation_count == 2 and state.probability > 0.5

    again = _import("responses", path, slug)
    assert "Stored 0 observation(s) from 3 row(s) (4 already recorded); 0 mastery" in again
    assert _snapshot()[:2] == (4, 3)


def test_responses_from_parquet(world: SimpleNamespace, std: SimpleNamespace, tmp_path: Path):
    import datetime as dt

    table = pa.table(
        {
            "learner": [world.l1.identifier or world.l1.sourced_id, world.l2.sourced_id],
            "standard": ["4.NF.A.1", std.nf3.uri],
            "time": [
                dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC),
                dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC),
            ],
            "correct": [True, False],
        }
    )
    path = tmp_path / "responses.parquet"
    pq.write_table(table, path)
    out = _import("responses", path, world.district_a.slug)
    assert "Stored 2 observation(s) from 2 row(s)" in out
    assert sorted(Observation.objects.values_list("item_id", "correct")) == sorted(
        [(std.nf1.pk, True), (std.nf3.pk, False)]
    )
    broken = _write(tmp_path, "broken.parquet", "not parquet at all")
    assert "not a readable Parquet file" in _refusal("responses", broken, world.district_a.slug)


def test_a_bad_responses_file_changes_nothing_and_names_every_problem(
    world: SimpleNamespace, std: SimpleNamespace, tmp_path: Path
) -> None:
    w = world
    text = (
        "learner,standard,time,correct,score,max_score,colour\n"
        f"{w.l1.sourced_id},4.NF.A.1,2025-01-06T09:00:00Z,1,,,red\n"  # good
        f"{w.lb.sourced_id},4.NF.A.1,2025-01-06T09:00:00Z,1,,,\n"  # district B's learner
        f"{w.l1.sourced_id},4.OA.1,2025-01-06T09:00:00Z,0,,,\n"  # ambiguous code
        f"{w.l1.sourced_id},4.MD.1,2025-01-06T09:00:00Z,0,,,\n"  # district B's standard
        f"{w.l1.sourced_id},4.NF.A.1,yesterday,1,,,\n"
        f"{w.l1.sourced_id},4.NF.A.1,2025-01-06T09:00:00Z,,11,10,\n"
        f"{w.l1.sourced_id},4.NF.A.1,2025-01-06T09:00:00Z,maybe,,,\n"
        f",,2025-01-06T09:00:00Z,1,,,\n"
    )
    path = _write(tmp_path, "responses.csv", text)
    before = _snapshot()
    report = _refusal("responses", path, w.district_a.slug)
    assert _snapshot() == before
    expected = [
        f"responses.csv, row 3, column learner (value '{w.lb.sourced_id}'): no learner of this "
        "district has this sourcedId or identifier",
        "responses.csv, row 4, column standard (value '4.OA.1'): the code names 2 current "
        "standards; use the CASE identifier",
        "responses.csv, row 5, column standard (value '4.MD.1'): no current standard of this "
        "district has this identifier, URI or code",
        "responses.csv, row 6, column time (value 'yesterday'): required: an ISO 8601",
        "responses.csv, row 7, column score (value '11'): not between 0 and the maximum 10",
        "responses.csv, row 8, column correct (value 'maybe'): use 1 or 0",
        "responses.csv, row 9, column learner: required",
        "responses.csv, row 9, column standard: at least one standard is required",
    ]
    for line in expected:
        assert line in report, line
    assert "row 2" not in report

    # whole-file problems
    missing = _write(tmp_path, "short.csv", "learner,time\nx,2025-01-01\n")
    report = _refusal("responses", missing, w.district_a.slug)
    assert "column standard: a standard or standards column is required" in report
    assert "column correct: a correct or a score column is required" in report
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "learner,standard,time,correct\nJosé,4.NF.A.1,2025-01-01,1\n".encode("latin-1")
    )
    assert "not UTF-8" in _refusal("responses", latin, w.district_a.slug)
    ragged = _write(tmp_path, "ragged.csv", "learner,standard,time,correct\na,b\n")
    report = _refusal("responses", ragged, w.district_a.slug)
    assert "row 2 (value 'a,b'): 2 value(s) for 4 column(s)" in report
    assert "give a .csv or a .parquet" in _refusal(
        "responses", _write(tmp_path, "r.xlsx", "x"), w.district_a.slug
    )
    assert _snapshot() == before


def test_alignments_from_csv(world: SimpleNamespace, std: SimpleNamespace, tmp_path: Path):
    slug = world.district_a.slug
    text = (
        "activity,standards\n"
        "https://tool.example.org/act/fractions-1,4.NF.A.1;4.NF.B.3\n"
        f"https://tool.example.org/act/oa,{std.twice_b.identifier}\n"
    )
    path = _write(tmp_path, "alignments.csv", text)
    assert "would store 3 alignment(s)" in _import("alignments", path, slug, "--dry-run")
    assert ActivityAlignment.objects.count() == 0
    assert "Stored 3 alignment(s) from 2 row(s) (0 already there)" in _import(
        "alignments", path, slug
    )
    assert "Stored 0 alignment(s) from 2 row(s) (3 already there)" in _import(
        "alignments", path, slug
    )
    bad = _write(
        tmp_path, "bad.csv", "activity,standard\nnot an iri,4.NF.A.1\nhttps://x.org/a,4.MD.1\n"
    )
    report = _refusal("alignments", bad, slug)
    assert "row 2, column activity (value 'not an iri'): not an IRI" in report
    assert "row 3, column standard (value '4.MD.1'): no current standard" in report
    assert ActivityAlignment.objects.count() == 3


def _statement(learner: object, activity: str, success: bool, sid: str | None = None) -> dict:
    return {
        "id": sid or str(uuid.uuid4()),
        "actor": {"account": {"homePage": "https://tool.example.org", "name": learner}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": activity},
        "result": {"success": success},
        "timestamp": "2025-01-06T09:00:00Z",
    }


def test_xapi_statements_from_a_json_lines_file(
    world: SimpleNamespace, std: SimpleNamespace, tmp_path: Path
) -> None:
    slug = world.district_a.slug
    ActivityAlignment.objects.create(
        district=world.district_a, activity_iri="https://tool.example.org/a1", item=std.nf1
    )
    sid = str(uuid.uuid4())
    lines = [
        _statement(world.l1.sourced_id, "https://tool.example.org/a1", True, sid),
        _statement(world.l2.sourced_id, std.nf3.identifier, False),
        _statement(world.l1.sourced_id, "https://tool.example.org/a1", True, sid),  # repeat
    ]
    path = _write(tmp_path, "statements.jsonl", "\n".join(json.dumps(s) for s in lines) + "\n")
    out = _import("xapi", path, slug)
    assert "Stored 2 statement(s) of 3 (1 already stored): 2 observation(s)" in out
    assert "Stored 0 statement(s) of 3 (3 already stored)" in _import("xapi", path, slug)
    assert MasteryState.objects.filter(learner=world.l1, item=std.nf1).exists()

    before = _snapshot()
    bad = [
        json.dumps(_statement(world.l1.sourced_id, "https://tool.example.org/a1", True)),
        "{not json",
        json.dumps(_statement(world.lb.sourced_id, "https://tool.example.org/a1", True)),
    ]
    report = _refusal("xapi", _write(tmp_path, "bad.jsonl", "\n".join(bad)), slug)
    assert "bad.jsonl, row 2 (value '{not json'): not JSON" in report
    report = _refusal("xapi", _write(tmp_path, "b2.jsonl", "\n".join([bad[0], bad[2]])), slug)
    assert "b2.jsonl, row 2, column actor.account.name: no learner in this district" in report
    assert _snapshot() == before
