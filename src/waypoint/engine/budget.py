"""Budgets over time and weighted student funding (formulas also in ``docs/reach.md``).

Five-year projection
--------------------
Year ``i`` (0 = the first year) of a plan, with ``s`` the yearly salary step, ``r`` the
yearly raise of the salary schedule, ``p`` inflation, ``e`` the yearly enrollment change
and ``f`` the yearly growth of funding per learner::

    salaries_i    = salaries x ((1 + s)(1 + r))^i          (supplements are % of base: same)
    supplements_i = supplements x ((1 + s)(1 + r))^i
    other_i       = other_costs x (1 + p)^i                (associates, materials, ...)
    learners_i    = round(learners x (1 + e)^i)
    revenue_i     = learners_i x revenue_per_learner x (1 + f)^i
    grant_i       = grant while first_year + i < grant_ends, else 0
    balance_i     = revenue_i + grant_i - (salaries_i + supplements_i + other_i)

The plan is affordable in a year when ``balance_i >= 0``; :attr:`Projection.affordable_after_grant`
asks it of every year from the year the grant ends.

Weighted student funding
------------------------
A school's allocation = Σ over its learners of ``base x (1 + w)``, where ``w`` is the sum of
the learner's weights: their grade band's weight, plus economically disadvantaged, English
learner, their disability service level's weight, and gifted, as they apply.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "Allocation",
    "FundedLearner",
    "Projection",
    "Weights",
    "YearBudget",
    "allocate",
    "base_for_total",
    "learner_weight",
    "project",
]


def _finite(name: str, value: float, *, minimum: float | None = 0.0) -> None:
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" and at least {minimum:g}"
        raise ValueError(f"{name} must be finite{bound} (got {value})")


@dataclass(frozen=True)
class YearBudget:
    """One projected year."""

    year: int
    learners: int
    revenue: float
    grant: float
    salaries: float
    supplements: float
    other: float

    @property
    def cost(self) -> float:
        return self.salaries + self.supplements + self.other

    @property
    def balance(self) -> float:
        return self.revenue + self.grant - self.cost

    @property
    def affordable(self) -> bool:
        return self.balance >= -1e-6


@dataclass(frozen=True)
class Projection:
    """Projected years and whether the plan stays affordable once the grant ends."""

    years: tuple[YearBudget, ...]
    grant_ends: int | None

    @property
    def shortfall_years(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.years if not y.affordable)

    @property
    def affordable(self) -> bool:
        return not self.shortfall_years

    @property
    def affordable_after_grant(self) -> bool:
        """Every projected year from ``grant_ends`` on balances (all years if no grant)."""
        start = self.grant_ends if self.grant_ends is not None else -math.inf
        return all(y.affordable for y in self.years if y.year >= start)


def project(
    *,
    salaries: float,
    supplements: float = 0.0,
    other_costs: float = 0.0,
    learners: int,
    revenue_per_learner: float,
    first_year: int,
    years: int = 5,
    salary_step: float = 0.02,
    schedule_raise: float = 0.0,
    inflation: float = 0.025,
    enrollment_change: float = 0.0,
    funding_growth: float = 0.0,
    grant: float = 0.0,
    grant_ends: int | None = None,
) -> Projection:
    """Project a plan's budget ``years`` years ahead (see the module docstring).

    ``grant`` is paid each year before ``grant_ends`` (a calendar year; ``None``: never
    ends). Raises ``ValueError`` naming a negative amount or a rate below -100%.
    """
    for name, value in (
        ("salaries", salaries),
        ("supplements", supplements),
        ("other_costs", other_costs),
        ("revenue_per_learner", revenue_per_learner),
        ("grant", grant),
    ):
        _finite(name, value)
    if learners < 0:
        raise ValueError(f"learners must be at least 0 (got {learners})")
    if years < 1:
        raise ValueError(f"years must be at least 1 (got {years})")
    for name, value in (
        ("salary_step", salary_step),
        ("schedule_raise", schedule_raise),
        ("inflation", inflation),
        ("enrollment_change", enrollment_change),
        ("funding_growth", funding_growth),
    ):
        _finite(name, value, minimum=-1.0)
    pay = (1 + salary_step) * (1 + schedule_raise)
    out = []
    for i in range(years):
        year = first_year + i
        n = round(learners * (1 + enrollment_change) ** i)
        out.append(
            YearBudget(
                year=year,
                learners=n,
                revenue=n * revenue_per_learner * (1 + funding_growth) ** i,
                grant=grant if grant_ends is None or year < grant_ends else 0.0,
                salaries=salaries * pay**i,
                supplements=supplements * pay**i,
                other=other_costs * (1 + inflation) ** i,
            )
        )
    return Projection(tuple(out), grant_ends)


# ---------------------------------------------------------------------------- WSF


@dataclass(frozen=True)
class Weights:
    """A district's funding formula: base per learner and the weights added to 1."""

    base: float
    grade_bands: Mapping[str, float] = field(default_factory=dict)
    economically_disadvantaged: float = 0.0
    english_learner: float = 0.0
    disability_levels: Mapping[str, float] = field(default_factory=dict)
    gifted: float = 0.0

    def validate(self) -> None:
        _finite("base", self.base)
        for name in ("economically_disadvantaged", "english_learner", "gifted"):
            _finite(f"{name} weight", getattr(self, name))
        for band, w in self.grade_bands.items():
            _finite(f"grade band {band!r} weight", w)
        for level, w in self.disability_levels.items():
            _finite(f"disability level {level!r} weight", w)


