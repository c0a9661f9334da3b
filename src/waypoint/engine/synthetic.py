"""Synthetic response data drawn from known BKT parameters (tests and benchmarks)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from waypoint.engine import _bkt_kernels as kernels

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def random_params(
    n_skills: int,
    seed: int | None = 0,
    *,
    forgetting: bool = False,
    guess_max: float = 0.3,
    slip_max: float = 0.3,
) -> F8:
    """Plausible parameters, ``(n_skills, 5)`` in the order prior, learn, forget, guess, slip."""
    rng = np.random.default_rng(seed)
    params = np.empty((n_skills, 5))
    params[:, kernels.PRIOR] = rng.uniform(0.1, 0.7, n_skills)
    params[:, kernels.LEARN] = rng.uniform(0.05, 0.3, n_skills)
    params[:, kernels.FORGET] = rng.uniform(0.01, 0.1, n_skills) if forgetting else 0.0
    params[:, kernels.GUESS] = rng.uniform(0.05, guess_max, n_skills)
    params[:, kernels.SLIP] = rng.uniform(0.05, slip_max, n_skills)
    return params


def simulate(
    params: npt.ArrayLike,
    n_learners: int,
    min_length: int = 5,
    max_length: int = 20,
    seed: int | None = 0,
) -> dict[str, npt.NDArray[np.int64]]:
    """Every learner works on every skill for a random number of opportunities.

    Returns columns ``skill``, ``learner``, ``correct`` and ``order`` (opportunity number),
    one row per response, sorted by skill, learner and time.
    """
    table = np.ascontiguousarray(params, dtype=np.float64).reshape(-1, 5)
    n_skills = table.shape[0]
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n_skills * n_learners)
    seq_offsets = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=seq_offsets[1:])
    n = int(seq_offsets[-1])
    seq_skill = np.repeat(np.arange(n_skills, dtype=np.int64), n_learners)
    seq_learner = np.tile(np.arange(n_learners, dtype=np.int64), n_skills)
    u = rng.random((n, 2))
    correct = np.empty(n, dtype=np.int8)
    kernels.simulate(seq_offsets, seq_skill, table, u, correct)
    order = np.arange(n, dtype=np.int64) - np.repeat(seq_offsets[:-1], lengths)
    return {
        "skill": np.repeat(seq_skill, lengths),
        "learner": np.repeat(seq_learner, lengths),
        "correct": correct.astype(np.int64),
        "order": order,
    }
