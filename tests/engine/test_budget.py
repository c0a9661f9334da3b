"""Five-year budget projection and weighted student funding on hand-worked numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.engine.budget import (
    FundedLearner,
    Weights,
    allocate,
    base_for_total,
    learner_weight,
    project,
)


def test_projection_by_hand() -> None:
    p = project(
        salaries=1_000_000,
        supplements=50_000,
        other_costs=100_000,
        learners=200,
        revenue_per_learner=5_500,
        first_year=2027,
        years=5,
        salary_step=0.02,
        schedule_raise=0.0,
        inflation=0.10,
        enrollment_change=-0.05,
        funding_growth=0.0,
        grant=60_000,
        grant_ends=2029,
    )
    y = p.years
    assert [b.year for b in y] == [2027, 2028, 2029, 2030, 2031]
    # learners: 200, 190, 180.5 -> 180, 171.475 -> 171, 162.9 -> 163
    assert [b.learners for b in y] == [200, 190, 180, 171, 163]
    assert y[1].salaries == pytest.approx(1_020_000)
    assert y[2].salaries == pytest.approx(1_040_400)
    assert y[2].supplements == pytest.approx(52_020)
    assert y[2].other == pytest.approx(121_000)
    assert [b.grant for b in y] == [60_000, 60_000, 0, 0, 0]
    # 2027: 200 x 5,500 + 60,000 - (1,000,000 + 50,000 + 100,000) = 10,000
    assert y[0].balance == pytest.approx(10_000)
    # 2028: 1,045,000 + 60,000 - (1,020,000 + 51,000 + 110,000) = -76,000
    assert y[1].balance == pytest.approx(-76_000)
    assert p.shortfall_years == (2028, 2029, 2030, 2031)
    assert not p.affordable and not p.affordable_after_grant


def test_affordable_during_the_grant_but_not_after() -> None:
    p = project(
        salaries=900_000,
        learners=200,
        revenue_per_learner=5_000,
        first_year=2027,
        salary_step=0.0,
        inflation=0.0,
        grant=100_000,
        grant_ends=2029,
    )
    # 1,000,000 of revenue against 900,000 of salaries ... plus the grant: always affordable
    assert p.affordable_after_grant
    q = project(
        salaries=1_050_000,
        learners=200,
        revenue_per_learner=5_000,
        first_year=2027,
        salary_step=0.0,
        inflation=0.0,
        grant=100_000,
        grant_ends=2029,
    )
    # 1,100,000 with the grant, 1,000,000 without: short by 50,000 from 2029
    assert [b.balance for b in q.years] == pytest.approx(
        [50_000, 50_000, -50_000, -50_000, -50_000]
    )
    assert q.shortfall_years == (2029, 2030, 2031)
    assert not q.affordable_after_grant


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"salaries": -1.0}, r"salaries must be finite and at least 0 \(got -1.0\)"),
        ({"grant": float("nan")}, r"grant must be finite"),
        ({"inflation": -1.5}, r"inflation must be finite and at least -1 \(got -1.5\)"),
        ({"years": 0}, r"years must be at least 1 \(got 0\)"),
        ({"learners": -3}, r"learners must be at least 0 \(got -3\)"),
    ],
)
def test_projection_bad_input_is_named(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {
        "salaries": 1.0,
        "learners": 1,
        "revenue_per_learner": 1.0,
        "first_year": 2027,
    }
    with pytest.raises(ValueError, match=message):
        project(**{**args, **kwargs})  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(
    salaries=st.floats(0, 1e7),
    step=st.floats(0, 0.1),
    years=st.integers(1, 8),
    grant=st.floats(0, 1e6),
    ends=st.integers(2026, 2035),
)
def test_projection_properties(
    salaries: float, step: float, years: int, grant: float, ends: int
) -> None:
    p = project(
        salaries=salaries,
        learners=100,
        revenue_per_learner=1.0,
        first_year=2027,
        years=years,
        salary_step=step,
        grant=grant,
        grant_ends=ends,
    )
    assert len(p.years) == years
    costs = [b.cost for b in p.years]
    assert costs == sorted(costs)  # costs never fall with non-negative steps
    assert all(b.grant == (grant if b.year < ends else 0.0) for b in p.years)
    # the balance is revenue plus grant minus cost, year by year
    for b in p.years:
        assert b.balance == pytest.approx(b.revenue + b.grant - b.cost)


WEIGHTS = Weights(
    base=4_000,
    grade_bands={"K-2": 0.10, "3-5": 0.0, "6-8": 0.05, "9-12": 0.20},
    economically_disadvantaged=0.25,
    english_learner=0.20,
    disability_levels={"1": 0.20, "2": 0.60, "3": 1.50},
    gifted=0.10,
)


def test_weights_add_up_by_hand() -> None:
    plain = FundedLearner("A", "3-5")
    assert learner_weight(plain, WEIGHTS) == 0.0
    many = FundedLearner("A", "K-2", True, True, "2", False)
    assert learner_weight(many, WEIGHTS) == pytest.approx(0.10 + 0.25 + 0.20 + 0.60)


def test_allocation_by_hand() -> None:
    learners = [
        FundedLearner("A", "3-5"),  # 1.00
        FundedLearner("A", "K-2", economically_disadvantaged=True),  # 1.35
        FundedLearner("A", "3-5", english_learner=True, disability_level="3"),  # 2.70
        FundedLearner("B", "9-12", gifted=True),  # 1.30
        FundedLearner("B", "6-8", disability_level="1"),  # 1.25
    ]
    out = {a.school: a for a in allocate(learners, WEIGHTS, {"A": 20_000, "B": 10_000, "C": 5})}
    assert out["A"].learners == 3
    assert out["A"].weighted_learners == pytest.approx(5.05)
    assert out["A"].allocation == pytest.approx(20_200)
    assert out["A"].difference == pytest.approx(200)
    assert out["A"].change == pytest.approx(0.01)
    assert out["B"].allocation == pytest.approx(4_000 * 2.55)
    assert out["B"].difference == pytest.approx(200)
    assert out["C"].learners == 0 and out["C"].allocation == 0 and out["C"].difference == -5
    # the base that spends 40,000 over these weighted learners (7.6 of them)
    base = base_for_total(learners, WEIGHTS, 40_000)
    assert base == pytest.approx(40_000 / 7.6)


@pytest.mark.parametrize(
    ("learner", "weights", "message"),
    [
        (FundedLearner("A", "PK"), WEIGHTS, r"grade band 'PK' has no weight"),
        (
            FundedLearner("A", "3-5", disability_level="4"),
            WEIGHTS,
            r"disability service level '4' has no weight",
        ),
        (FundedLearner("A", "3-5"), Weights(base=-1), r"base must be finite and at least 0"),
        (
            FundedLearner("A", "3-5"),
            Weights(base=1, english_learner=-0.2),
            r"english_learner weight must be finite and at least 0 \(got -0.2\)",
        ),
    ],
)
def test_wsf_bad_input_is_named(learner: FundedLearner, weights: Weights, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate([learner], weights)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            FundedLearner,
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["K-2", "3-5", "6-8", "9-12"]),
            st.booleans(),
            st.booleans(),
            st.sampled_from([None, "1", "2", "3"]),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_allocation_properties(learners: list[FundedLearner]) -> None:
    out = allocate(learners, WEIGHTS)
    assert sum(a.learners for a in out) == len(learners)
    total = sum(a.allocation for a in out)
    assert total == pytest.approx(sum(4_000 * (1 + learner_weight(x, WEIGHTS)) for x in learners))
    for a in out:
        assert a.allocation >= 4_000 * a.learners - 1e-6  # weights only add
