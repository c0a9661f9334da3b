"""The check suite every engine model passes (after scikit-learn's ``check_estimator``).

A model's test module calls :func:`check_estimator` with a factory for the model and a
dataset; each check is also exported on its own for parametrised tests.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from waypoint.engine.base import Estimator, NotFittedError, clone

Data = Mapping[str, npt.NDArray[Any]]
Factory = Callable[[], Any]


def _rows(data: Data) -> int:
    return int(np.asarray(next(iter(data.values()))).shape[0])


def check_init_stores_params(make: Factory, data: Data) -> None:
    est = make()
    params = est.get_params()
    assert params, "an estimator has parameters"
    again = type(est)(**params)
    assert again.get_params() == params
    assert not est.is_fitted(), "__init__ must not fit"
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


def check_set_params(make: Factory, data: Data) -> None:
    est = make()
    name, value = next(iter(est.get_params().items()))
    assert est.set_params(**{name: value}) is est
    with pytest.raises(ValueError):
        est.set_params(no_such_parameter=1)


def check_clone(make: Factory, data: Data) -> None:
    est = make().fit(data)
    copy = clone(est)
    assert type(copy) is type(est)
    assert copy.get_params() == est.get_params()
    assert not copy.is_fitted()


def check_not_fitted(make: Factory, data: Data) -> None:
    est = make()
    with pytest.raises(NotFittedError):
        est.predict_proba(data)
    assert isinstance(NotFittedError(), ValueError)


def check_fit_returns_self_and_shapes(make: Factory, data: Data) -> None:
    est = make()
    assert est.fit(data) is est
    assert est.is_fitted()
    proba = est.predict_proba(data)
    assert proba.shape == (_rows(data),)
    assert proba.dtype == np.float64


def check_probabilities_open_interval(make: Factory, data: Data) -> None:
    proba = make().fit(data).predict_proba(data)
    assert np.all(np.isfinite(proba))
    assert np.all((proba > 0.0) & (proba < 1.0))


def check_deterministic_with_seed(make: Factory, data: Data) -> None:
    a = make().fit(data).predict_proba(data)
    b = make().fit(data).predict_proba(data)
    np.testing.assert_array_equal(a, b)


def check_row_order_respected(make: Factory, data: Data) -> None:
    """Shuffling the input rows (with their order key) shuffles the output the same way."""
    est = make().fit(data)
    base = est.predict_proba(data)
    perm = np.random.default_rng(0).permutation(_rows(data))
    shuffled = {k: np.asarray(v)[perm] for k, v in data.items()}
    np.testing.assert_allclose(est.predict_proba(shuffled), base[perm], rtol=0, atol=1e-12)


def check_pickle_round_trip(make: Factory, data: Data) -> None:
    est = make().fit(data)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(data), est.predict_proba(data))


def check_repr(make: Factory, data: Data) -> None:
    est = make()
    assert type(est).__name__ in repr(est)


ALL_CHECKS: tuple[Callable[[Factory, Data], None], ...] = (
    check_init_stores_params,
    check_set_params,
    check_clone,
    check_not_fitted,
    check_fit_returns_self_and_shapes,
    check_probabilities_open_interval,
    check_deterministic_with_seed,
    check_row_order_respected,
    check_pickle_round_trip,
    check_repr,
)


def check_estimator(make: Factory, data: Data) -> None:
    """Run every check on the model built by ``make``."""
    assert isinstance(make(), Estimator)
    for check in ALL_CHECKS:
        check(make, data)
