"""Row-level reading of a OneRoster package into plain records, with every problem noted.

References between files are checked later (``resolve``), once the district's existing rows
are known. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.rows import Rows
from waypoint.interop.oneroster.source import Source, Table
from waypoint.interop.oneroster.values import (
    BadValue,
    parse_date,
    parse_datetime,
    parse_grade,
    parse_list,
    parse_share,
)
from waypoint.roster.importing.data import BULK, DELTA, Problem

Record = dict[str, Any]
_EMPTY: dict[str, str] = {}  # shared by every row without extension values; never changed
_STATUSES = {"", "active", "tobedeleted"}
_BOOLEANS = {"": False, "true": True, "false": False, "TRUE": True, "FALSE": False}
MANIFEST = "manifest.csv"
# An enrollment whose source row is byte for byte the one last imported into it (same
# fingerprint): only its references are kept, ``(row, SAME, fingerprint, class, school, user)``.
SAME = "same"


class Rec:
    """A parsed row with named fields in slots: a dict per row would take several times the
    memory for the hundreds of thousands of users, demographics and program rows of a large
    district. ``rec["name"]`` and ``rec.get("name")`` read a field as for a dict.

    ``fp`` is the fingerprint of the source row (``None`` when it is not kept); ``same`` marks
    a row whose fingerprint is the one stored when it was last imported: only the fields its
    references need are read (see :data:`SAME`)."""

    __slots__ = ("bad", "dlm", "fp", "row", "same", "sid", "status")

    def __init__(self, row: int) -> None:
        self.row = row
        self.sid = ""
        self.status = "active"
        self.dlm: Any = None
        self.bad = False
        self.fp: int | None = None
        self.same = False

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)


class User(Rec):
    __slots__ = (
        "agents",
        "email",
        "enabled",
        "ext",
        "family",
        "given",
        "grades",
        "identifier",
        "middle",
        "orgs",
        "phone",
        "preferred",
        "role",
        "sms",
        "user_ids",
        "username",
        "v12",
        "waypoint_roles",
    )
    agents: list[str]
    email: str
    enabled: bool
    ext: dict[str, str]
    family: str
    given: str
    grades: list[str]
    identifier: str
    middle: str
    orgs: list[str]
    phone: str
    preferred: str
    role: str
    sms: str
    user_ids: list[str]
    username: str
    v12: dict[str, str] | None
    waypoint_roles: list[Record] | None


class Demographic(Rec):
    __slots__ = ("birth_date", "ext", "flags", "other", "sex")
    birth_date: dt.date | None
    ext: dict[str, str]
    flags: tuple[bool, ...]
    other: dict[str, str]
    sex: str


class Program(Rec):
    __slots__ = ("flags", "grade", "groups", "learner", "school", "school_year", "service_level")
    flags: tuple[bool, ...]
    grade: int | None
    groups: list[str]
    learner: str
    school: str
    school_year: str
    service_level: str


class StaffLink(Rec):
    __slots__ = ("kind", "person", "school_year", "staff")
    kind: str
    person: str
    school_year: str
    staff: str


# Demographics flags, in the order of ``Demographic.flags``.
RACE_COLUMNS = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)
_OTHER_DEMOGRAPHICS = (
    "countryOfBirthCode",
    "stateOfBirthAbbreviation",
    "cityOfBirth",
    "publicSchoolResidenceStatus",
)
# Files whose rows may be taken as last imported, and the entity their fingerprints are kept on.
FINGERPRINTED_FILES = {
    "enrollments.csv": "enrollment",
    "users.csv": "person",
    "demographics.csv": "demographics",
    "programs.csv": "learner_year",
}


class Claims(dict[str, int]):
    """Key → fingerprint of the rows of a file taken as last imported (``Rec.same``).
    ``exact``, when the importer sets it, tells whether they are known to be so without
    reading the fingerprints again (``waypoint.roster.importing.state.load_state``)."""

    exact: Callable[[], bool] | None = None


def fingerprint(parts: list[str]) -> int:
    """A stable 64-bit fingerprint of a source row's fields (signed, for a bigint column)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class Package:
    """What the files say, row by row. ``modes[file]`` is bulk or delta for files present."""

    version: str = spec.V11
    modes: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, str] = field(default_factory=dict)
    orgs: dict[str, Record] = field(default_factory=dict)
    sessions: dict[str, Record] = field(default_factory=dict)
    courses: dict[str, Record] = field(default_factory=dict)
    classes: dict[str, Record] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, Record] = field(default_factory=dict)
    profiles: dict[str, Record] = field(default_factory=dict)
    # sourcedId -> (row, status, dlm, class, school, user, role, primary, begin, end, share, extra)
    # or, for a row unchanged since it was last imported, (row, SAME, fingerprint, class,
    # school, user); ``enrollment_fingerprints`` holds the fingerprints of the other rows.
    enrollments: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    enrollment_fingerprints: dict[str, int] = field(default_factory=dict)
    demographics: dict[str, Demographic] = field(default_factory=dict)
    programs: list[Program] = field(default_factory=list)
    staff_links: list[StaffLink] = field(default_factory=list)
    # entity -> key (the row's sourced_id in Waypoint) -> fingerprint, of the rows of users,
    # demographics and programs taken as last imported (``Rec.same``)
    same: dict[str, Claims] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rejected: dict[str, set[str]] = field(default_factory=dict)  # rows dropped for a problem

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _interned(cache: dict[str, str], value: str) -> str:
    return cache.setdefault(value, value)


