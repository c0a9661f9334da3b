"""Standards pages: list, tree, a standard with prerequisites and its SVG; tenancy; admin."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client

from waypoint.standards.demo import load_demo_framework
from waypoint.standards.models import DistrictPrerequisite, FrameworkItem


@pytest.fixture
def site(world: SimpleNamespace) -> SimpleNamespace:
    world.fw_a = load_demo_framework(world.district_a)
    world.fw_b = load_demo_framework(world.district_b)
    return world


def client_for(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def item(site, code: str, district=None) -> FrameworkItem:
    return FrameworkItem.objects.get(district=district or site.district_a, human_coding_scheme=code)


def test_pages_need_a_login(site) -> None:
    for url in [
        "/standards/",
        f"/standards/{site.fw_a.pk}/",
        f"/standards/items/{item(site, 'WP.MATH.4.NF.1').pk}/",
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["t1", "guardian", "l1", "admin"])
def test_anyone_in_the_district_reads_its_frameworks(site, who) -> None:
    response = client_for(getattr(site, who)).get("/standards/")
    assert response.status_code == 200
    assert [f.pk for f in response.context["frameworks"]] == [site.fw_a.pk]
    assert response.context["frameworks"][0].item_count == 141


def test_the_tree_nests_with_details(site) -> None:
    response = client_for(site.t1).get(f"/standards/{site.fw_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<details") == 12 + 48  # grade levels and domains have children
    assert html.count("<details") == html.count("</details>")
    assert 'href="/standards/items/' in html
    # order follows the sequence numbers: grade 3 mathematics before grade 4
    assert html.index("WP.MATH.3.OA.1") < html.index("WP.MATH.4.OA.1")
    kinds = [t.kind for t in response.context["tokens"]]
    assert kinds.count("open") == kinds.count("close") == 60
    assert kinds.count("leaf") == 81


def test_a_standard_shows_statement_prerequisites_dependents_and_picture(site) -> None:
    target = item(site, "WP.MATH.4.NF.1")
    DistrictPrerequisite.objects.create(
        district=site.district_a,
        prerequisite=item(site, "WP.MATH.3.OA.1"),
        dependent=target,
        note="equal groups first",
        created_at="2025-01-01T00:00:00Z",
    )
    response = client_for(site.t1).get(f"/standards/items/{target.pk}/")
    assert response.status_code == 200
    ctx = response.context
    assert [e.item.human_coding_scheme for e in ctx["prerequisites"]] == [
        "WP.MATH.3.NF.3",
        "WP.MATH.3.OA.1",
    ]
    assert [e.source for e in ctx["prerequisites"]] == ["framework", "district"]
    assert [e.item.human_coding_scheme for e in ctx["dependents"]] == [
        "WP.MATH.4.NF.2",
        "WP.MATH.4.NF.3",
    ]
    html = response.content.decode()
    assert target.full_statement in html
    assert "equal groups first" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert '<title id="hood-title">Prerequisite neighbourhood of WP.MATH.4.NF.1</title>' in html
    # two levels up: 3.NF.3 ← 3.NF.2; 3.OA.1; two levels down: 4.NF.2/4.NF.3 → 5.NF.1
    hood = ctx["hood"]
    assert [[i.human_coding_scheme for i in row] for row in hood.up] == [
        ["WP.MATH.3.NF.3", "WP.MATH.3.OA.1"],
        ["WP.MATH.3.NF.2"],
    ]
    assert [[i.human_coding_scheme for i in row] for row in hood.down] == [
        ["WP.MATH.4.NF.2", "WP.MATH.4.NF.3"],
        ["WP.MATH.5.NF.1"],
    ]
    assert "Their prerequisites" in html and "Direct dependents" in html  # the text alternative
    assert 'stroke-dasharray="5 4"' in html  # the district's edge is drawn dashed


def test_the_svg_alone(site) -> None:
    target = item(site, "WP.MATH.5.NF.2")
    response = client_for(site.guardian).get(f"/standards/items/{target.pk}/neighbourhood.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "<desc" in svg
    links = re.findall(r'<a href="/standards/items/(\d+)/">', svg)
    assert str(target.pk) in links
    assert len(links) == len(set(links)) >= 4


def test_another_districts_framework_and_items_are_404(site) -> None:
    client = client_for(site.t1)
    other = item(site, "WP.MATH.4.NF.1", district=site.district_b)
    assert client.get(f"/standards/{site.fw_b.pk}/").status_code == 404
    assert client.get(f"/standards/items/{other.pk}/").status_code == 404
    assert client.get(f"/standards/items/{other.pk}/neighbourhood.svg").status_code == 404
    assert client.get("/standards/999999/").status_code == 404
    assert client.get("/standards/not-a-number/").status_code == 404
    # and district B sees its own copy, not A's
    assert client_for(site.tb).get(f"/standards/{site.fw_a.pk}/").status_code == 404
    assert client_for(site.tb).get(f"/standards/{site.fw_b.pk}/").status_code == 200


def test_admin_is_read_only_and_scoped_to_the_district(site) -> None:
    client = client_for(site.admin)
    listing = client.get("/admin/standards/frameworkitem/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 141
    other = item(site, "WP.MATH.4.NF.1", district=site.district_b)
    assert client.get(f"/admin/standards/frameworkitem/{other.pk}/change/").status_code == 404
    mine = item(site, "WP.MATH.4.NF.1")
    page = client.get(f"/admin/standards/frameworkitem/{mine.pk}/change/")
    assert page.status_code == 200
    assert b"Save" not in page.content or b'name="_save"' not in page.content
    assert client.get("/admin/standards/framework/add/").status_code == 403
    assert client_for(site.t1).get("/admin/standards/framework/").status_code == 302
