"""`waypoint standards prerequisites CSV`: district edges, all or nothing."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from tests.standards.helpers import snapshot
from waypoint.interop.case.prerequisites import read_prerequisites
from waypoint.standards.demo import load_demo_framework
from waypoint.standards.models import DistrictPrerequisite, FrameworkItem


@pytest.fixture
def demo(districts: SimpleNamespace) -> SimpleNamespace:
    load_demo_framework(districts.a)
    load_demo_framework(districts.b)
    return districts


def run(tmp_path: Path, text: str | bytes, *extra: str, district: str = "alder") -> str:
    path = tmp_path / "prereqs.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    out = io.StringIO()
    call_command(
        "standards",
        "prerequisites",
        str(path),
        "--district",
        district,
        *extra,
        stdout=out,
        stderr=out,
    )
    return out.getvalue()


def refused(tmp_path: Path, text: str | bytes) -> str:
    before = snapshot()
    path = tmp_path / "prereqs.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command(
            "standards", "prerequisites", str(path), "--district", "alder", stdout=out, stderr=out
        )
    assert snapshot() == before
    return out.getvalue()


GOOD = (
    "from,to,note\n"
    "WP.MATH.3.NBT.1,WP.MATH.3.OA.3,estimating needs rounding\n"
    "WP.ELA.3.RI.1,WP.ELA.3.W.2,\n"
)


def test_a_good_file_adds_edges_in_one_district_only(demo, tmp_path) -> None:
    out = run(tmp_path, GOOD)
    assert "prerequisites: 2 create, 0 update" in out
    edges = DistrictPrerequisite.objects.filter(district=demo.a)
    assert {
        (e.prerequisite.human_coding_scheme, e.dependent.human_coding_scheme, e.note) for e in edges
    } == {
        ("WP.MATH.3.NBT.1", "WP.MATH.3.OA.3", "estimating needs rounding"),
        ("WP.ELA.3.RI.1", "WP.ELA.3.W.2", ""),
    }
    assert not DistrictPrerequisite.objects.filter(district=demo.b).exists()
    before = snapshot()
    assert "Nothing to change." in run(tmp_path, GOOD)
    assert snapshot() == before


def test_identifiers_work_as_well_as_codes(demo, tmp_path) -> None:
    a = FrameworkItem.objects.get(district=demo.a, human_coding_scheme="WP.MATH.3.NBT.1")
    run(tmp_path, f"to,from\nWP.MATH.3.OA.3,{a.identifier}\n")
    assert DistrictPrerequisite.objects.get().prerequisite == a


def test_dry_run_and_replace(demo, tmp_path) -> None:
    run(tmp_path, GOOD)
    before = snapshot()
    out = run(tmp_path, "from,to\nWP.ELA.3.RI.1,WP.ELA.3.W.2\n", "--replace", "--dry-run")
    assert "prerequisites: 0 create, 0 update, 1 delete, 1 unchanged" in out
    assert snapshot() == before
    run(tmp_path, "from,to\nWP.ELA.3.RI.1,WP.ELA.3.W.2\n", "--replace")
    assert DistrictPrerequisite.objects.count() == 1


def test_bad_rows_are_all_reported_with_row_and_column(demo, tmp_path) -> None:
    text = (
        "from,to,note\n"
        "WP.MATH.3.NBT.1,WP.NOPE.1,unknown\n"  # row 2
        ",WP.MATH.3.OA.3,empty\n"  # row 3
        "WP.MATH.3.OA.1,WP.MATH.3.OA.1,self\n"  # row 4
        "WP.MATH.3.NBT.1,WP.MATH.3.OA.3,first\n"  # row 5
        "WP.MATH.3.NBT.1,WP.MATH.3.OA.3,again\n"  # row 6
        "WP.MATH.3.OA.1,too,many,cells\n"  # row 7
    )
    out = refused(tmp_path, text)
    assert (
        "row 2, column to: no current standard of this district has this code or identifier"
        " (value: WP.NOPE.1)" in out
    )
    assert "row 3, column from: is empty" in out
    assert "row 4: a standard cannot be its own prerequisite" in out
    assert "row 6: repeats row 5" in out
    assert "row 7: has 4 cells; the header has 3" in out


def test_a_cycle_with_the_framework_is_refused(demo, tmp_path) -> None:
    # the framework says 3.OA.1 precedes 3.OA.2 precedes 3.OA.3
    out = refused(tmp_path, "from,to\nWP.MATH.3.OA.3,WP.MATH.3.OA.1\n")
    assert "row 2: these prerequisites would form a cycle" in out
    [line] = [x for x in out.splitlines() if "would form a cycle" in x]
    for code in ("WP.MATH.3.OA.1", "WP.MATH.3.OA.2", "WP.MATH.3.OA.3"):
        assert code in line


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the file is empty"),
        ("from,after\nA,B\n", "row 1, column 2: unknown column"),
        ("to,note\nA,B\n", "the column 'from' is missing"),
        ("from,to\r\nWP.MATH.3.OA.1,WP.MATH.4.OA.2\r\n".encode("utf-16"), "UTF-16"),
        ("from,to,note\nWP.MATH.3.OA.1,WP.MATH.4.OA.2,caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_files(demo, tmp_path, text, says) -> None:
    assert says in refused(tmp_path, text)


def test_a_code_in_two_frameworks_is_ambiguous(demo) -> None:
    from tests.standards.helpers import tiny_package, to_bytes
    from waypoint.interop.case.reader import read_bytes
    from waypoint.standards.services import import_framework

    package = tiny_package()
    package["CFItems"][1]["humanCodingScheme"] = "WP.MATH.3.OA.1"
    import_framework(district=demo.a, package=read_bytes(to_bytes(package)).package)
    rows, problems = read_prerequisites(b"from,to\nWP.MATH.3.OA.1,WP.MATH.4.OA.2\n", demo.a)
    assert rows == []
    assert [p.reason for p in problems] == ["this code names 2 standards; use the identifier"]
