"""Suggested small groups: bounds and placement always hold, the optimum equals brute force."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from waypoint.engine.grouping import (
    Costs,
    Learner,
    PrerequisiteGraph,
    Relation,
    cost_matrix,
    explain,
    solve_assignment,
    suggest_groups,
)

# 3.NF.A.1 -> 4.NF.A.1 -> 4.NF.B.3 -> 4.NF.B.4 ; 4.OA.A.1 stands alone
PREREQS = {
    "4.NF.A.1": ["3.NF.A.1"],
    "4.NF.B.3": ["4.NF.A.1"],
    "4.NF.B.4": ["4.NF.B.3"],
    "4.OA.A.1": [],
}


def partitions(items: list[int]) -> Iterator[list[list[int]]]:
    """Every set partition of ``items`` (Bell(7) = 877 for seven learners)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]


def brute_force(
    cost: np.ndarray, min_size: int, max_size: int, group_cost: float, max_groups: int | None
) -> float | None:
    """Least total cost over all partitions into groups, each group on its best target."""
    n = cost.shape[0]
    if n == 0:
        return 0.0
    if n < min_size:
        return float(cost.sum(axis=0).min()) + group_cost
    best: float | None = None
    for partition in partitions(list(range(n))):
        if max_groups is not None and len(partition) > max_groups:
            continue
        if any(not min_size <= len(block) <= max_size for block in partition):
            continue
        total = sum(float(cost[block].sum(axis=0).min()) + group_cost for block in partition)
        best = total if best is None else min(best, total)
    return best


def check_grouping(n: int, targets: np.ndarray, groups: np.ndarray, lo: int, hi: int) -> None:
    """Every learner has exactly one target; the sizes per target split within the bounds."""
    assert targets.shape == (n,)
    sizes = np.bincount(targets, minlength=groups.shape[0])
    if n < lo:
        assert n == 0 or (groups.sum() == 1 and sizes.max() == n)
        return
    for size, count in zip(sizes, groups, strict=True):
        assert (size == 0) == (count == 0)
        if count:
            assert lo * count <= size <= hi * count


small_cost = st.integers(1, 7).flatmap(
    lambda n: st.integers(1, 3).flatmap(
        lambda t: st.lists(
            st.lists(st.integers(0, 20), min_size=t, max_size=t), min_size=n, max_size=n
        )
    )
)
bounds = st.integers(1, 4).flatmap(lambda lo: st.tuples(st.just(lo), st.integers(lo, 6)))


@settings(max_examples=120, deadline=None)
@given(
    cost=small_cost,
    size=bounds,
    group_cost=st.sampled_from([0.0, 2.5, 7.0]),
    max_groups=st.none() | st.integers(1, 4),
)
def test_optimum_equals_brute_force_over_all_partitions(
    cost: list[list[int]], size: tuple[int, int], group_cost: float, max_groups: int | None
) -> None:
    c = np.asarray(cost, dtype=float)
    lo, hi = size
    expected = brute_force(c, lo, hi, group_cost, max_groups)
    event("infeasible" if expected is None else f"{len(c)} learners, {c.shape[1]} targets")
    if expected is None:
        with pytest.raises(ValueError, match="cannot be split"):
            solve_assignment(
                c, min_size=lo, max_size=hi, group_cost=group_cost, max_groups=max_groups
            )
        return
    result = solve_assignment(
        c, min_size=lo, max_size=hi, group_cost=group_cost, max_groups=max_groups
    )
    assert result.objective == pytest.approx(expected, abs=1e-9)
    assert result.distance == pytest.approx(c[np.arange(len(c)), result.target].sum())
    check_grouping(len(c), result.target, result.groups, lo, hi)
    if max_groups is not None:
        assert result.groups.sum() <= max_groups
    assert result.status in ("Optimal", "single group")
    assert result.gap == 0.0


