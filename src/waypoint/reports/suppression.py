"""Small-cell suppression: the one module every aggregate shown outside a class goes through.

A *published set* is every count a reader can see together: all drill-down levels of a
report (district, school, grade and subject, subgroup) and its CSV export. It is given as
cells (key → count of learners) and additive relations (a total equals the sum of its
parts; a cell may be a part or a total in several relations, e.g. school × subgroup).

``suppress`` hides

1. every group of fewer than ``threshold`` learners, 0 included (*primary* cells);
2. every numerator (e.g. learners whose teacher of record is highly effective) whose group
   is hidden, so a count and its percentage disappear together;
3. further cells (*complementary*), smallest first, so that no hidden cell can be worked
   out: for every hidden cell, some whole-number, non-negative solution of the relations
   that agrees with every shown number gives it another value.

Step 3 first closes every relation left with exactly one hidden cell, then checks each
hidden cell exactly (an LP and a null space over the reals; whole numbers where the
relations are not totally unimodular, with a MILP) and hides more where one is still
pinned down (a "bridge" between two hidden cycles of a two-way table, hidden zeros whose
total is zero), and finally shows again every complementary cell that is not needed.
``docs/suppression.md`` says what this protects against and what it does not.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

DEFAULT_THRESHOLD = 10
HIDDEN_TEXT = "*"


class Reason(enum.Enum):
    """Why a cell is hidden."""

    SMALL = "small"
    COMPLEMENT = "complement"
    WITH_GROUP = "with_group"


@dataclass(frozen=True)
class Relation:
    """``total`` = the sum of ``parts``, for every measure published in the set."""

    total: Hashable
    parts: tuple[Hashable, ...]

    def __init__(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "parts", tuple(parts))


def mirror(relations: Iterable[Relation], rename: Callable[[Hashable], Hashable]) -> list[Relation]:
    """The same relations over renamed cells (a numerator adds up like its denominator)."""
    return [Relation(rename(r.total), [rename(p) for p in r.parts]) for r in relations]


def format_count(value: int | None) -> str:
    """A shown count with thousands separators, or the hidden marker."""
    return HIDDEN_TEXT if value is None else f"{value:,}"


def format_percent(numerator: int, denominator: int) -> str:
    """Whole percent, coded ``">95%"`` above 95% and ``"<5%"`` below 5%."""
    if denominator <= 0 or numerator < 0 or numerator > denominator:
        raise ValueError(f"not a share: {numerator}/{denominator}")
    if numerator * 100 > 95 * denominator:
        return ">95%"
    if numerator * 100 < 5 * denominator:
        return "<5%"
    return f"{(numerator * 200 + denominator) // (2 * denominator)}%"  # round half up


@dataclass(frozen=True)
class CellResult:
    """One cell after suppression: its value is for the report's code, never for the page."""

    key: Hashable
    value: int
    reason: Reason | None
    threshold: int

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def shown(self) -> int | None:
        """The count a reader may see, or ``None`` when hidden."""
        return None if self.hidden else self.value

    @property
    def text(self) -> str:
        return format_count(self.shown)

    @property
    def why(self) -> str:
        """Plain-language reason, empty when shown."""
        if self.reason is Reason.SMALL:
            return f"fewer than {self.threshold} learners"
        if self.reason is Reason.COMPLEMENT:
            return "hidden so another hidden cell cannot be worked out"
        if self.reason is Reason.WITH_GROUP:
            return "hidden with its group"
        return ""


