"""Suggested small groups: learners of a section placed in groups, each with one target standard.

The objective (also in ``docs/classroom-grouping.md``)
-------------------------------------------------------
Every learner has a *next need* (a standard) and, optionally, the set of standards they have
mastered (without it, every prerequisite of the need, direct or indirect, counts as mastered:
the need is ready to learn). Each group gets one *target* standard from a candidate set (the
teacher's chosen standards, or "next up": the learners' next needs). The cost of placing a
learner with need ``s`` in a group with target ``t`` is, with ``h`` the number of hops between
``s`` and ``t`` in the prerequisite graph taken in either direction (capped at
``Costs.max_hops``; unconnected standards count as the cap):

======================  =========================================================  ==============
relation                when                                                       cost
======================  =========================================================  ==============
next                    ``t == s``                                                 0
review                  ``t`` is mastered (e.g. a prerequisite of the need)        1 × h
ready                   ``t`` not mastered, every prerequisite of ``t`` mastered   1 × h
not ready               ``t`` has a prerequisite the learner has not mastered      10 + 2 × h
======================  =========================================================  ==============

So a step back (review) or sideways (another ready standard) costs a point per hop, and a
step forward past what the learner is ready for costs most: more than any ready target, and
more the further it is. The weights are :class:`Costs` fields; ``not_ready`` must exceed the
largest ready cost so the ordering always holds.

The model minimises the total cost over learners, plus ``group_cost`` per group (0 by
default: fewer groups are then only a tie-break after solving, never traded for distance),
subject to: every learner placed exactly once; every group between ``min_size`` and
``max_size`` learners; at most ``max_groups`` groups if given. It is an integer program solved
with HiGHS. Learners with the same cost row are interchangeable, so the model counts them
instead of naming them: ``y[k, t]`` = learners of kind ``k`` sent to target ``t`` (integer),
``g[t]`` = groups with target ``t`` (integer), with
``sum_t y[k, t] = m_k`` and ``min_size g[t] <= sum_k y[k, t] <= max_size g[t]``.
Any ``n_t`` learners with ``min g <= n_t <= max g`` split into ``ceil(n_t / max_size)`` groups
within the bounds, so this is exact: the tests check it against brute force over all
partitions of small classes. A class smaller than ``min_size`` is one group, with the target
of least total cost.

Speed (HiGHS 1.16, one thread, 2-core AMD EPYC, 20 random instances each, solve time):
120 learners x 20 candidate targets with every learner's own mastered set (no two learners
merge) 0.18 s median, 0.32 s worst; with readiness inferred from the need 0.06 s / 0.09 s;
an unstructured random 120 x 20 cost matrix 0.09 s / 0.19 s (sizes 3-6) and 0.28 s / 0.36 s
(sizes 3-4); 300 learners x 40 targets about 2 s. All proven optimal. ``time_limit``
(default 10 s) caps the solver; the result reports HiGHS's status, the objective, its bound
and the gap, and a feasible start is always passed in, so a stop at the limit still returns
valid groups (``gap`` is then ``inf`` if no bound was proven).
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

__all__ = [
    "Assignment",
    "Costs",
    "Group",
    "Grouping",
    "Learner",
    "PrerequisiteGraph",
    "Relation",
    "cost_matrix",
    "solve_assignment",
    "suggest_groups",
]


class Relation(StrEnum):
    """How a group's target stands to a learner (see the module docstring)."""

    NEXT = "next"
    REVIEW = "review"
    READY = "ready"
    NOT_READY = "not ready"


@dataclass(frozen=True)
class Learner:
    """One learner: an id, their next need, and the standards they have mastered.

    ``mastered=None`` means "not given": every prerequisite of the need, direct or indirect,
    counts as mastered (the need is ready to learn) and nothing else does.
    """

    id: Hashable
    need: Hashable
    mastered: frozenset[Hashable] | None = None


@dataclass(frozen=True)
class Costs:
    """Weights of the distance between a learner's need and a group's target."""

    review_per_hop: float = 1.0
    ready_per_hop: float = 1.0
    not_ready: float = 10.0
    not_ready_per_hop: float = 2.0
    max_hops: int = 4

    def validate(self) -> None:
        weights = (self.review_per_hop, self.ready_per_hop, self.not_ready, self.not_ready_per_hop)
        if min(weights) < 0 or not all(math.isfinite(w) for w in weights):
            raise ValueError("cost weights must be finite and non-negative")
        if self.max_hops < 1:
            raise ValueError("max_hops must be at least 1")
        if self.not_ready <= max(self.review_per_hop, self.ready_per_hop) * self.max_hops:
            raise ValueError(
                "not_ready must exceed every ready cost "
                "(max(review_per_hop, ready_per_hop) x max_hops)"
            )