@pytest.mark.parametrize(("lo", "hi"), [(3, 6), (2, 3), (1, 2), (2, 4)])
def test_optimum_equals_brute_force_on_seven_learners_and_three_targets(lo: int, hi: int) -> None:
    rng = np.random.default_rng(lo * 10 + hi)
    for _ in range(15):
        n = int(rng.integers(5, 8))
        c = rng.integers(0, 15, size=(n, 3)).astype(float)
        group_cost = float(rng.choice([0.0, 3.0]))
        expected = brute_force(c, lo, hi, group_cost, None)
        result = solve_assignment(c, min_size=lo, max_size=hi, group_cost=group_cost)
        assert expected is not None
        assert result.objective == pytest.approx(expected, abs=1e-9)


STANDARDS = [f"S{i}" for i in range(8)]


@st.composite
def classes(draw: st.DrawFn) -> tuple[dict[str, list[str]], list[Learner], list[str], int, int]:
    prereqs = {
        s: draw(st.lists(st.sampled_from(STANDARDS[:i]), max_size=2, unique=True)) if i else []
        for i, s in enumerate(STANDARDS)
    }
    n = draw(st.integers(0, 40))
    learners = []
    for i in range(n):
        need = draw(st.sampled_from(STANDARDS))
        mastered = draw(st.none() | st.frozensets(st.sampled_from(STANDARDS), max_size=5))
        learners.append(Learner(f"L{i}", need, mastered))
    targets = draw(st.lists(st.sampled_from(STANDARDS), min_size=1, max_size=6, unique=True))
    lo = draw(st.integers(1, 4))
    hi = draw(st.integers(lo, 7))
    return prereqs, learners, targets, lo, hi


