"""Waypoint's companion files, sent beside the OneRoster files (see docs/oneroster.md).

``programs.csv``: a learner's school, grade and program flags for one school year (LearnerYear).
``staff_links.csv``: coach / multi-classroom leader → teacher and advisor → learner links for
one school year (CoachLink, AdvisorLink).
"""

from __future__ import annotations

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.rows import Rows
from waypoint.interop.oneroster.source import Source, Table
from waypoint.interop.oneroster.values import parse_grade
from waypoint.roster.models import LearnerYear

PROGRAM_FLAGS = {
    "economicallyDisadvantaged": "economically_disadvantaged",
    "englishLearner": "english_learner",
    "disability": "disability",
    "gifted": "gifted",
    "homeless": "homeless",
    "fosterCare": "foster_care",
}
PROGRAMS_COLUMNS = (
    "learnerSourcedId",
    "schoolYearSourcedId",
    "schoolSourcedId",
    "grade",
    *PROGRAM_FLAGS,
    "disabilityServiceLevel",
    "districtGroups",
)
PROGRAMS_REQUIRED = ("learnerSourcedId", "schoolYearSourcedId", "grade")
SERVICE_LEVELS = tuple(v for v, _ in LearnerYear.ServiceLevel.choices if v)

STAFF_LINK_COLUMNS = (
    "status",
    "kind",
    "staffSourcedId",
    "personSourcedId",
    "schoolYearSourcedId",
)
STAFF_LINK_REQUIRED = ("kind", "staffSourcedId", "personSourcedId", "schoolYearSourcedId")
STAFF_LINK_KINDS = ("coach", "mcl", "advisor")


def read_programs(source: Source, pkg: object) -> None:
    from waypoint.interop.oneroster.parse import Package

    assert isinstance(pkg, Package)
    name = "programs.csv"
    r = Rows(
        Table(source, name, pkg.problems),
        pkg.problems,
        PROGRAMS_COLUMNS,
        PROGRAMS_REQUIRED,
        pkg.modes[name],
    )
    seen: dict[tuple[str, str], int] = {}
    for number in r:
        rec = {
            "row": number,
            "learner": r.text("learnerSourcedId", required=True),
            "school_year": r.text("schoolYearSourcedId", required=True),
            "school": r.get("schoolSourcedId"),
            "grade": r.read("grade", parse_grade, required=True),
            "flags": {field: r.boolean(col, False) for col, field in PROGRAM_FLAGS.items()},
            "service_level": r.vocab("disabilityServiceLevel", SERVICE_LEVELS),
            "groups": sorted({g.strip() for g in r.get("districtGroups").split(";") if g.strip()}),
        }
        if rec["service_level"] and not rec["flags"]["disability"]:
            r.problem(
                "a disability service level is given but disability is not true",
                column="disabilityServiceLevel",
                value=rec["service_level"],
            )
        key = (rec["learner"], rec["school_year"])
        if all(key) and key in seen:
            r.problem(
                f"this learner already has a row for this school year (row {seen[key]})",
                column="learnerSourcedId",
                value=rec["learner"],
            )
        if not r.ok:
            continue
        seen[key] = number
        pkg.programs.append(rec)


def read_staff_links(source: Source, pkg: object) -> None:
    from waypoint.interop.oneroster.parse import Package

    assert isinstance(pkg, Package)
    name = "staff_links.csv"
    r = Rows(
        Table(source, name, pkg.problems),
        pkg.problems,
        STAFF_LINK_COLUMNS,
        STAFF_LINK_REQUIRED,
        pkg.modes[name],
    )
    seen: dict[tuple[str, ...], int] = {}
    for number in r:
        rec = {
            "row": number,
            "status": r.vocab("status", spec.STATUS) or "active",
            "kind": r.vocab("kind", STAFF_LINK_KINDS, required=True),
            "staff": r.text("staffSourcedId", required=True),
            "person": r.text("personSourcedId", required=True),
            "school_year": r.text("schoolYearSourcedId", required=True),
        }
        key = (rec["kind"], rec["staff"], rec["person"], rec["school_year"])
        if all(key) and key in seen:
            r.problem(
                f"the same link is already on row {seen[key]}",
                column="staffSourcedId",
                value=rec["staff"],
            )
        if not r.ok:
            continue
        seen[key] = number
        pkg.staff_links.append(rec)