class PackageReader:
    """Reads a :class:`Source` into a :class:`Package`."""

    def __init__(
        self,
        source: Source,
        progress: Callable[[int], None] | None = None,
        known: dict[str, dict[str, int]] | None = None,
        only: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """``known``: per file (enrollments, users, demographics, programs), the fingerprints
        of the district's rows as last imported (key → fingerprint); a row with the same
        fingerprint is taken as it was (SAME), not parsed beyond its references.
        ``only``: per file, read just the rows with these keys (and no other file)."""
        self.progress = progress
        self.source = source
        self.pkg = Package()
        self.known = known or {}
        self.only = only

    # -- manifest -------------------------------------------------------------------------------
    def read_manifest(self) -> bool:
        pkg = self.pkg
        if MANIFEST not in self.source:
            pkg.problems.append(
                Problem(
                    MANIFEST,
                    None,
                    "",
                    "",
                    "the package has no manifest.csv (OneRoster requires one)",
                )
            )
            return False
        table = Table(self.source, MANIFEST, pkg.problems)
        rows = Rows(table, pkg.problems, ("propertyName", "value"), ("propertyName", "value"), BULK)
        for number in rows:
            name, value = rows.get("propertyName"), rows.get("value")
            if name in pkg.manifest:
                rows.problem("this property is listed twice", column="propertyName", value=name)
            pkg.manifest[name] = value
            if name.startswith("file.") and value not in ("bulk", "delta", "absent"):
                rows.problem(
                    "not one of the allowed values (bulk, delta, absent)",
                    column="value",
                    value=value,
                )
            del number
        if not table.ended_cleanly or not table.header:
            return False
        version = pkg.manifest.get("oneroster.version", "")
        if version not in spec.VERSIONS:
            pkg.problems.append(
                Problem(
                    MANIFEST,
                    None,
                    "oneroster.version",
                    version,
                    "Waypoint reads OneRoster 1.1 and 1.2 (set oneroster.version to 1.1 or 1.2)",
                )
            )
            return False
        pkg.version = version
        names = self.source.names
        for name in (*spec.ROSTER_FILES, *spec.COMPANION_FILES):
            stem = name[: -len(".csv")]
            mode = pkg.manifest.get(f"file.{stem}")
            if mode is None:
                if name in spec.COMPANION_FILES and name in names:
                    mode = BULK  # companion files may be sent without a manifest line
                elif name in names:
                    pkg.problems.append(
                        Problem(
                            MANIFEST,
                            None,
                            f"file.{stem}",
                            "",
                            f"{name} is in the package but the manifest does not list it "
                            f"(add file.{stem},bulk or delta)",
                        )
                    )
                    continue
                else:
                    continue
            if mode == "absent":
                continue
            if name in spec.COLUMNS and version not in spec.COLUMNS[name]:
                pkg.problems.append(
                    Problem(
                        MANIFEST,
                        None,
                        f"file.{stem}",
                        mode,
                        f"{name} is not part of OneRoster {version}",
                    )
                )
                continue
            if name not in names:
                pkg.problems.append(
                    Problem(
                        name,
                        None,
                        "",
                        "",
                        f"the manifest says file.{stem} is {mode}, but the package has no {name}",
                    )
                )
                continue
            pkg.modes[name] = mode
        return True

    def _keep(self, r: Rows, common: Any, rec: Record, into: dict[str, Record]) -> None:
        """File a parsed row under its sourcedId, or note it as rejected when its common
        columns (sourcedId, status, dateLastModified) did not parse."""
        if common is None:
            self._reject(r, common)
            return
        rec["sid"], rec["status"], rec["dlm"] = common
        rec["bad"] = not r.ok
        into[rec["sid"]] = rec

    def _keep_rec(self, r: Rows, common: Any, rec: Rec, into: dict[str, Any]) -> None:
        """:meth:`_keep` for a slotted record."""
        if common is None:
            self._reject(r, common)
            return
        rec.sid, rec.status, rec.dlm = common
        rec.bad = not r.ok
        into[rec.sid] = rec

    def _reject(self, r: Rows, common: object) -> None:
        sid = r.get("sourcedId")
        if sid:
            self.pkg.rejected.setdefault(r.file, set()).add(sid)

    def _rows(self, name: str) -> Rows:
        v = self.pkg.version
        table = Table(self.source, name, self.pkg.problems, self.progress)
        return Rows(
            table,
            self.pkg.problems,
            spec.COLUMNS[name][v],
            spec.REQUIRED[name][v],
            self.pkg.modes[name],
        )

    # -- roster files ---------------------------------------------------------------------------
    def read(self) -> Package:
        if not self.read_manifest():
            return self.pkg
        readers = {
            "orgs.csv": self._orgs,
            "academicSessions.csv": self._sessions,
            "courses.csv": self._courses,
            "classes.csv": self._classes,
            "users.csv": self._users,
            "roles.csv": self._roles,
            "userProfiles.csv": self._profiles,
            "enrollments.csv": self._enrollments,
            "demographics.csv": self._demographics,
        }
        from waypoint.interop.oneroster.companion import read_programs, read_staff_links

        companions: dict[str, Callable[[Source, PackageReader], None]] = {
            "programs.csv": read_programs,
            "staff_links.csv": read_staff_links,
        }
        if self.only is not None:
            readers = {k: v for k, v in readers.items() if k in self.only}
            companions = {k: v for k, v in companions.items() if k in self.only}
        for name, reader in readers.items():
            if name in self.pkg.modes:
                reader(self._rows(name))
        for name, read_companion in companions.items():
            if name in self.pkg.modes:
                read_companion(self.source, self)
        return self.pkg

    def salt(self, r: Rows) -> str:
        """What a fingerprint covers besides a row's fields: the version and mode it is read
        in, and the header (which names the fields)."""
        return f"{self.pkg.version}/{r.mode}/" + ",".join(r.table.header)

    def take_same(self, file: str, key: str, fp: int) -> bool:
        """Whether the row with ``key`` and fingerprint ``fp`` is as last imported. Each hint is
        used once: popped, its memory is freed as the file is read."""
        known = self.known.get(file)
        if not known or known.pop(key, None) != fp:
            return False
        self.pkg.same.setdefault(FINGERPRINTED_FILES[file], Claims())[key] = fp
        return True

    def _orgs(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "name": r.text("name", 200, required=True),
                "type": r.vocab("type", spec.ORG_TYPES, required=True),
                "identifier": r.text("identifier", 64),
                "parent": r.get("parentSourcedId"),
                "ext": r.extension_values(),
            }
            self._keep(r, common, rec, self.pkg.orgs)

    def _sessions(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "title": r.text("title", 80, required=True),
                "type": r.vocab("type", spec.SESSION_TYPES, required=True),
                "start": r.date("startDate", required=True),
                "end": r.date("endDate", required=True),
                "parent": r.get("parentSourcedId"),
                "school_year": r.text("schoolYear", 20, required=self.pkg.version == spec.V11),
                "ext": r.extension_values(),
            }
            if rec["type"] == "schoolYear" and len(rec["title"]) > 40:
                r.problem(
                    "a school year's title may be at most 40 characters",
                    column="title",
                    value=rec["title"],
                )
            if rec["start"] and rec["end"] and rec["end"] <= rec["start"]:
                r.problem(
                    "the endDate is not after the startDate",
                    column="endDate",
                    value=r.get("endDate"),
                )
            count = rec["ext"].get("metadata.countDate")
            if count:
                rec["count_date"] = r.date("metadata.countDate")
            self._keep(r, common, rec, self.pkg.sessions)

    def _grades(self, r: Rows, column: str) -> list[str]:
        codes = parse_list(r.get(column))
        for code in codes:
            try:
                parse_grade(code)
            except BadValue as exc:
                r.problem(str(exc), column=column, value=code)
        return codes

    def _courses(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "title": r.text("title", 200, required=True),
                "code": r.text("courseCode", 64),
                "grades": self._grades(r, "grades"),
                "org": r.text("orgSourcedId", required=True),
                "school_year": r.get("schoolYearSourcedId"),
                "subjects": parse_list(r.get("subjects")),
                "subject_codes": parse_list(r.get("subjectCodes")),
                "ext": r.extension_values(),
            }
            self._keep(r, common, rec, self.pkg.courses)

    def _classes(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "title": r.text("title", 200, required=True),
                "grades": self._grades(r, "grades"),
                "course": r.text("courseSourcedId", required=True),
                "code": r.text("classCode", 64),
                "class_type": r.vocab("classType", spec.CLASS_TYPES, required=True),
                "location": r.text("location", 80),
                "school": r.text("schoolSourcedId", required=True),
                "terms": parse_list(r.get("termSourcedIds")),
                "subjects": parse_list(r.get("subjects")),
                "subject_codes": parse_list(r.get("subjectCodes")),
                "periods": parse_list(r.get("periods")),
                "ext": r.extension_values(),
            }
            if not rec["terms"] and "termSourcedIds" in r.index:
                r.problem("a required field is empty", column="termSourcedIds")
            if len(",".join(rec["periods"])) > 40:
                r.problem(
                    "longer than the 40 characters Waypoint keeps",
                    column="periods",
                    value=r.get("periods"),
                )
            self._keep(r, common, rec, self.pkg.classes)

    def _users(self, r: Rows) -> None:
        v12 = self.pkg.version == spec.V12
        # a 1.2 user's kind and roles come from roles.csv: only 1.1 rows are taken as they were
        fingerprints = not v12
        only = self.only.get("users.csv") if self.only is not None else None
        salt = ""
        for number in r:
            if only is not None and r.get("sourcedId") not in only:
                continue
            fp: int | None = None
            if fingerprints and r.get("status") in ("", "active"):
                if not salt:
                    salt = self.salt(r)
                fp = fingerprint([salt, *r.fields])
                sid = r.get("sourcedId")
                if sid and sid not in r.seen and self.take_same("users.csv", sid, fp):
                    r.seen[sid] = number
                    self.pkg.users[sid] = self._same_user(r, number, sid, fp)
                    continue
            common = r.common()
            u = User(number)
            u.fp = fp
            u.enabled = r.boolean("enabledUser", True)
            u.orgs = parse_list(r.get("orgSourcedIds"))
            u.role = "" if v12 else r.vocab("role", spec.USER_ROLES[spec.V11], required=True)
            u.username = r.text("username", 255, required=True)
            u.user_ids = parse_list(r.get("userIds"))
            u.given = r.text("givenName", 100, required=True)
            u.family = r.text("familyName", 100, required=True)
            u.middle = r.text("middleName", 100)
            u.identifier = r.text("identifier", 64)
            u.email = r.text("email", 254)
            u.sms = r.text("sms", 64)
            u.phone = r.text("phone", 64)
            u.agents = parse_list(r.get("agentSourcedIds"))
            u.grades = self._grades(r, "grades")
            u.ext = r.extension_values()
            u.v12 = None
            u.waypoint_roles = None
            if not v12 and not u.orgs and "orgSourcedIds" in r.index:
                r.problem("a required field is empty", column="orgSourcedIds")
            if v12:
                u.preferred = r.text("preferredGivenName", 100)
                u.v12 = {
                    k: r.get(k)
                    for k in (
                        "userMasterIdentifier",
                        "resourceSourcedIds",
                        "preferredMiddleName",
                        "preferredFamilyName",
                        "primaryOrgSourcedId",
                        "pronouns",
                    )
                    if r.get(k)
                }
            else:
                u.preferred = u.ext.pop("metadata.preferredName", "")[:100]
            roles = u.ext.pop("metadata.waypointRoles", "")
            if roles:
                u.waypoint_roles = self._waypoint_roles(r, roles)
            if not u.ext:
                u.ext = _EMPTY
            self._keep_rec(r, common, u, self.pkg.users)

    def _same_user(self, r: Rows, number: int, sid: str, fp: int) -> User:
        """A user row as last imported: only what its staff roles, guardian links and
        references need (its person row is not built, loaded or compared)."""
        u = User(number)
        u.sid, u.fp, u.same = sid, fp, True
        u.role = r.get("role")
        u.orgs = parse_list(r.get("orgSourcedIds"))
        u.agents = parse_list(r.get("agentSourcedIds"))
        at = r.index.get("metadata.waypointRoles")
        text = r.fields[at] if at is not None else ""
        u.waypoint_roles = self._waypoint_roles(r, text) if text else None
        return u

    def _waypoint_roles(self, r: Rows, text: str) -> list[Record] | None:
        """Waypoint's own export writes every staff role here (JSON), so none is lost."""
        try:
            roles = json.loads(text)
            ok = isinstance(roles, list) and all(
                isinstance(x, dict)
                and isinstance(x.get("sourcedId"), str)
                and isinstance(x.get("role"), str)
                for x in roles
            )
        except ValueError:
            ok = False
        if not ok:
            r.problem(
                'not a JSON list of roles ([{"sourcedId": …, "role": …, "org": …}, …])',
                column="metadata.waypointRoles",
                value=text[:80],
            )
            return None
        return roles  # type: ignore[no-any-return]

    def _roles(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "user": r.text("userSourcedId", required=True),
                "role_type": r.vocab("roleType", spec.ROLE_TYPES, required=True),
                "role": r.vocab("role", spec.USER_ROLES[spec.V12], required=True),
                "begin": r.date("beginDate"),
                "end": r.date("endDate"),
                "org": r.text("orgSourcedId", required=True),
                "profile": r.get("userProfileSourcedId"),
            }
            self._keep(r, common, rec, self.pkg.roles)

    def _profiles(self, r: Rows) -> None:
        for number in r:
            common = r.common()
            rec: Record = {
                "row": number,
                "user": r.text("userSourcedId", required=True),
                "profileType": r.text("profileType", required=True),
                "vendorId": r.text("vendorId", required=True),
                "applicationId": r.get("applicationId"),
                "description": r.get("description"),
                "credentialType": r.text("credentialType", required=True),
                "username": r.get("username"),
            }
            if r.get("password"):
                r.problem(
                    "passwords are not kept by Waypoint; this one was ignored",
                    column="password",
                    severity="warning",
                )
            self._keep(r, common, rec, self.pkg.profiles)

    def _enrollments(self, r: Rows) -> None:
        """Enrollments are most of a district's rows: a row that is plainly valid takes a
        fast path; any other goes through the field-by-field checks that report problems."""
        roles = spec.ENROLLMENT_ROLES[self.pkg.version]
        role_set = set(roles)
        ids: dict[str, str] = {}
        out = self.pkg.enrollments
        delta = r.mode == DELTA
        cols = (
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        )
        at: list[int | None] = []
        other: list[tuple[str, int]] = []
        share_at: int | None = None
        fast = False
        known = self.known.get("enrollments.csv") or {}
        only = self.only.get("enrollments.csv") if self.only is not None else None
        prints = self.pkg.enrollment_fingerprints
        # what a fingerprint covers besides the fields: the version and mode they are read in
        salt = f"{self.pkg.version}/{r.mode}"
        picks: list[int] = []
        names = ""
        seen = r.seen
        # the fields in file order are the fields a fingerprint covers (the usual header): the
        # text hashed is then the row's fields joined as they are, after this head
        in_order = False
        head = ""
        pick: Callable[[list[str]], tuple[str, ...]] = tuple
        blake2b, from_bytes, intern = hashlib.blake2b, int.from_bytes, ids.setdefault
        i_sid = i_status = i_class = i_school = i_user = 0
        for number in r:
            if not at:
                at = [r.index.get(c) for c in cols]
                share_at = r.index.get("metadata.instructorShare")
                other = [(n, i) for n, i in r.extensions if n != "metadata.instructorShare"]
                fast = None not in at
                picks = [i for i in at if i is not None]
                picks += [i for _n, i in r.extensions]
                names = ",".join(n for n, _i in r.extensions)
                in_order = picks == list(range(len(r.table.header)))
                head = f"{salt}\x1f{names}\x1f"
                if fast:
                    i_sid, i_status, _dlm, i_class, i_school, i_user = at[:6]  # type: ignore[assignment]
                    pick = itemgetter(*at)
            if fast:
                f = r.fields
                sid = f[i_sid]
                if only is not None and sid not in only:
                    continue
                # only an active row can be taken as it was: an inactive one's end date
                # depends on the day of the import
                fp: int | None = None
                if f[i_status] in ("", "active"):
                    if in_order:  # the same text as fingerprint() of the picked fields
                        text = head + "\x1f".join(f)
                        fp = from_bytes(
                            blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
                        )
                    else:
                        fp = fingerprint([salt, names, *[f[i] for i in picks]])
                    # each hint is used once: popped, its memory is freed as the file is read
                    if known and known.pop(sid, None) == fp and sid and sid not in out:
                        klass, school, user = f[i_class], f[i_school], f[i_user]
                        out[sid] = (
                            number,
                            SAME,
                            fp,
                            intern(klass, klass),
                            intern(school, school),
                            intern(user, user),
                        )
                        continue
                row = self._fast_enrollment(r, pick, other, share_at, role_set, delta, ids)
                if row is not None:
                    out[row[0]] = row[1]
                    if fp is not None:
                        prints[row[0]] = fp
                    continue
            elif only is not None and r.get("sourcedId") not in only:
                continue
            # a duplicate is told by ``out`` (the rows kept so far, each with its row number);
            # the checks of the slow path look in ``seen``, so it learns of the earlier row
            first = out.get(r.get("sourcedId"))
            if first is not None:
                seen.setdefault(r.get("sourcedId"), first[0])
            self._slow_enrollment(r, number, roles, ids)

    def _fast_enrollment(
        self,
        r: Rows,
        pick: Callable[[list[str]], tuple[str, ...]],
        other: list[tuple[str, int]],
        share_at: int | None,
        roles: set[str],
        delta: bool,
        ids: dict[str, str],
    ) -> tuple[str, tuple[Any, ...]] | None:
        """A plainly valid row (its ten columns picked by ``pick``), or ``None`` for a row
        that needs the field-by-field checks."""
        f = r.fields
        sid, status, dlm_text, klass, school, user, role, primary, begin, end = pick(f)
        if not (sid and klass and school and user) or sid in self.pkg.enrollments:
            return None
        if role not in roles:
            return None
        if status not in _STATUSES or primary not in _BOOLEANS:
            return None
        if delta and not (status and dlm_text):
            return None
        try:
            dlm = parse_datetime(dlm_text) if dlm_text else None
            begin_d = parse_date(begin) if begin else None
            end_d = parse_date(end) if end else None
            share = parse_share(f[share_at]) if share_at is not None and f[share_at] else None
        except BadValue:
            return None
        if begin_d and end_d and end_d < begin_d:
            return None
        if max(len(sid), len(klass), len(school), len(user)) > 255:
            return None
        ext = {n: f[i] for n, i in other if f[i]} if other else _EMPTY
        intern = ids.setdefault
        return sid, (
            r.number,
            status or "active",
            dlm,
            intern(klass, klass),
            intern(school, school),
            intern(user, user),
            role,
            _BOOLEANS[primary],
            begin_d,
            end_d,
            share,
            ext or _EMPTY,
        )

    def _slow_enrollment(
        self, r: Rows, number: int, roles: tuple[str, ...], ids: dict[str, str]
    ) -> None:
        out = self.pkg.enrollments
        common = r.common()
        klass = r.text("classSourcedId", required=True)
        school = r.text("schoolSourcedId", required=True)
        user = r.text("userSourcedId", required=True)
        role = r.vocab("role", roles, required=True)
        primary = r.boolean("primary", False)
        begin, end = r.date("beginDate"), r.date("endDate")
        if begin and end and end < begin:
            r.problem(
                "the endDate is before the beginDate", column="endDate", value=r.get("endDate")
            )
        ext = r.extension_values() if r.extensions else None
        share = None
        if ext and "metadata.instructorShare" in ext:
            share = r.read("metadata.instructorShare", parse_share)
            ext.pop("metadata.instructorShare")
        if common is None:
            self._reject(r, common)
            return
        sid, status, dlm = common
        if not r.ok:
            status = "bad"
        out[sid] = (
            number,
            status,
            dlm,
            _interned(ids, klass),
            _interned(ids, school),
            _interned(ids, user),
            role,
            primary,
            begin,
            end,
            share,
            ext or _EMPTY,
        )

    def _demographics(self, r: Rows) -> None:
        sexes = spec.SEX[self.pkg.version]
        only = self.only.get("demographics.csv") if self.only is not None else None
        salt = ""
        for number in r:
            if only is not None and r.get("sourcedId") not in only:
                continue
            fp: int | None = None
            if r.get("status") in ("", "active"):
                if not salt:
                    salt = self.salt(r)
                fp = fingerprint([salt, *r.fields])
                sid = r.get("sourcedId")
                if sid and sid not in r.seen and self.take_same("demographics.csv", sid, fp):
                    r.seen[sid] = number
                    d = Demographic(number)
                    d.sid, d.fp, d.same = sid, fp, True
                    self.pkg.demographics[sid] = d
                    continue
            common = r.common()
            d = Demographic(number)
            d.fp = fp
            d.birth_date = r.date("birthDate")
            d.sex = r.vocab("sex", sexes)
            d.flags = tuple(r.boolean(col, False) for col in RACE_COLUMNS)
            d.other = {col: r.get(col) for col in _OTHER_DEMOGRAPHICS if r.get(col)} or _EMPTY
            d.ext = r.extension_values() or _EMPTY
            self._keep_rec(r, common, d, self.pkg.demographics)


def read_package(source: Source) -> Package:
    return PackageReader(source).read()
