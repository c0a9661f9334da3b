"""Import a OneRoster package: read, validate, then hand over to the roster services.

This is what the command (and later the upload page) calls; it prints nothing itself.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models

from waypoint.interop.oneroster.parse import FINGERPRINTED_FILES, SAME, Package, PackageReader
from waypoint.interop.oneroster.resolve import Resolver, district_row
from waypoint.interop.oneroster.source import Source, SourceError
from waypoint.roster.importing.data import Problem, RefusedImport, RosterData
from waypoint.roster.importing.planner import Plan
from waypoint.roster.importing.state import Claimed, State
from waypoint.roster.models import Demographics, District, Enrollment, LearnerYear, Person
from waypoint.roster.services import ImportResult, import_lock, import_roster

CREATE = "create"

ENTITIES_BY_FILE = {
    "orgs.csv": {"school"},
    "academicSessions.csv": {"school_year", "term"},
    "courses.csv": {"course"},
    "classes.csv": {"section"},
    "users.csv": {"person", "staff_role", "guardian_link"},
    "roles.csv": {"staff_role", "person"},
    "userProfiles.csv": {"person"},
    "enrollments.csv": {"enrollment"},
    "demographics.csv": {"demographics", "person"},
    "programs.csv": {"learner_year", "person"},
    "staff_links.csv": {"coach_link", "advisor_link", "staff_role", "person"},
}


@dataclass
class Outcome:
    """What happened: the plan (with counts), warnings, and the district imported into."""

    result: ImportResult
    warnings: list[Problem] = field(default_factory=list)
    version: str = ""
    modes: dict[str, str] = field(default_factory=dict)


def read(
    path: Path,
    progress: Callable[[int], None] | None = None,
    known: dict[str, dict[str, int]] | None = None,
    only: Mapping[str, Collection[str]] | None = None,
) -> Package:
    """Read and check every file of the package (no database).

    ``known``: per file, the fingerprints of rows as last imported (see
    :class:`PackageReader`); ``only``: per file, read only the rows with these keys."""
    try:
        source = Source(path)
    except SourceError as exc:
        raise RefusedImport([Problem(path.name, None, "", "", str(exc))]) from None
    try:
        return PackageReader(source, progress, known, only).read()
    finally:
        source.close()


# file -> the model its rows' fingerprints are kept on
_FINGERPRINT_MODELS: dict[str, type[models.Model]] = {
    "enrollments.csv": Enrollment,
    "users.csv": Person,
    "demographics.csv": Demographics,
    "programs.csv": LearnerYear,
}


class _Hint(dict[str, dict[str, int]]):
    """Per file, the fingerprints of the district's rows as last imported; ``stamp`` tells
    whether the database changed after they were read (see :func:`_stamp`)."""

    stamp: tuple[int, int, int] | None = None


def _stamp() -> tuple[int, int, int] | None:
    """SQLite: a value that stays the same while nothing is written to the database, by this
    connection (``total_changes``) or committed by any other (``PRAGMA data_version``); the
    connection is part of it. ``None`` on other databases (nothing is known then)."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        (version,) = cursor.fetchone()
    return id(raw), int(version), int(raw.total_changes)


def _known_fingerprints(slug: str) -> _Hint:
    """Per file, the fingerprints of the district's rows as last imported (sourced_id →
    fingerprint). A hint: the import checks them again inside its transaction, unless the
    database provably did not change since they were read (:class:`_Claims`)."""
    out = _Hint()
    if slug == CREATE:
        return out
    out.stamp = _stamp()  # before reading: a change made while they are read shows too
    district = District.objects.filter(slug=slug).first()
    if district is None:
        return out
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # straight from the cursor: a million rows
        for file, model in _FINGERPRINT_MODELS.items():
            cursor.execute(
                f"SELECT {quote('sourced_id')}, {quote('source_hash')} "  # noqa: S608
                f"FROM {quote(model._meta.db_table)} WHERE {quote('district_id')} = %s "
                f"AND {quote('source_hash')} IS NOT NULL",
                [district.pk],
            )
            known = out[file] = {}
            while batch := cursor.fetchmany(50_000):
                known.update(batch)
    return out