class PrerequisiteGraph:
    """A prerequisite graph (standard -> its direct prerequisites) with hop distances.

    Cycles (bad data) are tolerated: distances are breadth-first shortest paths.
    """

    def __init__(self, prerequisites: Mapping[Hashable, Iterable[Hashable]]) -> None:
        self._before: dict[Hashable, frozenset[Hashable]] = {}
        self._after: dict[Hashable, set[Hashable]] = {}
        for standard, before in prerequisites.items():
            direct = frozenset(p for p in before if p != standard)
            self._before[standard] = direct
            for p in direct:
                self._after.setdefault(p, set()).add(standard)
        self._cache: dict[tuple[str, Hashable], dict[Hashable, int]] = {}

    def prerequisites(self, standard: Hashable) -> frozenset[Hashable]:
        """Direct prerequisites of ``standard``."""
        return self._before.get(standard, frozenset())

    def _neighbours(self, kind: str, node: Hashable) -> Iterable[Hashable]:
        if kind == "up":
            return self._before.get(node, ())
        if kind == "down":
            return self._after.get(node, ())
        return (*self._before.get(node, ()), *self._after.get(node, ()))

    def _bfs(self, kind: str, start: Hashable) -> dict[Hashable, int]:
        key = (kind, start)
        found = self._cache.get(key)
        if found is None:
            found = {start: 0}
            queue = deque([start])
            while queue:
                node = queue.popleft()
                for nxt in self._neighbours(kind, node):
                    if nxt not in found:
                        found[nxt] = found[node] + 1
                        queue.append(nxt)
            self._cache[key] = found
        return found

    def ancestors(self, standard: Hashable) -> dict[Hashable, int]:
        """Every standard upstream of ``standard`` (its prerequisites, transitively), in hops."""
        up = dict(self._bfs("up", standard))
        del up[standard]
        return up

    def hops(self, a: Hashable, b: Hashable) -> int | None:
        """Fewest edges between ``a`` and ``b`` in either direction; ``None`` if unconnected."""
        return self._bfs("any", a).get(b)


def _relation(
    graph: PrerequisiteGraph, learner: Learner, target: Hashable
) -> tuple[Relation, frozenset[Hashable]]:
    """The learner's relation to ``target`` and the target's prerequisites they lack."""
    if target == learner.need:
        return Relation.NEXT, frozenset()
    mastered = (
        frozenset(graph.ancestors(learner.need)) if learner.mastered is None else learner.mastered
    )
    if target in mastered:
        return Relation.REVIEW, frozenset()
    missing = graph.prerequisites(target) - mastered
    if missing:
        return Relation.NOT_READY, missing
    return Relation.READY, frozenset()


def _cost(graph: PrerequisiteGraph, learner: Learner, target: Hashable, costs: Costs) -> float:
    relation, _ = _relation(graph, learner, target)
    if relation is Relation.NEXT:
        return 0.0
    hops = graph.hops(learner.need, target)
    h = costs.max_hops if hops is None else min(hops, costs.max_hops)
    if relation is Relation.REVIEW:
        return costs.review_per_hop * h
    if relation is Relation.READY:
        return costs.ready_per_hop * h
    return costs.not_ready + costs.not_ready_per_hop * h


def cost_matrix(
    learners: Sequence[Learner],
    targets: Sequence[Hashable],
    graph: PrerequisiteGraph,
    costs: Costs | None = None,
) -> F8:
    """``(n_learners, n_targets)`` cost of placing each learner in a group for each target."""
    costs = costs or Costs()
    costs.validate()
    out = np.empty((len(learners), len(targets)))
    for i, learner in enumerate(learners):
        for j, target in enumerate(targets):
            out[i, j] = _cost(graph, learner, target, costs)
    return out


