"""Every file in ../shared/data/case/ with its expected outcome."""

from __future__ import annotations

import io
import uuid
from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from tests.standards.helpers import case_dir, case_file, load_json, snapshot
from waypoint.interop.case.reader import read_path
from waypoint.standards.models import Framework, FrameworkAssociation, FrameworkItem

# name: (version read, items, associations, warnings as (path, words in the reason))
EXPECTED = {
    "math_cfs_sample.json": (
        "2016-draft",
        703,
        703,
        [("/CFDocument/identifier", "2016 CASE draft")],
    ),
    "opensalt-framework-20c5134f.json": (
        "1.0",
        16,
        39,
        [
            (
                "/CFAssociations/15/sequenceNumber",
                "sequenceNumber is a string; read as the integer 1",
            ),
            (
                "/CFAssociations/31/sequenceNumber",
                "sequenceNumber is a string; read as the integer 2",
            ),
            ("/CFDefinitions/CFItemTypes/0/description", "null read as absent"),
            ("/CFItems/0/educationalLevel", "educationalLevel read as educationLevel"),
        ],
    ),
    "test_AdoptedTestFramework.json": ("1.0", 1, 1, []),
    "test_EmptyExternalFramework.json": ("1.0", 0, 0, []),
    "test_ItemTypeTestFramework.json": ("1.0", 1, 1, []),
    "test_MarkdownFramework.json": ("1.0", 2, 2, []),
    "test_Ordering.json": ("1.0", 28, 28, []),
    "test_SequenceNumberFramework.json": ("1.0", 2, 2, []),
    "test_SmartLevelFramework.json": ("1.0", 14, 14, []),
    "test_Utf8TestFramework.json": ("1.0", 1, 1, []),
}
SCHEMAS = ["case-v1p0-cfpackage-schema.json", "schemas_opencase/case-v1p1-cfpackage.json"]


def run_import(path, district: str = "alder", *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import", "case", str(path), "--district", district, *extra, stdout=out, stderr=out
    )
    return out.getvalue()


def test_every_package_in_the_shared_dir_has_an_expected_outcome() -> None:
    present = {p.name for p in case_dir().glob("*.json") if "schema" not in p.name}
    assert present == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_reader_reads_each_shared_file(name: str) -> None:
    version, n_items, n_assocs, warnings = EXPECTED[name]
    path = case_file(name)
    raw = load_json(path)
    result = read_path(path)
    assert result.errors == []
    assert result.version == version
    assert result.package is not None
    # counts equal what the file holds
    assert len(result.package.items) == len(raw.get("CFItems", [])) == n_items
    assert len(result.package.associations) == len(raw.get("CFAssociations", [])) == n_assocs
    found = [(w.path, w.reason) for w in result.warnings]
    for path_, words in warnings:
        assert any(p == path_ and words in r for p, r in found), (path_, words, found)
    if not warnings:
        assert found == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shared_file_imports_into_one_district_only(
    districts: SimpleNamespace, name: str
) -> None:
    version, n_items, n_assocs, _ = EXPECTED[name]
    out = run_import(case_file(name))
    assert f"as CASE {version}" in out
    framework = Framework.objects.get(district=districts.a)
    assert framework.case_version_read == version
    assert framework.items.count() == n_items
    assert framework.associations.count() == n_assocs
    assert not Framework.objects.filter(district=districts.b).exists()

    before = snapshot()
    again = run_import(case_file(name))
    assert "Nothing to change." in again
    assert "0 create, 0 update" in again
    assert snapshot() == before


def test_opensalt_string_sequence_numbers_are_stored_as_integers(districts) -> None:
    out = run_import(case_file("opensalt-framework-20c5134f.json"))
    assert out.count("WARNING") >= 2
    assert "sequenceNumber is a string; read as the integer 1" in out
    seq = dict(
        FrameworkAssociation.objects.filter(
            identifier__in=[
                "a7364b9e-91e7-4b09-875f-5eab0d3e6f7c",
                "fd349663-3904-4f28-b27d-9b07e6d0165c",
            ]
        ).values_list("identifier", "sequence_number")
    )
    assert seq == {
        "a7364b9e-91e7-4b09-875f-5eab0d3e6f7c": 1,
        "fd349663-3904-4f28-b27d-9b07e6d0165c": 2,
    }
    types = Counter(FrameworkAssociation.objects.values_list("association_type", flat=True))
    assert types == {
        "exactMatchOf": 16,
        "isChildOf": 16,
        "precedes": 3,
        "exemplar": 2,
        "isRelatedTo": 2,
    }
    # two precedes join items of the file; the third points outside and stays generic
    inside = FrameworkAssociation.objects.filter(
        association_type="precedes", origin_item__isnull=False, destination_item__isnull=False
    )
    assert inside.count() == 2
    item = FrameworkItem.objects.get(human_coding_scheme="CCSS.Math.Content.6.RP.A")
    assert (item.grade_low, item.grade_high, item.item_type) == (6, 6, "Cluster")


def test_the_2016_draft_imports_with_its_703_items_and_hierarchy(districts) -> None:
    raw = load_json(case_file("math_cfs_sample.json"))
    out = run_import(case_file("math_cfs_sample.json"))
    assert "as CASE 2016-draft" in out
    framework = Framework.objects.get(district=districts.a)
    assert framework.original_identifier == "http://purl.org/ASN/resources/D10003FB"
    assert framework.identifier == str(
        uuid.uuid5(uuid.NAMESPACE_URL, "http://purl.org/ASN/resources/D10003FB")
    )
    assert framework.subject == ["Math"]
    items = {i.original_identifier: i for i in framework.items.all()}
    assert len(items) == 703
    assert {i["identifier"] for i in raw["CFItems"]} == set(items)
    assert Counter(i.item_type for i in items.values()) == {
        "Standard": 393,
        "Cluster": 147,
        "Component": 124,
        "Domain": 33,
        "": 6,
    }
    # the hierarchy: every item is the child of exactly what the file says
    children = FrameworkAssociation.objects.filter(
        framework=framework, association_type="isChildOf"
    )
    assert children.count() == 703
    by_origin = {
        a.origin_item.original_identifier: a
        for a in children.select_related("origin_item", "destination_item")
    }
    for assoc in raw["CFAssociations"]:
        ours = by_origin[assoc["originNodeURI"]["identifier"]]
        dest = assoc["destinationNodeURI"]["identifier"]
        if dest == "http://purl.org/ASN/resources/D10003FB":
            assert ours.destination_item is None
            assert ours.destination_identifier == framework.identifier
        else:
            assert ours.destination_item.original_identifier == dest
    # grade levels normalised: KG → 0, "09" → 9
    assert Counter(i.grade_low for i in items.values())[0] == 48
    assert Counter(i.grade_low for i in items.values())[9] == 273


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_schema_files_are_not_packages(districts, name: str) -> None:
    before = snapshot()
    with pytest.raises(CommandError, match="nothing was changed"):
        run_import(case_file(name))
    assert snapshot() == before