def _reread_stale(
    path: Path, pkg: Package, claims: dict[str, Claimed], state: State, slug: str
) -> None:
    """Parse in full the rows taken as last imported (SAME) whose row changed in the
    database since the hint was read (another import in between): they are read again from
    the file. ``state.unchanged`` holds the ids the import's transaction found unchanged."""
    stale: dict[str, set[str]] = {}
    for file, model in _FINGERPRINT_MODELS.items():
        entity = FINGERPRINTED_FILES[file]
        claimed = claims.get(entity)
        if claimed is None or state.unchanged_count.get(entity, 0) == len(claimed):
            continue
        qs = model.objects.filter(district__slug=slug, source_hash__isnull=False)  # type: ignore[attr-defined]
        now = dict(qs.values_list("sourced_id", "source_hash"))
        keys = claimed.same_keys() if isinstance(claimed, _Same) else list(claimed)  # type: ignore[call-overload]
        changed = {k for k in keys if now.get(k) != claimed.get(k)}
        if changed:
            stale[file] = changed
    if not stale:
        return
    again = read(path, None, None, stale)
    for file, keys in stale.items():
        entity = FINGERPRINTED_FILES[file]
        found = _replace(file, pkg, again, keys)
        if found != keys:  # cannot happen for a file read twice; refuse rather than guess
            value = next(iter(keys - found))
            raise RefusedImport(
                [Problem(file, None, "", value, "the file changed while importing")]
            )
        if isinstance(claims[entity], dict):
            for key in keys:
                del claims[entity][key]  # type: ignore[attr-defined]


def _replace(file: str, pkg: Package, again: Package, keys: set[str]) -> set[str]:
    """Put the rows read again in place of the SAME ones; returns the keys found."""
    if file == "enrollments.csv":
        for sid in keys & again.enrollments.keys():
            pkg.enrollments[sid] = again.enrollments[sid]
            fp = again.enrollment_fingerprints.get(sid)
            if fp is not None:
                pkg.enrollment_fingerprints[sid] = fp
        return keys & again.enrollments.keys()
    if file == "users.csv":
        pkg.users.update(again.users)
        return keys & again.users.keys()
    if file == "demographics.csv":
        pkg.demographics.update(again.demographics)
        return keys & again.demographics.keys()
    fresh = {f"{p.learner}/{p.school_year}": p for p in again.programs}
    pkg.programs[:] = [
        fresh.get(f"{p.learner}/{p.school_year}", p) if p.same else p for p in pkg.programs
    ]
    return keys & fresh.keys()


class _Exact:
    """Whether the rows claimed as last imported are known to be so without reading the
    fingerprints again inside the transaction: every fingerprint of the hint was claimed
    (none was left over: no row changed, none is missing from the file), and the database
    has not changed since the hint was read (same connection, nothing written or committed
    since: see :func:`_stamp`; SQLite only). Then the check again would find exactly the
    claims, and the import skips it."""

    def __init__(self, stamp: tuple[int, int, int] | None, all_claimed: bool) -> None:
        self.stamp = stamp
        self.all_claimed = all_claimed

    def __call__(self) -> bool:
        return self.all_claimed and self.stamp is not None and _stamp() == self.stamp


class _Same:
    """The fingerprints of the package's SAME enrollments (sourcedId → fingerprint), read
    from the package's rows rather than copied (a million of them in a large district)."""

    def __init__(self, rows: dict[str, tuple[Any, ...]]) -> None:
        self.rows = rows
        self.count = sum(1 for e in rows.values() if e[1] is SAME)
        self.exact: _Exact | None = None

    def get(self, sid: str) -> int | None:
        e = self.rows.get(sid)
        return e[2] if e is not None and e[1] is SAME else None

    def same_keys(self) -> list[str]:
        return [s for s, e in self.rows.items() if e[1] is SAME]

    def __len__(self) -> int:
        return self.count


@contextmanager
def _no_gc() -> Iterator[None]:
    """Millions of rows, none in a reference cycle: the cyclic collector would only walk them
    again and again (a third of the time of a large import). Counting frees them as usual.
    What is alive when the import starts is set aside as it is, without a collection first (a
    full one of everything a process has loaded); it is collectable again afterwards."""
    was = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


def package_size(path: Path) -> int:
    """Bytes to read (for the progress bar)."""
    try:
        source = Source(path)
    except SourceError:
        return 0
    try:
        return source.total_size()
    finally:
        source.close()


def _district(pkg: Package, slug: str) -> tuple[District | None, str, list[Problem]]:
    row, problems = district_row(pkg)
    if slug == CREATE:
        if row is None:
            problems.append(
                Problem(
                    "orgs.csv",
                    None,
                    "type",
                    "",
                    "to create a district, orgs.csv needs a row of type district "
                    "(its sourcedId and name become the Waypoint district's)",
                )
            )
            return None, "", problems
        existing = District.objects.filter(sourced_id=row["sid"]).first()
        if existing is not None:
            problems.append(
                Problem(
                    "orgs.csv",
                    row["row"],
                    "sourcedId",
                    row["sid"],
                    f"this district is already in Waypoint; import into it with "
                    f"--district {existing.slug}",
                )
            )
        return None, row["sid"], problems
    district = District.objects.filter(slug=slug).first()
    if district is None:
        raise RefusedImport(
            [
                Problem(
                    "",
                    None,
                    "",
                    slug,
                    "no district has this slug; to create one from orgs.csv, use --district create",
                )
            ]
        )
    if row is not None and row["sid"] != district.sourced_id:
        problems.append(
            Problem(
                "orgs.csv",
                row["row"],
                "sourcedId",
                row["sid"],
                f"this package's district is not {district.name} (whose sourcedId is "
                f"{district.sourced_id})",
            )
        )
    return district, district.sourced_id, problems


