"""The demo's own framework: CASE 1.1, about 80 standards in grades 3–8, with prerequisites."""

from __future__ import annotations

import json
from collections import Counter

from tests.standards.helpers import snapshot
from waypoint.interop.case.schemas import validator
from waypoint.standards.demo import demo_framework_bytes, load_demo_framework
from waypoint.standards.graph import find_cycle
from waypoint.standards.models import FrameworkAssociation, FrameworkItem


def test_the_shipped_file_validates_against_case_1_1() -> None:
    package = json.loads(demo_framework_bytes())
    assert list(validator("1.1").iter_errors(package)) == []
    standards = [i for i in package["CFItems"] if i["CFItemType"] == "Standard"]
    assert 75 <= len(standards) <= 90
    assert {i["educationLevel"][0] for i in standards} == {"03", "04", "05", "06", "07", "08"}
    assert {i["humanCodingScheme"].split(".")[1] for i in standards} == {"MATH", "ELA"}
    precedes = [a for a in package["CFAssociations"] if a["associationType"] == "precedes"]
    assert len(precedes) > 60
    edges = [
        (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"]) for a in precedes
    ]
    assert find_cycle(edges) is None


def test_load_demo_framework_is_idempotent_and_per_district(districts) -> None:
    framework = load_demo_framework(districts.a)
    assert framework.case_version_read == "1.1"
    counts = Counter(framework.items.values_list("item_type", flat=True))
    assert counts["Standard"] == 81
    before = snapshot()
    assert load_demo_framework(districts.a).pk == framework.pk
    assert snapshot() == before
    assert not FrameworkItem.objects.filter(district=districts.b).exists()
    fractions = FrameworkItem.objects.get(
        district=districts.a, human_coding_scheme="WP.MATH.4.NF.1"
    )
    assert (fractions.grade_low, fractions.grade_high) == (4, 4)
    assert FrameworkAssociation.objects.filter(
        destination_item=fractions, association_type="precedes"
    ).exists()
