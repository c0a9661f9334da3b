"""OneRoster packages made in code for the tests: a small district, 1.1 or 1.2, any year.

``Package`` holds each file as a header and rows (dicts); tests change rows to make defects,
then write the package to a folder or a zip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.companion import PROGRAMS_COLUMNS, STAFF_LINK_COLUMNS

DLM = "2025-08-15T00:00:00.000Z"
DISTRICT = "maple-district"
SCHOOLS = ("maple-elementary", "maple-middle")


@dataclass
class Package:
    version: str = spec.V11
    files: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)
    manifest: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, row: dict[str, str]) -> dict[str, str]:
        self.files.setdefault(name, []).append(row)
        return row

    def header(self, name: str) -> list[str]:
        if name in self.headers:
            return self.headers[name]
        if name == "programs.csv":
            return list(PROGRAMS_COLUMNS)
        if name == "staff_links.csv":
            return list(STAFF_LINK_COLUMNS)
        base = list(spec.COLUMNS[name][self.version])
        extra = sorted({k for row in self.files.get(name, []) for k in row if k not in base})
        return base + extra

    def row(self, name: str, sid: str) -> dict[str, str]:
        key = "learnerSourcedId" if name == "programs.csv" else "sourcedId"
        return next(r for r in self.files[name] if r.get(key) == sid)

    def text(self, name: str) -> str:
        out = io.StringIO()
        header = self.header(name)
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in self.files.get(name, []):
            writer.writerow({k: row.get(k, "") for k in header})
        return out.getvalue()

    def manifest_text(self) -> str:
        props = {"manifest.version": "1.0", "oneroster.version": self.version}
        for name in self.files:
            props[f"file.{name[:-4]}"] = "bulk"
        props.update(self.manifest)
        return "propertyName,value\n" + "".join(f"{k},{v}\n" for k, v in props.items())

    def contents(self) -> dict[str, bytes]:
        out = {name: self.text(name).encode() for name in self.files}
        out["manifest.csv"] = self.manifest_text().encode()
        return out

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.contents().items():
            (folder / name).write_bytes(data)
        return folder

    def write_zip(self, path: Path, skip: tuple[str, ...] = ()) -> Path:
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in self.contents().items():
                if name not in skip:
                    zf.writestr(name, data)
        return path


def _year(start_year: int) -> tuple[str, dt.date, dt.date]:
    return f"year-{start_year}", dt.date(start_year, 8, 15), dt.date(start_year + 1, 6, 10)


def district_package(
    *,
    version: str = spec.V11,
    start_year: int = 2025,
    learners: int = 20,
    first_learner: int = 0,
    companions: bool = True,
) -> Package:
    """A small, valid district: two schools, a year with two semesters, four classes."""
    pkg = Package(version=version)
    year_sid, start, end = _year(start_year)
    half = start + (end - start) / 2
    pkg.add(
        "orgs.csv",
        {"sourcedId": DISTRICT, "name": "Maple District", "type": "district", "identifier": "9000"},
    )
    for i, sid in enumerate(SCHOOLS):
        pkg.add(
            "orgs.csv",
            {
                "sourcedId": sid,
                "name": f"Maple {'Elementary' if i == 0 else 'Middle'} School",
                "type": "school",
                "identifier": f"900{i + 1}",
                "parentSourcedId": DISTRICT,
            },
        )
    label = f"{start_year}-{start_year + 1}"
    pkg.add(
        "academicSessions.csv",
        {
            "sourcedId": year_sid,
            "title": f"{label} School Year",
            "type": "schoolYear",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "schoolYear": str(start_year + 1),
        },
    )
    for n, (a, b) in enumerate([(start, half), (half + dt.timedelta(days=1), end)], 1):
        pkg.add(
            "academicSessions.csv",
            {
                "sourcedId": f"{year_sid}-s{n}",
                "title": f"Semester {n}",
                "type": "semester",
                "startDate": a.isoformat(),
                "endDate": b.isoformat(),
                "parentSourcedId": year_sid,
                "schoolYear": str(start_year + 1),
            },
        )
    courses = [
        ("math-4", "Mathematics 4", "04", SCHOOLS[0], "Math"),
        ("ela-4", "English 4", "04", SCHOOLS[0], "English"),
        ("math-7", "Mathematics 7", "07", SCHOOLS[1], "Mathematics"),
    ]
    for sid, title, grade, org, subject in courses:
        pkg.add(
            "courses.csv",
            {
                "sourcedId": sid,
                "schoolYearSourcedId": year_sid,
                "title": title,
                "courseCode": sid.upper(),
                "grades": grade,
                "orgSourcedId": org,
                "subjects": subject,
            },
        )
    classes = [
        (
            f"c-math4-{start_year}",
            "math-4",
            SCHOOLS[0],
            f"{year_sid}-s1,{year_sid}-s2",
            "scheduled",
            "04",
        ),
        (f"c-ela4-{start_year}", "ela-4", SCHOOLS[0], f"{year_sid}-s1", "scheduled", "04"),
        (f"c-hr4-{start_year}", "ela-4", SCHOOLS[0], year_sid, "homeroom", "04"),
        (f"c-math7-{start_year}", "math-7", SCHOOLS[1], f"{year_sid}-s2", "scheduled", "07"),
    ]
    for sid, course, school, terms, ctype, grade in classes:
        pkg.add(
            "classes.csv",
            {
                "sourcedId": sid,
                "title": sid.replace("-", " ").title(),
                "grades": grade,
                "courseSourcedId": course,
                "classCode": sid[:10],
                "classType": ctype,
                "location": "Room 1",
                "schoolSourcedId": school,
                "termSourcedIds": terms,
                "periods": "1",
            },
        )

    def user(sid: str, role: str, org: str, given: str, **more: str) -> dict[str, str]:
        row = {
            "sourcedId": sid,
            "enabledUser": "true",
            "username": sid,
            "givenName": given,
            "familyName": "Maple",
            "email": f"{sid}@maple.example.org",
            **more,
        }
        if version == spec.V11:
            row.update({"orgSourcedIds": org, "role": role})
        else:
            primary = pkg.add(
                "roles.csv",
                {
                    "sourcedId": f"role-{sid}",
                    "userSourcedId": sid,
                    "roleType": "primary",
                    "role": role,
                    "orgSourcedId": org,
                },
            )
            del primary
        return pkg.add("users.csv", row)

    v12_admin = "districtAdministrator" if version == spec.V12 else "administrator"
    v12_leader = "principal" if version == spec.V12 else "administrator"
    user("t-ada", "teacher", SCHOOLS[0], "Ada")
    user("t-ben", "teacher", SCHOOLS[1], "Ben")
    user("aide-cy", "aide", SCHOOLS[0], "Cy")
    user("admin-dee", v12_admin, DISTRICT, "Dee")
    user("leader-eve", v12_leader, SCHOOLS[0], "Eve")
    user("coach-fay", "teacher", SCHOOLS[0], "Fay")
    guardians = ["g-gus", "g-hal"]
    learner_ids = [f"l-{first_learner + i:03d}" for i in range(learners)]
    for i, sid in enumerate(learner_ids):
        agents = guardians[i] if i < len(guardians) else ""
        user(
            sid,
            "student",
            SCHOOLS[0] if i % 4 else SCHOOLS[1],
            f"Learner{i}",
            grades="04" if i % 4 else "07",
            agentSourcedIds=agents,
            identifier=f"S{first_learner + i:05d}",
        )
    for i, sid in enumerate(guardians):
        user(
            sid,
            "parent" if i == 0 else "guardian",
            DISTRICT,
            sid.split("-")[1].title(),
            agentSourcedIds=learner_ids[i],
        )

    def enroll(klass: str, school: str, person: str, role: str, primary: str = "") -> None:
        pkg.add(
            "enrollments.csv",
            {
                "sourcedId": f"e-{klass}-{person}",
                "classSourcedId": klass,
                "schoolSourcedId": school,
                "userSourcedId": person,
                "role": role,
                "primary": primary,
                "beginDate": start.isoformat(),
                "endDate": end.isoformat(),
            },
        )

    enroll(classes[0][0], SCHOOLS[0], "t-ada", "teacher", "true")
    enroll(classes[1][0], SCHOOLS[0], "t-ada", "teacher", "true")
    enroll(classes[2][0], SCHOOLS[0], "coach-fay", "teacher", "true")
    enroll(classes[3][0], SCHOOLS[1], "t-ben", "teacher", "true")
    if version == spec.V11:
        enroll(classes[0][0], SCHOOLS[0], "aide-cy", "aide", "false")
    for i, sid in enumerate(learner_ids):
        if i % 4:
            for klass in classes[:3]:
                enroll(klass[0], SCHOOLS[0], sid, "student")
        else:
            enroll(classes[3][0], SCHOOLS[1], sid, "student")
        pkg.add(
            "demographics.csv",
            {
                "sourcedId": sid,
                "birthDate": f"{start_year - 10}-0{1 + i % 9}-1{i % 10}",
                "sex": "female" if i % 2 else "male",
                "white": "true" if i % 3 == 0 else "false",
                "asian": "true" if i % 3 == 1 else "false",
                "hispanicOrLatinoEthnicity": "true" if i % 5 == 0 else "false",
            },
        )
    if version == spec.V12:
        pkg.add(
            "userProfiles.csv",
            {
                "sourcedId": "profile-ada",
                "userSourcedId": "t-ada",
                "profileType": "lms",
                "vendorId": "acme",
                "credentialType": "sso",
                "username": "ada.acme",
            },
        )
    if companions:
        for i, sid in enumerate(learner_ids):
            pkg.add(
                "programs.csv",
                {
                    "learnerSourcedId": sid,
                    "schoolYearSourcedId": year_sid,
                    "schoolSourcedId": SCHOOLS[0] if i % 4 else SCHOOLS[1],
                    "grade": "04" if i % 4 else "07",
                    "economicallyDisadvantaged": "true" if i % 2 else "false",
                    "englishLearner": "true" if i % 7 == 0 else "false",
                    "disability": "true" if i % 6 == 0 else "false",
                    "disabilityServiceLevel": "resource" if i % 6 == 0 else "",
                    "gifted": "false",
                    "homeless": "false",
                    "fosterCare": "false",
                    "districtGroups": "Band;Robotics" if i == 1 else "",
                },
            )
        pkg.add(
            "staff_links.csv",
            {
                "status": "active",
                "kind": "coach",
                "staffSourcedId": "coach-fay",
                "personSourcedId": "t-ada",
                "schoolYearSourcedId": year_sid,
            },
        )
        pkg.add(
            "staff_links.csv",
            {
                "status": "active",
                "kind": "mcl",
                "staffSourcedId": "coach-fay",
                "personSourcedId": "t-ben",
                "schoolYearSourcedId": year_sid,
            },
        )
        pkg.add(
            "staff_links.csv",
            {
                "status": "active",
                "kind": "advisor",
                "staffSourcedId": "t-ada",
                "personSourcedId": learner_ids[0],
                "schoolYearSourcedId": year_sid,
            },
        )
    return pkg
