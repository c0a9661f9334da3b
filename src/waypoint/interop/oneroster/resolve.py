"""Check references between files (and against the district's rows) and build RosterData.

A reference may point at a row in the package or, unless the file it points into is sent in
bulk (a bulk file is the whole set), at a row the district already has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.parse import SAME, Package, Rec, Record, User
from waypoint.interop.oneroster.values import format_datetime, parse_grade, subject_from
from waypoint.roster.importing.data import (
    BULK,
    FIELDS,
    DistrictData,
    EntityRows,
    Problem,
    RosterData,
)
from waypoint.roster.importing.state import State
from waypoint.roster.models import Demographics, School, StaffRole, Subject

_Y = {n: i for i, n in enumerate(FIELDS["school_year"])}
_T = {n: i for i, n in enumerate(FIELDS["term"])}
_SEC = {n: i for i, n in enumerate(FIELDS["section"])}
_P = {n: i for i, n in enumerate(FIELDS["person"])}

KIND_BY_ROLE = {
    "student": "learner",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
}
TERM_KINDS = {"term": "term", "semester": "semester", "gradingPeriod": "gradingPeriod"}
GENDER = {"female": "female", "male": "male", "other": "nonbinary", "unspecified": "not_reported"}
GENDERS = {v for v, _ in Demographics.Gender.choices}
SCHOOL_KINDS = {v for v, _ in School.Kind.choices}
WAYPOINT_ROLES = {v for v, _ in StaffRole.Role.choices}
ONEROSTER_STAFF_ROLES = ("teacher", "aide", "school_leader", "district_admin")
ONEROSTER_ROLE_SET = frozenset(ONEROSTER_STAFF_ROLES)
WAYPOINT_ROLE_SET = frozenset(WAYPOINT_ROLES)


_STAFF_ROLE_SOURCES = frozenset(("teacher", "aide", "administrator"))  # 1.1 user roles
_ADMIN_ROLES = frozenset(
    (
        "administrator",
        "districtAdministrator",
        "systemAdministrator",
        "principal",
        "siteAdministrator",
    )
)


class RoleScope:
    """The ``(person, role)`` pairs a bulk users file speaks for (see ``EntityRows.scope``),
    kept as one shared set of roles per person rather than a tuple per pair."""

    def __init__(self) -> None:
        self.roles: dict[str, frozenset[str]] = {}

    def cover(self, person: str, roles: frozenset[str]) -> None:
        have = self.roles.get(person)
        self.roles[person] = roles if have is None or have <= roles else have | roles

    def add(self, pair: tuple[str, str]) -> None:
        person, role = pair
        if role not in self.roles.get(person, ()):
            self.cover(person, frozenset((role,)))

    def __contains__(self, pair: object) -> bool:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return False
        return pair[1] in self.roles.get(pair[0], ())


def district_row(pkg: Package) -> tuple[Record | None, list[Problem]]:
    """The orgs.csv row of type district: it names the Waypoint district (exactly one)."""
    rows = [o for o in pkg.orgs.values() if o["type"] == "district"]
    problems = [
        Problem("orgs.csv", o["row"], "type", "district", "a package may hold only one district")
        for o in rows[1:]
    ]
    return (rows[0] if rows else None), problems


SUBJECT_LABELS = {str(v): str(label) for v, label in Subject.choices}


def _subject(
    ext: dict[str, str], subjects: list[str], fallback: list[str]
) -> tuple[str, list[str]]:
    """Waypoint's subject and the OneRoster subjects worth keeping.

    Waypoint's own export writes its subject in metadata.subject, which wins over the text.
    """
    given = ext.pop("metadata.subject", "")
    if given in SUBJECT_LABELS:
        return given, subjects
    return subject_from(subjects or fallback), subjects


def _guess_kind(name: str) -> str:
    low = name.lower()
    for word, kind in (("elementary", "elementary"), ("middle", "middle"), ("high", "high")):
        if word in low:
            return kind
    return str(School.Kind.OTHER)


def _extra(rec: Record | Rec, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in more.items() if v not in ("", None, [], {})}
    if rec.get("ext"):
        out["metadata"] = dict(sorted(rec["ext"].items()))
    return out


class Resolver:
    def __init__(
        self,
        pkg: Package,
        state: State,
        district_sid: str,
        count_date: tuple[int, int] = (10, 1),
        as_of: dt.date | None = None,
    ) -> None:
        self.pkg = pkg
        self.state = state
        self.district_sid = district_sid
        self.count_date = count_date
        self.as_of = as_of
        self.problems: list[Problem] = []
        self.data = RosterData(district=None, as_of=as_of)
        # the kind (learner, staff, guardian) of every user of the package, taken as last
        # imported or not
        self.kinds: dict[str, str] = {}

    # -- helpers ------------------------------------------------------------------------------
    def problem(
        self,
        file: str,
        row: int | None,
        column: str,
        value: str,
        reason: str,
        severity: str = "error",
    ) -> None:
        self.problems.append(Problem(file, row, column, value, reason, severity))

    def _db(self, entity: str, file: str) -> dict[Any, int]:
        """Existing keys a reference may use: none when ``file`` is sent in bulk."""
        if self.pkg.modes.get(file) == BULK:
            return {}
        return self.state.ids.get(entity, {})

    def unknown(self, file: str, row: int, column: str, value: str, target: str) -> None:
        if not value or value in self.pkg.rejected.get(target.split()[0], ()):
            return  # that row was refused for its own problem, reported there
        self.problem(
            file,
            row,
            column,
            value,
            f"unknown reference: no row with this sourcedId in {target} (nor in Waypoint)",
        )

    # -- build --------------------------------------------------------------------------------
    def resolve(self) -> tuple[RosterData, list[Problem]]:
        pkg = self.pkg
        self._district()
        if "orgs.csv" in pkg.modes:
            self._schools()
        if "academicSessions.csv" in pkg.modes:
            self._sessions()
        if "courses.csv" in pkg.modes:
            self._courses()
        if "classes.csv" in pkg.modes:
            self._classes()
        if "users.csv" in pkg.modes or "roles.csv" in pkg.modes:
            self._users()
        if "enrollments.csv" in pkg.modes:
            self._enrollments()
        if "demographics.csv" in pkg.modes:
            self._demographics()
        if pkg.programs or "programs.csv" in pkg.modes:
            self._programs()
        if pkg.staff_links or "staff_links.csv" in pkg.modes:
            self._staff_links()
        for rows in (pkg.enrollments, pkg.users, pkg.demographics, pkg.classes):
            rows.clear()  # the package's rows are no longer needed: free the memory
        pkg.programs.clear()
        return self.data, self.problems

    def _district(self) -> None:
        row, problems = district_row(self.pkg)
        self.problems += problems
        if row is not None:
            extra = _extra(
                row,
                identifier=row["identifier"],
                parentSourcedId=row["parent"],
                dateLastModified=format_datetime(row["dlm"]),
            )
            self.data.district = DistrictData(row["sid"], row["name"], extra)

    def _org_kind(self, sid: str) -> str | None:
        """'district', 'school', another org type, or None if unknown."""
        if sid == self.district_sid:
            return "district"
        org = self.pkg.orgs.get(sid)
        if org is not None:
            return str(org["type"])
        if sid in self._db("school", "orgs.csv"):
            return "school"
        return None

    def _schools(self) -> None:
        pkg = self.pkg
        rows: dict[str, tuple[Any, ...]] = {}
        for sid, org in pkg.orgs.items():
            parent = org["parent"]
            parent_kind = self._org_kind(parent) if parent else None
            if parent and parent_kind is None:
                self.unknown("orgs.csv", org["row"], "parentSourcedId", parent, "orgs.csv")
            if org["type"] == "school":
                if parent_kind == "school":
                    self.problem(
                        "orgs.csv",
                        org["row"],
                        "parentSourcedId",
                        parent,
                        "a school's parent is another school; "
                        "a school's parent must be the district",
                    )
                ext = dict(org["ext"])
                kind = ext.pop("metadata.kind", "")
                if kind and kind not in SCHOOL_KINDS:
                    self.problem(
                        "orgs.csv",
                        org["row"],
                        "metadata.kind",
                        kind,
                        f"not one of the allowed values ({', '.join(sorted(SCHOOL_KINDS))})",
                    )
                rows[sid] = (
                    org["name"],
                    org["identifier"],
                    kind or _guess_kind(org["name"]),
                    org["dlm"],
                    _extra({"ext": ext}),
                )
            elif org["type"] != "district":
                self.problem(
                    "orgs.csv",
                    org["row"],
                    "type",
                    org["type"],
                    "Waypoint keeps the district and its schools; "
                    "this org is only used as a reference",
                    "warning",
                )
        self.data.entities["school"] = EntityRows(pkg.modes["orgs.csv"], rows)

    # -- sessions -----------------------------------------------------------------------------
    def _session_kind(self, sid: str) -> str | None:
        rec = self.pkg.sessions.get(sid)
        if rec is not None:
            return str(rec["type"])
        if sid in self._db("school_year", "academicSessions.csv"):
            return "schoolYear"
        if sid in self._db("term", "academicSessions.csv"):
            return "term"
        return None

    def _year_of_session(self, sid: str, depth: int = 0) -> str | None:
        """The school year a session belongs to: itself, or up its parents."""
        if depth > 10:
            return None
        rec = self.pkg.sessions.get(sid)
        if rec is not None:
            if rec["type"] == "schoolYear":
                return sid
            if rec.get("year"):
                return str(rec["year"])
            return self._year_of_session(rec["parent"], depth + 1) if rec["parent"] else None
        if sid in self._db("school_year", "academicSessions.csv"):
            return sid
        term = self.state.rows.get("term", {}).get(sid)
        if term is not None and sid in self._db("term", "academicSessions.csv"):
            return str(term[_T["school_year"]])
        return None

    def _count_date(self, start: dt.date, end: dt.date) -> dt.date:
        month, day = self.count_date
        for year in (start.year, start.year + 1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if start <= candidate <= end:
                return candidate
        return start

    def _sessions(self) -> None:
        pkg = self.pkg
        years: dict[str, tuple[Any, ...]] = {}
        existing_starts = {
            v[_Y["start_date"]]: k for k, v in self.state.rows.get("school_year", {}).items()
        }
        starts: dict[dt.date, str] = {}
        for sid, rec in pkg.sessions.items():
            if rec["type"] != "schoolYear" or rec["bad"]:
                continue
            ext = dict(rec["ext"])
            ext.pop("metadata.countDate", None)
            count = rec.get("count_date") or self._count_date(rec["start"], rec["end"])
            years[sid] = (
                rec["title"],
                rec["start"],
                rec["end"],
                count,
                rec["dlm"],
                _extra({"ext": ext}, schoolYear=rec["school_year"], parentSourcedId=rec["parent"]),
            )
            other = starts.get(rec["start"]) or existing_starts.get(rec["start"])
            if other is not None and other != sid:
                self.problem(
                    "academicSessions.csv",
                    rec["row"],
                    "startDate",
                    rec["start"].isoformat(),
                    f"another school year ({other}) starts on the same day; "
                    "a district has one school year per start date",
                )
            starts[rec["start"]] = sid
        # terms: find each one's school year; synthesize one from schoolYear where none is sent
        terms: dict[str, tuple[Any, ...]] = {}
        for sid, rec in pkg.sessions.items():
            if rec["type"] == "schoolYear":
                continue
            parent = rec["parent"]
            parent_kind = self._session_kind(parent) if parent else None
            if parent and parent_kind is None:
                self.unknown(
                    "academicSessions.csv",
                    rec["row"],
                    "parentSourcedId",
                    parent,
                    "academicSessions.csv",
                )
                continue
            if rec["bad"]:
                continue
            year = self._year_of_session(sid) if parent else None
            if year is None:
                year = self._containing_year(rec, years)
            if year is None:
                year = self._synthesize_year(rec, years)
            if year is None:
                continue
            rec["year"] = year
            terms[sid] = (
                year,
                parent if parent_kind in TERM_KINDS else None,
                TERM_KINDS[rec["type"]],
                rec["title"],
                rec["start"],
                rec["end"],
                rec["dlm"],
                _extra(rec, schoolYear=rec["school_year"]),
            )
        mode = pkg.modes["academicSessions.csv"]
        self.data.entities["school_year"] = EntityRows(mode, years)
        self.data.entities["term"] = EntityRows(mode, terms)

    def _containing_year(self, rec: Record, years: dict[str, tuple[Any, ...]]) -> str | None:
        for sid, y in years.items():
            if y[_Y["start_date"]] <= rec["start"] and rec["end"] <= y[_Y["end_date"]]:
                return sid
        return None

    def _synthesize_year(self, rec: Record, years: dict[str, tuple[Any, ...]]) -> str | None:
        label = str(rec["school_year"])
        end_year = label[-4:] if label[-4:].isdigit() else ""
        if not end_year:
            self.problem(
                "academicSessions.csv",
                rec["row"],
                "parentSourcedId",
                "",
                "this session belongs to no school year: give it a parentSourcedId of type "
                "schoolYear, or a schoolYear (YYYY)",
            )
            return None
        sid = f"waypoint-school-year-{end_year}"
        if sid not in years:
            start = dt.date(int(end_year) - 1, 8, 1)
            end = dt.date(int(end_year), 7, 31)
            years[sid] = (
                f"{int(end_year) - 1}–{end_year}",
                start,
                end,
                self._count_date(start, end),
                None,
                {"synthesized": True},
            )
            self.problem(
                "academicSessions.csv",
                rec["row"],
                "parentSourcedId",
                "",
                f"no schoolYear session holds this term; Waypoint made the school year {sid} "
                f"(Aug 1 {int(end_year) - 1} – Jul 31 {end_year}) for it",
                "warning",
            )
        else:
            y = years[sid]
            if (rec["start"] < y[1] or rec["end"] > y[2]) and y[5].get("synthesized"):
                years[sid] = (y[0], min(y[1], rec["start"]), max(y[2], rec["end"]), *y[3:])
        return sid

    # -- courses and classes --------------------------------------------------------------------
    def _courses(self) -> None:
        pkg = self.pkg
        rows: dict[str, tuple[Any, ...]] = {}
        for sid, rec in pkg.courses.items():
            org = rec["org"]
            kind = self._org_kind(org)
            if kind is None:
                self.unknown("courses.csv", rec["row"], "orgSourcedId", org, "orgs.csv")
                continue
            year = rec["school_year"]
            if year and self._session_kind(year) is None:
                self.unknown(
                    "courses.csv", rec["row"], "schoolYearSourcedId", year, "academicSessions.csv"
                )
            if rec["bad"]:
                continue
            ext = dict(rec["ext"])
            subject, subjects = _subject(ext, rec["subjects"], [])
            grades = rec["grades"]
            rows[sid] = (
                rec["title"],
                rec["code"],
                subject,
                parse_grade(grades[0]) if len(grades) == 1 else None,
                org if kind == "school" else None,
                rec["dlm"],
                _extra(
                    {"ext": ext},
                    grades=grades,
                    subjects=subjects,
                    subjectCodes=rec["subject_codes"],
                    schoolYearSourcedId=year,
                ),
            )
        self.data.entities["course"] = EntityRows(pkg.modes["courses.csv"], rows)

    def _classes(self) -> None:
        pkg = self.pkg
        rows: dict[str, tuple[Any, ...]] = {}
        known_courses = self._db("course", "courses.csv")
        for sid, rec in pkg.classes.items():
            bad = False
            if rec["course"] not in pkg.courses and rec["course"] not in known_courses:
                self.unknown(
                    "classes.csv", rec["row"], "courseSourcedId", rec["course"], "courses.csv"
                )
                bad = True
            kind = self._org_kind(rec["school"])
            if kind is None:
                self.unknown(
                    "classes.csv", rec["row"], "schoolSourcedId", rec["school"], "orgs.csv"
                )
                bad = True
            elif kind != "school":
                self.problem(
                    "classes.csv",
                    rec["row"],
                    "schoolSourcedId",
                    rec["school"],
                    f"a class belongs to a school, and this org is a {kind}",
                )
                bad = True
            years: set[str] = set()
            terms: list[str] = []
            for term in rec["terms"]:
                tkind = self._session_kind(term)
                if tkind is None and term in pkg.rejected.get("academicSessions.csv", ()):
                    bad = True
                    continue
                if tkind is None:
                    self.problem(
                        "classes.csv",
                        rec["row"],
                        "termSourcedIds",
                        term,
                        "unknown reference: the class points at a term that "
                        "academicSessions.csv does not hold",
                    )
                    bad = True
                    continue
                year = self._year_of_session(term)
                if year is not None:
                    years.add(year)
                if tkind != "schoolYear":
                    terms.append(term)
            if len(years) > 1:
                self.problem(
                    "classes.csv",
                    rec["row"],
                    "termSourcedIds",
                    ",".join(rec["terms"]),
                    "the class's terms lie in different school years",
                )
                bad = True
            if bad or not years or rec["bad"]:
                continue
            ext = dict(rec["ext"])
            course = pkg.courses.get(rec["course"])
            subject, subjects = _subject(ext, rec["subjects"], course["subjects"] if course else [])
            grades = [parse_grade(g) for g in rec["grades"]]
            rows[sid] = (
                rec["school"],
                years.pop(),
                rec["course"],
                rec["title"],
                rec["code"],
                subject,
                min(grades) if grades else None,
                ",".join(rec["periods"]),
                rec["location"],
                rec["class_type"],
                rec["dlm"],
                _extra(
                    {"ext": ext},
                    grades=rec["grades"],
                    subjects=subjects,
                    subjectCodes=rec["subject_codes"],
                ),
            )
            self.data.section_terms[sid] = tuple(sorted(set(terms)))
        self.data.entities["section"] = EntityRows(pkg.modes["classes.csv"], rows)

    # -- people -------------------------------------------------------------------------------
    def _user_known(self, sid: str) -> bool:
        return sid in self.pkg.users or sid in self._db("person", "users.csv")

    def _users(self) -> None:
        pkg = self.pkg
        v12 = pkg.version == spec.V12
        people: dict[str, tuple[Any, ...]] = {}
        roles: dict[str, tuple[Any, ...]] = {}
        scope = RoleScope()
        kinds = self.kinds
        user_roles: dict[str, list[tuple[str, str, Record | None]]] = {}  # user -> (role, org, rec)
        if v12:
            for rsid, r in pkg.roles.items():
                if not self._user_known(r["user"]):
                    self.unknown("roles.csv", r["row"], "userSourcedId", r["user"], "users.csv")
                    continue
                if self._org_kind(r["org"]) is None:
                    self.unknown("roles.csv", r["row"], "orgSourcedId", r["org"], "orgs.csv")
                    continue
                if r["bad"]:
                    continue
                r["sid"] = rsid
                user_roles.setdefault(r["user"], []).append((r["role"], r["org"], r))
        profiles: dict[str, list[dict[str, str]]] = {}
        for p in pkg.profiles.values():
            if not self._user_known(p["user"]):
                self.unknown("userProfiles.csv", p["row"], "userSourcedId", p["user"], "users.csv")
                continue
            if p["bad"]:
                continue
            entry = {
                k: p[k]
                for k in (
                    "sid",
                    "profileType",
                    "vendorId",
                    "applicationId",
                    "description",
                    "credentialType",
                    "username",
                )
                if p.get(k)
            }
            profiles.setdefault(p["user"], []).append(entry)
        prints: dict[Any, int] = {}
        unchanged = 0
        for sid, u in pkg.users.items():
            if v12:
                mine = user_roles.get(sid, [])
                primary = [x for x in mine if x[2] and x[2]["role_type"] == "primary"] or mine
                if not primary:
                    self.problem(
                        "users.csv",
                        u.row,
                        "sourcedId",
                        sid,
                        "this user has no role in roles.csv",
                    )
                    continue
                role = primary[0][0]
            else:
                role = u.role
                for org in u.orgs:
                    if self._org_kind(org) is None:
                        self.unknown("users.csv", u.row, "orgSourcedIds", org, "orgs.csv")
                if role in _STAFF_ROLE_SOURCES:  # only these give staff roles
                    user_roles[sid] = [(role, org, None) for org in u.orgs]
            if u.bad:
                continue
            kinds[sid] = KIND_BY_ROLE.get(role, "staff")
            wroles = u.waypoint_roles
            if wroles is not None:
                scope.cover(sid, WAYPOINT_ROLE_SET)
                self._waypoint_roles(u, wroles, roles)
            else:
                scope.cover(sid, ONEROSTER_ROLE_SET)
            if u.same:  # its person row is as last imported: neither built nor compared
                unchanged += 1
                continue
            if u.fp is not None:
                prints[sid] = u.fp
            extra = _extra(u, role=role if not v12 else "", orgSourcedIds=u.orgs, **(u.v12 or {}))
            if sid in profiles:
                extra["userProfiles"] = profiles[sid]
            people[sid] = (
                kinds[sid],
                u.given,
                u.family,
                u.middle,
                u.preferred,
                u.email,
                u.identifier,
                u.username,
                u.enabled,
                u.user_ids,
                u.phone,
                u.sms,
                u.grades,
                u.status != "tobedeleted",
                u.dlm,
                extra,
            )
        # roles from OneRoster (1.1: users.csv role; 1.2: roles.csv), unless Waypoint's own
        for sid, entries in user_roles.items():
            wanted = pkg.users.get(sid)
            if wanted is not None and wanted.waypoint_roles is not None:
                continue
            for role, org, rec in entries:
                mapped = self._staff_role(role, org)
                if mapped is None:
                    continue
                school = org if self._org_kind(org) == "school" else None
                key = rec["sid"] if rec else f"{sid}/{role}/{org}"
                extra = {}
                if rec:
                    extra = {"role": role, "roleType": rec["role_type"]}
                    if rec["begin"]:
                        extra["beginDate"] = rec["begin"].isoformat()
                    if rec["end"]:
                        extra["endDate"] = rec["end"].isoformat()
                    if rec["profile"]:
                        extra["userProfileSourcedId"] = rec["profile"]
                roles[key] = (
                    sid,
                    mapped,
                    school,
                    None,
                    (rec is None) or rec["role_type"] == "primary",
                    extra,
                )
                scope.add((sid, mapped))
        users_mode = pkg.modes.get("users.csv", pkg.modes.get("roles.csv", BULK))
        if "users.csv" in pkg.modes:
            self.data.entities["person"] = EntityRows(
                users_mode, people, unchanged=unchanged, fingerprints=prints
            )
            self._guardian_links(kinds)
        roles_mode = pkg.modes.get("roles.csv", users_mode)
        self.data.entities["staff_role"] = EntityRows(roles_mode, roles, scope=scope)

    def _staff_role(self, role: str, org: str) -> str | None:
        if role in ("teacher", "aide"):
            return role
        if role not in _ADMIN_ROLES:
            return None  # learners, guardians, proctors, …: no staff role
        kind = self._org_kind(org)
        if role in (
            "administrator",
            "districtAdministrator",
            "systemAdministrator",
            "principal",
            "siteAdministrator",
        ):
            if kind == "district" or role in ("districtAdministrator", "systemAdministrator"):
                return "district_admin"
            if kind == "school":
                return "school_leader"
        return None

    def _waypoint_roles(
        self, u: User, wroles: list[Record], roles: dict[str, tuple[Any, ...]]
    ) -> None:
        for r in wroles:
            role, org, year = r.get("role"), r.get("org") or None, r.get("schoolYear") or None
            if role not in WAYPOINT_ROLES:
                self.problem(
                    "users.csv",
                    u.row,
                    "metadata.waypointRoles",
                    str(role),
                    "not a Waypoint staff role",
                )
                continue
            if org is not None and self._org_kind(org) != "school":
                self.unknown(
                    "users.csv",
                    u.row,
                    "metadata.waypointRoles",
                    str(org),
                    "orgs.csv (as a school)",
                )
                continue
            if year is not None and self._session_kind(year) != "schoolYear":
                self.unknown(
                    "users.csv",
                    u.row,
                    "metadata.waypointRoles",
                    str(year),
                    "academicSessions.csv (as a school year)",
                )
                continue
            roles[r["sourcedId"]] = (
                u.sid,
                role,
                org,
                year,
                bool(r.get("primary", True)),
                r.get("extra") or {},
            )

    def _kind_of(self, sid: str, kinds: dict[str, str]) -> str | None:
        if sid in kinds:
            return kinds[sid]
        row = self.state.rows.get("person", {}).get(sid)
        return str(row[_P["kind"]]) if row is not None else None

    def _guardian_links(self, kinds: dict[str, str]) -> None:
        pkg = self.pkg
        links: dict[str, tuple[Any, ...]] = {}
        relationship = {"guardian": "guardian", "parent": "parent", "relative": "relative"}
        role_of: dict[str, str] = {}
        for sid, u in pkg.users.items():
            role_of[sid] = u.role or ""
        if pkg.version == spec.V12:
            for r in pkg.roles.values():
                if r["role"] in relationship:
                    role_of[r["user"]] = r["role"]
        for sid, u in pkg.users.items():
            for agent in u.agents:
                if not self._user_known(agent):
                    self.unknown("users.csv", u.row, "agentSourcedIds", agent, "users.csv")
                    continue
                mine, theirs = kinds.get(sid), self._kind_of(agent, kinds)
                if mine == "guardian" and theirs == "learner":
                    guardian, learner = sid, agent
                elif mine == "learner" and theirs == "guardian":
                    guardian, learner = agent, sid
                else:
                    continue  # agents between staff members or learners: not a guardian link
                rel = relationship.get(role_of.get(guardian, ""), "parent")
                links[f"{guardian}/{learner}"] = (guardian, learner, rel)
        self.data.entities["guardian_link"] = EntityRows(
            pkg.modes["users.csv"], links, scope=set(pkg.users)
        )

    # -- enrollments --------------------------------------------------------------------------
    def _enrollments(self) -> None:
        pkg = self.pkg
        file = "enrollments.csv"
        sections = self.data.entities.get("section")
        section_rows = sections.rows if sections else {}
        db_sections = self._db("section", "classes.csv")
        db_section_rows = self.state.rows.get("section", {})
        users = pkg.users
        db_people = self._db("person", "users.csv")
        rows: dict[str, tuple[Any, ...]] = {}
        unchanged = 0
        prints = pkg.enrollment_fingerprints
        skipped = 0
        school_at = _SEC["school"]
        enrollments = pkg.enrollments
        for sid in list(enrollments):
            e = enrollments.pop(sid)  # each row freed as it is resolved
            if e[1] is SAME:  # as last imported: check its references only
                row, status, _fp, klass, school, user = e
            else:
                (row, status, dlm, klass, school, user, role, primary, begin, end, share, ext) = e
            known_user = user in users or user in db_people
            if not known_user:
                self.unknown(file, row, "userSourcedId", user, "users.csv")
            sec = section_rows.get(klass)
            if sec is None:
                if klass in db_sections:
                    sec = db_section_rows.get(klass)
                elif klass not in pkg.classes:
                    self.unknown(file, row, "classSourcedId", klass, "classes.csv")
                    continue
                else:
                    continue  # the class itself has a problem, reported there
            if not known_user:
                continue
            if sec is not None and sec[school_at] != school:
                if self._org_kind(school) is None:
                    self.unknown(file, row, "schoolSourcedId", school, "orgs.csv")
                else:
                    self.problem(
                        file, row, "schoolSourcedId", school, "the class belongs to another school"
                    )
                continue
            if status is SAME:
                unchanged += 1
                continue
            if status == "bad":
                continue
            if role not in ("student", "teacher", "aide"):
                skipped += 1
                continue
            rows[sid] = (
                klass,
                user,
                role,
                primary,
                begin,
                end,
                "inactive" if status == "tobedeleted" else "active",
                share,
                dlm,
                ext,
            )
        if skipped:
            self.problem(
                file,
                None,
                "role",
                "",
                f"{skipped} enrollment(s) of administrators or proctors were skipped: "
                "Waypoint keeps students, teachers and aides in classes",
                "warning",
            )
        self.data.entities["enrollment"] = EntityRows(
            pkg.modes[file], rows, unchanged=unchanged, fingerprints=prints
        )

    def _demographics(self) -> None:
        pkg = self.pkg
        rows: dict[str, tuple[Any, ...]] = {}
        prints: dict[Any, int] = {}
        unchanged = 0
        demographics = pkg.demographics
        for sid in list(demographics):
            d = demographics.pop(sid)  # each record freed as it is resolved
            if not self._user_known(sid):
                self.unknown("demographics.csv", d.row, "sourcedId", sid, "users.csv")
                continue
            if d.same:  # as last imported: its reference checked, nothing else
                unchanged += 1
                continue
            if d.bad:
                continue
            (indian, asian, black, hawaiian, white, two_or_more, hispanic) = d.flags
            ext = dict(d.ext)
            gender = ext.pop("metadata.gender", "")
            if gender not in GENDERS:
                if gender:
                    self.problem(
                        "demographics.csv",
                        d.row,
                        "metadata.gender",
                        gender,
                        f"not one of the allowed values ({', '.join(sorted(GENDERS))})",
                    )
                gender = GENDER.get(d.sex, str(Demographics.Gender.NOT_REPORTED))
            if d.fp is not None:
                prints[sid] = d.fp
            rows[sid] = (
                sid,
                d.birth_date,
                gender,
                indian,
                asian,
                black,
                hawaiian,
                white,
                hispanic,
                d.dlm,
                _extra(
                    {"ext": ext},
                    sex=d.sex,
                    demographicRaceTwoOrMoreRaces=two_or_more or None,
                    **d.other,
                ),
            )
        self.data.entities["demographics"] = EntityRows(
            pkg.modes["demographics.csv"], rows, unchanged=unchanged, fingerprints=prints
        )

    # -- companion files ------------------------------------------------------------------------
    def _is_year(self, sid: str) -> bool:
        return self._session_kind(sid) == "schoolYear" or sid in self.state.ids.get(
            "school_year", {}
        )

    def _programs(self) -> None:
        file = "programs.csv"
        rows: dict[Any, tuple[Any, ...]] = {}
        prints: dict[Any, int] = {}
        unchanged = 0
        kinds = self.kinds
        programs = self.pkg.programs
        for at, p in enumerate(programs):
            programs[at] = None  # type: ignore[call-overload]  # each record freed once read
            ok = True
            kind = self._kind_of(p.learner, kinds)
            if kind is None and not self._user_known(p.learner):
                self.unknown(file, p.row, "learnerSourcedId", p.learner, "users.csv")
                ok = False
            elif kind is not None and kind != "learner":
                self.problem(
                    file,
                    p.row,
                    "learnerSourcedId",
                    p.learner,
                    f"this person is not a learner (they are {kind})",
                )
                ok = False
            if not self._is_year(p.school_year):
                self.unknown(
                    file,
                    p.row,
                    "schoolYearSourcedId",
                    p.school_year,
                    "academicSessions.csv (as a schoolYear)",
                )
                ok = False
            if p.school and self._org_kind(p.school) != "school":
                self.unknown(file, p.row, "schoolSourcedId", p.school, "orgs.csv (as a school)")
                ok = False
            if not ok:
                continue
            if p.same:  # as last imported: its references checked, nothing else
                unchanged += 1
                continue
            key = (p.learner, p.school_year)
            if p.fp is not None:
                prints[key] = p.fp
            disadvantaged, english, disability, gifted, homeless, foster = p.flags
            rows[key] = (
                p.learner,
                p.school_year,
                p.school or None,
                p.grade,
                disadvantaged,
                english,
                disability,
                p.service_level,
                gifted,
                homeless,
                foster,
                p.groups,
            )
        self.data.entities["learner_year"] = EntityRows(
            self.pkg.modes.get(file, BULK), rows, unchanged=unchanged, fingerprints=prints
        )

    def _staff_links(self) -> None:
        file = "staff_links.csv"
        mode = self.pkg.modes.get(file, BULK)
        coach = EntityRows(mode, scope=set())
        advisor = EntityRows(mode, scope=set())
        kinds = self.kinds
        extra_roles: dict[str, tuple[Any, ...]] = {}
        for s in self.pkg.staff_links:
            ok = True
            for col, sid, want in (
                ("staffSourcedId", s.staff, "staff"),
                ("personSourcedId", s.person, "learner" if s.kind == "advisor" else "staff"),
            ):
                kind = self._kind_of(sid, kinds)
                if kind is None and not self._user_known(sid):
                    self.unknown(file, s.row, col, sid, "users.csv")
                    ok = False
                elif kind is not None and kind != want:
                    self.problem(
                        file,
                        s.row,
                        col,
                        sid,
                        f"a {s.kind} link needs a {want} here, and this person is a {kind}",
                    )
                    ok = False
            if not self._is_year(s.school_year):
                self.unknown(
                    file,
                    s.row,
                    "schoolYearSourcedId",
                    s.school_year,
                    "academicSessions.csv (as a schoolYear)",
                )
                ok = False
            if not ok:
                continue
            target = advisor if s.kind == "advisor" else coach
            target.scope.add(s.school_year)  # type: ignore[union-attr]
            if s.kind == "advisor":
                key: Any = (s.staff, s.person, s.school_year)
                values: tuple[Any, ...] = key
            else:
                key = (s.staff, s.person, s.school_year)
                values = (*key, s.kind)
            if s.status == "tobedeleted":
                target.deleted.add(key)
                continue
            target.rows[key] = values
            role_key = f"{s.staff}/{s.kind}/{s.school_year}"
            extra_roles[role_key] = (s.staff, s.kind, None, s.school_year, True, {})
        self.data.entities["coach_link"] = coach
        self.data.entities["advisor_link"] = advisor
        self._link_roles(extra_roles)

    def _link_roles(self, wanted: dict[str, tuple[Any, ...]]) -> None:
        """A coach, MCL or advisor needs that role in the year: add it where it is missing."""
        roles = self.data.entities.get("staff_role")
        if roles is None:
            roles = self.data.entities["staff_role"] = EntityRows(BULK, {}, scope=set())
        have = {(v[0], v[1], v[3]) for v in roles.rows.values()}
        have |= {(v[0], v[1], v[3]) for v in self.state.rows.get("staff_role", {}).values()}
        for key, values in wanted.items():
            person, role, _school, year = values[:4]
            if (person, role, year) in have or (person, role, None) in have:
                continue
            roles.rows[key] = values
