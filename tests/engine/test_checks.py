"""Every engine model runs the shared check suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.engine import checks
from waypoint.engine.bkt import BKT
from waypoint.engine.synthetic import random_params, simulate

MODELS: dict[str, Callable[[], Any]] = {
    "bkt-numba": lambda: BKT(restarts=2, max_iter=30, seed=3, threads=1),
    "bkt-numba-2-threads": lambda: BKT(restarts=2, max_iter=30, seed=3, threads=2),
    "bkt-numba-forgetting": lambda: BKT(restarts=2, max_iter=30, seed=3, forgetting=True),
    "bkt-numpy": lambda: BKT(restarts=1, max_iter=10, seed=3, backend="numpy"),
}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return simulate(random_params(4, seed=5), n_learners=60, min_length=2, max_length=12, seed=6)


@pytest.mark.parametrize("check", checks.ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("model", sorted(MODELS))
def test_shared_checks(model: str, check: Callable[..., None], data: dict[str, Any]) -> None:
    check(MODELS[model], data)


def test_check_estimator_runs_all() -> None:
    data = simulate(random_params(2, seed=1), n_learners=20, seed=2)
    checks.check_estimator(MODELS["bkt-numba"], data)
