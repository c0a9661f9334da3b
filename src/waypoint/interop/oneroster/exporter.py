"""Write a district as OneRoster 1.1 bulk CSV, with Waypoint's companion files.

Waypoint facts OneRoster has no column for travel in ``metadata.*`` columns (a school's kind,
a school year's count date, the subject, every staff role, an instructor's share), so that
exporting and importing again gives back the same rows.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.companion import PROGRAM_FLAGS, PROGRAMS_COLUMNS, STAFF_LINK_COLUMNS
from waypoint.interop.oneroster.values import format_datetime
from waypoint.roster import models as m
from waypoint.roster.grades import Grade

V = spec.V11
CHUNK = 20_000
GENDER_TO_SEX = {"female": "female", "male": "male"}


def _code(grade: int | None) -> str:
    return Grade(grade).label if grade is not None else ""


def _d(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _b(value: bool) -> str:
    return "true" if value else "false"


class Ids:
    """Each row's sourcedId; rows that have none get a stable one made from their id."""

    def __init__(self, district: m.District) -> None:
        self.district = district
        self.maps: dict[str, dict[int, str]] = {}

    def of(self, model: type[m.TenantModel], label: str) -> dict[int, str]:
        if label not in self.maps:
            rows = model.objects.filter(district=self.district).values_list("id", "sourced_id")
            self.maps[label] = {pk: sid or f"waypoint-{label}-{pk}" for pk, sid in rows}
        return self.maps[label]


def _meta_keys(extras: Iterable[dict[str, Any]]) -> list[str]:
    keys: set[str] = set()
    for extra in extras:
        keys.update((extra or {}).get("metadata", {}))
    return sorted(keys)


def _meta(extra: dict[str, Any], keys: list[str]) -> list[str]:
    values = (extra or {}).get("metadata", {})
    return [str(values.get(k, "")) for k in keys]


