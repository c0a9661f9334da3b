"""Student growth percentiles (SGP) as the SGP R package computes them.

For each subject, school year and grade, a learner's current scale score is regressed on
cubic B-spline bases of their prior scores (``splines::bs``: degree 3, the knots and
boundaries of each prior's subject and grade, one intercept) at 100 quantiles
0.005, 0.015, …, 0.995, with the semantics of quantreg's ``rq(method="br")``: a vertex
solution of the check-loss linear programme. Priors come only from consecutive grades in
consecutive years (grade − 1 in year − 1, grade − 2 in year − 2, …). One model is fitted
per number of priors k = 1 … ``max_priors`` on every learner with at least k such priors;
a learner's SGP comes from the model with the most priors they have. Each learner's 100
predicted quantiles are sorted (undoing crossing) and rounded to 5 decimals; the SGP is
how many of them lie strictly below the actual score, kept within 1 … 99.

Knots sit at the 20/40/60/80th percentiles (R's default type-7 quantiles) of every score
of a subject and grade over all years, boundaries at its range widened by 10% on each
side, both rounded to 3 decimals; a district may give its own (:class:`KnotsBoundaries`).

``growth_percentiles`` takes long-format arrays and returns a :class:`GrowthResult`.
The solver is described in ``docs/decisions/0003-growth-percentiles.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from waypoint.engine import _growth_kernels as kernels
from waypoint.engine._jit import resolve_threads, using_threads

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Key = tuple[str, int]

TAUS: F8 = (np.arange(1, 101, dtype=np.float64) - 0.5) / 100.0
KNOT_PERCENTILES = (0.2, 0.4, 0.6, 0.8)
BOUNDARY_EXTENSION = 0.1
MAX_PRIORS = 3
SGP_MIN, SGP_MAX = 1, 99
PREDICTION_DIGITS = 5


@dataclass(frozen=True)
class KnotsBoundaries:
    """Interior knots and boundary knots of the B-spline basis of one subject and grade."""

    knots: tuple[float, ...]
    boundaries: tuple[float, float]

    def __post_init__(self) -> None:
        lower, upper = self.boundaries
        if not lower < upper:
            raise ValueError(f"boundaries must increase, got {self.boundaries}")
        if any(b < a for a, b in zip(self.knots, self.knots[1:], strict=False)):
            raise ValueError(f"knots must not decrease, got {self.knots}")

    @property
    def n_basis(self) -> int:
        """Columns this prior adds to the design (``bs`` without its intercept)."""
        return len(self.knots) + kernels.DEGREE

    def basis(self, x: npt.ArrayLike) -> F8:
        """``splines::bs(x, knots=knots, Boundary.knots=boundaries)`` as a float64 array."""
        values = np.ascontiguousarray(x, dtype=np.float64)
        knots = np.asarray(self.knots, dtype=np.float64)
        return kernels.bspline_basis(values, knots, self.boundaries[0], self.boundaries[1])


def knots_for_scores(scores: npt.ArrayLike) -> KnotsBoundaries:
    """Knots and boundaries from one subject and grade's scale scores (NaN ignored)."""
    values = np.asarray(scores, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        raise ValueError("no scores to place knots on")
    knots = np.round(np.quantile(values, KNOT_PERCENTILES), 3)
    lo, hi = float(values.min()), float(values.max())
    pad = BOUNDARY_EXTENSION * (hi - lo)
    return KnotsBoundaries(
        knots=tuple(float(k) for k in knots),
        boundaries=(float(np.round(lo - pad, 3)), float(np.round(hi + pad, 3))),
    )


def knots_boundaries(
    subject: npt.ArrayLike, grade: npt.ArrayLike, score: npt.ArrayLike
) -> dict[Key, KnotsBoundaries]:
    """Knots and boundaries for every (subject, grade) in the data, all years together.

    Pairs whose scores are all equal (no range to place a basis on) are left out.
    """
    subjects = np.asarray(subject).astype(str)
    grades = np.asarray(grade, dtype=np.int64)
    scores = np.asarray(score, dtype=np.float64)
    keep = ~np.isnan(scores)
    subjects, grades, scores = subjects[keep], grades[keep], scores[keep]
    out: dict[Key, KnotsBoundaries] = {}
    labels, codes = np.unique(subjects, return_inverse=True)
    for code, label in enumerate(labels):
        in_subject = codes == code
        for g in np.unique(grades[in_subject]):
            values = scores[in_subject & (grades == g)]
            if values.max() > values.min():
                out[(str(label), int(g))] = knots_for_scores(values)
    return out


@dataclass(frozen=True, eq=False)
class GrowthModel:
    """One fitted quantile-regression model: a subject, year, grade and number of priors."""

    subject: str
    year: int
    grade: int
    priors: int
    n: int
    """Learners it was fitted on (every learner with at least ``priors`` priors)."""
    coefficients: F8
    """``(1 + sum of basis columns, len(taus))``: intercept, then prior 1 (the most recent)."""
    pivots: int


@dataclass(frozen=True, eq=False)
class GrowthResult:
    """One row per learner score that has at least one prior and a fitted model."""

    learner: I64
    subject: npt.NDArray[np.str_]
    year: I64
    grade: I64
    score: F8
    sgp: I64
    priors: I64
    """Number of priors of the model the SGP came from."""
    knots: dict[Key, KnotsBoundaries]
    models: tuple[GrowthModel, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.learner.shape[0])

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """The per-learner columns by name."""
        return {
            "learner": self.learner,
            "subject": self.subject,
            "year": self.year,
            "grade": self.grade,
            "score": self.score,
            "sgp": self.sgp,
            "priors": self.priors,
        }


@dataclass(frozen=True, eq=False)
class Panel:
    """Long data sorted by (learner, subject, year) with each row's chain of priors."""

    learner: I64
    subject: npt.NDArray[np.str_]
    year: I64
    grade: I64
    score: F8
    prior: I64
    """``(n, max_priors)``: row of prior 1 (the most recent), 2, …; -1 where there is none."""
    depth: I64
    """Number of consecutive priors (at most ``max_priors``)."""


def build_panel(
    learner: npt.ArrayLike,
    subject: npt.ArrayLike,
    year: npt.ArrayLike,
    grade: npt.ArrayLike,
    score: npt.ArrayLike,
    *,
    max_priors: int = MAX_PRIORS,
) -> Panel:
    """Link each score to the same learner's scores in grade − j, year − j (j = 1, 2, …).

    Rows without a score (NaN) are dropped first. A learner may have one score per
    subject and year; a second raises ``ValueError``.
    """
    ids = np.asarray(learner, dtype=np.int64)
    subjects = np.asarray(subject).astype(str)
    years = np.asarray(year, dtype=np.int64)
    grades = np.asarray(grade, dtype=np.int64)
    scores = np.asarray(score, dtype=np.float64)
    n = ids.shape[0]
    if not all(a.shape == (n,) for a in (subjects, years, grades, scores)):
        raise ValueError("learner, subject, year, grade and score must be 1-d of one length")
    if max_priors < 1:
        raise ValueError("max_priors must be at least 1")
    keep = np.flatnonzero(~np.isnan(scores))
    subject_code = np.unique(subjects[keep], return_inverse=True)[1]
    order = keep[np.lexsort((years[keep], subject_code, ids[keep]))]
    subject_code = subject_code[np.searchsorted(keep, order)]
    ids, subjects, years, grades, scores = (
        ids[order],
        subjects[order],
        years[order],
        grades[order],
        scores[order],
    )
    same = (ids[1:] == ids[:-1]) & (subject_code[1:] == subject_code[:-1])
    if np.any(same & (years[1:] == years[:-1])):
        i = int(np.flatnonzero(same & (years[1:] == years[:-1]))[0])
        raise ValueError(
            f"learner {ids[i]} has two {subjects[i]} scores in {years[i]}: one per year"
        )
    # Sorted by year within (learner, subject), the row of year - 1 is the row before.
    linked = same & (years[1:] == years[:-1] + 1) & (grades[1:] == grades[:-1] + 1)
    prev = np.full(ids.shape[0], -1, dtype=np.int64)
    prev[1:][linked] = np.flatnonzero(linked)
    prior = np.full((ids.shape[0], max_priors), -1, dtype=np.int64)
    prior[:, 0] = prev
    for j in range(1, max_priors):
        before = prior[:, j - 1]
        has = before >= 0
        prior[has, j] = prev[before[has]]
    depth = np.sum(prior >= 0, axis=1).astype(np.int64)
    return Panel(ids, subjects, years, grades, scores, prior, depth)


def quantile_regression(
    x: npt.ArrayLike, y: npt.ArrayLike, taus: npt.ArrayLike = TAUS, *, threads: int | None = 1
) -> F8:
    """Linear quantile regression coefficients ``(p, len(taus))`` (vertex solutions).

    ``x`` is the full design (add the intercept column yourself). ``threads`` splits the
    quantiles into that many runs of neighbours (``None``: every numba thread).
    """
    coef, _ = _fit(
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(y, dtype=np.float64),
        np.ascontiguousarray(taus, dtype=np.float64),
        resolve_threads(threads),
    )
    return coef


def _fit(x: F8, y: F8, taus: F8, threads: int) -> tuple[F8, int]:
    """Quantile-regression coefficients and pivots; ``threads`` > 1 splits the quantiles."""
    n, p = x.shape
    if y.shape != (n,):
        raise ValueError("y must have one value per row of x")
    if n <= p:
        raise ValueError(f"{n} rows cannot fit {p} coefficients")
    if np.any((taus <= 0.0) | (taus >= 1.0)):
        raise ValueError("quantiles must lie strictly between 0 and 1")
    if np.any(np.diff(taus) <= 0.0):
        raise ValueError("quantiles must increase")
    max_pivots = 50 * (n + p) + 1000
    if threads == 1:
        coef, total = kernels.rq_simplex_serial(x, y, taus, max_pivots)
        pivots = np.array([total])
    else:
        with using_threads(threads):
            coef, pivots = kernels.rq_simplex(x, y, taus, threads, max_pivots)
    if np.any(pivots < 0):
        raise np.linalg.LinAlgError(
            "quantile regression failed: the design has fewer independent rows than "
            "columns, or the simplex hit its pivot cap"
        )
    return coef, int(pivots.sum())


def design(priors: list[F8], knots: list[KnotsBoundaries]) -> F8:
    """Intercept, then the B-spline basis of each prior (prior 1, the most recent, first)."""
    n = priors[0].shape[0] if priors else 0
    blocks = [np.ones((n, 1))]
    blocks += [kb.basis(values) for values, kb in zip(priors, knots, strict=True)]
    return np.ascontiguousarray(np.hstack(blocks))


def percentiles_from_predictions(predicted: F8, actual: F8) -> I64:
    """SGPs from ``(n, 100)`` predicted quantiles: sort each row, round to 5 decimals,
    count those strictly below the actual score, keep within 1 … 99."""
    ordered = np.round(np.sort(predicted, axis=1), PREDICTION_DIGITS)
    below = kernels.count_below(np.ascontiguousarray(ordered), np.asarray(actual, np.float64))
    return np.clip(below, SGP_MIN, SGP_MAX)


@dataclass(frozen=True, eq=False)
class _Task:
    key: tuple[str, int, int]  # subject, year, grade
    k: int
    members: I64
    knots: list[KnotsBoundaries]


def _model_tasks(panel: Panel, knots: Mapping[Key, KnotsBoundaries]) -> list[_Task]:
    """One task per (subject, year, grade) and number of priors k: rows with >= k priors."""
    current = np.flatnonzero(panel.depth > 0)
    subject_code = np.unique(panel.subject, return_inverse=True)[1]
    by_group = current[
        np.lexsort((panel.grade[current], panel.year[current], subject_code[current]))
    ]
    keys = np.stack([subject_code[by_group], panel.year[by_group], panel.grade[by_group]], axis=1)
    starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)])
    tasks = []
    for a, b in itertools.pairwise(np.r_[starts, by_group.shape[0]]):
        rows = by_group[a:b]
        subj = str(panel.subject[rows[0]])
        yr, gr = int(panel.year[rows[0]]), int(panel.grade[rows[0]])
        for k in range(1, int(panel.depth[rows].max()) + 1):
            prior_keys = [(subj, gr - j - 1) for j in range(k)]
            if any(key not in knots for key in prior_keys):
                continue  # a prior grade whose scores are all equal: no basis to fit on
            members = rows[panel.depth[rows] >= k]
            tasks.append(_Task((subj, yr, gr), k, members, [knots[key] for key in prior_keys]))
    return tasks


