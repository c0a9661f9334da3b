"""`waypoint import salaries`: a schedule's steps, all or nothing, re-import a no-op."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

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
    write,
)
from waypoint.audit.models import ActionEntry
from waypoint.interop.staffing.files import import_salaries
from waypoint.staffing.models import SalarySchedule, SalaryStep

GOOD = """schedule,lane,step,salary
Teachers,BA,0,48000
Teachers,BA,1,50000
Teachers,BA,2,52500
Teachers,MA,0,53000
Paraprofessionals,,0,21000.50
Paraprofessionals,,1,22000
"""


@pytest.fixture
def w(world: SimpleNamespace) -> SimpleNamespace:
    return staffing_world(world)


def steps(district) -> dict[tuple[str, str, int], Decimal]:
    return {
        (s.schedule.name, s.lane, s.step): s.salary
        for s in SalaryStep.objects.filter(district=district).select_related("schedule")
    }


def test_a_good_file_imports_with_exact_counts(w: SimpleNamespace, tmp_path: Path) -> None:
    b_before = steps(w.district_b)
    out = run("salaries", write(tmp_path, "salaries.csv", GOOD))
    # Teachers' four steps are already stored (staffing_world); Paraprofessionals is new
    assert (
        "6 salary step row(s): 1 new schedule(s), 2 new step(s), 0 changed, 4 already stored, "
        "0 removed." in out
    )
    assert steps(w.district_a) == {
        ("Teachers", "BA", 0): Decimal("48000.00"),
        ("Teachers", "BA", 1): Decimal("50000.00"),
        ("Teachers", "BA", 2): Decimal("52500.00"),
        ("Teachers", "MA", 0): Decimal("53000.00"),
        ("Paraprofessionals", "", 0): Decimal("21000.50"),
        ("Paraprofessionals", "", 1): Decimal("22000.00"),
    }
    assert steps(w.district_b) == b_before
    assert SalarySchedule.objects.filter(district=w.district_a).count() == 2
    assert ActionEntry.objects.get(action="import salary schedules").details["created"] == 2


def test_reimport_changes_nothing(w: SimpleNamespace, tmp_path: Path) -> None:
    path = write(tmp_path, "salaries.csv", GOOD)
    run("salaries", path)
    before = snapshot()
    out = run("salaries", path)
    assert "0 new schedule(s), 0 new step(s), 0 changed, 6 already stored, 0 removed." in out
    assert snapshot() == before


def test_dry_run_changes_nothing(w: SimpleNamespace, tmp_path: Path) -> None:
    before = snapshot()
    out = run("salaries", write(tmp_path, "salaries.csv", GOOD), "alder", "--dry-run")
    assert "Dry run, nothing changed: 6 salary step row(s) are valid; the import would make" in out
    assert "1 new schedule(s), 2 new step(s)" in out
    assert snapshot() == before


def test_bulk_replaces_a_schedules_steps(w: SimpleNamespace, tmp_path: Path) -> None:
    text = "schedule,lane,step,salary\nTeachers,BA,0,49000\nTeachers,BA,1,50000\n"
    out = run("salaries", write(tmp_path, "salaries.csv", text))
    assert "0 new step(s), 1 changed, 1 already stored, 2 removed." in out
    assert steps(w.district_a) == {
        ("Teachers", "BA", 0): Decimal("49000.00"),
        ("Teachers", "BA", 1): Decimal("50000.00"),
    }
    assert steps(w.district_b) == {("Teachers", "BA", 5): Decimal("70000.00")}


def test_delta_keeps_the_steps_a_file_leaves_out(w: SimpleNamespace, tmp_path: Path) -> None:
    text = "schedule,lane,step,salary\nTeachers,BA,3,55000\n"
    out = run("salaries", write(tmp_path, "salaries.csv", text), "alder", "--delta")
    assert "1 new step(s), 0 changed, 0 already stored, 0 removed." in out
    assert len(steps(w.district_a)) == 5


def test_a_step_a_position_is_on_is_not_removed(w: SimpleNamespace, tmp_path: Path) -> None:
    PositionFactory(
        school=w.school_a1, staff=w.t1, sourced_id="pos-t1", schedule=w.teachers, lane="BA", step=2
    )
    # district B's position on its own "Teachers" BA 5 does not matter here
    text = "schedule,lane,step,salary\nTeachers,BA,0,48000\nTeachers,BA,1,50000\n"
    problems = refused(import_salaries, write(tmp_path, "salaries.csv", text), w.district_a)
    assert [(p.file, p.row, p.column, p.value, p.reason) for p in problems] == [
        (
            "salaries.csv",
            None,
            "step",
            "2",
            "schedule 'Teachers' lane 'BA' step 2 is not in the file, so it would be removed, "
            "but position(s) pos-t1 are on it: keep the step in the file or move those "
            "positions first",
        )
    ]


ERRORS = {
    "non-number salary": (
        "Teachers,BA,0,lots\n",
        [(2, "salary", "lots", "a number is required")],
    ),
    "negative salary": (
        "Teachers,BA,0,-5000\n",
        [(2, "salary", "-5000", "salary -5000: must not be negative")],
    ),
    "salary in fractions of cents": (
        "Teachers,BA,0,48000.001\n",
        [(2, "salary", "48000.001", "salary 48000.001: at most two decimals (cents)")],
    ),
    "step not whole": (
        "Teachers,BA,1.5,48000\n",
        [(2, "step", "1.5", "a whole number from 0 to 32767 is required")],
    ),
    "step negative": (
        "Teachers,BA,-1,48000\n",
        [(2, "step", "-1", "a whole number from 0 to 32767 is required")],
    ),
    "step text": (
        "Teachers,BA,one,48000\n",
        [(2, "step", "one", "a whole number from 0 to 32767 is required")],
    ),
    "missing fields": (
        ",BA,,\n",
        [
            (2, "schedule", "", "required"),
            (2, "step", "", "required"),
            (2, "salary", "", "required"),
        ],
    ),
    "duplicate schedule, lane and step": (
        "Teachers,BA,0,48000\nTeachers,MA,0,53000\nTeachers,BA,0,49000\n",
        [(4, "schedule", "Teachers", "same schedule, lane and step as row 2: one row each")],
    ),
    "a lane name too long": (
        "Teachers,Masters plus thirty credits,0,48000\n",
        [(2, "lane", "Masters plus thirty credits", "at most 20 characters")],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_every_error_is_reported_precisely_and_nothing_changes(
    w: SimpleNamespace, tmp_path: Path, case: str
) -> None:
    body, expected = ERRORS[case]
    path = write(tmp_path, "salaries.csv", "schedule,lane,step,salary\n" + body)
    problems = refused(import_salaries, path, w.district_a)
    assert [(p.file, p.row, p.column, p.value, p.reason) for p in problems] == [
        ("salaries.csv", *e) for e in expected
    ]


def test_missing_columns_are_named(w: SimpleNamespace, tmp_path: Path) -> None:
    path = write(tmp_path, "salaries.csv", "schedule,lane,pay\nTeachers,BA,48000\n")
    problems = refused(import_salaries, path, w.district_a)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (1, "step", "this column is required"),
        (1, "salary", "this column is required"),
    ]


def test_lane_is_optional_and_parquet_works(w: SimpleNamespace, tmp_path: Path) -> None:
    path = tmp_path / "salaries.parquet"
    pq.write_table(
        pa.table(
            {"schedule": ["Coaches", "Coaches"], "step": [0, 1], "salary": [60000.0, 61000.5]}
        ),
        path,
    )
    assert "1 new schedule(s), 2 new step(s)" in run("salaries", path)
    assert steps(w.district_a)[("Coaches", "", 1)] == Decimal("61000.50")


def test_the_cli_refuses_with_the_report(w: SimpleNamespace, tmp_path: Path) -> None:
    path = write(tmp_path, "salaries.csv", "schedule,lane,step,salary\nTeachers,BA,0,-5000\n")
    before = snapshot()
    err = refused_cli("salaries", path)
    assert (
        "salaries.csv, row 2, column salary (value '-5000'): salary -5000: must not be negative"
        in err
    )
    assert snapshot() == before