@dataclass(frozen=True)
class Assignment:
    """The solver's answer on a cost matrix.

    ``target`` is each learner's target column; ``groups`` the number of groups per column
    (the fewest that fit ``max_size``); ``objective`` = ``distance`` + ``group_cost`` x groups.
    ``status`` is HiGHS's model status ("Optimal", "Time limit reached", ...) or "single group"
    when the class is smaller than ``min_size``; ``gap`` is the relative MIP gap (0 when
    proven optimal) and ``bound`` the solver's lower bound on the objective.
    """

    target: I64
    groups: I64
    objective: float
    distance: float
    status: str
    gap: float
    bound: float
    seconds: float


def _check_bounds(n: int, min_size: int, max_size: int, max_groups: int | None) -> None:
    if min_size < 1 or max_size < min_size:
        raise ValueError(
            f"group size bounds must satisfy 1 <= min_size <= max_size "
            f"(got min_size={min_size}, max_size={max_size})"
        )
    if max_groups is not None and max_groups < 1:
        raise ValueError(f"max_groups must be at least 1 (got {max_groups})")
    if n < min_size:
        return
    fewest = -(-n // max_size)
    most = n // min_size if max_groups is None else min(n // min_size, max_groups)
    if fewest > most:
        raise ValueError(
            f"{n} learners cannot be split into groups of {min_size} to {max_size}"
            + (
                ""
                if max_groups is None
                else f" with at most {max_groups} group{'' if max_groups == 1 else 's'}"
            )
        )


def solve_assignment(
    cost: npt.ArrayLike,
    *,
    min_size: int = 3,
    max_size: int = 6,
    group_cost: float = 0.0,
    max_groups: int | None = None,
    time_limit: float = 10.0,
    gap: float = 0.0,
) -> Assignment:
    """Place each row (learner) in a column (target) so the group sizes fit, at least cost.

    Raises ``ValueError`` when no grouping fits the bounds (for example 7 learners in groups
    of 4 to 5), when the matrix has no columns, or when costs are not finite.
    """
    started = time.perf_counter()
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError("cost must be a 2-d (learners x targets) matrix")
    n, n_targets = c.shape
    if n_targets == 0:
        raise ValueError("at least one candidate target is needed")
    if not np.all(np.isfinite(c)):
        raise ValueError("costs must be finite")
    if not math.isfinite(group_cost) or group_cost < 0:
        raise ValueError("group_cost must be finite and non-negative")
    _check_bounds(n, min_size, max_size, max_groups)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Assignment(empty, np.zeros(n_targets, np.int64), 0.0, 0.0, "empty", 0.0, 0.0, 0.0)
    if n < min_size:
        best = int(np.argmin(c.sum(axis=0)))
        groups = np.zeros(n_targets, dtype=np.int64)
        groups[best] = 1
        distance = float(c[:, best].sum())
        return Assignment(
            np.full(n, best, dtype=np.int64),
            groups,
            distance + group_cost,
            distance,
            "single group",
            0.0,
            distance + group_cost,
            time.perf_counter() - started,
        )

    # learners with identical cost rows are interchangeable: count them (kinds)
    kinds, kind_of, kind_size = np.unique(c, axis=0, return_inverse=True, return_counts=True)
    kind_of = kind_of.reshape(-1)
    n_kinds = kinds.shape[0]
    n_y = n_kinds * n_targets
    n_cols = n_y + n_targets
    most_groups = n // min_size if max_groups is None else min(n // min_size, max_groups)

    col_cost = np.concatenate([kinds.reshape(-1), np.full(n_targets, float(group_cost))])
    col_lower = np.zeros(n_cols)
    col_upper = np.concatenate(
        [np.repeat(kind_size.astype(np.float64), n_targets), np.full(n_targets, most_groups, float)]
    )
    # rows: [0, K) each kind placed; [K, K+T) size >= min g; [K+T, K+2T) size <= max g;
    # optionally one row for max_groups
    n_rows = n_kinds + 2 * n_targets + (0 if max_groups is None else 1)
    row_lower = np.concatenate(
        [kind_size.astype(np.float64), np.zeros(n_targets), np.full(n_targets, -np.inf)]
    )
    row_upper = np.concatenate(
        [kind_size.astype(np.float64), np.full(n_targets, np.inf), np.zeros(n_targets)]
    )
    if max_groups is not None:
        row_lower = np.append(row_lower, -np.inf)
        row_upper = np.append(row_upper, float(max_groups))
    # column-wise matrix: y[k, t] -> rows k, K + t, K + T + t; g[t] -> K + t, K + T + t (, last)
    k_idx, t_idx = np.divmod(np.arange(n_y), n_targets)
    y_index = np.stack([k_idx, n_kinds + t_idx, n_kinds + n_targets + t_idx], axis=1).reshape(-1)
    y_value = np.ones(3 * n_y)
    t_all = np.arange(n_targets)
    g_rows = [n_kinds + t_all, n_kinds + n_targets + t_all]
    g_vals = [np.full(n_targets, -float(min_size)), np.full(n_targets, -float(max_size))]
    if max_groups is not None:
        g_rows.append(np.full(n_targets, n_rows - 1))
        g_vals.append(np.ones(n_targets))
    per_g = len(g_rows)
    g_index = np.stack(g_rows, axis=1).reshape(-1)
    g_value = np.stack(g_vals, axis=1).reshape(-1)
    a_index = np.concatenate([y_index, g_index]).astype(np.int32)
    a_value = np.concatenate([y_value, g_value])
    a_start = np.concatenate(
        [np.arange(0, 3 * n_y, 3), 3 * n_y + np.arange(0, per_g * n_targets, per_g)]
    ).astype(np.int32)

    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.passModel(
        n_cols,
        n_rows,
        int(a_index.shape[0]),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        col_cost,
        col_lower,
        col_upper,
        row_lower,
        row_upper,
        a_start,
        a_index,
        a_value,
        np.ones(n_cols, dtype=np.int32),
    )
    # a feasible start: everyone on the single target of least total cost
    start = np.zeros(n_cols)
    best = int(np.argmin(c.sum(axis=0)))
    start[np.arange(n_kinds) * n_targets + best] = kind_size
    start[n_y + best] = -(-n // max_size)
    h.setSolution(n_cols, np.arange(n_cols, dtype=np.int32), start)
    h.run()

    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    solution = h.getSolution()
    if not solution.value_valid:
        raise RuntimeError(f"HiGHS found no grouping ({status})")
    y = np.rint(np.asarray(solution.col_value)[:n_y]).astype(np.int64).reshape(n_kinds, n_targets)

    # hand the counted places back to learners, in input order within each kind
    target = np.empty(n, dtype=np.int64)
    for k in range(n_kinds):
        members = np.flatnonzero(kind_of == k)
        target[members] = np.repeat(np.arange(n_targets), y[k])
    sizes = np.bincount(target, minlength=n_targets)
    groups = -(-sizes // max_size)
    distance = float(c[np.arange(n), target].sum())
    objective = distance + group_cost * float(groups.sum())
    optimal = status == "Optimal"
    return Assignment(
        target=target,
        groups=groups.astype(np.int64),
        objective=objective,
        distance=distance,
        status=status,
        gap=0.0 if optimal and info.mip_gap < 1e-9 else float(info.mip_gap),
        bound=float(info.mip_dual_bound),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Group:
    """One suggested group: its target, its learners, and why.

    ``relations`` counts learners by :class:`Relation`; ``missing`` pairs each set of the
    target's prerequisites that some not-ready learners lack with how many lack it.
    """

    target: Hashable
    learners: tuple[Hashable, ...]
    cost: float
    relations: Mapping[Relation, int]
    missing: tuple[tuple[tuple[str, ...], int], ...]
    explanation: str


@dataclass(frozen=True)
class Grouping:
    """Suggested groups and how the solver did (see :class:`Assignment`)."""

    groups: tuple[Group, ...]
    objective: float
    distance: float
    status: str
    gap: float
    bound: float
    seconds: float
    targets: tuple[Hashable, ...] = field(default=())


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def explain(
    target_label: str,
    relations: Mapping[Relation, int],
    missing: Sequence[tuple[tuple[str, ...], int]],
) -> str:
    """One sentence: who is in the group and what some of them need first.

    E.g. "5 learners for 4.NF.B.3: 3 need it next; 2 of them need 4.NF.A.1 first."
    """
    size = sum(relations.values())
    not_ready = relations.get(Relation.NOT_READY, 0)
    nxt = relations.get(Relation.NEXT, 0)
    head = _n(size, "learner", "learners") + (" for " if not_ready else " ready for ")
    head += target_label
    if nxt == size:
        return head + (": it is their next step." if size > 1 else ": it is the next step.")
    parts = []
    if nxt:
        parts.append(f"{nxt} {'needs' if nxt == 1 else 'need'} it next")
    ready = relations.get(Relation.READY, 0)
    if ready:
        parts.append(f"{ready} {'is' if ready == 1 else 'are'} also ready for it")
    review = relations.get(Relation.REVIEW, 0)
    if review:
        parts.append(f"{review} {'reviews' if review == 1 else 'review'} it")
    sentence = head + (": " + ", ".join(parts) if parts else "")
    if not_ready:
        lacks = [
            f"{count} {'needs' if count == 1 else 'need'} {' and '.join(labels)} first"
            for labels, count in missing
        ]
        if parts:
            count_text, rest = lacks[0].split(" ", 1)
            lacks[0] = f"{count_text} of them {rest}"
        sentence += ("; " if parts else ": ") + ", ".join(lacks)
    return sentence + "."


def _split(members: list[int], n_groups: int) -> list[list[int]]:
    """Consecutive chunks whose sizes differ by at most one."""
    q, r = divmod(len(members), n_groups)
    out, at = [], 0
    for g in range(n_groups):
        size = q + (1 if g < r else 0)
        out.append(members[at : at + size])
        at += size
    return out


def suggest_groups(
    learners: Sequence[Learner],
    prerequisites: Mapping[Hashable, Iterable[Hashable]] | PrerequisiteGraph,
    *,
    targets: Sequence[Hashable] | None = None,
    min_size: int = 3,
    max_size: int = 6,
    costs: Costs | None = None,
    group_cost: float = 0.0,
    max_groups: int | None = None,
    time_limit: float = 10.0,
    gap: float = 0.0,
    label: Callable[[Hashable], str] = str,
) -> Grouping:
    """Suggested groups for ``learners``: each group one target, every learner placed once.

    ``targets`` are the candidate target standards; ``None`` means "next up", the learners'
    distinct next needs. ``label`` names a standard in explanations (e.g. its human coding).
    Within a target, learners are split into the fewest groups that fit ``max_size``, with
    learners of the same need and relation kept together. Raises ``ValueError`` for bounds
    no grouping can meet.
    """
    if not learners:
        return Grouping((), 0.0, 0.0, "empty", 0.0, 0.0, 0.0, tuple(targets or ()))
    graph = (
        prerequisites
        if isinstance(prerequisites, PrerequisiteGraph)
        else PrerequisiteGraph(prerequisites)
    )
    ids = [learner.id for learner in learners]
    if len(set(ids)) != len(ids):
        raise ValueError("learner ids must be unique")
    if targets is None:
        targets = sorted({learner.need for learner in learners}, key=lambda s: (label(s), str(s)))
    targets = tuple(dict.fromkeys(targets))
    if not targets and learners:
        raise ValueError("at least one candidate target is needed")
    costs = costs or Costs()
    matrix = cost_matrix(learners, targets, graph, costs)
    result = solve_assignment(
        matrix.reshape(len(learners), len(targets)),
        min_size=min_size,
        max_size=max_size,
        group_cost=group_cost,
        max_groups=max_groups,
        time_limit=time_limit,
        gap=gap,
    )
    order = {relation: rank for rank, relation in enumerate(Relation)}
    groups: list[Group] = []
    for j, target in enumerate(targets):
        members = [i for i in range(len(learners)) if result.target[i] == j]
        if not members:
            continue
        relation_of = {i: _relation(graph, learners[i], target) for i in members}
        members.sort(
            key=lambda i: (
                order[relation_of[i][0]],
                label(learners[i].need),
                matrix[i, j],
                i,
            )
        )
        for chunk in _split(members, int(result.groups[j])):
            relations = Counter(relation_of[i][0] for i in chunk)
            lacking = Counter(
                tuple(sorted(label(p) for p in relation_of[i][1]))
                for i in chunk
                if relation_of[i][0] is Relation.NOT_READY
            )
            missing = tuple(sorted(lacking.items(), key=lambda item: (-item[1], item[0])))
            groups.append(
                Group(
                    target=target,
                    learners=tuple(learners[i].id for i in chunk),
                    cost=float(matrix[chunk, j].sum()),
                    relations={r: relations[r] for r in Relation if relations[r]},
                    missing=missing,
                    explanation=explain(label(target), relations, missing),
                )
            )
    return Grouping(
        groups=tuple(groups),
        objective=result.objective,
        distance=result.distance,
        status=result.status,
        gap=result.gap,
        bound=result.bound,
        seconds=result.seconds,
        targets=targets,
    )