def run(
    path: Path,
    *,
    district: str,
    user: Any = None,
    dry_run: bool = False,
    allow_mass_deactivation: bool = False,
    as_of: dt.date | None = None,
    new_slug: str | None = None,
    read_progress: Callable[[int], None] | None = None,
    write_progress: Callable[[int], None] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> Outcome:
    """Import ``path`` into the district with slug ``district`` (or ``"create"``).

    Raises :class:`RefusedImport` with every problem found; nothing is written then.
    """
    with _no_gc():
        return _run(
            path,
            district=district,
            user=user,
            dry_run=dry_run,
            allow_mass_deactivation=allow_mass_deactivation,
            as_of=as_of,
            new_slug=new_slug,
            read_progress=read_progress,
            write_progress=write_progress,
            on_plan=on_plan,
        )


def _run(
    path: Path,
    *,
    district: str,
    user: Any,
    dry_run: bool,
    allow_mass_deactivation: bool,
    as_of: dt.date | None,
    new_slug: str | None,
    read_progress: Callable[[int], None] | None,
    write_progress: Callable[[int], None] | None,
    on_plan: Callable[[Plan], None] | None,
) -> Outcome:
    args = {
        "district": district,
        "user": user,
        "dry_run": dry_run,
        "allow_mass_deactivation": allow_mass_deactivation,
        "as_of": as_of,
        "new_slug": new_slug,
        "read_progress": read_progress,
        "write_progress": write_progress,
        "on_plan": on_plan,
    }
    key = ""
    if not dry_run and district != CREATE:
        key = District.objects.filter(slug=district).values_list("sourced_id", flat=True).first()
    if not key:
        return _import(path, locked=False, **args)
    # An import into a district that exists holds its lock from the start: a second one is
    # refused at once, and no other import changes the district while the files are read.
    started_by = getattr(user, "username", "") or "command line"
    with import_lock(district_key=key, started_by=started_by):
        return _import(path, locked=True, **args)


def _import(
    path: Path,
    *,
    locked: bool,
    district: str,
    user: Any,
    dry_run: bool,
    allow_mass_deactivation: bool,
    as_of: dt.date | None,
    new_slug: str | None,
    read_progress: Callable[[int], None] | None,
    write_progress: Callable[[int], None] | None,
    on_plan: Callable[[Plan], None] | None,
) -> Outcome:
    known = _known_fingerprints(district)
    hinted = {file: len(rows) for file, rows in known.items()}
    stamp = known.stamp
    pkg = read(path, read_progress, known)
    del known
    target, key, problems = _district(pkg, district)
    problems = pkg.problems + problems
    entities: set[str] = set()
    for name in pkg.modes:
        entities |= ENTITIES_BY_FILE.get(name, set())
    count = (target.count_date_month, target.count_date_day) if target else (10, 1)
    warnings: list[Problem] = []

    def exact(file: str, claimed: int) -> _Exact:
        # each fingerprint of the hint claimed (a hint is used once, so the counts tell)
        return _Exact(stamp, claimed == hinted.get(file, 0))

    same = _Same(pkg.enrollments)
    same.exact = exact("enrollments.csv", len(same))
    for file, entity in FINGERPRINTED_FILES.items():
        if entity in pkg.same:
            pkg.same[entity].exact = exact(file, len(pkg.same[entity]))
    claims: dict[str, Claimed] = {"enrollment": same, **pkg.same}

    def build(state: State) -> tuple[RosterData, list[Problem]]:
        _reread_stale(path, pkg, claims, state, district)
        data, found = Resolver(pkg, state, key, count, as_of).resolve()
        data.source = path.name
        everything = problems + found
        warnings.extend(p for p in everything if p.severity != "error")
        return data, everything

    def go() -> ImportResult:
        return import_roster(
            build=build,
            entities=entities,
            district=target,
            user=user,
            dry_run=dry_run,
            allow_mass_deactivation=allow_mass_deactivation,
            new_slug=new_slug,
            progress=write_progress,
            on_plan=on_plan,
            unchanged=claims,
        )

    if locked or dry_run or not key:
        result = go()
    else:
        started_by = getattr(user, "username", "") or "command line"
        with import_lock(district_key=key, started_by=started_by):
            result = go()
    return Outcome(result=result, warnings=warnings, version=pkg.version, modes=dict(pkg.modes))