class Exporter:
    def __init__(self, district: m.District, open_file: Any) -> None:
        self.district = district
        self.open_file = open_file
        self.ids = Ids(district)
        self.counts: dict[str, int] = {}

    def _write(self, name: str, header: list[str], rows: Iterable[list[Any]]) -> None:
        n = 0
        with self.open_file(name) as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                n += 1
        self.counts[name] = n

    def _qs(self, model: type[m.TenantModel]) -> Any:
        return model.objects.filter(district=self.district).order_by("id")

    def run(self) -> dict[str, int]:
        self.orgs()
        self.sessions()
        courses_for_sections = self.classes_needing_courses()
        self.courses(courses_for_sections)
        self.classes(courses_for_sections)
        self.users()
        self.enrollments()
        self.demographics()
        self.programs()
        self.staff_links()
        self.manifest()
        return self.counts

    def orgs(self) -> None:
        d = self.district
        schools = list(
            self._qs(m.School).values_list(
                "id", "name", "identifier", "kind", "date_last_modified", "extra"
            )
        )
        keys = _meta_keys([d.extra, *(s[5] for s in schools)])
        header = [*spec.COLUMNS["orgs.csv"][V], "metadata.kind", *keys]
        sids = self.ids.of(m.School, "school")

        def rows() -> Iterator[list[Any]]:
            e = d.extra or {}
            yield [
                d.sourced_id,
                "active",
                e.get("dateLastModified", ""),
                d.name,
                "district",
                e.get("identifier", ""),
                e.get("parentSourcedId", ""),
                "",
                *_meta(e, keys),
            ]
            for pk, name, ident, kind, dlm, extra in schools:
                yield [
                    sids[pk],
                    "active",
                    format_datetime(dlm),
                    name,
                    "school",
                    ident,
                    d.sourced_id,
                    kind,
                    *_meta(extra, keys),
                ]

        self._write("orgs.csv", header, rows())

    def sessions(self) -> None:
        years = list(
            self._qs(m.SchoolYear).values_list(
                "id", "title", "start_date", "end_date", "count_date", "date_last_modified", "extra"
            )
        )
        terms = list(
            self._qs(m.Term).values_list(
                "id",
                "school_year_id",
                "parent_id",
                "kind",
                "title",
                "start_date",
                "end_date",
                "date_last_modified",
                "extra",
            )
        )
        keys = _meta_keys([*(y[6] for y in years), *(t[8] for t in terms)])
        header = [*spec.COLUMNS["academicSessions.csv"][V], "metadata.countDate", *keys]
        ysid = self.ids.of(m.SchoolYear, "year")
        tsid = self.ids.of(m.Term, "term")
        year_end = {y[0]: y[3] for y in years}

        def rows() -> Iterator[list[Any]]:
            for pk, title, start, end, count, dlm, extra in years:
                e = extra or {}
                yield [
                    ysid[pk],
                    "active",
                    format_datetime(dlm),
                    title,
                    "schoolYear",
                    _d(start),
                    _d(end),
                    e.get("parentSourcedId", ""),
                    e.get("schoolYear") or str(end.year),
                    _d(count),
                    *_meta(e, keys),
                ]
            for pk, year, parent, kind, title, start, end, dlm, extra in terms:
                e = extra or {}
                up = tsid[parent] if parent else ysid[year]
                yield [
                    tsid[pk],
                    "active",
                    format_datetime(dlm),
                    title,
                    kind,
                    _d(start),
                    _d(end),
                    up,
                    e.get("schoolYear") or str(year_end[year].year),
                    "",
                    *_meta(e, keys),
                ]

        self._write("academicSessions.csv", header, rows())

    def classes_needing_courses(self) -> list[tuple[Any, ...]]:
        return list(
            self._qs(m.Section)
            .filter(course__isnull=True)
            .values_list("id", "title", "school_id", "subject", "grade")
        )

    def courses(self, extra_courses: list[tuple[Any, ...]]) -> None:
        courses = list(
            self._qs(m.Course).values_list(
                "id",
                "title",
                "code",
                "subject",
                "grade",
                "school_id",
                "date_last_modified",
                "extra",
            )
        )
        keys = _meta_keys(c[7] for c in courses)
        header = [*spec.COLUMNS["courses.csv"][V], "metadata.subject", *keys]
        csid = self.ids.of(m.Course, "course")
        ssid = self.ids.of(m.School, "school")
        secsid = self.ids.of(m.Section, "section")
        labels = dict(m.Subject.choices)
        district = self.district.sourced_id

        def rows() -> Iterator[list[Any]]:
            for pk, title, code, subject, grade, school, dlm, extra in courses:
                e = extra or {}
                grades = e.get("grades") or ([_code(grade)] if grade is not None else [])
                subjects = e.get("subjects") or [labels.get(subject, subject)]
                yield [
                    csid[pk],
                    "active",
                    format_datetime(dlm),
                    e.get("schoolYearSourcedId", ""),
                    title,
                    code,
                    ",".join(grades),
                    ssid[school] if school else district,
                    ",".join(subjects),
                    ",".join(e.get("subjectCodes", [])),
                    subject,
                    *_meta(e, keys),
                ]
            for pk, title, school, subject, grade in extra_courses:
                yield [
                    f"waypoint-course-for-{secsid[pk]}",
                    "active",
                    "",
                    "",
                    title,
                    "",
                    _code(grade),
                    ssid[school],
                    labels.get(subject, subject),
                    "",
                    subject,
                    *["" for _ in keys],
                ]

        self._write("courses.csv", header, rows())

    def classes(self, without_course: list[tuple[Any, ...]]) -> None:
        qs = self._qs(m.Section)
        keys = _meta_keys(qs.values_list("extra", flat=True))
        header = [*spec.COLUMNS["classes.csv"][V], "metadata.subject", *keys]
        secsid = self.ids.of(m.Section, "section")
        csid = self.ids.of(m.Course, "course")
        ssid = self.ids.of(m.School, "school")
        ysid = self.ids.of(m.SchoolYear, "year")
        tsid = self.ids.of(m.Term, "term")
        terms: dict[int, list[str]] = {}
        through = m.Section.terms.through.objects.filter(section__district=self.district)
        for section, term in through.values_list("section_id", "term_id").order_by("id"):
            terms.setdefault(section, []).append(tsid[term])

        def rows() -> Iterator[list[Any]]:
            for (
                pk,
                title,
                grade,
                course,
                code,
                ctype,
                location,
                school,
                year,
                subject,
                period,
                dlm,
                extra,
            ) in qs.values_list(
                "id",
                "title",
                "grade",
                "course_id",
                "code",
                "class_type",
                "location",
                "school_id",
                "school_year_id",
                "subject",
                "period",
                "date_last_modified",
                "extra",
            ).iterator(chunk_size=CHUNK):
                e = extra or {}
                grades = e.get("grades") or ([_code(grade)] if grade is not None else [])
                subjects = e.get("subjects", [])  # the course carries the subject text
                course_sid = csid[course] if course else f"waypoint-course-for-{secsid[pk]}"
                yield [
                    secsid[pk],
                    "active",
                    format_datetime(dlm),
                    title,
                    ",".join(grades),
                    course_sid,
                    code,
                    ctype,
                    location,
                    ssid[school],
                    ",".join(sorted(terms.get(pk, [])) or [ysid[year]]),
                    ",".join(subjects),
                    ",".join(e.get("subjectCodes", [])),
                    period,
                    subject,
                    *_meta(e, keys),
                ]

        del without_course
        self._write("classes.csv", header, rows())

    def users(self) -> None:
        qs = self._qs(m.Person)
        keys = [
            k
            for k in _meta_keys(qs.values_list("extra", flat=True))
            if k not in ("metadata.preferredName", "metadata.waypointRoles")
        ]
        header = [
            *spec.COLUMNS["users.csv"][V],
            "metadata.preferredName",
            "metadata.waypointRoles",
            *keys,
        ]
        psid = self.ids.of(m.Person, "person")
        ssid = self.ids.of(m.School, "school")
        ysid = self.ids.of(m.SchoolYear, "year")
        rsid = self.ids.of(m.StaffRole, "role")
        district = self.district.sourced_id
        roles: dict[int, list[dict[str, Any]]] = {}
        for pk, person, role, school, year, primary, extra in self._qs(m.StaffRole).values_list(
            "id", "person_id", "role", "school_id", "school_year_id", "primary", "extra"
        ):
            entry: dict[str, Any] = {
                "sourcedId": rsid[pk],
                "role": role,
                "org": ssid[school] if school else "",
                "schoolYear": ysid[year] if year else "",
                "primary": primary,
            }
            if extra:
                entry["extra"] = extra
            roles.setdefault(person, []).append(entry)
        agents: dict[int, list[str]] = {}
        relationship: dict[int, str] = {}
        for guardian, learner, rel in self._qs(m.GuardianLink).values_list(
            "guardian_id", "learner_id", "relationship"
        ):
            agents.setdefault(learner, []).append(psid[guardian])
            agents.setdefault(guardian, []).append(psid[learner])
            relationship.setdefault(guardian, rel)
        fallback = {
            "teacher": "teacher",
            "aide": "aide",
            "school_leader": "administrator",
            "district_admin": "administrator",
        }

        def role_of(pk: int, kind: str) -> str:
            if kind == "learner":
                return "student"
            if kind == "guardian":
                return relationship.get(pk, "guardian")
            for r in roles.get(pk, []):
                if r["role"] in fallback:
                    return fallback[r["role"]]
            return "teacher"

        def orgs_of(pk: int) -> list[str]:
            found = [r["org"] or district for r in roles.get(pk, []) if r["role"] in fallback]
            return list(dict.fromkeys(found)) or [district]

        def rows() -> Iterator[list[Any]]:
            for (
                pk,
                kind,
                given,
                family,
                middle,
                preferred,
                email,
                ident,
                username,
                enabled,
                user_ids,
                phone,
                sms,
                grades,
                active,
                dlm,
                extra,
                login,
            ) in qs.values_list(
                "id",
                "kind",
                "given_name",
                "family_name",
                "middle_name",
                "preferred_name",
                "email",
                "identifier",
                "username",
                "enabled",
                "user_ids",
                "phone",
                "sms",
                "grades",
                "active",
                "date_last_modified",
                "extra",
                "user__username",
            ).iterator(chunk_size=CHUNK):
                e = extra or {}
                mine = roles.get(pk, [])
                yield [
                    psid[pk],
                    "active" if active else "tobedeleted",
                    format_datetime(dlm),
                    _b(enabled),
                    ",".join(e.get("orgSourcedIds") or orgs_of(pk)),
                    e.get("role") or role_of(pk, kind),
                    username or login or psid[pk],  # OneRoster requires one
                    ",".join(user_ids or []),
                    given,
                    family,
                    middle,
                    ident,
                    email,
                    sms,
                    phone,
                    ",".join(sorted(set(agents.get(pk, [])))),
                    ",".join(grades or []),
                    "",
                    preferred,
                    json.dumps(mine, sort_keys=True) if mine else "",
                    *_meta(e, keys),
                ]

        self._write("users.csv", header, rows())

    def enrollments(self) -> None:
        qs = self._qs(m.Enrollment)
        keys = _meta_keys(qs.exclude(extra={}).values_list("extra", flat=True))
        header = [*spec.COLUMNS["enrollments.csv"][V], "metadata.instructorShare", *keys]
        esid = self.ids.of(m.Enrollment, "enrollment")
        secsid = self.ids.of(m.Section, "section")
        psid = self.ids.of(m.Person, "person")
        ssid = self.ids.of(m.School, "school")
        school_of = dict(self._qs(m.Section).values_list("id", "school_id"))

        def rows() -> Iterator[list[Any]]:
            for (
                pk,
                section,
                person,
                role,
                primary,
                begin,
                end,
                status,
                share,
                dlm,
                extra,
            ) in qs.values_list(
                "id",
                "section_id",
                "person_id",
                "role",
                "primary",
                "begin_date",
                "end_date",
                "status",
                "instructor_share",
                "date_last_modified",
                "extra",
            ).iterator(chunk_size=CHUNK):
                yield [
                    esid[pk],
                    "active" if status == "active" else "tobedeleted",
                    format_datetime(dlm),
                    secsid[section],
                    ssid[school_of[section]],
                    psid[person],
                    role,
                    _b(primary),
                    _d(begin),
                    _d(end),
                    "" if share is None else str(share),
                    *_meta(extra, keys),
                ]

        self._write("enrollments.csv", header, rows())

    def demographics(self) -> None:
        qs = self._qs(m.Demographics)
        keys = _meta_keys(qs.values_list("extra", flat=True))
        header = [*spec.COLUMNS["demographics.csv"][V], "metadata.gender", *keys]
        psid = self.ids.of(m.Person, "person")

        def rows() -> Iterator[list[Any]]:
            for (
                person,
                birth,
                gender,
                ai,
                asian,
                black,
                nh,
                white,
                hisp,
                dlm,
                extra,
            ) in qs.values_list(
                "person_id",
                "birth_date",
                "gender",
                "american_indian_or_alaska_native",
                "asian",
                "black_or_african_american",
                "native_hawaiian_or_other_pacific_islander",
                "white",
                "hispanic_or_latino",
                "date_last_modified",
                "extra",
            ).iterator(chunk_size=CHUNK):
                e = extra or {}
                two = e.get("demographicRaceTwoOrMoreRaces")
                yield [
                    psid[person],
                    "active",
                    format_datetime(dlm),
                    _d(birth),
                    e.get("sex") or GENDER_TO_SEX.get(gender, ""),
                    _b(ai),
                    _b(asian),
                    _b(black),
                    _b(nh),
                    _b(white),
                    _b(bool(two)) if two is not None else "",
                    _b(hisp),
                    e.get("countryOfBirthCode", ""),
                    e.get("stateOfBirthAbbreviation", ""),
                    e.get("cityOfBirth", ""),
                    e.get("publicSchoolResidenceStatus", ""),
                    gender,
                    *_meta(e, keys),
                ]

        self._write("demographics.csv", header, rows())

    def programs(self) -> None:
        psid = self.ids.of(m.Person, "person")
        ysid = self.ids.of(m.SchoolYear, "year")
        ssid = self.ids.of(m.School, "school")
        flags = list(PROGRAM_FLAGS.values())
        qs = self._qs(m.LearnerYear).values_list(
            "learner_id",
            "school_year_id",
            "school_id",
            "grade",
            *flags,
            "disability_service_level",
            "district_groups",
        )

        def rows() -> Iterator[list[Any]]:
            for learner, year, school, grade, *rest in qs.iterator(chunk_size=CHUNK):
                *values, level, groups = rest
                yield [
                    psid[learner],
                    ysid[year],
                    ssid[school] if school else "",
                    _code(grade),
                    *(_b(v) for v in values),
                    level,
                    ";".join(groups or []),
                ]

        self._write("programs.csv", list(PROGRAMS_COLUMNS), rows())

    def staff_links(self) -> None:
        psid = self.ids.of(m.Person, "person")
        ysid = self.ids.of(m.SchoolYear, "year")

        def rows() -> Iterator[list[Any]]:
            for coach, teacher, year, kind in self._qs(m.CoachLink).values_list(
                "coach_id", "teacher_id", "school_year_id", "kind"
            ):
                yield ["active", kind, psid[coach], psid[teacher], ysid[year]]
            for advisor, learner, year in self._qs(m.AdvisorLink).values_list(
                "advisor_id", "learner_id", "school_year_id"
            ):
                yield ["active", "advisor", psid[advisor], psid[learner], ysid[year]]

        self._write("staff_links.csv", list(STAFF_LINK_COLUMNS), rows())

    def manifest(self) -> None:
        written = {name[: -len(".csv")] for name in self.counts}
        props = [["manifest.version", "1.0"], ["oneroster.version", V]]
        for name in (*spec.ROSTER_FILES, *spec.IGNORED_FILES, *spec.COMPANION_FILES):
            stem = name[: -len(".csv")]
            if name in spec.COLUMNS and V not in spec.COLUMNS[name]:
                continue
            if name in spec.IGNORED_FILES and not name.startswith(
                ("resources", "courseRes", "classRes", "categories", "lineItems", "results")
            ):
                continue
            props.append([f"file.{stem}", "bulk" if stem in written else "absent"])
        props += [["source.systemName", "Waypoint"], ["source.systemCode", self.district.slug]]
        with self.open_file("manifest.csv") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["propertyName", "value"])
            writer.writerows(props)


def export(district: m.District, path: Path, *, as_zip: bool = False) -> dict[str, int]:
    """Write the district to ``path`` (a folder, or a zip file); returns rows per file."""
    if as_zip:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:

            @contextmanager
            def open_in_zip(name: str) -> Iterator[IO[str]]:
                with (
                    zf.open(name, "w", force_zip64=True) as raw,
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh,
                ):
                    yield fh

            return Exporter(district, open_in_zip).run()
    path.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def open_in_dir(name: str) -> Iterator[IO[str]]:
        with (path / name).open("w", encoding="utf-8", newline="") as fh:
            yield fh

    return Exporter(district, open_in_dir).run()
