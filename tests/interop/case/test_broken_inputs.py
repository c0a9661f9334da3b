"""Broken CASE files, one per kind of error: each gives its precise report and changes nothing."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.standards.helpers import DOC, link, snapshot, tiny_package, to_bytes, uid
from waypoint.interop.case.reader import read_bytes
from waypoint.standards.demo import load_demo_framework
from waypoint.standards.models import DistrictPrerequisite, FrameworkItem
from waypoint.standards.services import import_framework


@pytest.fixture
def loaded(districts: SimpleNamespace) -> SimpleNamespace:
    """Both districts hold data already, so 'unchanged' means something."""
    load_demo_framework(districts.a)
    load_demo_framework(districts.b)
    return districts


def refuse(raw: bytes, tmp_path: Path) -> str:
    """Import bytes through the command; it must refuse and leave every table as it was."""
    before = snapshot()
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", "case", str(path), "--district", "alder", stdout=out, stderr=out)
    assert snapshot() == before
    return out.getvalue()


def errors_of(raw: bytes) -> list[tuple[str, str]]:
    result = read_bytes(raw)
    assert result.package is None
    return [(p.path, p.reason) for p in result.errors]


def mutate(change: Any) -> bytes:
    package = tiny_package()
    change(package)
    return to_bytes(package)


def test_invalid_json(loaded, tmp_path) -> None:
    raw = b'{"CFDocument": {"identifier": , "title": "x"}}'
    assert errors_of(raw) == [("/", "not valid JSON: Expecting value at line 1 column 31")]
    assert "not valid JSON" in refuse(raw, tmp_path)


def test_truncated_file(loaded, tmp_path) -> None:
    raw = to_bytes(tiny_package())
    cut = raw[: len(raw) // 2]
    [(path, reason)] = errors_of(cut)
    assert path == "/"
    assert reason.startswith("the file ends too early (truncated?)")
    assert "truncated" in refuse(cut, tmp_path)


def test_utf16_file(loaded, tmp_path) -> None:
    raw = json.dumps(tiny_package()).encode("utf-16")
    assert errors_of(raw) == [("/", "the file is UTF-16; save it as UTF-8")]
    refuse(raw, tmp_path)


def test_utf16_without_a_byte_order_mark(loaded, tmp_path) -> None:
    raw = json.dumps(tiny_package()).encode("utf-16-le")
    [(_, reason)] = errors_of(raw)
    assert reason == "the file is not UTF-8 text (it looks like UTF-16); CASE JSON must be UTF-8"
    refuse(raw, tmp_path)


def test_latin1_file(loaded, tmp_path) -> None:
    raw = json.dumps(tiny_package(title="Élan vital"), ensure_ascii=False).encode("latin-1")
    result = read_bytes(raw)
    [problem] = result.errors
    assert problem.reason == "the file is not UTF-8 text; CASE JSON must be UTF-8"
    assert "offset" in problem.value
    refuse(raw, tmp_path)


def test_empty_file(loaded, tmp_path) -> None:
    assert errors_of(b"  \n") == [("/", "the file is empty")]
    refuse(b"", tmp_path)


def test_schema_violations_are_all_reported_at_once(loaded, tmp_path) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFItems"][1]["fullStatement"] = 42
        del p["CFItems"][2]["uri"]
        p["CFAssociations"][0]["associationType"] = "isFriendOf"

    raw = mutate(change)
    problems = errors_of(raw)
    assert ("/CFItems/1/fullStatement", "CASE 1.1 schema: should be of type string") in problems
    assert ("/CFItems/2/uri", "CASE 1.1 schema: required property is missing") in problems
    assert any(p == "/CFAssociations/0/associationType" for p, _ in problems)
    text = refuse(raw, tmp_path)
    assert "/CFItems/1/fullStatement" in text and "/CFItems/2/uri" in text


def test_missing_cfdocument(loaded, tmp_path) -> None:
    raw = mutate(lambda p: p.pop("CFDocument"))
    assert errors_of(raw) == [
        ("/CFDocument", "missing CFDocument: a CASE package must hold one CFDocument object")
    ]
    assert "missing CFDocument" in refuse(raw, tmp_path)


def test_not_an_object(loaded, tmp_path) -> None:
    assert errors_of(b"[1, 2]") == [("/", "a CASE package is a JSON object with a CFDocument")]


def test_association_pointing_at_an_unknown_item(loaded, tmp_path) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFAssociations"][1]["destinationNodeURI"] = link(uid(999))

    raw = mutate(change)
    assert errors_of(raw) == [
        (
            "/CFAssociations/1/destinationNodeURI/identifier",
            "isChildOf points at an unknown item (not in this package)",
        )
    ]
    refuse(raw, tmp_path)


def test_association_touching_nothing_in_the_package(loaded) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFAssociations"][-1]["originNodeURI"] = link(uid(998))
        p["CFAssociations"][-1]["destinationNodeURI"] = link(uid(999))

    [(path, reason)] = errors_of(mutate(change))
    assert path == "/CFAssociations/5"
    assert reason == "precedes association touches no item of this package"


def test_duplicate_identifier(loaded, tmp_path) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFItems"][2]["identifier"] = p["CFItems"][1]["identifier"]

    raw = mutate(change)
    assert ("/CFItems/2/identifier", "duplicate identifier (also at /CFItems/1)") in errors_of(raw)
    refuse(raw, tmp_path)


def test_duplicate_association_identifier(loaded) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFAssociations"][2]["identifier"] = p["CFAssociations"][1]["identifier"]

    assert (
        "/CFAssociations/2/identifier",
        "duplicate association identifier (also at /CFAssociations/1)",
    ) in errors_of(mutate(change))


def test_a_cycle_in_precedes(loaded, tmp_path) -> None:
    def change(p: dict[str, Any]) -> None:
        back = copy.deepcopy(p["CFAssociations"][-1])
        back["identifier"] = uid(299)
        back["originNodeURI"], back["destinationNodeURI"] = link(uid(4)), link(uid(2))
        p["CFAssociations"].append(back)

    raw = mutate(change)
    [(path, reason)] = errors_of(raw)
    assert reason == "these precedes associations form a cycle"
    assert path.startswith("/CFAssociations/")
    result = read_bytes(raw)
    assert result.errors[0].value.count("→") == 3  # 2 → 3 → 4 → 2
    assert "form a cycle" in refuse(raw, tmp_path)


def test_a_cycle_in_the_hierarchy(loaded) -> None:
    def change(p: dict[str, Any]) -> None:
        p["CFAssociations"][0]["destinationNodeURI"] = link(uid(2))

    assert ("/CFAssociations/0", "these isChildOf associations form a cycle") in errors_of(
        mutate(change)
    )


def test_a_bad_date_time(loaded) -> None:
    raw = mutate(lambda p: p["CFItems"][0].update(lastChangeDateTime="last Tuesday"))
    assert errors_of(raw) == [("/CFItems/0/lastChangeDateTime", "is not an ISO 8601 date-time")]


def test_a_nul_character(loaded, tmp_path) -> None:
    raw = mutate(lambda p: p["CFItems"][0].update(fullStatement="bad\u0000text"))
    assert errors_of(raw) == [("/CFItems/0/fullStatement", "contains a NUL character")]
    refuse(raw, tmp_path)


def test_an_unpaired_surrogate(loaded, tmp_path) -> None:
    raw = to_bytes(tiny_package()).replace(b"Tiny domain", b"Tiny \\ud800 domain")
    assert errors_of(raw) == [
        ("/CFItems/0/fullStatement", "contains an unpaired surrogate (not Unicode)")
    ]
    refuse(raw, tmp_path)


def test_nesting_too_deep(loaded) -> None:
    raw = b'{"CFDocument": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    [(_, reason)] = errors_of(raw)
    assert reason == "the JSON is nested too deeply"


def test_repeated_keys(loaded) -> None:
    raw = b'{"CFDocument": {"title": "a", "title": "b"}}'
    assert errors_of(raw) == [("/", "a JSON object repeats this key")]


def test_an_item_identifier_of_another_framework(loaded, tmp_path) -> None:
    """CASE identifiers are global: an item cannot belong to two frameworks of a district."""
    demo_item = FrameworkItem.objects.filter(district=loaded.a).first()

    def change(p: dict[str, Any]) -> None:
        old = p["CFItems"][3]["identifier"]
        p["CFItems"][3]["identifier"] = demo_item.identifier
        for a in p["CFAssociations"]:
            for end in ("originNodeURI", "destinationNodeURI"):
                if a[end]["identifier"] == old:
                    a[end] = link(demo_item.identifier)

    text = refuse(mutate(change), tmp_path)
    assert "/CFItems/3/identifier" in text
    assert "already belongs to the framework “Waypoint Demo Standards" in text


def test_a_new_version_whose_precedes_closes_a_cycle_with_district_edges(loaded) -> None:
    package = tiny_package()
    assert import_framework(district=loaded.a, package=read_bytes(to_bytes(package)).package).ok
    items = {i.identifier: i for i in FrameworkItem.objects.filter(framework__identifier=DOC)}
    DistrictPrerequisite.objects.create(
        district=loaded.a,
        prerequisite=items[uid(4)],
        dependent=items[uid(2)],
        created_at="2025-01-01T00:00:00Z",
    )
    before = snapshot()
    result = import_framework(district=loaded.a, package=read_bytes(to_bytes(package)).package)
    [problem] = result.errors
    assert problem.reason == (
        "these precedes associations and the district's own prerequisites form a cycle"
    )
    assert not result.applied
    assert snapshot() == before


def test_dry_run_prints_the_plan_and_changes_nothing(loaded, tmp_path) -> None:
    path = tmp_path / "tiny.json"
    path.write_bytes(to_bytes(tiny_package()))
    before = snapshot()
    out = io.StringIO()
    call_command("import", "case", str(path), "--district", "alder", "--dry-run", stdout=out)
    assert snapshot() == before
    text = out.getvalue()
    assert "Plan (dry run, nothing changed):" in text
    assert "items: 4 create, 0 update" in text
    assert "associations: 6 create, 0 update" in text


def test_an_unknown_district_is_refused(loaded, tmp_path) -> None:
    path = tmp_path / "tiny.json"
    path.write_bytes(to_bytes(tiny_package()))
    with pytest.raises(CommandError, match="no district with the slug 'nowhere'"):
        call_command("import", "case", str(path), "--district", "nowhere")


def test_missing_schemas_are_named(loaded, tmp_path, settings) -> None:
    settings.WAYPOINT_CASE_SCHEMA_DIR = str(tmp_path / "no-such-dir")
    path = tmp_path / "tiny.json"
    path.write_bytes(to_bytes(tiny_package()))
    with pytest.raises(
        CommandError, match=r"the CASE JSON Schema .* is missing; set WAYPOINT_CASE_SCHEMA_DIR"
    ):
        call_command("import", "case", str(path), "--district", "alder")
