"""Waypoint's companion files, sent beside the OneRoster files (see docs/oneroster.md).

``programs.csv``: a learner's school, grade and program flags for one school year (LearnerYear).
``staff_links.csv``: coach / multi-classroom leader → teacher and advisor → learner links for
one school year (CoachLink, AdvisorLink).
"""

from __future__ import annotations

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.parse import PackageReader, Program, StaffLink, fingerprint
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
_DISABILITY = list(PROGRAM_FLAGS).index("disability")  # in ``Program.flags``
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


def read_programs(source: Source, reader: PackageReader) -> None:
    pkg = reader.pkg
    name = "programs.csv"
    r = Rows(
        Table(source, name, pkg.problems),
        pkg.problems,
        PROGRAMS_COLUMNS,
        PROGRAMS_REQUIRED,
        pkg.modes[name],
    )
    only = reader.only.get(name) if reader.only is not None else None
    seen: dict[tuple[str, str], int] = {}
    salt = ""
    for number in r:
        learner, year = r.get("learnerSourcedId"), r.get("schoolYearSourcedId")
        key = (learner, year)
        if only is not None and f"{learner}/{year}" not in only:
            continue
        if not salt:
            salt = reader.salt(r)
        fp = fingerprint([salt, *r.fields])
        if learner and year and key not in seen and reader.take_same(name, f"{learner}/{year}", fp):
            seen[key] = number
            p = Program(number)
            p.fp, p.same = fp, True
            p.learner, p.school_year, p.school = learner, year, r.get("schoolSourcedId")
            pkg.programs.append(p)
            continue
        p = Program(number)
        p.fp = fp
        p.learner = r.text("learnerSourcedId", required=True)
        p.school_year = r.text("schoolYearSourcedId", required=True)
        p.school = r.get("schoolSourcedId")
        p.grade = r.read("grade", parse_grade, required=True)
        p.flags = tuple(r.boolean(col, False) for col in PROGRAM_FLAGS)
        p.service_level = r.vocab("disabilityServiceLevel", SERVICE_LEVELS)
        p.groups = sorted({g.strip() for g in r.get("districtGroups").split(";") if g.strip()})
        if p.service_level and not p.flags[_DISABILITY]:
            r.problem(
                "a disability service level is given but disability is not true",
                column="disabilityServiceLevel",
                value=p.service_level,
            )
        if all(key) and key in seen:
            r.problem(
                f"this learner already has a row for this school year (row {seen[key]})",
                column="learnerSourcedId",
                value=p.learner,
            )
        if not r.ok:
            continue
        seen[key] = number
        pkg.programs.append(p)


def read_staff_links(source: Source, reader: PackageReader) -> None:
    pkg = reader.pkg
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
        s = StaffLink(number)
        s.status = r.vocab("status", spec.STATUS) or "active"
        s.kind = r.vocab("kind", STAFF_LINK_KINDS, required=True)
        s.staff = r.text("staffSourcedId", required=True)
        s.person = r.text("personSourcedId", required=True)
        s.school_year = r.text("schoolYearSourcedId", required=True)
        key = (s.kind, s.staff, s.person, s.school_year)
        if all(key) and key in seen:
            r.problem(
                f"the same link is already on row {seen[key]}",
                column="staffSourcedId",
                value=s.staff,
            )
        if not r.ok:
            continue
        seen[key] = number
        pkg.staff_links.append(s)
