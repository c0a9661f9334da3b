"""Student growth percentiles: knots, B-spline bases, the quantile-regression solver, the SGP
rules (bounds, crossing, consecutive priors, most priors wins) and the real SGP sample data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.optimize import linprog

from waypoint.engine.growth import (
    TAUS,
    KnotsBoundaries,
    build_panel,
    design,
    growth_percentiles,
    knots_boundaries,
    knots_for_scores,
    model_design,
    percentiles_from_predictions,
    quantile_regression,
)

SGP_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sgp"


def check_loss(x: np.ndarray, y: np.ndarray, beta: np.ndarray, tau: float) -> float:
    r = y - x @ beta
    return float(np.sum(np.where(r >= 0, tau * r, (tau - 1) * r)))


def lp_optimum(x: np.ndarray, y: np.ndarray, tau: float) -> float:
    """The check-loss minimum as a linear programme: min tau 1'u + (1-tau) 1'v,
    x b + u - v = y, u, v >= 0 (HiGHS through scipy)."""
    n, p = x.shape
    cost = np.r_[np.zeros(p), np.full(n, tau), np.full(n, 1 - tau)]
    a_eq = np.hstack([x, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    res = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


def cohort(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer prior and current scores (many ties), current rising with prior."""
    rng = np.random.default_rng(seed)
    prior = rng.normal(500, 40, n).round()
    current = (0.8 * prior + rng.normal(120, 25, n)).round()
    return prior, current


# --- knots and boundaries -----------------------------------------------------------------


def test_knots_and_boundaries_by_hand() -> None:
    # R: quantile(c(1, 2, 4.1237), c(.2, .4, .6, .8)) (type 7) = 1.4, 1.8, 2.42474, 3.27422;
    # extendrange(f = 0.1) = 1 - 0.31237, 4.1237 + 0.31237; all rounded to 3 decimals.
    kb = knots_for_scores([4.1237, 1.0, np.nan, 2.0])
    assert kb.knots == (1.4, 1.8, 2.425, 3.274)
    assert kb.boundaries == (0.688, 4.436)


def test_knots_per_subject_and_grade_over_all_years() -> None:
    subject = np.array(["MATH"] * 5 + ["READING"] * 5)
    grade = np.array([3, 3, 3, 3, 4, 3, 3, 3, 3, 3])
    score = np.array([1, 2, 3, 4, 50, 10, 20, 30, 40, 50], dtype=float)
    kbs = knots_boundaries(subject, grade, score)
    assert set(kbs) == {("MATH", 3), ("READING", 3)}  # one score in grade 4: no range
    # 1..4: type-7 quantiles 1.6, 2.2, 2.8, 3.4; range 1..4 widened by 0.3 each side.
    assert kbs[("MATH", 3)] == KnotsBoundaries((1.6, 2.2, 2.8, 3.4), (0.7, 4.3))
    assert kbs[("READING", 3)].knots == (18.0, 26.0, 34.0, 42.0)


def test_knots_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="boundaries"):
        KnotsBoundaries((1.0,), (5.0, 5.0))
    with pytest.raises(ValueError, match="knots"):
        KnotsBoundaries((3.0, 2.0), (0.0, 5.0))


# --- B-spline basis -------------------------------------------------------------------------


def test_basis_without_interior_knots_is_bernstein() -> None:
    """bs(x, Boundary.knots = c(0, 1)): 3x(1-x)^2, 3x^2(1-x), x^3, also extended outside."""
    x = np.array([-0.5, 0.0, 0.25, 0.5, 1.0, 1.5])
    got = KnotsBoundaries((), (0.0, 1.0)).basis(x)
    want = np.stack([3 * x * (1 - x) ** 2, 3 * x**2 * (1 - x), x**3], axis=1)
    np.testing.assert_allclose(got, want, atol=1e-14)


def test_basis_partition_of_unity_and_continuity() -> None:
    kb = KnotsBoundaries((450.0, 500.0, 500.0, 560.0), (380.0, 700.0))
    x = np.linspace(380.0, 700.0, 2001)
    basis = kb.basis(x)
    assert basis.shape == (x.size, 7)
    dropped = 1.0 - basis.sum(axis=1)  # bs drops the first function of a partition of unity
    assert np.all(basis >= -1e-15) and np.all(dropped >= -1e-12)
    assert basis[-1, -1] == pytest.approx(1.0)  # the right boundary belongs to the last piece
    for knot in (450.0, 560.0):
        eps = 1e-9
        np.testing.assert_allclose(kb.basis([knot - eps]), kb.basis([knot + eps]), atol=1e-7)


