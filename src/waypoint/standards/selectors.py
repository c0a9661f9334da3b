"""Reads of standards, always given the viewer.

Standards are not learner data: any person of a district may read that district's frameworks.
Another district's framework or item is a 404 (``NotVisible``), exactly like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import Viewer
from waypoint.standards.graph import levels
from waypoint.standards.models import (
    DistrictPrerequisite,
    Framework,
    FrameworkAssociation,
    FrameworkItem,
)

HIERARCHY = FrameworkAssociation.Type.IS_CHILD_OF
PRECEDES = FrameworkAssociation.Type.PRECEDES


def _as_id(value: object) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def framework_list(*, viewer: Viewer) -> QuerySet[Framework]:
    if viewer.district_id is None:
        return Framework.objects.none()
    return Framework.objects.filter(district_id=viewer.district_id)


def item_list(*, viewer: Viewer) -> QuerySet[FrameworkItem]:
    if viewer.district_id is None:
        return FrameworkItem.objects.none()
    return FrameworkItem.objects.filter(district_id=viewer.district_id)


def get_framework(*, viewer: Viewer, id: object) -> Framework:
    pk = _as_id(id)
    framework = framework_list(viewer=viewer).filter(pk=pk).first() if pk else None
    if framework is None:
        raise NotVisible()
    return framework


def get_item(*, viewer: Viewer, id: object) -> FrameworkItem:
    pk = _as_id(id)
    item = (
        item_list(viewer=viewer).select_related("framework").filter(pk=pk).first() if pk else None
    )
    if item is None:
        raise NotVisible()
    return item


# --- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeToken:
    """One step of a flattened tree: ``open`` (has children), ``leaf``, or ``close``."""

    kind: str
    item: FrameworkItem | None = None
    depth: int = 0


def framework_tree(*, viewer: Viewer, framework: Framework) -> list[TreeToken]:
    """The framework's current items as a flat list of open/leaf/close tokens, in order.

    The tree follows ``isChildOf``; an item with several parents sits under the first; items
    with no parent in the framework are at the top.
    """
    if framework.district_id != viewer.district_id:
        raise NotVisible()
    items = {i.pk: i for i in FrameworkItem.objects.filter(framework=framework, retired=False)}
    parent: dict[int, int | None] = {}
    order: dict[int, tuple[int, int]] = {}
    for origin, dest, seq, pk in (
        FrameworkAssociation.objects.filter(
            framework=framework, association_type=HIERARCHY, origin_item__in=list(items)
        )
        .order_by("id")
        .values_list("origin_item_id", "destination_item_id", "sequence_number", "pk")
    ):
        if origin in parent:
            continue
        parent[origin] = dest if dest in items else None
        order[origin] = (seq if seq is not None else 2**31, pk)
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk in items:
        children[parent.get(pk)].append(pk)

    def key(pk: int) -> tuple[object, ...]:
        item = items[pk]
        seq, assoc = order.get(pk, (2**31, 0))
        return (seq, item.list_enumeration, item.human_coding_scheme, assoc, pk)

    tokens: list[TreeToken] = []
    placed: set[int] = set()
    stack: list[tuple[int, int] | None] = [(pk, 0) for pk in sorted(children[None], key=key)][::-1]
    while stack:
        entry = stack.pop()
        if entry is None:
            tokens.append(TreeToken("close"))
            continue
        pk, depth = entry
        if pk in placed:  # guards against a cycle left by an older version
            continue
        placed.add(pk)
        kids = [k for k in sorted(children.get(pk, []), key=key) if k not in placed]
        if kids:
            tokens.append(TreeToken("open", items[pk], depth))
            stack.append(None)
            stack.extend((k, depth + 1) for k in reversed(kids))
        else:
            tokens.append(TreeToken("leaf", items[pk], depth))
    return tokens


# --- prerequisites --------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """A prerequisite edge seen from one item: the other item, and where the edge comes from."""

    item: FrameworkItem
    source: str  # "framework" or "district"
    note: str = ""


def prerequisite_edges(district_id: int) -> dict[tuple[int, int], str]:
    """Every prerequisite edge of a district between current items: (before, after) → source."""
    edges: dict[tuple[int, int], str] = {}
    for a, b in FrameworkAssociation.objects.filter(
        district_id=district_id,
        association_type=PRECEDES,
        origin_item__retired=False,
        destination_item__retired=False,
    ).values_list("origin_item_id", "destination_item_id"):
        edges[(a, b)] = "framework"
    for a, b in DistrictPrerequisite.objects.filter(
        district_id=district_id, prerequisite__retired=False, dependent__retired=False
    ).values_list("prerequisite_id", "dependent_id"):
        edges.setdefault((a, b), "district")
    return edges


def _sorted(edges: list[Edge]) -> list[Edge]:
    return sorted(edges, key=lambda e: (e.item.human_coding_scheme, e.item.pk))


def item_prerequisites(*, viewer: Viewer, item: FrameworkItem) -> list[Edge]:
    """The item's direct prerequisites, from the framework's precedes and the district's CSV."""
    if item.district_id != viewer.district_id:
        raise NotVisible()
    out = [
        Edge(a.origin_item, "framework")
        for a in FrameworkAssociation.objects.filter(
            destination_item=item, association_type=PRECEDES, origin_item__retired=False
        ).select_related("origin_item")
        if a.origin_item is not None
    ]
    out += [
        Edge(e.prerequisite, "district", e.note)
        for e in DistrictPrerequisite.objects.filter(
            dependent=item, prerequisite__retired=False
        ).select_related("prerequisite")
    ]
    return _sorted(out)


