"""Writes to the standards tables. Keyword-only, typed, atomic, audited.

``import_framework`` takes a parsed package (``waypoint.standards.package``), compares it with
what the district holds, and applies the difference in one transaction, or nothing at all if any
problem is an error (or in a dry run). Re-importing the same package changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from waypoint.audit.services import record_action
from waypoint.roster.models import District
from waypoint.standards.graph import find_cycle
from waypoint.standards.models import (
    DistrictPrerequisite,
    Framework,
    FrameworkAssociation,
    FrameworkItem,
)
from waypoint.standards.package import (
    AssociationData,
    FrameworkPackage,
    ImportResult,
    ItemData,
    PrerequisiteRow,
    Problem,
)

FRAMEWORK_FIELDS = (
    "uri",
    "original_identifier",
    "title",
    "creator",
    "publisher",
    "description",
    "official_source_url",
    "version",
    "adoption_status",
    "status_start_date",
    "status_end_date",
    "subject",
    "language",
    "framework_type",
    "notes",
    "last_change",
)
ITEM_FIELDS = (
    "uri",
    "original_identifier",
    "item_type",
    "human_coding_scheme",
    "full_statement",
    "abbreviated_statement",
    "alternative_label",
    "list_enumeration",
    "sequence_number",
    "education_levels",
    "grade_low",
    "grade_high",
    "language",
    "subject",
    "concept_keywords",
    "notes",
    "status_start_date",
    "status_end_date",
    "last_change",
)
ASSOCIATION_FIELDS = (
    "uri",
    "association_type",
    "origin_identifier",
    "origin_uri",
    "origin_title",
    "destination_identifier",
    "destination_uri",
    "destination_title",
    "sequence_number",
    "notes",
    "last_change",
)
PRECEDES = FrameworkAssociation.Type.PRECEDES


def _differs(row: Model, data: Any, fields: Iterable[str]) -> list[str]:
    return [name for name in fields if getattr(row, name) != getattr(data, name)]


def _assign(row: Model, data: Any, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(row, name, getattr(data, name))


def _lock_district(district: District) -> None:
    """Serialize imports per district (a row lock on PostgreSQL; SQLite locks the file)."""
    District.objects.select_for_update().filter(pk=district.pk).first()


def _clashes(
    district: District, framework: Framework | None, package: FrameworkPackage
) -> list[Problem]:
    """Identifiers this package uses that already belong to another framework of the district."""
    problems: list[Problem] = []
    own = framework.pk if framework else None
    for model, rows, noun in (
        (FrameworkItem, package.items, "item"),
        (FrameworkAssociation, package.associations, "association"),
    ):
        by_id = {r.identifier: r for r in rows}
        taken = (
            model.objects.filter(district=district, identifier__in=list(by_id))  # type: ignore[attr-defined]
            .exclude(framework_id=own)
            .select_related("framework")
        )
        for row in taken:
            problems.append(
                Problem.of(
                    f"{by_id[row.identifier].path}/identifier",
                    row.identifier,
                    f"this {noun} identifier already belongs to the framework "
                    f"“{row.framework.title}” ({row.framework.identifier}) in this district",
                )
            )
    return problems


def _district_cycle(framework: Framework | None, package: FrameworkPackage) -> list[Problem]:
    """A precedes edge of the new version that closes a cycle with the district's own edges."""
    if framework is None:
        return []
    ids = dict(FrameworkItem.objects.filter(framework=framework).values_list("pk", "identifier"))
    district_edges = [
        (ids[a], ids[b])
        for a, b in DistrictPrerequisite.objects.filter(
            prerequisite__framework=framework, dependent__framework=framework
        ).values_list("prerequisite_id", "dependent_id")
    ]
    if not district_edges:
        return []
    package_edges = {
        (a.origin_identifier, a.destination_identifier): a
        for a in package.associations
        if a.association_type == PRECEDES
    }
    cycle = find_cycle([*district_edges, *package_edges])
    if cycle is None:
        return []
    culprit = next(
        (package_edges[e] for e in pairwise(cycle) if e in package_edges),
        None,
    )
    return [
        Problem.of(
            culprit.path if culprit else "/CFAssociations",
            " → ".join(cycle),
            "these precedes associations and the district's own prerequisites form a cycle",
        )
    ]