# --- the quantile regression ----------------------------------------------------------------


@pytest.mark.parametrize("tau", [0.005, 0.1, 0.5, 0.75, 0.995])
def test_quantile_regression_is_optimal(tau: float) -> None:
    prior, current = cohort(150, seed=3)
    x = design([prior], [knots_for_scores(prior)])
    beta = quantile_regression(x, current, [tau])[:, 0]
    ours = check_loss(x, current, beta, tau)
    best = lp_optimum(x, current, tau)
    assert ours <= best * (1 + 1e-9) + 1e-9
    # A vertex solution: at least one observation per coefficient fitted exactly.
    assert np.sum(np.abs(current - x @ beta) < 1e-7) >= x.shape[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quantile_regression_optimal_with_heavy_ties(seed: int) -> None:
    """Few distinct values on both sides: degenerate vertices, where simplex codes cycle."""
    rng = np.random.default_rng(seed)
    prior = rng.integers(0, 6, 80).astype(float)
    current = rng.integers(0, 4, 80).astype(float)
    x = design([prior], [KnotsBoundaries((2.0,), (-1.0, 6.0))])
    taus = np.array([0.05, 0.3, 0.5, 0.7, 0.95])
    coef = quantile_regression(x, current, taus)
    for k, tau in enumerate(taus):
        assert check_loss(x, current, coef[:, k], tau) <= lp_optimum(x, current, tau) + 1e-9


def test_quantile_regression_many_quantiles_and_threads_agree() -> None:
    prior, current = cohort(400, seed=5)
    x = design([prior], [knots_for_scores(prior)])
    one = quantile_regression(x, current, TAUS, threads=1)
    two = quantile_regression(x, current, TAUS, threads=2)
    losses_one = [check_loss(x, current, one[:, k], t) for k, t in enumerate(TAUS)]
    losses_two = [check_loss(x, current, two[:, k], t) for k, t in enumerate(TAUS)]
    np.testing.assert_allclose(losses_one, losses_two, rtol=1e-10)
    for k in (0, 37, 99):
        assert losses_one[k] <= lp_optimum(x, current, TAUS[k]) * (1 + 1e-9) + 1e-9


def test_quantile_regression_rejects_bad_input() -> None:
    x = np.ones((3, 3))
    with pytest.raises(ValueError, match="rows"):
        quantile_regression(x, np.arange(3.0))
    with pytest.raises(ValueError, match="between 0 and 1"):
        quantile_regression(np.ones((5, 1)), np.arange(5.0), [0.0, 0.5])
    with pytest.raises(np.linalg.LinAlgError):
        quantile_regression(np.ones((5, 2)), np.arange(5.0), [0.5])  # rank 1


# --- the SGP rules --------------------------------------------------------------------------


def test_sgp_kept_within_1_and_99() -> None:
    predicted = np.tile(np.arange(100.0, 200.0), (3, 1))
    sgp = percentiles_from_predictions(predicted, np.array([50.0, 1000.0, 150.5]))
    assert sgp.tolist() == [1, 99, 51]


def test_crossing_undone_and_predictions_rounded() -> None:
    # Unsorted, the first quantile not below 35 would be the second (SGP 1); sorted it is
    # the fourth, so three quantiles lie below.
    sgp = percentiles_from_predictions(np.array([[10.0, 40.0, 20.0, 30.0]]), np.array([35.0]))
    assert sgp.tolist() == [3]
    # Rounded to 5 decimals: 34.999996 becomes 35 (not below 35), 34.999994 stays below.
    near = np.array([[10.0, 34.999996, 50.0], [10.0, 34.999994, 50.0]])
    assert percentiles_from_predictions(near, np.array([35.0, 35.0])).tolist() == [1, 2]


def test_priors_only_from_consecutive_grade_and_year() -> None:
    learner = [1, 1, 1, 1, 2, 2, 3, 3, 4, 4]
    subject = ["R", "R", "R", "R", "R", "R", "R", "R", "R", "M"]
    year = [2021, 2022, 2023, 2024, 2021, 2023, 2022, 2023, 2022, 2023]
    grade = [3, 4, 4, 5, 3, 4, 5, 7, 3, 4]
    panel = build_panel(learner, subject, year, grade, np.arange(10.0))
    depth = {
        (int(i), str(s), int(y)): int(d)
        for i, s, y, d in zip(panel.learner, panel.subject, panel.year, panel.depth, strict=True)
    }
    assert depth[(1, "R", 2022)] == 1  # grade 3 -> 4, 2021 -> 2022
    assert depth[(1, "R", 2023)] == 0  # repeated grade 4
    assert depth[(1, "R", 2024)] == 1  # grade 4 in 2023 counts; its own chain stopped there
    assert depth[(2, "R", 2023)] == 0  # a year skipped
    assert depth[(3, "R", 2023)] == 0  # a grade skipped
    assert depth[(4, "M", 2023)] == 0  # another subject


def test_panel_rejects_two_scores_in_one_year_and_drops_missing() -> None:
    with pytest.raises(ValueError, match="two R scores in 2022"):
        build_panel([1, 1], ["R", "R"], [2022, 2022], [3, 3], [1.0, 2.0])
    panel = build_panel([1, 1, 1], ["R"] * 3, [2021, 2022, 2023], [3, 4, 5], [1.0, np.nan, 3.0])
    assert panel.depth.tolist() == [0, 0]


def synthetic_cohorts(n: int, seed: int) -> dict[str, np.ndarray]:
    """Learners in grades 3, 4, 5 over 2021–2023; a third of them miss the 2021 score."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("learner", "year", "grade", "score")}
    for j, year in enumerate((2021, 2022, 2023)):
        has = np.ones(n, dtype=bool) if j else (np.arange(n) % 3 != 0)
        score = (400 + 30 * j + 35 * ability + rng.normal(0, 15, n) + 8 * j * ability).round()
        rows["learner"].append(np.arange(n)[has])
        rows["year"].append(np.full(int(has.sum()), year))
        rows["grade"].append(np.full(int(has.sum()), 3 + j))
        rows["score"].append(score[has])
    out = {k: np.concatenate(v) for k, v in rows.items()}
    out["subject"] = np.full(out["learner"].size, "READING")
    return out


def test_most_priors_model_wins() -> None:
    data = synthetic_cohorts(600, seed=9)
    result = growth_percentiles(
        data["learner"], data["subject"], data["year"], data["grade"], data["score"]
    )
    in_2023 = result.year == 2023
    two = in_2023 & (result.learner % 3 != 0)
    assert np.all(result.priors[two] == 2)
    assert np.all(result.priors[in_2023 & ~two] == 1)
    # Recompute the 2-prior learners' SGPs from the 2-prior model alone.
    by_key = {
        (int(i), int(y)): s
        for i, y, s in zip(data["learner"], data["year"], data["score"], strict=True)
    }
    ids = result.learner[two]
    p1 = np.array([by_key[(int(i), 2022)] for i in ids])
    p2 = np.array([by_key[(int(i), 2021)] for i in ids])
    current = result.score[two]
    kbs = result.knots
    x = design([p1, p2], [kbs[("READING", 4)], kbs[("READING", 3)]])
    expected = percentiles_from_predictions(x @ quantile_regression(x, current), current)
    np.testing.assert_array_equal(result.sgp[two], expected)
    # And it is not what the 1-prior model says for all of them.
    x1 = design([p1], [kbs[("READING", 4)]])
    one_prior = percentiles_from_predictions(x1 @ quantile_regression(x1, current), current)
    assert np.any(one_prior != expected)


def test_given_knots_are_used_and_returned() -> None:
    data = synthetic_cohorts(300, seed=4)
    mine = KnotsBoundaries((380.0, 395.0, 410.0, 425.0), (250.0, 560.0))
    args = (data["learner"], data["subject"], data["year"], data["grade"], data["score"])
    result = growth_percentiles(*args, knots={("READING", 3): mine}, keep_models=True)
    assert result.knots[("READING", 3)] == mine
    assert result.knots[("READING", 4)] == knots_for_scores(data["score"][data["grade"] == 4])
    default = growth_percentiles(*args, keep_models=True)
    m_given = next(m for m in result.models if (m.year, m.priors) == (2022, 1))
    m_default = next(m for m in default.models if (m.year, m.priors) == (2022, 1))
    assert not np.allclose(m_given.coefficients, m_default.coefficients)


def test_sgps_within_bounds_and_near_uniform_in_sample() -> None:
    data = synthetic_cohorts(2000, seed=1)
    result = growth_percentiles(
        data["learner"], data["subject"], data["year"], data["grade"], data["score"]
    )
    assert result.sgp.min() >= 1 and result.sgp.max() <= 99
    # In sample, about a tenth of learners fall below each model's 10th percentile curve.
    assert 0.08 < np.mean(result.sgp <= 10) < 0.12
    assert 48 < result.sgp.mean() < 52


# --- the real SGP sample data ---------------------------------------------------------------


def load_reading(every: int) -> dict[str, np.ndarray]:
    """The wide Reading sample as long arrays, learners whose ID is a multiple of ``every``."""
    path = SGP_DATA / "sgpData.parquet"
    if not path.exists():
        pytest.fail(f"the SGP sample data is missing: expected {path} (see bench/README.md)")
    table = pq.read_table(path).to_pydict()
    ids = np.asarray(table["ID"], dtype=np.int64)
    keep_learner = ids % every == 0
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("learner", "year", "grade", "score")}
    for year in (2021, 2022, 2023, 2024, 2025):
        grade = np.asarray(table[f"GRADE_{year}"], dtype=np.float64)
        score = np.asarray(table[f"SS_{year}"], dtype=np.float64)
        has = keep_learner & ~np.isnan(grade) & ~np.isnan(score)
        parts["learner"].append(ids[has])
        parts["year"].append(np.full(int(has.sum()), year))
        parts["grade"].append(grade[has].astype(np.int64))
        parts["score"].append(score[has])
    data = {k: np.concatenate(v) for k, v in parts.items()}
    data["subject"] = np.full(data["learner"].size, "READING")
    return data


def test_real_sgp_data() -> None:
    data = load_reading(every=4)  # a quarter of the learners keeps the test quick
    result = growth_percentiles(
        data["learner"],
        data["subject"],
        data["year"],
        data["grade"],
        data["score"],
        keep_models=True,
    )
    assert len(result) > 10_000
    assert set(np.unique(result.priors)) == {1, 2, 3}
    assert result.sgp.min() >= 1 and result.sgp.max() <= 99
    assert 0.08 < np.mean(result.sgp <= 10) < 0.12
    assert 47 < result.sgp.mean() < 53
    for (_, grade), kb in result.knots.items():
        scores = data["score"][data["grade"] == grade]
        assert kb.boundaries[0] < scores.min() <= kb.knots[0] <= kb.knots[-1] <= scores.max()
        assert scores.max() < kb.boundaries[1]
    for model in result.models:
        assert model.coefficients.shape == (1 + 7 * model.priors, 100)
        assert np.all(np.isfinite(model.coefficients))


def test_real_small_three_prior_models_are_optimal() -> None:
    """About 160 learners and 22 coefficients per model: badly conditioned bases, where
    rounding in the updated inverse once ended the simplex early. Every 3-prior model's
    check loss must reach the LP optimum."""
    path = SGP_DATA / "sgpData_LONG.parquet"
    if not path.exists():
        pytest.fail(f"the SGP sample data is missing: expected {path} (see bench/README.md)")
    table = pq.read_table(path, columns=["ID", "CONTENT_AREA", "YEAR", "GRADE", "SCALE_SCORE"])
    columns = table.to_pydict()
    ids = np.asarray(columns["ID"], dtype=np.int64)
    keep = ids % 20 == 0
    args = (
        ids[keep],
        np.asarray(columns["CONTENT_AREA"]).astype(str)[keep],
        np.asarray([int(y[-4:]) for y in columns["YEAR"]])[keep],
        np.asarray(columns["GRADE"], dtype=np.int64)[keep],
        np.asarray(columns["SCALE_SCORE"], dtype=np.float64)[keep],
    )
    result = growth_percentiles(*args, keep_models=True)
    panel = build_panel(*args)
    models = [m for m in result.models if m.priors == 3]
    assert len(models) >= 10
    for m in models:
        x, y = model_design(panel, result.knots, m.subject, m.year, m.grade, m.priors)
        assert x.shape == (m.n, 22)
        for k in range(1, 100, 6):
            ours = check_loss(x, y, m.coefficients[:, k], TAUS[k])
            assert ours <= lp_optimum(x, y, TAUS[k]) * (1 + 1e-9) + 1e-6, (m.subject, m.year, k)
