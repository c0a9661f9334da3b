"""One broken input per kind of problem: each gives its precise report and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.oneroster.builders import SCHOOLS, Package, district_package
from tests.interop.oneroster.support import errors, refused, run_import, snapshot

pytestmark = pytest.mark.django_db


def _index(pkg: Package, name: str, sid: str) -> int:
    """The spreadsheet row of a row (the header is row 1)."""
    return next(i for i, r in enumerate(pkg.files[name]) if r.get("sourcedId") == sid) + 2


def unknown_reference(pkg: Package, folder: Path) -> tuple:
    pkg.files["enrollments.csv"][7]["userSourcedId"] = "nobody"
    return ("enrollments.csv", 9, "userSourcedId", "nobody", "unknown reference")


def impossible_date(pkg: Package, folder: Path) -> tuple:
    pkg.files["academicSessions.csv"][1]["endDate"] = "2026-02-30"
    return ("academicSessions.csv", 3, "endDate", "2026-02-30", "not a real calendar date")


def non_iso_date(pkg: Package, folder: Path) -> tuple:
    pkg.files["enrollments.csv"][3]["beginDate"] = "08/15/2025"
    return ("enrollments.csv", 5, "beginDate", "08/15/2025", "not an ISO 8601 date")


def non_iso_datetime(pkg: Package, folder: Path) -> tuple:
    pkg.files["courses.csv"][0]["dateLastModified"] = "2025-08-15 08:01:05"
    return (
        "courses.csv",
        2,
        "dateLastModified",
        "2025-08-15 08:01:05",
        "not an ISO 8601 date-time",
    )


def missing_required_field(pkg: Package, folder: Path) -> tuple:
    pkg.files["users.csv"][2]["givenName"] = ""
    return ("users.csv", 4, "givenName", "", "a required field is empty")


def duplicate_sourced_id(pkg: Package, folder: Path) -> tuple:
    pkg.files["courses.csv"].append(dict(pkg.files["courses.csv"][0]))
    return ("courses.csv", 5, "sourcedId", "math-4", "duplicate sourcedId (already used on row 2)")


def outside_vocabulary(pkg: Package, folder: Path) -> tuple:
    pkg.files["classes.csv"][1]["classType"] = "lecture"
    return ("classes.csv", 3, "classType", "lecture", "not one of the allowed values")


def wrong_header(pkg: Package, folder: Path) -> tuple:
    header = pkg.header("users.csv")
    pkg.headers["users.csv"] = ["lastName" if h == "familyName" else h for h in header]
    for row in pkg.files["users.csv"]:
        row["lastName"] = row.pop("familyName")
    return ("users.csv", 1, "lastName", "lastName", "is not a column of this file in OneRoster")


def missing_required_column(pkg: Package, folder: Path) -> tuple:
    pkg.headers["enrollments.csv"] = [h for h in pkg.header("enrollments.csv") if h != "role"]
    return ("enrollments.csv", 1, "role", "", "the required column role is missing")


def school_under_school(pkg: Package, folder: Path) -> tuple:
    pkg.files["orgs.csv"][2]["parentSourcedId"] = SCHOOLS[0]
    return ("orgs.csv", 4, "parentSourcedId", SCHOOLS[0], "a school's parent is another school")


def class_term_not_in_sessions(pkg: Package, folder: Path) -> tuple:
    pkg.files["classes.csv"][0]["termSourcedIds"] = "no-such-term"
    return (
        "classes.csv",
        2,
        "termSourcedIds",
        "no-such-term",
        "a term that academicSessions.csv does not hold",
    )


def empty_course(pkg: Package, folder: Path) -> tuple:
    pkg.files["classes.csv"][2]["courseSourcedId"] = ""
    return ("classes.csv", 4, "courseSourcedId", "", "a required field is empty")


def bad_grade(pkg: Package, folder: Path) -> tuple:
    pkg.files["users.csv"][8]["grades"] = "4th"
    return ("users.csv", 10, "grades", "4th", "not a grade level")


def too_long(pkg: Package, folder: Path) -> tuple:
    pkg.files["users.csv"][0]["givenName"] = "A" * 150
    return ("users.csv", 2, "givenName", "A" * 80, "longer than the 100 characters")


def class_in_wrong_school(pkg: Package, folder: Path) -> tuple:
    pkg.files["enrollments.csv"][0]["schoolSourcedId"] = SCHOOLS[1]
    return (
        "enrollments.csv",
        2,
        "schoolSourcedId",
        SCHOOLS[1],
        "the class belongs to another school",
    )


def class_at_district(pkg: Package, folder: Path) -> tuple:
    pkg.files["classes.csv"][0]["schoolSourcedId"] = "maple-district"
    return ("classes.csv", 2, "schoolSourcedId", "maple-district", "a class belongs to a school")


def end_before_start(pkg: Package, folder: Path) -> tuple:
    pkg.files["academicSessions.csv"][0]["endDate"] = "2025-01-01"
    return ("academicSessions.csv", 2, "endDate", "2025-01-01", "not after the startDate")


def programs_unknown_learner(pkg: Package, folder: Path) -> tuple:
    pkg.files["programs.csv"][4]["learnerSourcedId"] = "l-999"
    return ("programs.csv", 6, "learnerSourcedId", "l-999", "unknown reference")


def programs_not_a_learner(pkg: Package, folder: Path) -> tuple:
    pkg.files["programs.csv"][4]["learnerSourcedId"] = "t-ada"
    return ("programs.csv", 6, "learnerSourcedId", "t-ada", "not a learner")


def staff_link_vocabulary(pkg: Package, folder: Path) -> tuple:
    pkg.files["staff_links.csv"][0]["kind"] = "mentor"
    return ("staff_links.csv", 2, "kind", "mentor", "not one of the allowed values")


def bad_manifest_version(pkg: Package, folder: Path) -> tuple:
    pkg.manifest["oneroster.version"] = "1.0"
    return (
        "manifest.csv",
        None,
        "oneroster.version",
        "1.0",
        "Waypoint reads OneRoster 1.1 and 1.2",
    )


def manifest_names_absent_file(pkg: Package, folder: Path) -> tuple:
    pkg.manifest["file.roles"] = "bulk"
    return ("manifest.csv", None, "file.roles", "bulk", "roles.csv is not part of OneRoster 1.1")


def truncated_file(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    def damage(path: Path) -> tuple:
        f = path / "enrollments.csv"
        data = f.read_bytes()
        f.write_bytes(data[: len(data) - 40])
        rows = data.decode().count("\n")
        return ("enrollments.csv", rows, "", "", "looks truncated")

    return damage


def truncated_inside_quotes(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    pkg.files["users.csv"][-1]["middleName"] = "Quoted, middle"

    def damage(path: Path) -> tuple:
        f = path / "users.csv"
        data = f.read_bytes()
        f.write_bytes(data[: data.rindex(b"Quoted,") + 4])
        return ("users.csv", len(pkg.files["users.csv"]) + 1, "", "", "ends inside a quoted value")

    return damage


def wrong_encoding(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    pkg.files["users.csv"][5]["givenName"] = "José"

    def damage(path: Path) -> tuple:
        f = path / "users.csv"
        f.write_bytes(f.read_text(encoding="utf-8").encode("cp1252"))
        return ("users.csv", 7, "", "e9", "not UTF-8 encoded")

    return damage


def no_manifest(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    def damage(path: Path) -> tuple:
        (path / "manifest.csv").unlink()
        return ("manifest.csv", None, "", "", "the package has no manifest.csv")

    return damage


def empty_file(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    def damage(path: Path) -> tuple:
        (path / "courses.csv").write_bytes(b"")
        return ("courses.csv", None, "", "", "the file is empty")

    return damage


def row_with_extra_comma(pkg: Package, folder: Path) -> Callable[[Path], tuple]:
    def damage(path: Path) -> tuple:
        f = path / "courses.csv"
        lines = f.read_text().splitlines(keepends=True)
        lines[2] = lines[2].rstrip("\n") + ",surplus\n"
        f.write_text("".join(lines))
        return ("courses.csv", 3, "", "", "this row has 11 fields but the header has 10")

    return damage


CASES = [
    unknown_reference,
    impossible_date,
    non_iso_date,
    non_iso_datetime,
    missing_required_field,
    duplicate_sourced_id,
    outside_vocabulary,
    wrong_header,
    missing_required_column,
    school_under_school,
    class_term_not_in_sessions,
    empty_course,
    bad_grade,
    too_long,
    class_in_wrong_school,
    class_at_district,
    end_before_start,
    programs_unknown_learner,
    programs_not_a_learner,
    staff_link_vocabulary,
    bad_manifest_version,
    manifest_names_absent_file,
    truncated_file,
    truncated_inside_quotes,
    wrong_encoding,
    no_manifest,
    empty_file,
    row_with_extra_comma,
]


def _check(problems, expected) -> None:
    file, row, column, value, reason = expected
    found = [p for p in errors(problems) if p.file == file and reason in p.reason]
    assert found, f"no {reason!r} in {file}; got: " + "; ".join(map(str, problems))
    p = found[0]
    assert p.row == row, str(p)
    if column:
        assert p.column == column, str(p)
    if value:
        assert p.value == value, str(p)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_broken_input_is_refused_precisely(case, tmp_path, world):
    pkg = district_package()
    folder = tmp_path / "pkg"
    expected = case(pkg, folder)
    pkg.write(folder)
    if callable(expected):
        expected = expected(folder)
    before = snapshot()
    problems = refused(folder)
    _check(problems, expected)
    assert snapshot() == before


def test_zip_missing_a_file_named_in_the_manifest(tmp_path, world):
    path = district_package().write_zip(tmp_path / "roster.zip", skip=("enrollments.csv",))
    before = snapshot()
    problems = refused(path)
    _check(
        problems,
        (
            "enrollments.csv",
            None,
            "",
            "",
            "the manifest says file.enrollments is bulk, but the package has no enrollments.csv",
        ),
    )
    assert snapshot() == before


def test_not_a_zip(tmp_path, world):
    path = tmp_path / "roster.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    problems = refused(path)
    assert "neither a folder nor a readable zip" in problems[0].reason


def test_all_problems_are_reported_at_once(tmp_path, world):
    pkg = district_package()
    expectations = [
        case(pkg, tmp_path)
        for case in (
            unknown_reference,
            non_iso_date,
            outside_vocabulary,
            school_under_school,
            programs_unknown_learner,
        )
    ]
    pkg.write(tmp_path / "pkg")
    problems = refused(tmp_path / "pkg")
    for expected in expectations:
        _check(problems, expected)


def test_the_command_prints_the_report_and_fails(tmp_path, world):
    from django.core.management.base import CommandError

    pkg = district_package()
    unknown_reference(pkg, tmp_path)
    pkg.write(tmp_path / "pkg")
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        run_import(tmp_path / "pkg", report=tmp_path / "problems.csv")
    report = (tmp_path / "problems.csv").read_text()
    assert "enrollments.csv,9,userSourcedId,nobody,unknown reference" in report