def import_framework(
    *,
    district: District,
    package: FrameworkPackage,
    user: Any = None,
    dry_run: bool = False,
    source: str = "",
) -> ImportResult:
    """Create or update one framework from a package; all or nothing.

    Items are matched by identifier and updated in place (same primary keys); items the package
    no longer holds are retired; associations it no longer holds are deleted.
    """
    result = ImportResult(dry_run=dry_run)
    plan = result.plan
    with transaction.atomic():
        _lock_district(district)
        framework = Framework.objects.filter(
            district=district, identifier=package.framework.identifier
        ).first()
        result.problems += _clashes(district, framework, package)
        result.problems += _district_cycle(framework, package)
        if result.errors:
            return result

        now = timezone.now()
        fw_changes = _differs(framework, package.framework, FRAMEWORK_FIELDS) if framework else None
        if framework is None:
            plan.add("frameworks", "create")
        elif fw_changes or framework.case_version_read != package.case_version:
            plan.add("frameworks", "update")
        else:
            plan.add("frameworks", "unchanged")

        existing = (
            {i.identifier: i for i in FrameworkItem.objects.filter(framework=framework)}
            if framework
            else {}
        )
        new_items: list[ItemData] = []
        changed_items: list[tuple[FrameworkItem, ItemData]] = []
        for data in package.items:
            row = existing.get(data.identifier)
            if row is None:
                new_items.append(data)
                plan.add("items", "create")
            elif row.retired:
                changed_items.append((row, data))
                plan.add("items", "restore")
            elif _differs(row, data, ITEM_FIELDS):
                changed_items.append((row, data))
                plan.add("items", "update")
            else:
                plan.add("items", "unchanged")
        in_package = {d.identifier for d in package.items}
        to_retire = [
            row for ident, row in existing.items() if ident not in in_package and not row.retired
        ]
        plan.add("items", "retire", len(to_retire))

        old_assocs = (
            {a.identifier: a for a in FrameworkAssociation.objects.filter(framework=framework)}
            if framework
            else {}
        )
        new_assocs: list[AssociationData] = []
        changed_assocs: list[tuple[FrameworkAssociation, AssociationData]] = []
        for adata in package.associations:
            arow = old_assocs.get(adata.identifier)
            if arow is None:
                new_assocs.append(adata)
                plan.add("associations", "create")
            elif _differs(arow, adata, ASSOCIATION_FIELDS):
                changed_assocs.append((arow, adata))
                plan.add("associations", "update")
            else:
                plan.add("associations", "unchanged")
        in_package = {a.identifier for a in package.associations}
        to_delete = [a for ident, a in old_assocs.items() if ident not in in_package]
        plan.add("associations", "delete", len(to_delete))

        if dry_run or plan.changes == 0:
            result.object_id = framework.pk if framework else None
            return result

        # --- apply ---
        if framework is None:
            framework = Framework(
                district=district,
                sourced_id=package.framework.identifier,
                identifier=package.framework.identifier,
                imported_at=now,
            )
        _assign(framework, package.framework, FRAMEWORK_FIELDS)
        framework.case_version_read = package.case_version
        framework.changed_at = now
        framework.save()

        created = FrameworkItem.objects.bulk_create(
            [_new_item(district, framework, data) for data in new_items],
            batch_size=500,
        )
        for row, data in changed_items:
            _assign(row, data, ITEM_FIELDS)
            row.retired, row.retired_at = False, None
        for row in to_retire:
            row.retired, row.retired_at = True, now
        FrameworkItem.objects.bulk_update(
            [r for r, _ in changed_items] + to_retire,
            [*ITEM_FIELDS, "retired", "retired_at"],
            batch_size=500,
        )

        pk_of = {row.identifier: row.pk for row in existing.values()}
        pk_of.update({row.identifier: row.pk for row in created})
        if to_delete:
            FrameworkAssociation.objects.filter(pk__in=[a.pk for a in to_delete]).delete()
        FrameworkAssociation.objects.bulk_create(
            [_new_association(district, framework, a, pk_of) for a in new_assocs],
            batch_size=500,
        )
        for arow, adata in changed_assocs:
            _assign(arow, adata, ASSOCIATION_FIELDS)
            arow.origin_item_id = pk_of.get(adata.origin_identifier)
            arow.destination_item_id = pk_of.get(adata.destination_identifier)
        FrameworkAssociation.objects.bulk_update(
            [a for a, _ in changed_assocs],
            [*ASSOCIATION_FIELDS, "origin_item", "destination_item"],
            batch_size=500,
        )
        record_action(
            user=user,
            district_id=district.pk,
            action="standards.import_framework",
            obj=framework,
            details={
                "identifier": framework.identifier,
                "case_version": package.case_version,
                "source": source[:200],
                "plan": plan.counts,
            },
        )
        result.applied = True
        result.object_id = framework.pk
    return result