def item_dependents(*, viewer: Viewer, item: FrameworkItem) -> list[Edge]:
    """The items that list this one as a prerequisite."""
    if item.district_id != viewer.district_id:
        raise NotVisible()
    out = [
        Edge(a.destination_item, "framework")
        for a in FrameworkAssociation.objects.filter(
            origin_item=item, association_type=PRECEDES, destination_item__retired=False
        ).select_related("destination_item")
        if a.destination_item is not None
    ]
    out += [
        Edge(e.dependent, "district", e.note)
        for e in DistrictPrerequisite.objects.filter(
            prerequisite=item, dependent__retired=False
        ).select_related("dependent")
    ]
    return _sorted(out)


@dataclass
class Neighbourhood:
    """An item's prerequisites (``up``) and dependents (``down``), level by level."""

    center: FrameworkItem
    up: list[list[FrameworkItem]] = field(default_factory=list)  # up[0] = direct prerequisites
    down: list[list[FrameworkItem]] = field(default_factory=list)
    edges: list[tuple[int, int, str]] = field(default_factory=list)  # (before, after, source)

    @property
    def items(self) -> list[FrameworkItem]:
        return [self.center, *(i for row in self.up + self.down for i in row)]


def prerequisite_neighbourhood(
    *, viewer: Viewer, item: FrameworkItem, depth: int = 2
) -> Neighbourhood:
    """Prerequisites and dependents of an item up to ``depth`` steps away, with the edges."""
    if item.district_id != viewer.district_id:
        raise NotVisible()
    edges = prerequisite_edges(item.district_id)
    before: dict[int, set[int]] = defaultdict(set)
    after: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        after[a].add(b)
        before[b].add(a)
    up_ids = levels(item.pk, before, depth)
    down_ids = levels(item.pk, after, depth)
    wanted = {pk for row in up_ids + down_ids for pk in row}
    rows = {i.pk: i for i in FrameworkItem.objects.filter(pk__in=wanted)}

    def ordered(ids: set[int]) -> list[FrameworkItem]:
        return sorted((rows[pk] for pk in ids), key=lambda i: (i.human_coding_scheme, i.pk))

    shown = wanted | {item.pk}
    return Neighbourhood(
        center=item,
        up=[ordered(r) for r in up_ids],
        down=[ordered(r) for r in down_ids],
        edges=sorted((a, b, s) for (a, b), s in edges.items() if a in shown and b in shown),
    )