class SuppressedSet:
    """The result of ``suppress``: every cell shown or hidden, with reasons and page text."""

    def __init__(
        self,
        cells: dict[Hashable, CellResult],
        denominators: dict[Hashable, Hashable],
        threshold: int,
        unprotected: frozenset[Hashable],
    ) -> None:
        self._cells = cells
        self._denominators = denominators
        self.threshold = threshold
        #: hidden cells the published set pins down whatever else is hidden (empty for any
        #: hierarchy or cross-table of counts; non-empty only for odd hand-made relations)
        self.unprotected = unprotected

    def __getitem__(self, key: Hashable) -> CellResult:
        return self._cells[key]

    def __iter__(self) -> Iterator[CellResult]:
        return iter(self._cells.values())

    def __len__(self) -> int:
        return len(self._cells)

    def hidden(self, reason: Reason | None = None) -> list[CellResult]:
        """Hidden cells, optionally only those hidden for ``reason``."""
        return [c for c in self if c.hidden and (reason is None or c.reason is reason)]

    def count(self, key: Hashable) -> str:
        """The count as the page shows it."""
        return self._cells[key].text

    def percent(self, numerator: Hashable) -> str:
        """The numerator's share of its group, coded; hidden when either count is hidden."""
        denominator = self._denominators[numerator]
        num, den = self._cells[numerator], self._cells[denominator]
        if num.hidden or den.hidden:
            return HIDDEN_TEXT
        return format_percent(num.value, den.value)

    def note(self, label: Callable[[Hashable], str] | None = None) -> str:
        """What was hidden and why, in plain words for the page (lists cells given ``label``)."""
        small = self.hidden(Reason.SMALL)
        complement = self.hidden(Reason.COMPLEMENT)
        group = self.hidden(Reason.WITH_GROUP)
        coding = (
            'Percentages above 95% or below 5% are shown as ">95%" or "<5%" so they do not '
            "reveal that almost every learner, or almost none, in a group is counted."
        )
        if not (small or complement or group):
            return (
                f"Nothing is hidden: every group has at least {self.threshold} learners. {coding}"
            )

        def listed(cells: list[CellResult]) -> str:
            return f" ({'; '.join(label(c.key) for c in cells)})" if label else ""

        parts = [f"To protect learners' privacy, numbers marked {HIDDEN_TEXT} are hidden."]
        if small:
            parts.append(
                f"{_n(len(small), 'group has', 'groups have')} fewer than {self.threshold} "
                f"learners, counting groups with none{listed(small)}."
            )
        if complement:
            parts.append(
                f"{_n(len(complement), 'other number is', 'other numbers are')} hidden so the "
                f"hidden ones cannot be worked out from totals or other groups{listed(complement)}."
            )
        if group:
            parts.append(
                f"{_n(len(group), 'count', 'counts')} of learners within "
                f"{_pl(len(group), 'a hidden group', 'hidden groups')}, and "
                f"{_pl(len(group), 'its percentage, is', 'their percentages, are')} hidden with "
                f"{_pl(len(group), 'it', 'them')}{listed(group)}."
            )
        parts.append(coding)
        return " ".join(parts)


