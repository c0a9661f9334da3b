"""Small directed-graph helpers over hashable node ids (no database)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def find_cycle(edges: Iterable[tuple[N, N]]) -> list[N] | None:
    """One cycle (as a closed path ``[a, b, …, a]``) if the edges have one, else None.

    Iterative depth-first search, so deep chains do not hit the recursion limit.
    """
    succ: dict[N, list[N]] = defaultdict(list)
    nodes: dict[N, None] = {}
    for a, b in edges:
        succ[a].append(b)
        nodes.setdefault(a)
        nodes.setdefault(b)
    state: dict[N, int] = {}  # 1 = on the current path, 2 = done
    for start in nodes:
        if start in state:
            continue
        path: list[N] = [start]
        state[start] = 1
        stack = [iter(succ[start])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(succ[child]))
    return None


def levels(start: N, neighbours: dict[N, set[N]], depth: int) -> list[set[N]]:
    """Nodes reachable from ``start`` at each distance 1..depth (each node at its nearest)."""
    seen = {start}
    frontier = {start}
    out: list[set[N]] = []
    for _ in range(depth):
        nxt = {n for f in frontier for n in neighbours.get(f, set())} - seen
        if not nxt:
            break
        out.append(nxt)
        seen |= nxt
        frontier = nxt
    return out