@dataclass(frozen=True)
class FundedLearner:
    """A learner on the count date, with what the formula weighs."""

    school: Hashable
    grade_band: str
    economically_disadvantaged: bool = False
    english_learner: bool = False
    disability_level: str | None = None
    gifted: bool = False


def learner_weight(learner: FundedLearner, weights: Weights) -> float:
    """The sum ``w`` of the weights that apply to ``learner`` (their funding is base x (1+w))."""
    if weights.grade_bands and learner.grade_band not in weights.grade_bands:
        raise ValueError(f"grade band {learner.grade_band!r} has no weight in the formula")
    w = weights.grade_bands.get(learner.grade_band, 0.0)
    if learner.economically_disadvantaged:
        w += weights.economically_disadvantaged
    if learner.english_learner:
        w += weights.english_learner
    if learner.disability_level is not None:
        if learner.disability_level not in weights.disability_levels:
            raise ValueError(
                f"disability service level {learner.disability_level!r} has no weight "
                "in the formula"
            )
        w += weights.disability_levels[learner.disability_level]
    if learner.gifted:
        w += weights.gifted
    return w


@dataclass(frozen=True)
class Allocation:
    """One school's formula allocation against what it gets today."""

    school: Hashable
    learners: int
    weighted_learners: float
    allocation: float
    current: float | None

    @property
    def difference(self) -> float | None:
        return None if self.current is None else self.allocation - self.current

    @property
    def change(self) -> float | None:
        """Relative change from the current allocation (``None`` without one or when 0)."""
        if self.current is None or self.current == 0:
            return None
        return (self.allocation - self.current) / self.current


def allocate(
    learners: Iterable[FundedLearner],
    weights: Weights,
    current: Mapping[Hashable, float] | None = None,
) -> tuple[Allocation, ...]:
    """Per-school allocations ``Σ base x (1 + w)``, with ``current`` ones to compare.

    Schools in ``current`` with no learners appear with an allocation of 0. Raises
    ``ValueError`` for a negative base or weight, a grade band or disability level the
    formula does not weigh, or a negative current allocation.
    """
    weights.validate()
    current = current or {}
    for school, amount in current.items():
        _finite(f"current allocation of {school!r}", amount)
    count: dict[Hashable, int] = defaultdict(int)
    weighted: dict[Hashable, float] = defaultdict(float)
    for learner in learners:
        count[learner.school] += 1
        weighted[learner.school] += 1.0 + learner_weight(learner, weights)
    schools = list(dict.fromkeys([*count, *current]))
    return tuple(
        Allocation(
            school=s,
            learners=count.get(s, 0),
            weighted_learners=weighted.get(s, 0.0),
            allocation=weights.base * weighted.get(s, 0.0),
            current=current.get(s),
        )
        for s in schools
    )


def base_for_total(learners: Iterable[FundedLearner], weights: Weights, total: float) -> float:
    """The base that spends exactly ``total`` over ``learners`` with these weights."""
    _finite("total", total)
    weights.validate()
    weighted = sum(1.0 + learner_weight(x, weights) for x in learners)
    if weighted == 0:
        raise ValueError("no learners to fund")
    return total / weighted