@settings(max_examples=60, deadline=None)
@given(case=classes(), next_up=st.booleans())
def test_every_learner_placed_once_in_a_group_within_bounds_with_one_target(
    case: tuple[dict[str, list[str]], list[Learner], list[str], int, int], next_up: bool
) -> None:
    prereqs, learners, targets, lo, hi = case
    n = len(learners)
    if n >= lo and -(-n // hi) > n // lo:
        with pytest.raises(ValueError, match="cannot be split"):
            suggest_groups(learners, prereqs, targets=targets, min_size=lo, max_size=hi)
        return
    candidates = None if next_up else targets
    grouping = suggest_groups(learners, prereqs, targets=candidates, min_size=lo, max_size=hi)
    placed = [learner for group in grouping.groups for learner in group.learners]
    assert sorted(placed) == sorted(learner.id for learner in learners)
    allowed = {learner.need for learner in learners} if next_up else set(targets)
    for group in grouping.groups:
        assert group.target in allowed
        assert sum(group.relations.values()) == len(group.learners)
        assert group.explanation.startswith(f"{len(group.learners)} learner")
        if n >= lo:
            assert lo <= len(group.learners) <= hi
    if 0 < n < lo:
        assert len(grouping.groups) == 1
    assert grouping.distance == pytest.approx(sum(group.cost for group in grouping.groups))


def test_costs_follow_the_documented_table() -> None:
    graph = PrerequisiteGraph(PREREQS)
    learner = Learner("a", "4.NF.B.3")  # mastered inferred: 4.NF.A.1 and 3.NF.A.1
    targets = ["4.NF.B.3", "4.NF.A.1", "3.NF.A.1", "4.OA.A.1", "4.NF.B.4"]
    row = cost_matrix([learner], targets, graph)[0]
    # next 0; review 1 per hop; unconnected ready standard: the cap (4 hops); not ready 10 + 2h
    assert row.tolist() == [0.0, 1.0, 2.0, 4.0, 12.0]
    behind = Learner("b", "4.NF.A.1")
    # asymmetry: one hop back costs 1, one hop forward (not ready) costs 12
    assert cost_matrix([learner, behind], ["4.NF.A.1", "4.NF.B.3"], graph).tolist() == [
        [1.0, 0.0],
        [0.0, 12.0],
    ]


def test_given_mastered_set_decides_readiness() -> None:
    graph = PrerequisiteGraph(PREREQS)
    gap = Learner("c", "4.NF.B.4", mastered=frozenset({"3.NF.A.1", "4.NF.B.3"}))
    # 4.NF.A.1 is upstream but not mastered; its prerequisite is, so it is ready (2 hops)
    assert cost_matrix([gap], ["4.NF.A.1"], graph)[0, 0] == 2.0
    lacking = Learner("d", "4.NF.A.1", mastered=frozenset())
    assert cost_matrix([lacking], ["4.NF.A.1", "4.OA.A.1", "4.NF.B.3"], graph).tolist() == [
        [0.0, 4.0, 12.0]
    ]


def test_costs_must_keep_not_ready_most_expensive() -> None:
    with pytest.raises(ValueError, match="not_ready must exceed"):
        cost_matrix([Learner("a", "x")], ["x"], PrerequisiteGraph({}), Costs(not_ready=3.0))


def test_explanation_names_the_right_counts() -> None:
    learners = [Learner(f"r{i}", "4.NF.B.3") for i in range(3)] + [
        Learner(f"g{i}", "4.NF.A.1") for i in range(2)
    ]
    grouping = suggest_groups(learners, PREREQS, targets=["4.NF.B.3"], max_size=6)
    (group,) = grouping.groups
    assert group.relations == {Relation.NEXT: 3, Relation.NOT_READY: 2}
    assert group.missing == ((("4.NF.A.1",), 2),)
    assert (
        group.explanation
        == "5 learners for 4.NF.B.3: 3 need it next; 2 of them need 4.NF.A.1 first."
    )
    # learners sharing a need and relation stay together, the ones ready first
    assert group.learners == ("r0", "r1", "r2", "g0", "g1")


def test_explanation_wording() -> None:
    assert explain("X", {Relation.NEXT: 4}, ()) == "4 learners ready for X: it is their next step."
    assert (
        explain("X", {Relation.NEXT: 1, Relation.READY: 2, Relation.REVIEW: 1}, ())
        == "4 learners ready for X: 1 needs it next, 2 are also ready for it, 1 reviews it."
    )
    assert (
        explain("X", {Relation.NOT_READY: 3}, ((("A",), 2), (("A", "B"), 1)))
        == "3 learners for X: 2 need A first, 1 needs A and B first."
    )


def test_next_up_groups_learners_by_need() -> None:
    needs = ["4.NF.B.3"] * 4 + ["4.OA.A.1"] * 3 + ["4.NF.A.1"] * 3
    learners = [Learner(i, need) for i, need in enumerate(needs)]
    grouping = suggest_groups(learners, PREREQS)
    assert grouping.status == "Optimal"
    assert grouping.objective == 0.0
    assert grouping.targets == ("4.NF.A.1", "4.NF.B.3", "4.OA.A.1")
    assert {g.target: set(g.learners) for g in grouping.groups} == {
        "4.NF.B.3": {0, 1, 2, 3},
        "4.OA.A.1": {4, 5, 6},
        "4.NF.A.1": {7, 8, 9},
    }


def test_a_need_too_rare_for_a_group_joins_the_nearest_target() -> None:
    needs = ["4.NF.B.3"] * 4 + ["4.NF.A.1"]
    grouping = suggest_groups([Learner(i, need) for i, need in enumerate(needs)], PREREQS)
    (group,) = grouping.groups
    # reviewing 4.NF.A.1 costs the four others 1 each; 4.NF.B.3 costs the one 12
    assert group.target == "4.NF.A.1"
    assert grouping.objective == 4.0


def test_large_target_splits_into_balanced_groups() -> None:
    learners = [Learner(i, "4.NF.B.3") for i in range(13)]
    grouping = suggest_groups(learners, PREREQS)
    assert sorted(len(g.learners) for g in grouping.groups) == [4, 4, 5]


def test_class_smaller_than_minimum_is_one_group() -> None:
    learners = [Learner("a", "4.NF.B.3"), Learner("b", "4.OA.A.1")]
    grouping = suggest_groups(learners, PREREQS)
    (group,) = grouping.groups
    assert set(group.learners) == {"a", "b"}
    assert grouping.status == "single group"
    assert grouping.objective == 4.0  # one learner off by the unconnected cap


def test_no_learners_no_groups() -> None:
    assert suggest_groups([], PREREQS).groups == ()


@pytest.mark.parametrize(
    ("n", "lo", "hi", "max_groups", "message"),
    [
        (7, 4, 5, None, "7 learners cannot be split into groups of 4 to 5"),
        (12, 3, 6, 1, "cannot be split into groups of 3 to 6 with at most 1 group$"),
        (5, 4, 3, None, "1 <= min_size <= max_size"),
        (5, 0, 3, None, "1 <= min_size <= max_size"),
    ],
)
def test_infeasible_bounds_raise_a_clear_value_error(
    n: int, lo: int, hi: int, max_groups: int | None, message: str
) -> None:
    learners = [Learner(i, "4.NF.B.3") for i in range(n)]
    with pytest.raises(ValueError, match=message):
        suggest_groups(learners, PREREQS, min_size=lo, max_size=hi, max_groups=max_groups)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        suggest_groups([Learner("a", "x"), Learner("a", "y")], {})
    with pytest.raises(ValueError, match="at least one candidate"):
        suggest_groups([Learner("a", "x")], {}, targets=[])
    with pytest.raises(ValueError, match="finite"):
        solve_assignment([[math.inf]], min_size=1)


def test_group_cost_and_max_groups_trade_distance_for_fewer_groups() -> None:
    needs = ["4.NF.B.3"] * 3 + ["4.NF.A.1"] * 3
    learners = [Learner(i, need) for i, need in enumerate(needs)]
    assert len(suggest_groups(learners, PREREQS).groups) == 2
    fewer = suggest_groups(learners, PREREQS, max_groups=1)
    assert len(fewer.groups) == 1 and fewer.groups[0].target == "4.NF.A.1"
    assert len(suggest_groups(learners, PREREQS, group_cost=4.0).groups) == 1
    assert len(suggest_groups(learners, PREREQS, group_cost=2.0).groups) == 2


def test_time_limit_still_returns_valid_groups_and_reports_status() -> None:
    rng = np.random.default_rng(7)
    cost = rng.integers(0, 30, size=(120, 20)).astype(float)
    result = solve_assignment(cost, time_limit=1e-4)
    check_grouping(120, result.target, result.groups, 3, 6)
    assert result.status in ("Optimal", "Time limit reached")
    if result.status != "Optimal":
        assert result.gap > 0
    full = solve_assignment(cost)
    assert full.status == "Optimal" and full.gap == 0.0
    assert full.bound == pytest.approx(full.objective)
    assert full.objective <= result.objective


def test_graph_tolerates_cycles_and_self_loops() -> None:
    graph = PrerequisiteGraph({"a": ["b", "a"], "b": ["a"]})
    assert graph.hops("a", "b") == 1
    assert graph.ancestors("a") == {"b": 1}
    assert graph.hops("a", "z") is None


def test_a_multi_classroom_leaders_120_learners_and_20_targets_solve_to_optimality() -> None:
    rng = np.random.default_rng(0)
    names = [f"S{i:02d}" for i in range(40)]
    prereqs = {
        s: [names[j] for j in rng.choice(i, size=min(i, int(rng.integers(0, 3))), replace=False)]
        for i, s in enumerate(names)
    }
    graph = PrerequisiteGraph(prereqs)
    learners = []
    for i in range(120):
        need = names[int(rng.integers(0, 40))]
        upstream = set(graph.ancestors(need))
        gaps = {s for s in upstream if rng.random() < 0.2}
        extra = {s for s in names if s != need and rng.random() < 0.3}
        learners.append(Learner(i, need, frozenset((upstream - gaps) | extra)))
    targets = sorted(rng.choice(names, size=20, replace=False).tolist())
    grouping = suggest_groups(learners, graph, targets=targets)
    assert grouping.status == "Optimal" and grouping.gap == 0.0
    assert grouping.bound == pytest.approx(grouping.objective)
    assert sorted(i for g in grouping.groups for i in g.learners) == list(range(120))
    assert all(3 <= len(g.learners) <= 6 for g in grouping.groups)
