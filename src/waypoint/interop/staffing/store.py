"""Writing checked salary schedules and positions: keyword-only, one transaction, audited.

The import (``files.py``) checks every row first and calls these only with good rows; they
compare with what is stored and write only the differences, so a second run of the same file
writes nothing (and leaves no audit entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from waypoint.audit.services import record_action
from waypoint.roster.models import District
from waypoint.staffing.models import Position, SalarySchedule, SalaryStep


@dataclass(frozen=True)
class Stored:
    """What a write did; ``removed`` = salary steps deleted, or positions deactivated."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    new_schedules: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.new_schedules)


@dataclass(frozen=True)
class StepRow:
    schedule: str
    lane: str
    step: int
    salary: Decimal


def store_salary_steps(
    *, district: District, rows: list[StepRow], replace: bool, user: Any = None
) -> Stored:
    """Create or update each (schedule, lane, step); with ``replace``, the steps of each
    schedule named in ``rows`` that ``rows`` leaves out are deleted (the caller has checked
    that no position uses them)."""
    with transaction.atomic():
        schedules = {s.name: s for s in SalarySchedule.objects.filter(district=district)}
        new_schedules = 0
        for name in dict.fromkeys(r.schedule for r in rows):
            if name not in schedules:
                schedules[name] = SalarySchedule.objects.create(district=district, name=name)
                new_schedules += 1
        named = {schedules[r.schedule].pk for r in rows}
        existing = {
            (s.schedule_id, s.lane, s.step): s
            for s in SalaryStep.objects.filter(district=district, schedule_id__in=named)
        }
        create, update, unchanged = [], [], 0
        keys = set()
        for r in rows:
            key = (schedules[r.schedule].pk, r.lane, r.step)
            keys.add(key)
            found = existing.get(key)
            if found is None:
                create.append(
                    SalaryStep(
                        district=district,
                        schedule_id=key[0],
                        lane=r.lane,
                        step=r.step,
                        salary=r.salary,
                    )
                )
            elif found.salary != r.salary:
                found.salary = r.salary
                update.append(found)
            else:
                unchanged += 1
        gone = [s.pk for key, s in existing.items() if key not in keys] if replace else []
        if gone:
            SalaryStep.objects.filter(pk__in=gone).delete()
        SalaryStep.objects.bulk_create(create, batch_size=2000)
        if update:
            SalaryStep.objects.bulk_update(update, ["salary"], batch_size=2000)
        stored = Stored(len(create), len(update), unchanged, len(gone), new_schedules)
        if stored.changed:
            record_action(
                user=user,
                district_id=district.pk,
                action="import salary schedules",
                obj=district,
                details={
                    "schedules_created": new_schedules,
                    "created": stored.created,
                    "updated": stored.updated,
                    "removed": stored.removed,
                },
            )
    return stored


POSITION_FIELDS = (
    "school_id",
    "staff_id",
    "kind",
    "fte",
    "salary",
    "schedule_id",
    "lane",
    "step",
    "certifications",
    "active",
)


@dataclass(frozen=True)
class PositionRow:
    sourced_id: str
    values: dict[str, Any]
    """Every field of ``POSITION_FIELDS``."""
    covers: frozenset[int]
    """Section ids."""


def store_positions(
    *, district: District, rows: list[PositionRow], replace: bool, user: Any = None
) -> Stored:
    """Create or update positions by sourcedId, with the sections they cover; with
    ``replace``, the district's active positions ``rows`` leaves out are deactivated (never
    deleted: scenarios and history refer to them)."""
    through = Position.covers.through
    with transaction.atomic():
        existing = {p.sourced_id: p for p in Position.objects.filter(district=district)}
        covered: dict[int, set[int]] = {}
        for position_id, section_id in through.objects.filter(
            position__district=district
        ).values_list("position_id", "section_id"):
            covered.setdefault(position_id, set()).add(section_id)

        create, update, unchanged = [], [], 0
        add_links: list[tuple[int, int]] = []
        drop_links: list[tuple[int, int]] = []
        for row in rows:
            found = existing.get(row.sourced_id)
            if found is None:
                create.append(Position(district=district, sourced_id=row.sourced_id, **row.values))
                continue
            fields_differ = any(getattr(found, f) != row.values[f] for f in POSITION_FIELDS)
            have = covered.get(found.pk, set())
            if fields_differ:
                for f in POSITION_FIELDS:
                    setattr(found, f, row.values[f])
            if have != row.covers:
                add_links += [(found.pk, s) for s in sorted(row.covers - have)]
                drop_links += [(found.pk, s) for s in sorted(have - row.covers)]
            if fields_differ or have != row.covers:
                update.append(found)
            else:
                unchanged += 1

        Position.objects.bulk_create(create, batch_size=2000)
        if create:
            made = dict(
                Position.objects.filter(
                    district=district, sourced_id__in=[p.sourced_id for p in create]
                ).values_list("sourced_id", "pk")
            )
            by_id = {row.sourced_id: row for row in rows}
            for p in create:
                add_links += [(made[p.sourced_id], s) for s in sorted(by_id[p.sourced_id].covers)]
        if update:
            Position.objects.bulk_update(update, list(_attnames()), batch_size=2000)
        for position_id, section_id in drop_links:
            through.objects.filter(position_id=position_id, section_id=section_id).delete()
        through.objects.bulk_create(
            [through(position_id=p, section_id=s) for p, s in add_links], batch_size=2000
        )

        removed = 0
        if replace:
            named = {row.sourced_id for row in rows}
            gone = [p.pk for sid, p in existing.items() if p.active and sid not in named]
            removed = Position.objects.filter(pk__in=gone).update(active=False)

        stored = Stored(len(create), len(update), unchanged, removed)
        if stored.changed:
            record_action(
                user=user,
                district_id=district.pk,
                action="import positions",
                obj=district,
                details={
                    "created": stored.created,
                    "updated": stored.updated,
                    "deactivated": stored.removed,
                },
            )
    return stored


def _attnames() -> tuple[str, ...]:
    """``POSITION_FIELDS`` as model field names (``school`` for ``school_id``)."""
    return tuple(f.removesuffix("_id") for f in POSITION_FIELDS)
