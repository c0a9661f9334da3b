"""`waypoint import positions`: every problem located, all or nothing, re-import a no-op."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.staffing.import_support import (
    PositionFactory,
    refused,
    refused_cli,
    run,
    snapshot,
    staffing_world,
)
from waypoint.audit.models import ActionEntry
from waypoint.interop.staffing.files import import_positions
from waypoint.roster.importing.data import Problem
from waypoint.staffing.models import Position

COLUMNS = "sourcedId,school,staff,kind,fte,salary,schedule,lane,step,certifications,covers".split(
    ","
)


@pytest.fixture
def w(world: SimpleNamespace) -> SimpleNamespace:
    return staffing_world(world)


def row(w: SimpleNamespace, **values: str) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update(sourcedId="pos-x", school=w.school_a1.sourced_id, kind="teacher", fte="1")
    base.update(salary="50000")
    base.update(values)
    return base


def positions_file(tmp_path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "positions.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def good_rows(w: SimpleNamespace) -> list[dict[str, str]]:
    return [
        row(
            w,
            sourcedId="pos-t1",
            staff=w.t1.sourced_id,
            salary="",
            schedule="Teachers",
            lane="BA",
            step="2",
            certifications="math:3-5;ela:3-5",
        ),
        row(
            w,
            sourcedId="pos-t2",
            school="NCES-A1",
            staff="E-T2",
            kind="Teacher",
            fte="0.5",
            salary="30000",
            certifications="mathematics:PK-2",
        ),
        row(
            w,
            sourcedId="pos-mcl",
            staff=w.mcl.sourced_id,
            kind="multi-classroom leader",
            salary="80000",
            schedule="Teachers",
            lane="MA",
            step="0",
            certifications="math:3-5 Science:3-5",
        ),
        row(
            w,
            sourcedId="pos-vac",
            salary="",
            schedule="Teachers",
            lane="BA",
            step="0",
            covers=f"{w.s1.sourced_id} {w.s2.sourced_id}",
        ),
        row(
            w,
            sourcedId="pos-para",
            school=w.school_a2.sourced_id,
            kind="paraprofessional",
            fte="0.75",
            salary="21000.50",
        ),
    ]


def test_a_good_file_imports_with_exact_counts(w: SimpleNamespace, tmp_path: Path) -> None:
    path = positions_file(tmp_path, good_rows(w))
    out = run("positions", path)
    assert "5 position row(s): 5 new, 0 changed, 0 already stored, 0 deactivated." in out
    got = {p.sourced_id: p for p in Position.objects.filter(district=w.district_a)}
    assert set(got) == {"pos-t1", "pos-t2", "pos-mcl", "pos-vac", "pos-para"}

    t1 = got["pos-t1"]
    assert (t1.school, t1.staff, t1.kind, t1.fte) == (w.school_a1, w.t1, "teacher", Decimal(1))
    assert t1.salary == Decimal("52500.00")  # the schedule's BA step 2 × FTE 1
    assert (t1.schedule, t1.lane, t1.step) == (w.teachers, "BA", 2)
    assert t1.certifications == ["ela:3-5", "mathematics:3-5"]
    assert t1.active

    t2 = got["pos-t2"]
    assert (t2.school, t2.staff, t2.fte, t2.salary) == (
        w.school_a1,
        w.t2,
        Decimal("0.50"),
        Decimal("30000.00"),
    )
    assert t2.schedule is None and t2.step is None
    assert t2.certifications == ["mathematics:PK-2"]

    mcl = got["pos-mcl"]
    assert mcl.kind == Position.Kind.MCL and mcl.salary == Decimal("80000.00")
    assert mcl.certifications == ["mathematics:3-5", "science:3-5"]

    vacant = got["pos-vac"]
    assert vacant.staff is None and vacant.salary == Decimal("48000.00")
    assert set(vacant.covers.all()) == {w.s1, w.s2}
    assert not got["pos-t1"].covers.exists()

    para = got["pos-para"]
    assert (para.school, para.fte, para.salary) == (
        w.school_a2,
        Decimal("0.75"),
        Decimal("21000.50"),
    )
    # district B's position with the same sourcedId is its own
    w.position_b.refresh_from_db()
    assert w.position_b.staff == w.tb and w.position_b.active
    entry = ActionEntry.objects.get(action="import positions")
    assert entry.district_id == w.district_a.pk and entry.details["created"] == 5


def test_reimport_changes_nothing(w: SimpleNamespace, tmp_path: Path) -> None:
    path = positions_file(tmp_path, good_rows(w))
    run("positions", path)
    before = snapshot()
    out = run("positions", path)
    assert "5 position row(s): 0 new, 0 changed, 5 already stored, 0 deactivated." in out
    assert snapshot() == before


def test_dry_run_changes_nothing_and_says_what_would(w: SimpleNamespace, tmp_path: Path) -> None:
    before = snapshot()
    out = run("positions", positions_file(tmp_path, good_rows(w)), "alder", "--dry-run")
    assert "Dry run, nothing changed: 5 position row(s) are valid; the import would make 5 new" in (
        out
    )
    assert snapshot() == before


def test_salary_from_the_schedule_is_scaled_by_fte(w: SimpleNamespace, tmp_path: Path) -> None:
    rows = [row(w, salary="", fte="0.6", schedule="Teachers", lane="BA", step="1")]
    run("positions", positions_file(tmp_path, rows))
    assert Position.objects.get(sourced_id="pos-x", district=w.district_a).salary == Decimal(
        "30000.00"
    )


def test_changes_and_bulk_deactivation(w: SimpleNamespace, tmp_path: Path) -> None:
    old = PositionFactory(school=w.school_a2, staff=w.t3, sourced_id="pos-old")
    run("positions", positions_file(tmp_path, good_rows(w)))
    old.refresh_from_db()
    assert not old.active  # deactivated, never deleted
    w.position_b.refresh_from_db()
    assert w.position_b.active  # another district's position is not this file's

    rows = good_rows(w)
    rows[1]["salary"] = "31000"
    rows[3]["covers"] = w.s1.sourced_id
    del rows[4]  # pos-para leaves
    out = run("positions", positions_file(tmp_path, rows))
    assert "4 position row(s): 0 new, 2 changed, 2 already stored, 1 deactivated." in out
    got = {p.sourced_id: p for p in Position.objects.filter(district=w.district_a)}
    assert got["pos-t2"].salary == Decimal("31000.00")
    assert list(got["pos-vac"].covers.all()) == [w.s1]
    assert not got["pos-para"].active and not got["pos-old"].active
    assert Position.objects.filter(district=w.district_a).count() == 6

    rows.append(row(w, sourcedId="pos-old", school=w.school_a2.sourced_id, staff=w.t3.sourced_id))
    out = run("positions", positions_file(tmp_path, rows))
    assert "5 position row(s): 0 new, 1 changed, 4 already stored, 0 deactivated." in out
    assert Position.objects.get(district=w.district_a, sourced_id="pos-old").active


def test_delta_keeps_the_positions_a_file_leaves_out(w: SimpleNamespace, tmp_path: Path) -> None:
    old = PositionFactory(school=w.school_a2, staff=w.t3, sourced_id="pos-old")
    out = run("positions", positions_file(tmp_path, good_rows(w)[:1]), "alder", "--delta")
    assert "1 new, 0 changed, 0 already stored, 0 deactivated." in out
    old.refresh_from_db()
    assert old.active


def test_delta_counts_stored_positions_towards_fte(w: SimpleNamespace, tmp_path: Path) -> None:
    PositionFactory(school=w.school_a2, staff=w.t1, sourced_id="pos-old", fte=Decimal("0.6"))
    rows = [row(w, staff=w.t1.sourced_id, fte="0.5")]
    problems = refused(import_positions, positions_file(tmp_path, rows), w.district_a, delta=True)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "fte", "0.5")]
    assert "add up to FTE 1.10 (row 2: 0.5; stored position pos-old: 0.60)" in problems[0].reason
    # in bulk the stored position would be deactivated, so the file is fine
    run("positions", positions_file(tmp_path, rows))


def test_parquet(w: SimpleNamespace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "sourcedId": ["pos-pq"],
            "school": [w.school_a1.sourced_id],
            "staff": [None],
            "kind": ["reach_associate"],
            "fte": [1.0],
            "salary": [None],
            "schedule": ["Teachers"],
            "lane": ["BA"],
            "step": [1],
        }
    )
    path = tmp_path / "positions.parquet"
    pq.write_table(table, path)
    assert "1 new" in run("positions", path)
    p = Position.objects.get(district=w.district_a, sourced_id="pos-pq")
    assert (p.staff, p.kind, p.salary, p.step) == (None, "reach_associate", Decimal(50000), 1)


SCHOOL_UNKNOWN = "no school of this district has this sourcedId or identifier"
PERSON_UNKNOWN = "no person of this district has this sourcedId or identifier"
KINDS = "teacher, mcl, team_teacher, reach_associate, paraprofessional, resident, coach, specialist"

Case = Callable[[SimpleNamespace], tuple[list[dict[str, str]], list[tuple[Any, ...]]]]

CASES: dict[str, Case] = {
    "unknown school (another district's)": lambda w: (
        [row(w, school=w.school_b1.sourced_id)],
        [(2, "school", w.school_b1.sourced_id, SCHOOL_UNKNOWN)],
    ),
    "unknown school (another district's identifier)": lambda w: (
        [row(w, school="NCES-B1")],
        [(2, "school", "NCES-B1", SCHOOL_UNKNOWN)],
    ),
    "unknown staff (another district's)": lambda w: (
        [row(w, staff=w.tb.sourced_id)],
        [(2, "staff", w.tb.sourced_id, PERSON_UNKNOWN)],
    ),
    "a guardian is not staff": lambda w: (
        [row(w, staff=w.guardian.sourced_id)],
        [
            (
                2,
                "staff",
                w.guardian.sourced_id,
                f"{w.guardian.display_name} is a guardian, not a staff member: "
                "only staff hold positions",
            )
        ],
    ),
    "a learner given as staff": lambda w: (
        [row(w, staff=w.l1.sourced_id)],
        [
            (
                2,
                "staff",
                w.l1.sourced_id,
                f"{w.l1.display_name} is a learner: only staff hold positions",
            )
        ],
    ),
    "two full-time positions": lambda w: (
        [
            row(w, sourcedId="p1", staff=w.t1.sourced_id),
            row(w, sourcedId="p2", staff=w.t2.sourced_id, fte="0.5"),
            row(w, sourcedId="p3", staff=w.t1.sourced_id, school=w.school_a2.sourced_id),
        ],
        [
            (
                4,
                "fte",
                "1",
                f"{w.t1.display_name}'s positions add up to FTE 2.00 (row 2: 1; row 4: 1): "
                "at most 1",
            )
        ],
    ),
    "negative salary": lambda w: (
        [row(w, salary="-5000")],
        [(2, "salary", "-5000", "salary -5000: must not be negative")],
    ),
    "salary not a number": lambda w: (
        [row(w, salary="lots")],
        [(2, "salary", "lots", "a number is required")],
    ),
    "salary in fractions of cents": lambda w: (
        [row(w, salary="50000.123")],
        [(2, "salary", "50000.123", "salary 50000.123: at most two decimals (cents)")],
    ),
    "no salary and no step": lambda w: (
        [row(w, salary="")],
        [(2, "salary", "", "required (or give schedule and step: the step's salary × fte)")],
    ),
    "fte above one": lambda w: (
        [row(w, fte="1.5")],
        [(2, "fte", "1.5", "an FTE above 0 and at most 1 is required (0.5 for half time)")],
    ),
    "fte zero": lambda w: (
        [row(w, fte="0")],
        [(2, "fte", "0", "an FTE above 0 and at most 1 is required (0.5 for half time)")],
    ),
    "fte text": lambda w: (
        [row(w, fte="full")],
        [(2, "fte", "full", "an FTE above 0 and at most 1 is required (0.5 for half time)")],
    ),
    "fte missing": lambda w: (
        [row(w, fte="")],
        [(2, "fte", "", "required (1 for full time)")],
    ),
    "unknown kind": lambda w: (
        [row(w, kind="janitor")],
        [(2, "kind", "janitor", f"not a position kind: one of {KINDS}")],
    ),
    "certification without a band": lambda w: (
        [row(w, certifications="math")],
        [
            (
                2,
                "certifications",
                "math",
                "'math' is not subject:band (for example mathematics:3-5)",
            )
        ],
    ),
    "certification with an unknown band": lambda w: (
        [row(w, certifications="ela:3-5;math:K-5")],
        [(2, "certifications", "math:K-5", "band 'K-5' is not one of PK-2, 3-5, 6-8, 9-12")],
    ),
    "certification with an unknown subject": lambda w: (
        [row(w, certifications="cooking:3-5")],
        [
            (
                2,
                "certifications",
                "cooking:3-5",
                "subject 'cooking' is not a subject: one of mathematics, ela, science, "
                "social_studies, world_languages, arts, physical_education, computer_science, "
                "career_technical, homeroom, other",
            )
        ],
    ),
    "covers an unknown class (another district's)": lambda w: (
        [row(w, covers=f"{w.s1.sourced_id} {w.sb.sourced_id} nope")],
        [
            (2, "covers", w.sb.sourced_id, "no class of this district has this sourcedId"),
            (2, "covers", "nope", "no class of this district has this sourcedId"),
        ],
    ),
    "covers a class of another school": lambda w: (
        [row(w, covers=w.s3.sourced_id)],
        [
            (
                2,
                "covers",
                w.s3.sourced_id,
                "this class is at Alder Middle, not at the position's school",
            )
        ],
    ),
    "covers a class of last year": lambda w: (
        [row(w, covers=w.s0.sourced_id)],
        [
            (
                2,
                "covers",
                w.s0.sourced_id,
                f"this class is not in the current school year ({w.year_a.title})",
            )
        ],
    ),
    "covers on a filled position": lambda w: (
        [row(w, staff=w.t1.sourced_id, covers=w.s1.sourced_id)],
        [
            (
                2,
                "covers",
                w.s1.sourced_id,
                f"covers is only for a vacant position; this one is filled by {w.t1.display_name}",
            )
        ],
    ),
    "covers on a vacant position that does not teach": lambda w: (
        [row(w, kind="coach", covers=w.s1.sourced_id)],
        [
            (
                2,
                "covers",
                w.s1.sourced_id,
                "covers is only for a vacant teaching position (teacher, mcl, team_teacher)",
            )
        ],
    ),
    "duplicate sourcedId": lambda w: (
        [row(w), row(w, fte="0.5")],
        [(3, "sourcedId", "pos-x", "same sourcedId as row 2: one row each")],
    ),
    "missing sourcedId and school": lambda w: (
        [row(w, sourcedId="", school="")],
        [(2, "sourcedId", "", "required"), (2, "school", "", "required")],
    ),
    "unknown schedule (another district's has a step 5)": lambda w: (
        [row(w, salary="", schedule="Para", step="5")],
        [
            (
                2,
                "schedule",
                "Para",
                "no salary schedule of this district has this name (import salaries first)",
            )
        ],
    ),
    "a step the schedule lacks": lambda w: (
        [row(w, salary="", schedule="Teachers", lane="BA", step="5")],
        [(2, "step", "5", "schedule 'Teachers' lane 'BA' has no step 5")],
    ),
    "a step that is not whole": lambda w: (
        [row(w, schedule="Teachers", lane="BA", step="1.5")],
        [(2, "step", "1.5", "a whole number from 0 to 32767 is required")],
    ),
    "a step without a schedule": lambda w: (
        [row(w, step="2")],
        [(2, "step", "2", "a step needs a schedule")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_error_is_reported_precisely_and_nothing_changes(
    w: SimpleNamespace, tmp_path: Path, case: str
) -> None:
    PositionFactory(school=w.school_a1, staff=w.t2, sourced_id="pos-stored")  # would deactivate
    rows, expected = CASES[case](w)
    problems = refused(import_positions, positions_file(tmp_path, rows), w.district_a)
    assert [(p.file, p.row, p.column, p.value, p.reason) for p in problems] == [
        ("positions.csv", *e) for e in expected
    ]
    assert all(p.severity == "error" for p in problems)


def test_all_problems_at_once(w: SimpleNamespace, tmp_path: Path) -> None:
    rows = [
        row(w, sourcedId="a", salary="-1"),
        row(w, sourcedId="b", kind="janitor", fte="2"),
        row(w, sourcedId="c", staff=w.l1.sourced_id, certifications="math:13"),
    ]
    problems = refused(import_positions, positions_file(tmp_path, rows), w.district_a)
    assert [(p.row, p.column) for p in problems] == [
        (2, "salary"),
        (3, "kind"),
        (3, "fte"),
        (4, "staff"),
        (4, "certifications"),
    ]


def test_a_missing_column_is_named(w: SimpleNamespace, tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c not in ("staff", "fte")]
    path = positions_file(tmp_path, [row(w)], columns)
    problems = refused(import_positions, path, w.district_a)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (1, "staff", "this column is required"),
        (1, "fte", "this column is required"),
    ]


def test_an_inactive_holder_is_a_warning(w: SimpleNamespace, tmp_path: Path) -> None:
    w.t1.active = False
    w.t1.save(update_fields=["active"])
    out = run("positions", positions_file(tmp_path, [row(w, staff=w.t1.sourced_id)]))
    assert f"row 2, column staff (value '{w.t1.sourced_id}'): " in out
    assert "is inactive in the roster" in out
    assert "1 new" in out


def test_an_unknown_holder_does_not_also_fail_covers(w: SimpleNamespace, tmp_path: Path) -> None:
    rows = [row(w, staff="nobody", kind="coach", covers=w.s1.sourced_id)]
    problems = refused(import_positions, positions_file(tmp_path, rows), w.district_a)
    assert [(p.column, p.value) for p in problems] == [("staff", "nobody")]


def test_an_unknown_column_is_a_warning(w: SimpleNamespace, tmp_path: Path) -> None:
    path = positions_file(tmp_path, [{**row(w), "note": "x"}], [*COLUMNS, "note"])
    out = run("positions", path)
    assert "positions.csv, row 1, column note: column not used" in out
    assert "1 new" in out


def test_the_cli_exits_non_zero_with_the_report(
    w: SimpleNamespace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.management import base

    from waypoint.cli import main

    # run_from_argv closes every connection when it ends: keep the test's transaction open
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    path = positions_file(tmp_path, [row(w, salary="-5000", kind="janitor")])
    before = snapshot()
    with pytest.raises(SystemExit) as exit_:
        main(["waypoint", "import", "positions", str(path), "--district", "alder"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert (
        "positions.csv, row 2, column salary (value '-5000'): salary -5000: must not be negative"
        in err
    )
    assert "positions.csv, row 2, column kind (value 'janitor'): not a position kind" in err
    assert "import refused: 2 problem(s); nothing was changed" in err
    assert snapshot() == before
    assert "salary -5000" in refused_cli("positions", path)


def test_problem_text(w: SimpleNamespace, tmp_path: Path) -> None:
    problems = refused(
        import_positions, positions_file(tmp_path, [row(w, salary="-5000")]), w.district_a
    )
    assert problems == [
        Problem("positions.csv", 2, "salary", "-5000", "salary -5000: must not be negative")
    ]