def _new_item(district: District, framework: Framework, data: ItemData) -> FrameworkItem:
    row = FrameworkItem(
        district=district,
        framework=framework,
        sourced_id=data.identifier,
        identifier=data.identifier,
    )
    _assign(row, data, ITEM_FIELDS)
    return row


def _new_association(
    district: District, framework: Framework, data: AssociationData, pk_of: dict[str, int]
) -> FrameworkAssociation:
    row = FrameworkAssociation(
        district=district,
        framework=framework,
        sourced_id=data.identifier,
        identifier=data.identifier,
        origin_item_id=pk_of.get(data.origin_identifier),
        destination_item_id=pk_of.get(data.destination_identifier),
    )
    _assign(row, data, ASSOCIATION_FIELDS)
    return row


def framework_precedes_edges(district_id: int) -> set[tuple[int, int]]:
    """(prerequisite pk, dependent pk) for every precedes association between two items."""
    return set(
        FrameworkAssociation.objects.filter(
            district_id=district_id,
            association_type=PRECEDES,
            origin_item__isnull=False,
            destination_item__isnull=False,
        ).values_list("origin_item_id", "destination_item_id")
    )


def set_district_prerequisites(
    *,
    district: District,
    rows: list[PrerequisiteRow],
    user: Any = None,
    replace: bool = False,
    dry_run: bool = False,
    source: str = "",
) -> ImportResult:
    """Add (or, with ``replace``, set exactly) a district's own prerequisite edges.

    Rows must already be resolved to items of this district (the CSV reader does that). An edge
    that would close a cycle with the frameworks' precedes edges or the district's other edges
    is refused, and so is the whole file.
    """
    result = ImportResult(dry_run=dry_run)
    plan = result.plan
    with transaction.atomic():
        _lock_district(district)
        current = {
            (e.prerequisite_id, e.dependent_id): e
            for e in DistrictPrerequisite.objects.filter(district=district)
        }
        wanted = {(r.prerequisite_id, r.dependent_id): r for r in rows}
        kept = set(current) | set(wanted) if not replace else set(wanted)
        cycle = find_cycle([*framework_precedes_edges(district.pk), *kept])
        if cycle is not None:
            names = dict(
                FrameworkItem.objects.filter(pk__in=cycle).values_list("pk", "human_coding_scheme")
            )
            culprit = next((wanted[e] for e in pairwise(cycle) if e in wanted), None)
            result.problems.append(
                Problem.of(
                    f"row {culprit.row}" if culprit else "/",
                    " → ".join(names.get(pk) or str(pk) for pk in cycle),
                    "these prerequisites would form a cycle",
                )
            )
            return result
        to_create = [r for key, r in wanted.items() if key not in current]
        to_update = [
            (current[key], r)
            for key, r in wanted.items()
            if key in current and current[key].note != r.note
        ]
        to_delete = [e for key, e in current.items() if key not in wanted] if replace else []
        plan.add("prerequisites", "create", len(to_create))
        plan.add("prerequisites", "update", len(to_update))
        plan.add("prerequisites", "delete", len(to_delete))
        plan.add("prerequisites", "unchanged", len(wanted) - len(to_create) - len(to_update))
        if dry_run or plan.changes == 0:
            return result
        now = timezone.now()
        DistrictPrerequisite.objects.bulk_create(
            [
                DistrictPrerequisite(
                    district=district,
                    prerequisite_id=r.prerequisite_id,
                    dependent_id=r.dependent_id,
                    note=r.note,
                    created_at=now,
                    created_by=user if getattr(user, "pk", None) else None,
                )
                for r in to_create
            ]
        )
        for edge, r in to_update:
            edge.note = r.note
        DistrictPrerequisite.objects.bulk_update([e for e, _ in to_update], ["note"])
        if to_delete:
            DistrictPrerequisite.objects.filter(pk__in=[e.pk for e in to_delete]).delete()
        record_action(
            user=user,
            district_id=district.pk,
            action="standards.set_district_prerequisites",
            obj=district,
            details={"source": source[:200], "replace": replace, "plan": plan.counts},
        )
        result.applied = True
    return result