def _pl(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {_pl(n, one, many)}"


def suppress(
    counts: Mapping[Hashable, int],
    relations: Iterable[Relation],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    numerators: Mapping[Hashable, Hashable] | None = None,
) -> SuppressedSet:
    """Suppress one published set.

    ``counts`` holds every number of the set. ``numerators`` maps a numerator cell (a count
    of learners with some property) to its group's cell; the threshold applies to groups,
    and a numerator is hidden with its group. Give numerators' relations too (``mirror``).
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    problem = _Problem(counts, list(relations), dict(numerators or {}))
    # many small dense SVDs: one BLAS thread is 10-30x faster than several on a busy server
    with threadpool_limits(limits=1, user_api="blas"):
        reasons = problem.solve(threshold)
    cells = {
        key: CellResult(key, problem.values[i], reasons[i], threshold)
        for i, key in enumerate(problem.keys)
    }
    return SuppressedSet(
        cells,
        dict(numerators or {}),
        threshold,
        frozenset(problem.keys[i] for i in problem.unprotected),
    )


def exposed(
    counts: Mapping[Hashable, int],
    relations: Iterable[Relation],
    hidden: Iterable[Hashable],
    *,
    numerators: Mapping[Hashable, Hashable] | None = None,
    whole: bool = True,
) -> frozenset[Hashable]:
    """The hidden cells a reader can work out exactly from everything else in the set.

    For checking a suppression made elsewhere (a state's table, a hand-made export).
    ``whole``: the reader knows counts are whole numbers (else only real-valued reasoning).
    """
    problem = _Problem(counts, list(relations), dict(numerators or {}))
    mask = [False] * len(problem.keys)
    for key in hidden:
        mask[problem.id_of(key)] = True
    return frozenset(problem.keys[i] for i in problem.pinned(mask, whole=whole, lazy=False))


class _Problem:
    """Cells as indices, relations as rows of +1 (total) / -1 (parts) coefficients."""

    def __init__(
        self,
        counts: Mapping[Hashable, int],
        relations: Sequence[Relation],
        numerators: dict[Hashable, Hashable],
    ) -> None:
        self.keys: list[Hashable] = list(counts)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.values: list[int] = []
        for k in self.keys:
            v = counts[k]
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0:
                raise ValueError(f"count for {k!r} must be a non-negative integer, not {v!r}")
            self.values.append(int(v))
        n = len(self.keys)
        self.rows: list[tuple[list[int], list[int]]] = []
        self.cell_rows: list[list[int]] = [[] for _ in range(n)]
        for rel in relations:
            ids = [self.id_of(rel.total)] + [self.id_of(p) for p in rel.parts]
            if len(set(ids)) != len(ids):
                raise ValueError(f"a cell appears twice in the relation for {rel.total!r}")
            if self.values[ids[0]] != sum(self.values[i] for i in ids[1:]):
                raise ValueError(f"{rel.total!r} is not the sum of its parts")
            row = len(self.rows)
            self.rows.append((ids, [1] + [-1] * (len(ids) - 1)))
            for i in ids:
                self.cell_rows[i].append(row)
        self.is_numerator = [False] * n
        self.links: list[tuple[int, int]] = []
        self.cell_links: list[list[int]] = [[] for _ in range(n)]
        for num_key, den_key in numerators.items():
            num, den = self.id_of(num_key), self.id_of(den_key)
            if self.values[num] > self.values[den]:
                raise ValueError(f"numerator {num_key!r} exceeds its group {den_key!r}")
            self.is_numerator[num] = True
            link = len(self.links)
            self.links.append((num, den))
            self.cell_links[num].append(link)
            self.cell_links[den].append(link)
        self.unprotected: set[int] = set()

    def id_of(self, key: Hashable) -> int:
        try:
            return self.index[key]
        except KeyError:
            raise ValueError(f"{key!r} is named but has no count") from None

    # -- the algorithm ------------------------------------------------------------------

    def solve(self, threshold: int) -> list[Reason | None]:
        n = len(self.keys)
        reasons: list[Reason | None] = [None] * n
        for i in range(n):
            if not self.is_numerator[i] and self.values[i] < threshold:
                reasons[i] = Reason.SMALL
        self._hide_with_groups(reasons)
        # over the reals first (fast); whole numbers only where that is not yet enough
        self._protect(reasons, whole=False)
        self._prune(reasons, whole=False)
        if self.pinned([r is not None for r in reasons], first=True):
            self._protect(reasons, whole=True)
            self._prune(reasons, whole=True)
        return reasons

    def _protect(self, reasons: list[Reason | None], *, whole: bool) -> None:
        """Hide complementary cells until no hidden cell is pinned."""
        while True:
            self._close_singletons(reasons)
            hidden = [r is not None for r in reasons]
            pinned = sorted(self.pinned(hidden, whole=whole))
            if not pinned:
                break
            progressed = False
            touched: set[int] = set()  # relations that changed in this round
            for cell in pinned:
                if not touched.isdisjoint(self.cell_rows[cell]):
                    continue  # may be free now; the next round's check says
                candidate = self._candidate_near(cell, reasons)
                if candidate is None:
                    if not touched:  # all it reaches is hidden: the relations alone pin it
                        self.unprotected.add(cell)
                    continue
                reasons[candidate] = Reason.COMPLEMENT
                self._hide_with_groups(reasons)
                touched.update(self.cell_rows[candidate])
                progressed = True
            if not progressed:
                break

    def _hide_with_groups(self, reasons: list[Reason | None]) -> None:
        for num, den in self.links:
            if reasons[den] is not None and reasons[num] in (None, Reason.COMPLEMENT):
                reasons[num] = Reason.WITH_GROUP

    def _cost(self, cell: int, hidden: Sequence[bool]) -> tuple[int, int, int]:
        """Smallest value first; then the one opening fewest new relations; then order."""
        opened = sum(1 for r in self.cell_rows[cell] if not any(hidden[j] for j in self.rows[r][0]))
        return (self.values[cell], opened, cell)

    def _close_singletons(self, reasons: list[Reason | None]) -> None:
        """Until no relation has exactly one hidden cell, hide the cheapest other cell."""
        changed = True
        while changed:
            changed = False
            hidden = [r is not None for r in reasons]
            for ids, _ in self.rows:
                inside = [i for i in ids if hidden[i]]
                if len(inside) != 1:
                    continue
                shown = [i for i in ids if not hidden[i]]
                if not shown:
                    continue
                pick = min(shown, key=lambda c: self._cost(c, hidden))
                reasons[pick] = Reason.COMPLEMENT
                self._hide_with_groups(reasons)
                hidden = [r is not None for r in reasons]
                changed = True

    def _candidate_near(self, cell: int, reasons: list[Reason | None]) -> int | None:
        """The cheapest shown cell in a relation with ``cell``, else anywhere in its reach."""
        hidden = [r is not None for r in reasons]
        near = {i for r in self.cell_rows[cell] for i in self.rows[r][0] if not hidden[i]}
        if not near:
            seen, stack = {cell}, [cell]
            while stack and not near:
                current = stack.pop()
                for r in self.cell_rows[current]:
                    for i in self.rows[r][0]:
                        if not hidden[i]:
                            near.add(i)
                        elif i not in seen:
                            seen.add(i)
                            stack.append(i)
        return min(near, key=lambda c: self._cost(c, hidden)) if near else None

    def _prune(self, reasons: list[Reason | None], *, whole: bool) -> None:
        """Show again every complementary cell the protection does not need, largest first."""
        changed = True
        while changed:
            changed = False
            extra = sorted(
                (i for i, r in enumerate(reasons) if r is Reason.COMPLEMENT),
                key=lambda i: (-self.values[i], i),
            )
            for cell in extra:
                if reasons[cell] is not Reason.COMPLEMENT:
                    continue  # shown again, or hidden with its group, earlier in this pass
                numerators = [
                    self.links[k][0]
                    for k in self.cell_links[cell]
                    if self.links[k][1] == cell and reasons[self.links[k][0]] is Reason.WITH_GROUP
                ]
                # show the group with its numerators; else the group alone, its numerators
                # staying hidden to protect others (a later pass may show them too)
                for shown_again in ([cell, *numerators], [cell]) if numerators else ([cell],):
                    trial = list(reasons)
                    for i in numerators:
                        trial[i] = Reason.COMPLEMENT
                    for i in shown_again:
                        trial[i] = None
                    if self._still_protected(trial, shown_again, whole=whole):
                        reasons[:] = trial
                        changed = True
                        break

    def _still_protected(
        self, trial: list[Reason | None], shown_again: list[int], *, whole: bool
    ) -> bool:
        hidden = [r is not None for r in trial]
        if any(
            sum(hidden[j] for j in self.rows[r][0]) == 1
            for i in shown_again
            for r in self.cell_rows[i]
        ):
            return False  # a relation would be left with one hidden cell
        near = {j for i in shown_again for r in self.cell_rows[i] for j in self.rows[r][0]}
        near |= {j for i in shown_again for k in self.cell_links[i] for j in self.links[k]}
        return not self.pinned(hidden, near, whole=whole, first=True)

    # -- the exact check ----------------------------------------------------------------

    def pinned(
        self,
        hidden: Sequence[bool],
        near: set[int] | None = None,
        *,
        whole: bool = True,
        first: bool = False,
        lazy: bool = True,
    ) -> set[int]:
        """Hidden cells whose value every solution consistent with the shown cells shares.

        A hidden cell can take another value exactly when some direction ``z`` over the
        hidden cells keeps every relation (``A z = 0``), respects the bounds active at the
        true values (a hidden 0 cannot fall, a numerator equal to its group cannot outgrow
        it) and moves the cell (``z_cell != 0``); then, with ``whole``, whole numbers are
        asked for too (``_pinned_whole``). With ``near``, only the groups of linked hidden
        cells that touch those cells are checked (the rest did not change); with ``first``,
        it may stop at the first group with a pinned cell. With ``lazy``, whole numbers are
        only asked for once no cell is pinned over the reals. Cells already found
        unprotected are left out.
        """

        def touches(component: list[int]) -> bool:
            return near is None or not near.isdisjoint(component)

        real: set[int] = set()
        for component in filter(touches, self._components(hidden, all_links=False)):
            real |= self._pinned_in(component, hidden)
        pinned = real - self.unprotected
        if not whole or (pinned and lazy):
            return pinned  # the whole-number check waits until no cell is pinned over the reals
        for component in filter(touches, self._components(hidden, all_links=True)):
            pinned |= self._pinned_whole(component, hidden, real) - self.unprotected
            if pinned and first:
                break
        return pinned

    def _pinned_whole(
        self, component: list[int], hidden: Sequence[bool], real: set[int]
    ) -> set[int]:
        """Cells free over the reals that no other whole-number solution moves.

        Counts are whole numbers: where the relations are not totally unimodular (numerators
        crossed with margins, three-way tables) a cell can be free over the reals and still
        have one whole value. A MILP (HiGHS) looks for a whole-number solution agreeing
        with every shown number in which the cell differs; each one found frees every cell
        it moves. Where the relations are totally unimodular, every LP vertex is whole, so
        a cell free over the reals takes two whole values and no MILP is needed.
        """
        todo = [c for c in component if c not in real]
        if not todo:
            return set()
        col = {c: j for j, c in enumerate(component)}
        n = len(component)
        rows = sorted({r for c in component for r in self.cell_rows[c]})
        a_eq = np.zeros((len(rows), n))
        b_eq = np.zeros(len(rows))
        for k, r in enumerate(rows):
            for i, coeff in zip(*self.rows[r], strict=True):
                if i in col:
                    a_eq[k, col[i]] = coeff
                else:
                    b_eq[k] -= coeff * self.values[i]
        links = sorted({k for c in component for k in self.cell_links[c]})
        a_ub = np.zeros((len(links), n))
        b_ub = np.zeros(len(links))
        for k, link in enumerate(links):  # numerator - group <= 0
            for cell_id, sign in zip(self.links[link], (1, -1), strict=True):
                if cell_id in col:
                    a_ub[k, col[cell_id]] = sign
                else:
                    b_ub[k] -= sign * self.values[cell_id]
        if _totally_unimodular(np.vstack([a_eq, a_ub])):
            return set()  # every vertex is whole, so a real range of a cell spans two values
        constraints = [LinearConstraint(a_eq, b_eq, b_eq)] if rows else []
        if links:
            constraints.append(LinearConstraint(a_ub, -np.inf, b_ub))
        truth = np.array([self.values[c] for c in component], dtype=np.float64)
        moved: set[int] = set()
        for cell in todo:
            if cell in moved:
                continue
            j = col[cell]
            for step in (-1, 1):
                if step < 0 and truth[j] == 0:
                    continue
                lower, upper = np.zeros(n), np.full(n, np.inf)
                if step < 0:
                    upper[j] = truth[j] - 1
                else:
                    lower[j] = truth[j] + 1
                x = self._whole_solution(lower, upper, constraints)
                if x is not None:
                    moved |= {component[k] for k in np.flatnonzero(x != truth)}
                    break
        return {c for c in todo if c not in moved}

    @staticmethod
    def _whole_solution(
        lower: np.ndarray, upper: np.ndarray, constraints: list[LinearConstraint]
    ) -> np.ndarray | None:
        """A whole-number solution within the bounds, if any: an LP vertex when it is whole
        (always, for hierarchies and two-way tables), else a MILP."""
        n = lower.size
        x = _Problem._vertex(np.zeros(n), lower, upper, constraints)
        if x is not None:
            return x if np.all(np.isfinite(x)) else None  # inf: infeasible over the reals
        result = milp(
            np.zeros(n),
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={"presolve": False},  # HiGHS's MIP presolve called feasible sets infeasible
        )
        if result.status != 0:
            return None
        return np.round(np.asarray(result.x, dtype=np.float64))

    @staticmethod
    def _vertex(
        cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, constraints: list[LinearConstraint]
    ) -> np.ndarray | None:
        """An optimal LP vertex if it is whole; all-inf if the LP is infeasible; else None."""
        kwargs: dict[str, np.ndarray] = {}
        for con in constraints:
            if np.all(np.isfinite(con.lb)):  # the equalities
                kwargs |= {"A_eq": con.A, "b_eq": con.ub}
            else:
                kwargs |= {"A_ub": con.A, "b_ub": con.ub}
        bounds = list(zip(lower, [None if np.isinf(u) else u for u in upper], strict=True))
        vertex = linprog(cost, bounds=bounds, method="highs-ds", **kwargs)
        if vertex.status == 2:
            return np.full(lower.size, np.inf)
        if vertex.status == 0:
            x = np.asarray(vertex.x, dtype=np.float64)
            if np.all(np.abs(x - np.round(x)) < 1e-9):
                return np.round(x)
        return None

    def _components(self, hidden: Sequence[bool], *, all_links: bool) -> list[list[int]]:
        """Hidden cells joined by shared relations and numerator links.

        For small moves (the real check) a link only binds when the numerator fills its
        group; whole-number solutions move by whole steps, so there every link binds.
        """
        parent = list(range(len(hidden)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: int, b: int) -> None:
            parent[find(a)] = find(b)

        for ids, _ in self.rows:
            inside = [i for i in ids if hidden[i]]
            for i in inside[1:]:
                union(inside[0], i)
        for num, den in self.links:
            if hidden[num] and hidden[den] and (all_links or self.values[num] == self.values[den]):
                union(num, den)
        groups: dict[int, list[int]] = {}
        for i, h in enumerate(hidden):
            if h:
                groups.setdefault(find(i), []).append(i)
        return list(groups.values())

    def _pinned_in(self, component: list[int], hidden: Sequence[bool]) -> set[int]:
        col = {c: j for j, c in enumerate(component)}
        rows = sorted({r for c in component for r in self.cell_rows[c]})
        a_eq = np.zeros((len(rows), len(component)))
        for k, r in enumerate(rows):
            ids, coeffs = self.rows[r]
            for i, coeff in zip(ids, coeffs, strict=True):
                if hidden[i]:
                    a_eq[k, col[i]] = coeff
        # bounds active at the true values, each as g·z >= 0 for a direction z
        cone: list[np.ndarray] = []
        for c in component:
            if self.values[c] == 0:
                g = np.zeros(len(component))
                g[col[c]] = 1.0  # a hidden 0 cannot fall
                cone.append(g)
        links = sorted({k for c in component for k in self.cell_links[c]})
        for num, den in (self.links[k] for k in links):
            if self.values[num] == self.values[den]:
                g = np.zeros(len(component))  # the numerator cannot outgrow its group
                if den in col:
                    g[col[den]] += 1.0
                if num in col:
                    g[col[num]] -= 1.0
                cone.append(g)
        if cone:
            tight = [cone[k] for k in self._implicit_equalities(a_eq, np.array(cone))]
            a_eq = np.vstack([a_eq, *tight]) if tight else a_eq
        return self._pinned_by_null_space(component, a_eq)

    @staticmethod
    def _implicit_equalities(a_eq: np.ndarray, cone: np.ndarray) -> list[int]:
        """The rows of ``cone`` (g·z >= 0) that every direction with ``A z = 0`` meets with =.

        One LP finds a direction as far inside as possible (t_k <= g_k·z, 0 <= t_k <= 1,
        maximise the sum of t): t_k reaches 1 exactly for the rows that are not forced.
        Within the remaining equalities the set of directions is full, so a cell can move
        exactly when the equalities' null space moves it.
        """
        n, m = a_eq.shape[1], cone.shape[0]
        cost = np.concatenate([np.zeros(n), -np.ones(m)])
        a_ub = np.hstack([-cone, np.eye(m)])
        a_full = np.hstack([a_eq, np.zeros((a_eq.shape[0], m))]) if a_eq.shape[0] else None
        result = linprog(
            cost,
            A_ub=a_ub,
            b_ub=np.zeros(m),
            A_eq=a_full,
            b_eq=np.zeros(a_eq.shape[0]) if a_full is not None else None,
            bounds=[(None, None)] * n + [(0.0, 1.0)] * m,
            method="highs",
        )
        if result.status != 0:  # cannot happen for a cone; be safe and call them all forced
            return list(range(m))
        t = np.asarray(result.x, dtype=np.float64)[n:]
        return [int(k) for k in np.flatnonzero(t < 0.5)]

    @staticmethod
    def _pinned_by_null_space(component: list[int], a_eq: np.ndarray) -> set[int]:
        if a_eq.shape[0] == 0:
            return set()
        if a_eq.shape[0] > a_eq.shape[1]:
            a_eq = np.linalg.qr(a_eq).R  # same null space, square
        _, s, vt = np.linalg.svd(a_eq)
        rank = int(np.sum(s > 1e-9 * max(1.0, float(s[0]))))
        null = vt[rank:]
        if null.shape[0] == 0:
            return set(component)
        weight = np.linalg.norm(null, axis=0)
        return {c for c, w in zip(component, weight, strict=True) if w <= 1e-6}


def _totally_unimodular(matrix: np.ndarray) -> bool:
    """A sufficient test: entries in {-1, 0, 1}, at most two per column, and the rows split in
    two so that a column's two entries lie in one part when their signs differ and in
    different parts when they agree (hierarchies and two-way tables with margins pass)."""
    if matrix.size == 0:
        return True
    if not np.all(np.isin(matrix, (-1.0, 0.0, 1.0))):
        return False
    edges: dict[int, list[tuple[int, int]]] = {}
    for column in matrix.T:
        (nonzero,) = np.nonzero(column)
        if nonzero.size > 2:
            return False
        if nonzero.size == 2:
            a, b = int(nonzero[0]), int(nonzero[1])
            apart = int(column[a] == column[b])
            edges.setdefault(a, []).append((b, apart))
            edges.setdefault(b, []).append((a, apart))
    side: dict[int, int] = {}
    for start in edges:
        if start in side:
            continue
        side[start] = 0
        stack = [start]
        while stack:
            row = stack.pop()
            for other, apart in edges[row]:
                want = side[row] ^ apart
                if other not in side:
                    side[other] = want
                    stack.append(other)
                elif side[other] != want:
                    return False
    return True
