"""Standards pages: frameworks, a framework's tree, a standard with its prerequisites."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from waypoint.standards import selectors
from waypoint.standards.models import FrameworkAssociation, FrameworkItem
from waypoint.standards.svg import neighbourhood_svg
from waypoint.web.context import get_viewer


def _url(item: FrameworkItem) -> str:
    return reverse("standards:item", args=[item.pk])


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    frameworks = selectors.framework_list(viewer=viewer).annotate(
        item_count=Count("items", filter=Q(items__retired=False))
    )
    return render(request, "standards/framework_list.html", {"frameworks": frameworks})


@login_required
def framework_detail(request: HttpRequest, framework_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    framework = selectors.get_framework(viewer=viewer, id=framework_id)
    tokens = selectors.framework_tree(viewer=viewer, framework=framework)
    retired = framework.items.filter(retired=True).count()
    return render(
        request,
        "standards/framework_detail.html",
        {"framework": framework, "tokens": tokens, "retired_count": retired},
    )


@login_required
def item_detail(request: HttpRequest, item_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    item = selectors.get_item(viewer=viewer, id=item_id)
    hood = selectors.prerequisite_neighbourhood(viewer=viewer, item=item)
    parents = (
        FrameworkAssociation.objects.filter(
            origin_item=item, association_type=FrameworkAssociation.Type.IS_CHILD_OF
        )
        .select_related("destination_item")
        .order_by("id")
    )
    others = (
        FrameworkAssociation.objects.filter(Q(origin_item=item) | Q(destination_item=item))
        .exclude(
            association_type__in=[
                FrameworkAssociation.Type.IS_CHILD_OF,
                FrameworkAssociation.Type.PRECEDES,
            ]
        )
        .order_by("association_type", "id")
    )
    return render(
        request,
        "standards/item_detail.html",
        {
            "item": item,
            "framework": item.framework,
            "parents": [p.destination_item for p in parents if p.destination_item],
            "prerequisites": selectors.item_prerequisites(viewer=viewer, item=item),
            "dependents": selectors.item_dependents(viewer=viewer, item=item),
            "hood": hood,
            "svg": mark_safe(neighbourhood_svg(hood, _url)),  # noqa: S308 - every value escaped
            "others": others,
        },
    )


@login_required
def item_neighbourhood_svg(request: HttpRequest, item_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    item = selectors.get_item(viewer=viewer, id=item_id)
    hood = selectors.prerequisite_neighbourhood(viewer=viewer, item=item)
    return HttpResponse(neighbourhood_svg(hood, _url), content_type="image/svg+xml")
