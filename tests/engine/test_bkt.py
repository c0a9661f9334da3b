"""BKT: parameter recovery, compiled vs reference, bounds, warm starts, online updates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from waypoint.engine import _bkt_kernels as kernels
from waypoint.engine import _bkt_reference as reference
from waypoint.engine.base import NotFittedError
from waypoint.engine.bkt import BKT, BKTParams, SkillParams, update, warm_up
from waypoint.engine.data import prepare
from waypoint.engine.synthetic import random_params, simulate


@pytest.fixture(scope="module")
def big() -> tuple[np.ndarray, dict[str, Any]]:
    """8 skills x 1500 learners x 5-25 opportunities (about 180,000 responses)."""
    true = random_params(8, seed=11)
    return true, simulate(true, n_learners=1500, min_length=5, max_length=25, seed=12)


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return simulate(random_params(5, seed=1), n_learners=80, min_length=1, max_length=15, seed=2)


def _seqs(data: dict[str, Any]) -> Any:
    return prepare(data["skill"], data["learner"], data["correct"], data["order"])


def test_parameter_recovery(big: tuple[np.ndarray, dict[str, Any]]) -> None:
    """Tolerances: every prior, learn, guess and slip within 0.05 of the truth; mean
    absolute error under 0.02."""
    true, data = big
    model = BKT(seed=0).fit(data)
    est = model.params_.as_array()
    error = np.abs(est - true)[:, [kernels.PRIOR, kernels.LEARN, kernels.GUESS, kernels.SLIP]]
    assert error.max() < 0.05, error
    assert error.mean() < 0.02, error
    assert np.all(model.params_.forget == 0.0)
    assert np.all(model.n_iter_ >= 2) and np.all(model.n_iter_ <= model.max_iter)


def test_forgetting_recovery() -> None:
    true = random_params(4, seed=21, forgetting=True)
    data = simulate(true, n_learners=2500, min_length=10, max_length=30, seed=22)
    est = BKT(forgetting=True, seed=0).fit(data).params_.as_array()
    assert np.abs(est - true).max() < 0.08
    assert np.abs(est[:, kernels.FORGET] - true[:, kernels.FORGET]).mean() < 0.03


@pytest.mark.parametrize("forget", [0.0, 0.07])
def test_compiled_and_reference_agree_on_e_step_and_forward(
    small: dict[str, Any], forget: float
) -> None:
    seqs = _seqs(small)
    params = random_params(seqs.n_skills, seed=4)
    params[:, kernels.FORGET] = forget
    compiled = kernels.e_step(
        seqs.correct, seqs.seq_offsets, seqs.skill_offsets, params, seqs.max_sequence_length()
    )
    ref = reference.e_step(seqs.correct, seqs.seq_offsets, seqs.skill_offsets, params)
    np.testing.assert_allclose(compiled, ref, rtol=0, atol=1e-9)
    assert np.all(ref[:, kernels.LOGLIK] < 0)

    model = BKT(threads=1).fit(small)
    model.params_ = BKTParams.from_array(seqs.skills, params)
    p_fast, m_fast = model.forward(seqs)
    model.backend = "numpy"
    p_ref, m_ref = model.forward(seqs)
    np.testing.assert_allclose(p_fast, p_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(m_fast, m_ref, rtol=0, atol=1e-9)


def test_compiled_and_reference_fits_agree(small: dict[str, Any]) -> None:
    fast = BKT(restarts=2, max_iter=25, seed=5, forgetting=True).fit(small)
    slow = BKT(restarts=2, max_iter=25, seed=5, forgetting=True, backend="numpy").fit(small)
    np.testing.assert_allclose(fast.params_.as_array(), slow.params_.as_array(), atol=1e-9)
    np.testing.assert_array_equal(fast.n_iter_, slow.n_iter_)


def test_short_run_restart_selection(big: tuple[np.ndarray, dict[str, Any]]) -> None:
    """burn_in: the best start after a few E-steps goes on; the result matches running every
    start to convergence on well-identified data, for a fraction of the EM work."""
    true, data = big
    every = BKT(burn_in=0, seed=3).fit(data)
    short = BKT(burn_in=5, seed=3).fit(data)
    np.testing.assert_allclose(short.params_.as_array(), every.params_.as_array(), atol=0.01)
    assert np.all(short.log_likelihood_ >= every.log_likelihood_ - 1.0)
    assert short.obs_iter_ < 0.7 * every.obs_iter_
    # the continued run counts its burn-in E-steps and stays under the cap
    assert np.all(short.n_iter_ > 5) and np.all(short.n_iter_ <= short.max_iter)
    error = np.abs(short.params_.as_array() - true)[:, [0, 1, 3, 4]]
    assert error.max() < 0.05


def test_halving_keeps_the_iteration_cap_and_one_start_is_plain_em(small: dict[str, Any]) -> None:
    capped = BKT(restarts=5, burn_in=3, max_iter=7, seed=1).fit(small)
    assert capped.n_iter_.max() <= 7
    # 5 runs × 3 E-steps, 3 × 3 more, 2 × 1 (the cap), at most, per skill
    assert capped.total_iter_ <= (15 + 9 + 2) * len(capped.params_)
    one = BKT(restarts=1, burn_in=3, seed=1).fit(small)
    plain = BKT(restarts=1, burn_in=0, seed=1).fit(small)
    np.testing.assert_array_equal(one.params_.as_array(), plain.params_.as_array())
    np.testing.assert_array_equal(one.n_iter_, plain.n_iter_)


def test_short_run_selection_compiled_and_reference_agree(small: dict[str, Any]) -> None:
    fast = BKT(restarts=3, burn_in=3, max_iter=25, seed=5, forgetting=True).fit(small)
    slow = BKT(restarts=3, burn_in=3, max_iter=25, seed=5, forgetting=True, backend="numpy")
    slow.fit(small)
    np.testing.assert_allclose(fast.params_.as_array(), slow.params_.as_array(), atol=1e-9)
    np.testing.assert_array_equal(fast.n_iter_, slow.n_iter_)
    assert fast.total_iter_ == slow.total_iter_


def test_threads_do_not_change_results(big: tuple[np.ndarray, dict[str, Any]]) -> None:
    _, data = big
    one = BKT(threads=1).fit(data)
    two = BKT(threads=2).fit(data)
    np.testing.assert_array_equal(one.params_.as_array(), two.params_.as_array())
    np.testing.assert_array_equal(one.predict_proba(data), two.predict_proba(data))


def test_bounds_hold() -> None:
    true = random_params(3, seed=8)
    true[:, kernels.GUESS] = 0.45  # beyond the cap
    true[:, kernels.SLIP] = 0.02
    data = simulate(true, n_learners=400, seed=9)
    model = BKT(guess_cap=0.25, slip_cap=0.2, min_prob=1e-4).fit(data)
    p = model.params_
    assert np.all(p.guess <= 0.25) and np.all(p.slip <= 0.2)
    assert np.isclose(p.guess, 0.25).any()
    array = p.as_array()[:, [0, 1, 3, 4]]
    assert np.all(array >= 1e-4) and np.all(array <= 1 - 1e-4)
    _lo, hi = model.bounds()
    assert hi[kernels.FORGET] == 0.0


def test_warm_started_refit_is_quick(big: tuple[np.ndarray, dict[str, Any]]) -> None:
    _, data = big
    cold = BKT().fit(data)
    warm = BKT().fit(data, init_params=cold.params_)
    assert warm.total_iter_ < cold.total_iter_ / 3
    np.testing.assert_allclose(warm.params_.as_array(), cold.params_.as_array(), atol=5e-3)
    assert np.all(warm.log_likelihood_ >= cold.log_likelihood_ - 1e-2)
    again = cold.refit(data)
    assert again.total_iter_ == warm.total_iter_


def test_unseen_skills_use_defaults(small: dict[str, Any]) -> None:
    model = BKT().fit(small)
    counts = model.params_.n_obs
    mean = (counts / counts.sum()) @ model.params_.as_array()
    np.testing.assert_allclose(np.asarray(model.default_params_), mean)
    new = {"skill": [99, 99, 0], "learner": [1, 1, 1], "correct": [1, 0, 1]}
    proba = model.predict_proba(new)
    d = model.default_params_
    assert proba[0] == pytest.approx(d.prior * (1 - d.slip) + (1 - d.prior) * d.guess)
    assert list(model.known_skills([99, 0])) == [False, True]
    assert model.skill_params(99) == d
    assert model.skill_params(0) == model.params_[0]

    given = SkillParams(0.5, 0.1, 0.0, 0.2, 0.1)
    fixed = BKT(default_params=given).fit(small)
    assert fixed.predict_proba(new)[0] == pytest.approx(0.5 * 0.9 + 0.5 * 0.2)


def test_online_updates_equal_the_forward_pass(small: dict[str, Any]) -> None:
    model = BKT().fit(small)
    _, mastery = model.forward(small)
    p_correct = model.predict_proba(small)
    # one state per (skill, learner), responses streamed in time order
    key = np.asarray(small["skill"]) * 10_000 + np.asarray(small["learner"])
    uniq, index = np.unique(key, return_inverse=True)
    states = model.initial_state(uniq // 10_000)
    stream = np.lexsort((small["order"], small["learner"]))  # by learner, then time
    p_stream = model.update_states(
        states, index[stream], np.asarray(small["skill"])[stream], small["correct"][stream]
    )
    np.testing.assert_allclose(p_stream, p_correct[stream], rtol=1e-12, atol=0)
    seqs = _seqs(small)
    last = seqs.rows[seqs.seq_offsets[1:] - 1]
    final = np.empty(len(uniq))
    final[index[last]] = mastery[last]
    np.testing.assert_allclose(states, final, rtol=1e-12, atol=0)

    # the scalar and the vectorised single step agree with the stream
    skill0 = np.asarray(small["skill"])[0]
    sp = model.skill_params(skill0)
    s = update(sp.prior, 1, sp)
    assert model.partial_update(sp.prior, 1, skill0) == pytest.approx(s, rel=1e-15)
    vec = model.partial_update([sp.prior, 0.5], [1, 0], [skill0, skill0])
    assert vec.shape == (2,)
    assert vec[0] == pytest.approx(s, rel=1e-15)


def test_final_state(small: dict[str, Any]) -> None:
    model = BKT().fit(small)
    skill, learner, state = model.final_state(small)
    seqs = _seqs(small)
    assert skill.shape == learner.shape == state.shape == (seqs.n_sequences,)
    assert np.all((state > 0) & (state < 1))


def test_params_container(small: dict[str, Any]) -> None:
    model = BKT().fit(small)
    p = model.params_
    assert len(p) == 5 and 0 in p and 77 not in p
    d = p.to_dict()
    assert set(d[0]) == {"prior", "learn", "forget", "guess", "slip"}
    with pytest.raises(KeyError):
        p[77]
    with pytest.raises(TypeError):
        p.locate(np.array(["a"]))
    again = BKTParams.from_array(p.skills[::-1], p.as_array()[::-1])
    np.testing.assert_array_equal(again.as_array(), p.as_array())
    with pytest.raises(ValueError):
        BKTParams.from_array([1, 1], np.zeros((2, 5)))


def test_validation_and_not_fitted(small: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="backend"):
        BKT(backend="gpu").fit(small)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BKT(restarts=0).fit(small)
    with pytest.raises(ValueError, match="burn_in"):
        BKT(burn_in=-1).fit(small)
    with pytest.raises(ValueError):
        BKT(slip_cap=1.5).fit(small)
    with pytest.raises(ValueError):
        BKT(threads=0).fit(small)
    with pytest.raises(NotFittedError):
        BKT().refit(small)
    with pytest.raises(NotFittedError):
        BKT().initial_state([1])
    model = BKT().fit(small)
    with pytest.raises(TypeError):
        model.update_states(np.zeros(3, dtype=np.float32), [0], [0], [1])
    with pytest.raises(IndexError):
        model.update_states(np.zeros(3), [5], [0], [1])


def test_warm_up_runs() -> None:
    warm_up()
