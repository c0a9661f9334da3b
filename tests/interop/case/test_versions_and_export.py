"""A newer version updates in place; export writes CASE 1.1 that validates and round-trips."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from tests.standards.helpers import DOC, case_file, snapshot, tiny_package, to_bytes, uid
from waypoint.audit.models import ActionEntry
from waypoint.interop.case.reader import read_bytes
from waypoint.interop.case.schemas import validator
from waypoint.interop.case.writer import framework_to_case
from waypoint.standards.models import Framework, FrameworkAssociation, FrameworkItem
from waypoint.standards.services import import_framework


def load(district, package) -> None:
    read = read_bytes(to_bytes(package))
    assert read.errors == [], read.errors
    result = import_framework(district=district, package=read.package)
    assert result.ok, result.errors


def test_a_newer_version_updates_in_place_and_retires_what_it_dropped(districts) -> None:
    load(districts.a, tiny_package())
    pks = dict(FrameworkItem.objects.values_list("identifier", "pk"))
    framework_pk = Framework.objects.get().pk

    newer = tiny_package(version="2")
    newer["CFItems"][1]["fullStatement"] = "Standard number 1, reworded"
    newer["CFItems"] = [i for i in newer["CFItems"] if i["identifier"] != uid(4)]
    newer["CFAssociations"] = [
        a
        for a in newer["CFAssociations"]
        if uid(4) not in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
    ]
    read = read_bytes(to_bytes(newer))
    result = import_framework(district=districts.a, package=read.package)
    assert result.applied
    assert result.plan.counts["items"] == {"update": 1, "unchanged": 2, "retire": 1}
    assert result.plan.counts["associations"]["delete"] == 2

    assert Framework.objects.get().pk == framework_pk
    assert Framework.objects.get().version == "2"
    assert dict(FrameworkItem.objects.values_list("identifier", "pk")) == pks  # same rows
    changed = FrameworkItem.objects.get(identifier=uid(2))
    assert changed.full_statement == "Standard number 1, reworded"
    dropped = FrameworkItem.objects.get(identifier=uid(4))
    assert dropped.retired and dropped.retired_at is not None
    assert ActionEntry.objects.filter(action="standards.import_framework").count() == 2

    # the older version again: the item comes back (same row), the statement goes back
    result = import_framework(
        district=districts.a, package=read_bytes(to_bytes(tiny_package())).package
    )
    assert result.plan.counts["items"]["restore"] == 1
    assert not FrameworkItem.objects.get(identifier=uid(4)).retired
    assert dict(FrameworkItem.objects.values_list("identifier", "pk")) == pks


def test_the_same_package_in_two_districts_is_two_copies(districts) -> None:
    load(districts.a, tiny_package())
    load(districts.b, tiny_package())
    assert Framework.objects.filter(identifier=DOC).count() == 2
    assert FrameworkItem.objects.filter(identifier=uid(2)).count() == 2


def _rows(framework: Framework) -> tuple[set, set]:
    items = {
        (
            i.identifier,
            i.item_type,
            i.human_coding_scheme,
            i.full_statement,
            i.abbreviated_statement,
            i.list_enumeration,
            i.sequence_number,
            tuple(i.education_levels),
            i.grade_low,
            i.grade_high,
            i.language,
            i.notes,
            i.last_change,
        )
        for i in framework.items.filter(retired=False)
    }
    assocs = {
        (
            a.identifier,
            a.association_type,
            a.origin_identifier,
            a.destination_identifier,
            a.sequence_number,
            a.origin_item.identifier if a.origin_item else None,
            a.destination_item.identifier if a.destination_item else None,
        )
        for a in FrameworkAssociation.objects.filter(framework=framework).select_related(
            "origin_item", "destination_item"
        )
    }
    return items, assocs


@pytest.mark.parametrize(
    "name",
    ["math_cfs_sample.json", "opensalt-framework-20c5134f.json", "test_Ordering.json", "demo"],
)
def test_export_validates_against_1_1_and_round_trips_into_another_district(
    districts: SimpleNamespace, tmp_path, name: str
) -> None:
    if name == "demo":
        from waypoint.standards.demo import load_demo_framework

        load_demo_framework(districts.a)
    else:
        call_command(
            "import", "case", str(case_file(name)), "--district", "alder", stdout=io.StringIO()
        )
    source = Framework.objects.get(district=districts.a)
    out = tmp_path / "export.json"
    call_command(
        "export", "case", source.identifier, str(out), "--district", "alder", stdout=io.StringIO()
    )
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert list(validator("1.1").iter_errors(exported)) == []
    assert exported["CFDocument"]["caseVersion"] == "1.1"

    text = io.StringIO()
    call_command("import", "case", str(out), "--district", "birch", stdout=text)
    assert "as CASE 1.1" in text.getvalue()
    copy = Framework.objects.get(district=districts.b)
    assert copy.identifier == source.identifier
    assert _rows(copy) == _rows(source)
    assert copy.items.count() == source.items.count()

    before = snapshot()
    call_command("import", "case", str(out), "--district", "birch", stdout=io.StringIO())
    assert snapshot() == before


def test_export_leaves_retired_items_out(districts) -> None:
    load(districts.a, tiny_package())
    FrameworkItem.objects.filter(identifier=uid(4)).update(retired=True)
    package = framework_to_case(Framework.objects.get())
    assert uid(4) not in {i["identifier"] for i in package["CFItems"]}
    assert all(
        uid(4) not in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
        for a in package["CFAssociations"]
    )
    assert list(validator("1.1").iter_errors(package)) == []
