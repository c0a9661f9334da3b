"""Small-cell suppression: hand-worked cases, percentage coding, and an exact attacker.

The attacker is written here independently of the module: for every hidden cell it asks a
linear program (HiGHS) for the smallest and largest value the cell can take in any
non-negative solution that agrees with every shown number, every relation and every
numerator ≤ group bound. A hidden cell is safe when that interval is at least 1 wide, so it
holds two or more whole numbers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from waypoint.reports.suppression import (
    HIDDEN_TEXT,
    Reason,
    Relation,
    SuppressedSet,
    exposed,
    format_count,
    format_percent,
    mirror,
    suppress,
)

# -- the attacker ---------------------------------------------------------------------------


class Attacker:
    """Knows every shown number, every relation and that counts are whole and non-negative."""

    def __init__(
        self,
        counts: Mapping[Hashable, int],
        relations: Iterable[Relation],
        hidden: set[Hashable],
        numerators: Mapping[Hashable, Hashable] | None = None,
    ) -> None:
        self.order = sorted(hidden, key=repr)
        col = self.col = {k: j for j, k in enumerate(self.order)}
        a_eq, b_eq = [], []
        for rel in relations:
            row, rhs = [0.0] * len(col), 0.0
            for key, coeff in [(rel.total, 1.0)] + [(p, -1.0) for p in rel.parts]:
                if key in col:
                    row[col[key]] += coeff
                else:
                    rhs -= coeff * counts[key]
            if any(row):
                a_eq.append(row)
                b_eq.append(rhs)
            else:
                assert abs(rhs) < 1e-9  # a fully shown relation must hold
        a_ub, b_ub = [], []
        for num, den in (numerators or {}).items():  # num - den <= 0
            if num not in col and den not in col:
                continue
            row, rhs = [0.0] * len(col), 0.0
            for key, coeff in [(num, 1.0), (den, -1.0)]:
                if key in col:
                    row[col[key]] = coeff
                else:
                    rhs -= coeff * counts[key]
            a_ub.append(row)
            b_ub.append(rhs)
        self.system = {
            "A_ub": np.array(a_ub) if a_ub else None,
            "b_ub": np.array(b_ub) if b_ub else None,
            "A_eq": np.array(a_eq) if a_eq else None,
            "b_eq": np.array(b_eq) if b_eq else None,
        }

    def interval(self, key: Hashable, *, whole: bool = False) -> tuple[float, float]:
        """Min and max of one hidden cell over every real (or whole-number) solution."""
        n = len(self.order)
        constraints = []
        if self.system["A_eq"] is not None:
            constraints.append(LinearConstraint(self.system["A_eq"], *(self.system["b_eq"],) * 2))
        if self.system["A_ub"] is not None:
            constraints.append(LinearConstraint(self.system["A_ub"], -np.inf, self.system["b_ub"]))
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(n)
            cost[self.col[key]] = sign
            if whole:
                res = milp(
                    cost,
                    integrality=np.ones(n),
                    bounds=Bounds(np.zeros(n), np.full(n, np.inf)),
                    constraints=constraints,
                    options={"presolve": False},  # its presolve wrongly says "infeasible"
                )
            else:
                res = linprog(cost, bounds=[(0, None)] * n, method="highs", **self.system)
            if res.status == 3 or (whole and res.status == 4 and sign < 0):  # unbounded above
                assert sign < 0
                ends.append(float("inf"))
            else:
                assert res.status == 0, res.message
                ends.append(sign * float(res.fun))
        return ends[0], ends[1]

    def _two_whole_solutions(self, key: Hashable) -> bool:
        """Shortcut: the real minimum and maximum are reached at whole points that differ."""
        points = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(self.order))
            cost[self.col[key]] = sign
            res = linprog(cost, bounds=[(0, None)] * len(self.order), method="highs", **self.system)
            if res.status != 0 or not np.allclose(res.x, np.round(res.x), atol=1e-9):
                return False
            points.append(np.round(res.x)[self.col[key]])
        return points[0] != points[1]

    def worked_out(self, first: Iterable[Hashable] = (), *, whole: bool = False) -> set[Hashable]:
        """Hidden cells with one possible value: over the reals, or as whole numbers.

        With ``first``, stops at the first such cell, trying those cells before the rest.
        """
        found = set()
        ordered = [k for k in first if k in self.col]
        ordered += [k for k in self.order if k not in set(ordered)]
        for key in ordered:
            if whole and self._two_whole_solutions(key):
                continue
            lo, hi = self.interval(key, whole=whole)
            if hi - lo < (1 - 1e-6 if whole else 1e-6):
                found.add(key)
                if first:
                    break
        return found


def intervals(counts, relations, hidden, numerators=None) -> dict[Hashable, tuple[float, float]]:
    attacker = Attacker(counts, relations, hidden, numerators)
    return {k: attacker.interval(k) for k in attacker.order}


def worked_out(counts, relations, hidden, numerators=None, *, whole=True) -> set[Hashable]:
    """Cells an attacker pins down (by default knowing that counts are whole numbers)."""
    return Attacker(counts, relations, hidden, numerators).worked_out(whole=whole)


def hidden_keys(result: SuppressedSet) -> set[Hashable]:
    return {c.key for c in result.hidden()}


def reasons(result: SuppressedSet) -> dict[Hashable, Reason]:
    return {c.key: c.reason for c in result.hidden() if c.reason is not None}


# -- hand-worked cases ----------------------------------------------------------------------


def test_one_small_cell_in_a_row_of_three_hides_the_smallest_sibling():
    counts = {"all": 40, "a": 5, "b": 12, "c": 23}
    rels = [Relation("all", ["a", "b", "c"])]
    result = suppress(counts, rels)
    assert reasons(result) == {"a": Reason.SMALL, "b": Reason.COMPLEMENT}
    assert result.count("all") == "40"
    assert result.count("c") == "23"
    assert result.count("a") == result.count("b") == HIDDEN_TEXT
    assert result["b"].why == "hidden so another hidden cell cannot be worked out"
    assert result["a"].why == "fewer than 10 learners"
    assert not worked_out(counts, rels, hidden_keys(result))
    assert worked_out(counts, rels, {"a"}) == {"a"}  # the complement is needed


def test_two_small_cells_protect_each_other_under_a_shown_total():
    counts = {"all": 37, "a": 3, "b": 4, "c": 30}
    rels = [Relation("all", ["a", "b", "c"])]
    result = suppress(counts, rels)
    assert reasons(result) == {"a": Reason.SMALL, "b": Reason.SMALL}
    assert result["all"].shown == 37
    lo, hi = intervals(counts, rels, {"a", "b"})["a"]
    assert (lo, hi) == (0.0, 7.0)


def test_zero_is_a_small_cell_and_two_hidden_zeros_need_a_complement():
    counts = {"all": 30, "a": 0, "b": 0, "c": 30}
    rels = [Relation("all", ["a", "b", "c"])]
    # two hidden zeros under a shown total of their sum (0) would each be worked out
    assert worked_out(counts, rels, {"a", "b"}) == {"a", "b"}
    result = suppress(counts, rels)
    assert result["a"].reason is result["b"].reason is Reason.SMALL
    assert len(result.hidden(Reason.COMPLEMENT)) == 1
    assert not worked_out(counts, rels, hidden_keys(result))


def test_threshold_is_a_setting():
    counts = {"all": 40, "a": 7, "b": 12, "c": 21}
    rels = [Relation("all", ["a", "b", "c"])]
    assert not suppress(counts, rels, threshold=5).hidden()
    assert reasons(suppress(counts, rels, threshold=13)) == {
        "a": Reason.SMALL,
        "b": Reason.SMALL,
    }
    with pytest.raises(ValueError, match="threshold"):
        suppress(counts, rels, threshold=0)


def test_two_level_drill_down_hides_the_complement_at_the_lower_level_too():
    # district → schools → two grades each; school 1 is small
    counts = {
        "D": 100,
        "S1": 8,
        "S1g3": 4,
        "S1g4": 4,
        "S2": 25,
        "S2g3": 12,
        "S2g4": 13,
        "S3": 67,
        "S3g3": 30,
        "S3g4": 37,
    }
    rels = [
        Relation("D", ["S1", "S2", "S3"]),
        Relation("S1", ["S1g3", "S1g4"]),
        Relation("S2", ["S2g3", "S2g4"]),
        Relation("S3", ["S3g3", "S3g4"]),
    ]
    result = suppress(counts, rels)
    assert reasons(result) == {
        "S1": Reason.SMALL,
        "S1g3": Reason.SMALL,
        "S1g4": Reason.SMALL,
        "S2": Reason.COMPLEMENT,  # else S1 = D - S2 - S3
        "S2g3": Reason.COMPLEMENT,  # else S2 = S2g3 + S2g4, and S1 again
    }
    assert not worked_out(counts, rels, hidden_keys(result))
    # either level alone is not enough
    assert worked_out(counts, rels, hidden_keys(result) - {"S2g3"})
    assert worked_out(counts, rels, hidden_keys(result) - {"S2"})


def two_way(table: dict[str, dict[str, int]]) -> tuple[dict[Hashable, int], list[Relation]]:
    """Cells (row, col) with row, column and grand totals ("*" is the margin)."""
    rows, cols = list(table), list(next(iter(table.values())))
    counts: dict[Hashable, int] = {}
    for r in rows:
        for c in cols:
            counts[(r, c)] = table[r][c]
        counts[(r, "*")] = sum(table[r].values())
    for c in cols:
        counts[("*", c)] = sum(table[r][c] for r in rows)
    counts[("*", "*")] = sum(counts[(r, "*")] for r in rows)
    rels = [Relation((r, "*"), [(r, c) for c in cols]) for r in [*rows, "*"]]
    rels += [Relation(("*", c), [(r, c) for r in rows]) for c in [*cols, "*"]]
    return counts, rels


def test_two_way_table_hides_a_rectangle_so_row_and_column_attacks_fail():
    counts, rels = two_way(
        {
            "A": {"X": 4, "Y": 30},
            "B": {"X": 15, "Y": 25},
            "C": {"X": 40, "Y": 50},
        }
    )
    result = suppress(counts, rels)
    assert reasons(result) == {
        ("A", "X"): Reason.SMALL,
        ("A", "Y"): Reason.COMPLEMENT,
        ("B", "X"): Reason.COMPLEMENT,
        ("B", "Y"): Reason.COMPLEMENT,
    }
    hidden = hidden_keys(result)
    # the "one hidden cell per row or column" attack finds nothing to solve
    for rel in rels:
        assert len(hidden & {rel.total, *rel.parts}) != 1
    assert intervals(counts, rels, hidden)[("A", "X")] == (0.0, 19.0)  # 4 + min(30, 15)
    assert all(c.shown is not None for c in result if "*" in c.key)


def test_exact_check_catches_a_bridge_that_the_row_and_column_rule_misses():
    # two hidden 2x2 cycles joined by one hidden cell: every row and column has two or more
    # hidden cells, yet the joining cell equals a sum of shown margins
    grid = {r: {c: 20 + 3 * i + j for j, c in enumerate("pqrs")} for i, r in enumerate("ABCD")}
    counts, rels = two_way(grid)
    hidden = {("A", "p"), ("A", "q"), ("B", "p"), ("B", "q")}
    hidden |= {("C", "r"), ("C", "s"), ("D", "r"), ("D", "s"), ("B", "r")}
    for rel in rels:
        assert len(hidden & {rel.total, *rel.parts}) != 1
    assert exposed(counts, rels, hidden) == {("B", "r")}
    assert worked_out(counts, rels, hidden) == {("B", "r")}


def test_numerators_are_hidden_with_their_groups():
    # English learners (8) and not (92); how many have a highly effective teacher of record
    counts = {"all": 100, "el": 8, "non": 92, "he:all": 65, "he:el": 5, "he:non": 60}
    rels = [Relation("all", ["el", "non"])]
    rels += mirror(rels, lambda k: f"he:{k}")
    numerators = {"he:all": "all", "he:el": "el", "he:non": "non"}
    result = suppress(counts, rels, numerators=numerators)
    assert reasons(result) == {
        "el": Reason.SMALL,
        "non": Reason.COMPLEMENT,
        "he:el": Reason.WITH_GROUP,
        "he:non": Reason.WITH_GROUP,
    }
    assert result.percent("he:all") == "65%"
    assert result.percent("he:non") == result.percent("he:el") == HIDDEN_TEXT
    assert not worked_out(counts, rels, hidden_keys(result), numerators)
    # a shown percentage for the large group would give the small group's count away
    assert worked_out(counts, rels, {"el", "non", "he:el"}, numerators) == {"he:el"}


def test_numerators_of_hidden_groups_that_add_up_to_zero_hide_the_total_numerator():
    counts = {"all": 100, "el": 8, "non": 92, "he:all": 0, "he:el": 0, "he:non": 0}
    rels = [Relation("all", ["el", "non"])]
    rels += mirror(rels, lambda k: f"he:{k}")
    numerators = {"he:all": "all", "he:el": "el", "he:non": "non"}
    result = suppress(counts, rels, numerators=numerators)
    # "0 in the district" would say "0 English learners"
    assert result["he:all"].reason is Reason.COMPLEMENT
    assert result.percent("he:all") == HIDDEN_TEXT
    assert result["all"].shown == 100
    assert not worked_out(counts, rels, hidden_keys(result), numerators)


def test_a_numerator_hidden_as_a_complement_keeps_its_group_shown():
    # two schools and a district; school A's group is small, school B's is not
    counts = {"D": 60, "A": 6, "B": 24, "C": 30, "n:D": 30, "n:A": 3, "n:B": 12, "n:C": 15}
    rels = [Relation("D", ["A", "B", "C"])]
    rels += mirror(rels, lambda k: f"n:{k}")
    numerators = {f"n:{k}": k for k in "DABC"}
    result = suppress(counts, rels, numerators=numerators)
    assert result["A"].reason is Reason.SMALL
    assert result["B"].reason is Reason.COMPLEMENT
    assert result["n:A"].reason is result["n:B"].reason is Reason.WITH_GROUP
    assert result["C"].shown == 30
    assert result.percent("n:C") == "50%"
    assert not worked_out(counts, rels, hidden_keys(result), numerators)


def test_cells_can_only_be_protected_when_anything_around_them_is_shown():
    # c = a - b and a = b: the relations alone say c is 0, whatever is hidden
    counts = {"a": 12, "b": 12, "c": 0}
    rels = [Relation("a", ["b", "c"]), Relation("a", ["b"])]
    result = suppress(counts, rels)
    assert result["c"].hidden
    assert result.unprotected == {"c"}


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="not the sum"):
        suppress({"t": 10, "a": 4, "b": 5}, [Relation("t", ["a", "b"])])
    with pytest.raises(ValueError, match="non-negative"):
        suppress({"t": -1}, [])
    with pytest.raises(ValueError, match="no count"):
        suppress({"t": 10}, [Relation("t", ["a"])])
    with pytest.raises(ValueError, match="exceeds"):
        suppress({"t": 10, "n": 11}, [], numerators={"n": "t"})


# -- formatting and the note ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (96, 100, ">95%"),
        (951, 1000, ">95%"),
        (95, 100, "95%"),
        (949, 1000, "95%"),
        (10, 10, ">95%"),
        (50, 100, "50%"),
        (1, 8, "13%"),  # half up
        (5, 100, "5%"),
        (50, 1000, "5%"),
        (49, 1000, "<5%"),
        (4, 100, "<5%"),
        (0, 10, "<5%"),
    ],
)
def test_percentages_are_coded_at_the_ends(numerator, denominator, text):
    assert format_percent(numerator, denominator) == text


def test_percentages_need_a_share():
    for bad in [(1, 0), (11, 10), (-1, 10)]:
        with pytest.raises(ValueError):
            format_percent(*bad)


def test_counts_are_formatted_or_hidden():
    assert format_count(12345) == "12,345"
    assert format_count(0) == "0"
    assert format_count(None) == HIDDEN_TEXT


def test_the_note_says_what_was_hidden_and_why():
    counts = {"all": 140, "el": 8, "non": 132, "he:all": 70, "he:el": 5, "he:non": 65}
    rels = [Relation("all", ["el", "non"])]
    rels += mirror(rels, lambda k: f"he:{k}")
    numerators = {"he:all": "all", "he:el": "el", "he:non": "non"}
    result = suppress(counts, rels, numerators=numerators)
    labels = {"el": "English learners", "non": "not English learners"}
    labels |= {"he:el": "English learners with a highly effective teacher"}
    labels |= {"he:non": "not English learners with a highly effective teacher"}
    note = result.note(label=lambda k: labels[str(k)])
    assert (
        "1 group has fewer than 10 learners, counting groups with none (English learners)" in note
    )
    assert "1 other number is hidden so the hidden ones cannot be worked out" in note
    assert "(not English learners)" in note
    assert "2 counts of learners within hidden groups, and their percentages, are hidden" in note
    assert "(English learners with a highly effective teacher; not English" in note
    assert '">95%" or "<5%"' in note
    plain = result.note()
    assert "English learners" not in plain and "1 group has fewer than 10" in plain
    nothing = suppress({"t": 30, "a": 10, "b": 20}, [Relation("t", ["a", "b"])]).note()
    assert nothing.startswith("Nothing is hidden: every group has at least 10 learners.")


# -- the property: random published sets against the exact attacker -------------------------


@st.composite
def published_sets(draw):
    """A drill-down hierarchy of 1–3 levels, maybe crossed with subgroups, maybe a numerator."""
    depth = draw(st.integers(1, 3))
    children: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    frontier: list[tuple[int, ...]] = [()]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            kids = [(*node, i) for i in range(draw(st.integers(1, 3 if depth < 3 else 2)))]
            children[node] = kids
            nxt += kids
        frontier = nxt
    places = [()] + [k for kids in children.values() for k in kids]
    groups = ["all"]
    n_sub = draw(st.sampled_from([0, 2, 3]))
    subgroups = [f"g{i}" for i in range(n_sub)]
    groups += subgroups
    small = st.integers(0, 12)
    large = st.integers(10, 80)
    leaf_counts = st.one_of(small, small, large)
    counts: dict[Hashable, int] = {}
    leaf_groups = subgroups or ["all"]
    for place in frontier:
        for g in leaf_groups:
            counts[(place, g)] = draw(leaf_counts)
    for place in sorted(children, key=len, reverse=True):
        for g in leaf_groups:
            counts[(place, g)] = sum(counts[(k, g)] for k in children[place])
    if subgroups:
        for place in places:
            counts[(place, "all")] = sum(counts[(place, g)] for g in subgroups)
    rels = [
        Relation((p, g), [(k, g) for k in kids]) for p, kids in children.items() for g in groups
    ]
    if subgroups:
        rels += [Relation((p, "all"), [(p, g) for g in subgroups]) for p in places]
    numerators: dict[Hashable, Hashable] = {}
    if draw(st.booleans()):
        for place in frontier:
            for g in leaf_groups:
                d = counts[(place, g)]
                share = st.one_of(st.just(0), st.just(d), st.integers(0, d))
                counts[("n", place, g)] = draw(share)
        for key in [k for k in counts if k[0] != "n"]:
            place, g = key
            if ("n", place, g) not in counts:
                counts[("n", place, g)] = 0  # filled from the parts below
        for rel in sorted(rels, key=lambda r: (-len(r.total[0]), r.total[1] == "all")):
            counts[("n", *rel.total)] = sum(counts[("n", *p)] for p in rel.parts)
        rels += mirror(rels, lambda k: ("n", *k))
        numerators = {("n", *k): k for k in counts if k[0] != "n"}
    threshold = draw(st.sampled_from([3, 10, 10]))
    return counts, rels, numerators, threshold


def check_published_set(counts, rels, numerators, threshold):
    result = suppress(counts, rels, threshold=threshold, numerators=numerators)
    assert result.unprotected == frozenset()
    hidden = hidden_keys(result)
    for cell in result:
        is_num = cell.key in numerators
        if not is_num and cell.value < threshold:
            assert cell.reason is Reason.SMALL
        elif is_num and result[numerators[cell.key]].hidden:
            assert cell.reason is Reason.WITH_GROUP
        else:
            assert cell.reason in (None, Reason.COMPLEMENT)
    # no hidden count can be worked out: each can be two or more whole numbers
    assert worked_out(counts, rels, hidden, numerators) == set()
    # no cell at or above the threshold is hidden unless that protects another: showing any
    # complementary cell again (its numerators, if any, still hidden) exposes some cell
    for cell in result.hidden(Reason.COMPLEMENT):
        neighbours = [
            k for r in rels if cell.key in (r.total, *r.parts) for k in (r.total, *r.parts)
        ]
        neighbours += [n for n, d in numerators.items() if d == cell.key]
        attacker = Attacker(counts, rels, hidden - {cell.key}, numerators)
        assert attacker.worked_out(first=neighbours) or attacker.worked_out(
            first=neighbours, whole=True
        ), cell.key
    return result


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_sets())
def test_no_hidden_cell_can_be_worked_out_and_no_complement_is_wasted(case):
    check_published_set(*case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_sets(), st.randoms(use_true_random=False))
def test_the_exact_check_agrees_with_the_attacker_on_any_hidden_pattern(case, rnd):
    counts, rels, numerators, _ = case
    hidden = {k for k in counts if rnd.random() < 0.4}
    attacker = Attacker(counts, rels, hidden, numerators)
    assert exposed(counts, rels, hidden, numerators=numerators, whole=False) == (
        attacker.worked_out()
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published_sets(), st.randoms(use_true_random=False))
def test_the_whole_number_check_agrees_with_the_whole_number_attacker(case, rnd):
    counts, rels, numerators, _ = case
    hidden = {k for k in counts if rnd.random() < 0.3}
    attacker = Attacker(counts, rels, hidden, numerators)
    assert exposed(counts, rels, hidden, numerators=numerators) == attacker.worked_out(whole=True)


def test_a_district_report_with_schools_grades_and_subgroups():
    """A fixed, larger example: 4 schools × 3 grades × 3 subgroups with a numerator."""
    rng = np.random.default_rng(7)
    schools, grades, subs = ["s1", "s2", "s3", "s4"], ["3", "4", "5"], ["a", "b", "c"]
    counts: dict[Hashable, int] = {}
    for s in schools:
        for g in grades:
            for sub in subs:
                counts[(s, g, sub)] = int(rng.choice([0, 3, 8, 14, 25, 40]))
    rels: list[Relation] = []

    def add(total: tuple[str, str, str], parts: list[tuple[str, str, str]]) -> None:
        counts[total] = sum(counts[p] for p in parts)
        rels.append(Relation(total, parts))

    for s in schools:
        for sub in subs:
            add((s, "*", sub), [(s, g, sub) for g in grades])
        for g in [*grades, "*"]:
            add((s, g, "*"), [(s, g, sub) for sub in subs])
    for g in [*grades, "*"]:
        for sub in [*subs, "*"]:
            add(("*", g, sub), [(s, g, sub) for s in schools])
    result = check_published_set(counts, rels, {}, 10)
    assert result.hidden(Reason.SMALL)
    assert result[("*", "*", "*")].shown == counts[("*", "*", "*")]
