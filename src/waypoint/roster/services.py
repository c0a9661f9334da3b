"""Writes to the roster. Keyword-only, typed, atomic; each run leaves one audit entry.

``import_roster`` is what every roster importer calls (OneRoster CSV today): it takes the
district's import lock, plans the data against the district's rows, refuses a mass
deactivation unless allowed, and writes everything in one transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from waypoint.audit.services import record_action
from waypoint.roster.importing.data import Problem, RefusedImport, RosterData
from waypoint.roster.importing.planner import Plan, build_plan
from waypoint.roster.importing.state import Claimed, State, load_state
from waypoint.roster.importing.writer import write_plan
from waypoint.roster.models import District, ImportLock, Person

STALE_LOCK = dt.timedelta(hours=12)
# After writing this many rows, refresh the planner's statistics of the tables written.
ANALYZE_AFTER = 1_000


def analyze_roster(written: dict[str, int]) -> None:
    """ANALYZE the roster tables an import wrote (PostgreSQL): the access rules' queries are
    planned from these statistics, and a table that grew from nothing to a million rows
    without them gets plans for an empty table (minutes instead of milliseconds)."""
    if connection.vendor != "postgresql":
        return
    from waypoint.roster.importing.state import MODELS
    from waypoint.roster.models import Section

    tables = [MODELS[e]._meta.db_table for e, n in written.items() if n and e in MODELS]
    tables += [Section.terms.through._meta.db_table, District._meta.db_table]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")


class ImportRunning(Exception):
    """Another import of the same district holds its lock."""


@dataclass
class ImportResult:
    plan: Plan
    district: District | None
    dry_run: bool
    written: dict[str, int] = field(default_factory=dict)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(lock: ImportLock) -> bool:
    if timezone.now() - lock.started_at > STALE_LOCK:
        return True
    return lock.host == socket.gethostname() and lock.pid is not None and not _pid_alive(lock.pid)


@contextmanager
def import_lock(*, district_key: str, started_by: str = "") -> Iterator[ImportLock]:
    """Hold the district's import lock (a committed row) for the duration of the block.

    A lock left behind by a process that died on this machine, or older than 12 hours, is
    taken over. Raises :class:`ImportRunning` if a live import holds it.
    """
    lock = None
    for _attempt in range(2):
        try:
            with transaction.atomic():
                lock = ImportLock.objects.create(
                    district_key=district_key,
                    started_at=timezone.now(),
                    host=socket.gethostname()[:255],
                    pid=os.getpid(),
                    started_by=started_by[:150],
                )
            break
        except IntegrityError:
            held = ImportLock.objects.filter(district_key=district_key).first()
            if held is not None and not _stale(held):
                raise ImportRunning(
                    f"Another import of this district is running (since "
                    f"{timezone.localtime(held.started_at):%Y-%m-%d %H:%M}, process {held.pid} "
                    f"on {held.host or 'an unknown host'}"
                    + (f", started by {held.started_by}" if held.started_by else "")
                    + "). Wait for it to finish, then try again."
                ) from None
            if held is not None:
                held.delete()
    if lock is None:
        raise ImportRunning("Could not take the district's import lock; try again.")
    try:
        yield lock
    finally:
        ImportLock.objects.filter(pk=lock.pk).delete()


def _unique_slug(name: str, wanted: str | None) -> str:
    base = slugify(wanted or name)[:50] or "district"
    slug, n = base, 2
    while District.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _entities_to_load(entities: set[str]) -> set[str]:
    entities = set(entities) | {"school_year", "term"}
    if "person" in entities:
        entities.add("enrollment")
    if "enrollment" in entities:
        entities |= {"section", "person"}
    return entities


Build = Callable[[State], tuple[RosterData, list[Problem]]]


def import_roster(
    *,
    build: Build,
    entities: set[str],
    district: District | None,
    user: Any = None,
    dry_run: bool = False,
    allow_mass_deactivation: bool = False,
    new_slug: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    unchanged: dict[str, Claimed] | None = None,
) -> ImportResult:
    """Plan and (unless ``dry_run``) write one import into ``district`` (``None``: create it).

    ``build`` gets the district's current rows (of ``entities``) inside the transaction and
    returns the data to import with any problems. An error among them, or a refused mass
    deactivation, raises :class:`RefusedImport` and nothing is written. ``on_plan`` sees the
    plan before anything is written. ``unchanged``: per entity, rows the import brings exactly
    as last imported (key → source fingerprint, see ``Enrollment.source_hash``); those whose
    stored fingerprint matches are neither loaded nor planned.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bigger page cache for big index inserts
            cursor.execute("PRAGMA cache_size = -131072")
    with transaction.atomic():
        district_id = district.pk if district is not None else None
        if district is not None:
            district = District.objects.select_for_update().get(pk=district.pk)
        state = load_state(district_id, _entities_to_load(entities), unchanged)
        data, problems = build(state)
        if any(p.severity == "error" for p in problems):
            raise RefusedImport(problems)
        if district is None and data.district is None:
            raise RefusedImport(
                [
                    Problem(
                        "orgs.csv",
                        None,
                        "type",
                        "",
                        "a new district needs an orgs.csv row of type district",
                    )
                ]
            )
        row = {"name": district.name, "extra": district.extra} if district is not None else {}
        plan = build_plan(data=data, state=state, district_id=district_id, district_row=row)
        if on_plan is not None:
            on_plan(plan)
        if plan.mass_deactivation and not allow_mass_deactivation:
            raise RefusedImport(
                [
                    Problem(
                        file="users.csv",
                        row=None,
                        column="",
                        value="",
                        reason=(
                            f"this import would deactivate {plan.learners_deactivated} of the "
                            f"district's {plan.active_learners} active learners (more than 10%); "
                            "if that is intended, run it again with --allow-mass-deactivation"
                        ),
                    )
                ]
            )
        if dry_run:
            transaction.set_rollback(True)
            return ImportResult(plan=plan, district=district, dry_run=True)
        if district is None:
            assert data.district is not None
            district = District.objects.create(
                sourced_id=data.district.sourced_id,
                name=data.district.name[:200],
                slug=_unique_slug(data.district.name, new_slug),
                extra=data.district.extra,
            )
        elif plan.district_changes:
            for name, value in plan.district_changes.items():
                setattr(district, name, value)
            district.save(update_fields=list(plan.district_changes))
        state.rows = {}  # the district's old rows: no longer needed once planned
        if connection.vendor == "postgresql":
            # check foreign keys as each statement ends, not all at COMMIT: the same checks,
            # without a queue of millions of deferred trigger events held until then
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        written = write_plan(plan, state, district.pk, progress)
        if sum(written.values()) >= ANALYZE_AFTER:
            analyze_roster(written)
        record_action(
            user=user,
            district_id=district.pk,
            action="roster.import",
            obj=district,
            details={"source": data.source, "changes": plan.summary()},
        )
        return ImportResult(plan=plan, district=district, dry_run=False, written=dict(written))


def active_learner_count(*, district: District) -> int:
    return Person.objects.filter(district=district, kind=Person.Kind.LEARNER, active=True).count()