def model_design(
    panel: Panel,
    knots: Mapping[Key, KnotsBoundaries],
    subject: str,
    year: int,
    grade: int,
    priors: int,
) -> tuple[F8, F8]:
    """The design and current scores of one model: every learner in that subject, year and
    grade with at least ``priors`` consecutive priors (for checks and comparisons)."""
    members = np.flatnonzero(
        (panel.subject == subject)
        & (panel.year == year)
        & (panel.grade == grade)
        & (panel.depth >= priors)
    )
    prior_knots = [knots[(subject, grade - j - 1)] for j in range(priors)]
    x = design([panel.score[panel.prior[members, j]] for j in range(priors)], prior_knots)
    return x, panel.score[members]


def growth_percentiles(
    learner: npt.ArrayLike,
    subject: npt.ArrayLike,
    year: npt.ArrayLike,
    grade: npt.ArrayLike,
    score: npt.ArrayLike,
    *,
    knots: Mapping[Key, KnotsBoundaries] | None = None,
    max_priors: int = MAX_PRIORS,
    taus: npt.ArrayLike = TAUS,
    threads: int | None = 1,
    keep_models: bool = False,
) -> GrowthResult:
    """SGPs for every score with at least one consecutive prior, from long-format arrays.

    ``year`` is an integer school year (consecutive years differ by 1), ``grade`` an integer
    grade. ``knots`` overrides the knots and boundaries of the (subject, grade) pairs it
    names; the rest are computed from all years of the given data. The result carries
    every pair's knots that were used, and the fitted models when ``keep_models``.
    A model needs more learners than coefficients (and a prior grade with more than one
    distinct score); where it cannot be fitted, its learners get their SGP from the model
    with fewer priors.
    """
    panel = build_panel(learner, subject, year, grade, score, max_priors=max_priors)
    used_knots = knots_boundaries(panel.subject, panel.grade, panel.score)
    if knots is not None:
        used_knots.update({(str(s), int(g)): kb for (s, g), kb in knots.items()})
    tau_array = np.ascontiguousarray(taus, dtype=np.float64)
    tasks = _model_tasks(panel, used_knots)
    n_threads = resolve_threads(threads)

    def run(task: _Task) -> tuple[_Task, I64, GrowthModel] | None:
        x = design([panel.score[panel.prior[task.members, j]] for j in range(task.k)], task.knots)
        if task.members.shape[0] <= x.shape[1]:
            return None
        actual = panel.score[task.members]
        try:
            coef, pivots = _fit(x, actual, tau_array, 1)
        except np.linalg.LinAlgError:
            return None
        model = GrowthModel(*task.key, task.k, int(task.members.shape[0]), coef, pivots)
        return task, percentiles_from_predictions(x @ coef, actual), model

    # Largest models first, so threads finish together; the kernels release the GIL.
    tasks.sort(key=lambda t: -t.members.shape[0] * t.k)
    if n_threads == 1:
        fitted = [run(task) for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            fitted = list(pool.map(run, tasks))
    done = sorted((f for f in fitted if f is not None), key=lambda f: (f[0].key, f[0].k))
    sgp = np.zeros(panel.learner.shape[0], dtype=np.int64)
    used = np.zeros(panel.learner.shape[0], dtype=np.int64)
    for task, values, _ in done:
        # Learners with more priors are overwritten by the next, larger model.
        sgp[task.members] = values
        used[task.members] = task.k
    models = tuple(model for _, _, model in done) if keep_models else ()
    out = np.flatnonzero(used > 0)
    return GrowthResult(
        learner=panel.learner[out],
        subject=panel.subject[out],
        year=panel.year[out],
        grade=panel.grade[out],
        score=panel.score[out],
        sgp=sgp[out],
        priors=used[out],
        knots=dict(sorted(used_knots.items())),
        models=models,
    )
