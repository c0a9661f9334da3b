"""Bayesian Knowledge Tracing (BKT) per skill: EM fit, forward inference, online updates.

The model, its equations and the bounds are written up in ``docs/mastery-engine.md``.
In short, each skill (standard) has five probabilities:

``prior``   P(known before the first opportunity)
``learn``   P(unknown -> known) after an opportunity
``forget``  P(known -> unknown) after an opportunity (0 unless ``forgetting=True``)
``guess``   P(correct | unknown)
``slip``    P(incorrect | known)

:class:`BKT` is a scikit-learn-style estimator over the columnar layout of
:mod:`waypoint.engine.data`. The heavy work runs in compiled numba kernels
(``backend="numba"``); ``backend="numpy"`` runs the independent pure-numpy reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from waypoint.engine import _bkt_kernels as kernels
from waypoint.engine import _bkt_reference as reference
from waypoint.engine._jit import resolve_threads, using_threads
from waypoint.engine.base import Estimator
from waypoint.engine.data import Sequences, as_sequences, prepare

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Data = Sequences | Mapping[str, npt.ArrayLike]

PARAM_NAMES = ("prior", "learn", "forget", "guess", "slip")
FORWARD_OBS_PER_THREAD = 500_000


class SkillParams(NamedTuple):
    """The five BKT probabilities of one skill."""

    prior: float
    learn: float
    forget: float
    guess: float
    slip: float


@dataclass(frozen=True, eq=False)
class BKTParams:
    """Fitted parameters, one entry per skill, skills sorted by label."""

    skills: npt.NDArray[Any]
    prior: F8
    learn: F8
    forget: F8
    guess: F8
    slip: F8
    n_obs: I64
    """Training responses per skill (0 where parameters were given, not fitted)."""

    @classmethod
    def from_array(
        cls, skills: npt.ArrayLike, values: npt.ArrayLike, n_obs: npt.ArrayLike | None = None
    ) -> BKTParams:
        """From labels and an ``(n_skills, 5)`` array in the order of ``PARAM_NAMES``."""
        labels = np.asarray(skills)
        array = np.asarray(values, dtype=np.float64).reshape(-1, 5)
        if array.shape[0] != labels.shape[0]:
            raise ValueError("one parameter row per skill")
        order = np.argsort(labels, kind="stable")
        labels = labels[order]
        if labels.size > 1 and np.any(labels[1:] == labels[:-1]):
            raise ValueError("skill labels must be unique")
        array = array[order]
        counts = (
            np.zeros(labels.shape[0], dtype=np.int64)
            if n_obs is None
            else np.asarray(n_obs, dtype=np.int64)[order]
        )
        return cls._from_columns(labels, array, counts)

    @classmethod
    def _from_columns(cls, skills: npt.NDArray[Any], array: F8, n_obs: I64) -> BKTParams:
        return cls(
            skills=skills,
            prior=array[:, 0].copy(),
            learn=array[:, 1].copy(),
            forget=array[:, 2].copy(),
            guess=array[:, 3].copy(),
            slip=array[:, 4].copy(),
            n_obs=n_obs,
        )

    def as_array(self) -> F8:
        """``(n_skills, 5)`` float64 array in the order of ``PARAM_NAMES``."""
        return np.ascontiguousarray(
            np.stack([self.prior, self.learn, self.forget, self.guess, self.slip], axis=1)
        )

    def __len__(self) -> int:
        return int(self.skills.shape[0])

    def __contains__(self, skill: object) -> bool:
        return bool(self.locate(np.asarray([skill]))[0] >= 0)

    def __getitem__(self, skill: object) -> SkillParams:
        index = int(self.locate(np.asarray([skill]))[0])
        if index < 0:
            raise KeyError(skill)
        return SkillParams(*(float(getattr(self, name)[index]) for name in PARAM_NAMES))

    def locate(self, labels: npt.NDArray[Any]) -> I64:
        """Row of each label in these parameters, -1 for labels not present."""
        if self.skills.size == 0 or labels.size == 0:
            return np.full(labels.shape[0], -1, dtype=np.int64)
        if (self.skills.dtype.kind in "iub") != (labels.dtype.kind in "iub"):
            raise TypeError(
                f"skill labels of kind {labels.dtype.kind!r} cannot be matched with the "
                f"fitted labels of kind {self.skills.dtype.kind!r}"
            )
        pos = np.searchsorted(self.skills, labels)
        pos = np.minimum(pos, self.skills.shape[0] - 1)
        found = self.skills[pos] == labels
        return np.where(found, pos, -1).astype(np.int64)

    def to_dict(self) -> dict[Any, dict[str, float]]:
        """``{skill: {"prior": ..., ...}}`` with plain Python values."""
        array = self.as_array()
        return {
            label.item() if hasattr(label, "item") else label: dict(
                zip(PARAM_NAMES, map(float, row), strict=True)
            )
            for label, row in zip(self.skills, array, strict=True)
        }


def update(state: float, correct: bool | int, params: SkillParams) -> float:
    """One online BKT step in O(1): P(known) before a response -> P(known) before the next.

    ``state`` is the learner's current P(known) (the skill's ``prior`` before any evidence).
    The result is kept in ``[1e-12, 1 - 1e-12]``, as in the batch forward pass.
    """
    slip = params.slip
    p_correct = state * (1.0 - slip) + (1.0 - state) * params.guess
    post = state * (1.0 - slip) / p_correct if correct else state * slip / (1.0 - p_correct)
    after = post * (1.0 - params.forget) + (1.0 - post) * params.learn
    return min(max(after, kernels.STATE_LO), kernels.STATE_HI)


def predict_correct(state: float, params: SkillParams) -> float:
    """P(the next response is correct) for a learner whose P(known) is ``state``."""
    return state * (1.0 - params.slip) + (1.0 - state) * params.guess


def _best_per_skill(task_skill: I64, task_offsets: I64, loglik: F8) -> I64:
    """Index of each skill's best run: highest log-likelihood, the first run on ties."""
    order = np.lexsort((np.arange(task_skill.shape[0]), -loglik, task_skill))
    best: I64 = order[task_offsets[:-1]]
    return best


def _snake_chunks(weights: I64, n_chunks: int) -> tuple[I64, I64]:
    """Spread items over chunks of similar total weight (heaviest first, snake order)."""
    n = weights.shape[0]
    order = np.argsort(-weights, kind="stable")
    if n_chunks <= 1 or n <= 1:
        return np.array([0, n], dtype=np.int64), order.astype(np.int64)
    position = np.arange(n)
    lap, within = np.divmod(position, n_chunks)
    chunk = np.where(lap % 2 == 0, within, n_chunks - 1 - within)
    by_chunk = np.argsort(chunk, kind="stable")
    items = order[by_chunk].astype(np.int64)
    counts = np.bincount(chunk, minlength=n_chunks)
    offsets = np.zeros(n_chunks + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, items


class BKT(Estimator):
    """Bayesian Knowledge Tracing, one model per skill, fitted by EM with restarts.

    Parameters
    ----------
    restarts:
        EM runs from random starting points per skill; the best log-likelihood wins.
    burn_in:
        Restart selection by successive halving: while a skill has more than one run
        left, each run takes this many more E-steps and the better half (by
        log-likelihood) goes on; the last one runs to convergence. Most restarts of a skill
        reach the same optimum, so this costs about two long runs instead of ``restarts``;
        0 runs every restart to convergence, as pyBKT does (docs/mastery-engine.md).
    max_iter:
        Cap on E-steps per run.
    tol:
        A run stops when the total log-likelihood of the skill changes by less than this
        between two E-steps (absolute, as pyBKT does).
    forgetting:
        Fit ``forget``; otherwise it is fixed at 0 (standard BKT).
    guess_cap, slip_cap:
        Upper bounds on guess and slip (keep "known" meaning known).
    min_prob:
        Every fitted probability stays in ``[min_prob, 1 - min_prob]``.
    seed:
        Seed for the random starting points (same seed, same data: same result, whatever
        the number of threads). ``None`` draws fresh entropy.
    threads:
        Threads for the compiled kernels; ``None`` means all numba has.
    backend:
        ``"numba"`` (compiled) or ``"numpy"`` (the reference path; slow, for checking).
    default_params:
        Parameters for skills not seen in training; ``None`` uses the mean of the fitted
        skills' parameters, weighted by their number of responses.
    """

    def __init__(
        self,
        restarts: int = 5,
        burn_in: int = 3,
        max_iter: int = 100,
        tol: float = 1e-3,
        forgetting: bool = False,
        guess_cap: float = 0.3,
        slip_cap: float = 0.3,
        min_prob: float = 1e-6,
        seed: int | None = 0,
        threads: int | None = None,
        backend: Literal["numba", "numpy"] = "numba",
        default_params: SkillParams | None = None,
    ) -> None:
        self.restarts = restarts
        self.burn_in = burn_in
        self.max_iter = max_iter
        self.tol = tol
        self.forgetting = forgetting
        self.guess_cap = guess_cap
        self.slip_cap = slip_cap
        self.min_prob = min_prob
        self.seed = seed
        self.threads = threads
        self.backend = backend
        self.default_params = default_params

    # ------------------------------------------------------------------ settings
    def _validate(self) -> None:
        if self.backend not in ("numba", "numpy"):
            raise ValueError(f"backend must be 'numba' or 'numpy', got {self.backend!r}")
        if int(self.restarts) < 1:
            raise ValueError("restarts must be at least 1")
        if int(self.burn_in) < 0:
            raise ValueError("burn_in must be 0 (off) or a number of E-steps")
        if int(self.max_iter) < 1:
            raise ValueError("max_iter must be at least 1")
        if not self.tol >= 0.0:
            raise ValueError("tol must be non-negative")
        if not 0.0 < self.min_prob < 0.5:
            raise ValueError("min_prob must be in (0, 0.5)")
        for name in ("guess_cap", "slip_cap"):
            cap = getattr(self, name)
            if not self.min_prob < cap <= 1.0 - self.min_prob:
                raise ValueError(f"{name} must be in (min_prob, 1 - min_prob]")

    def bounds(self) -> tuple[F8, F8]:
        """Lower and upper bound of each parameter, in the order of ``PARAM_NAMES``."""
        eps = float(self.min_prob)
        lo = np.full(5, eps)
        hi = np.full(5, 1.0 - eps)
        hi[kernels.GUESS] = float(self.guess_cap)
        hi[kernels.SLIP] = float(self.slip_cap)
        if not self.forgetting:
            lo[kernels.FORGET] = hi[kernels.FORGET] = 0.0
        return lo, hi

    def _random_starts(self, n_skills: int) -> F8:
        rng = np.random.default_rng(self.seed)
        u = rng.random((n_skills, int(self.restarts), 5))
        start = np.empty_like(u)
        start[..., kernels.PRIOR] = 0.05 + 0.9 * u[..., 0]
        start[..., kernels.LEARN] = 0.01 + 0.39 * u[..., 1]
        start[..., kernels.FORGET] = (0.01 + 0.19 * u[..., 2]) if self.forgetting else 0.0
        start[..., kernels.GUESS] = 0.01 + (min(0.4, self.guess_cap) - 0.01) * u[..., 3]
        start[..., kernels.SLIP] = 0.01 + (min(0.3, self.slip_cap) - 0.01) * u[..., 4]
        return start

    # ------------------------------------------------------------------ fitting
    def fit(self, data: Data, init_params: BKTParams | None = None) -> BKT:
        """Fit every skill in ``data``.

        With ``init_params`` (for example a previous ``params_``), skills found there run
        one EM from those parameters (a warm-started refit); other skills use restarts.
        """
        self._validate()
        seqs = as_sequences(data)
        n_skills = seqs.n_skills
        lo, hi = self.bounds()
        starts = self._random_starts(n_skills)
        restarts = int(self.restarts)

        warm_rows = (
            init_params.locate(seqs.skills)
            if init_params is not None
            else np.full(n_skills, -1, dtype=np.int64)
        )
        per_skill = np.where(warm_rows >= 0, 1, restarts).astype(np.int64)
        task_offsets = np.zeros(n_skills + 1, dtype=np.int64)
        np.cumsum(per_skill, out=task_offsets[1:])
        task_skill = np.repeat(np.arange(n_skills, dtype=np.int64), per_skill)
        within = np.arange(task_skill.shape[0]) - task_offsets[task_skill]
        init = starts[task_skill, within]
        if init_params is not None:
            warm = warm_rows[task_skill] >= 0
            init[warm] = init_params.as_array()[warm_rows[task_skill[warm]]]
        init = np.ascontiguousarray(np.clip(init, lo, hi))

        counts = seqs.skill_obs_counts()
        fitted, loglik, run_iters, best = self._restarts(seqs, task_skill, init, lo, hi)
        self.total_iter_ = int(run_iters.sum())
        self.obs_iter_ = int((counts[task_skill] * run_iters).sum())

        self.params_ = BKTParams._from_columns(seqs.skills.copy(), fitted[best], counts)
        self.n_iter_ = run_iters[best]
        self.log_likelihood_ = loglik[best]
        if self.default_params is not None:
            self.default_params_ = SkillParams(*map(float, self.default_params))
        else:
            weights = counts / counts.sum()
            self.default_params_ = SkillParams(*map(float, weights @ fitted[best]))
        return self

    def _restarts(
        self, seqs: Sequences, task_skill: I64, init: F8, lo: F8, hi: F8
    ) -> tuple[F8, F8, I64, I64]:
        """Run every start; returns params, loglik and E-steps per run, and each skill's best.

        With ``burn_in`` (successive halving): while a skill has more than one run left, its
        unconverged runs take ``burn_in`` more E-steps and the better half (rounded up) by
        log-likelihood stays; the last run left goes on to convergence. A run resumes where
        it stopped (no E-step is repeated) and takes at most ``max_iter`` E-steps in all.
        With ``burn_in=0`` every run goes to convergence and the best one wins.
        """
        n_tasks = task_skill.shape[0]
        max_iter = int(self.max_iter)
        burn_in = int(self.burn_in)
        fitted = init.copy()
        loglik = np.full(n_tasks, -np.inf)
        iters = np.zeros(n_tasks, dtype=np.int64)
        done = np.zeros(n_tasks, dtype=np.bool_)
        alive = np.ones(n_tasks, dtype=np.bool_)

        def run(group: I64, cap: int, advance: bool) -> None:
            p, ll, n, converged = self._em(
                seqs, task_skill[group], fitted[group], loglik[group], cap, lo, hi, advance
            )
            fitted[group], loglik[group] = p, ll
            iters[group] += n
            done[group] = converged | (iters[group] >= max_iter)

        while burn_in > 0:
            left = np.bincount(task_skill[alive], minlength=seqs.n_skills)[task_skill]
            racing = alive & (left > 1)
            if not racing.any():
                break
            going = np.flatnonzero(racing & ~done)
            if going.size:  # racing runs not yet done have all taken the same E-steps
                used = int(iters[going[0]])
                cap = min(burn_in, max_iter - used)
                run(going, cap, advance=used + cap < max_iter)
            # each racing skill keeps the better half of its runs, rounded up
            order = np.lexsort((np.arange(n_tasks), -loglik, ~racing, task_skill))
            sorted_skills = task_skill[order]
            rank = np.empty(n_tasks, dtype=np.int64)
            rank[order] = np.arange(n_tasks) - np.searchsorted(sorted_skills, sorted_skills)
            alive &= ~racing | (rank < (left + 1) // 2)

        # the runs left go on to convergence, grouped by the E-steps they have taken
        final = np.flatnonzero(alive & ~done)
        for used in np.unique(iters[final]).tolist():
            run(final[iters[final] == used], max_iter - used, advance=False)
        task_offsets = np.searchsorted(task_skill, np.arange(seqs.n_skills + 1))
        best = _best_per_skill(task_skill, task_offsets, np.where(alive, loglik, -np.inf))
        return fitted, loglik, iters, best

    def _em(
        self,
        seqs: Sequences,
        task_skill: I64,
        init: F8,
        init_loglik: F8,
        max_iter: int,
        lo: F8,
        hi: F8,
        advance_at_cap: bool,
    ) -> tuple[F8, F8, I64, npt.NDArray[np.bool_]]:
        """EM for each task (a skill and its starting parameters), see ``kernels.em_fit``."""
        tol = float(self.tol)
        forgetting = bool(self.forgetting)
        init = np.ascontiguousarray(init)
        init_loglik = np.ascontiguousarray(init_loglik)
        task_skill = np.ascontiguousarray(task_skill, dtype=np.int64)
        if self.backend == "numpy":
            return reference.em_fit(
                seqs.correct,
                seqs.seq_offsets,
                seqs.skill_offsets,
                task_skill,
                init,
                init_loglik,
                max_iter,
                tol,
                forgetting,
                lo,
                hi,
                advance_at_cap,
            )
        threads = resolve_threads(self.threads)
        obs = seqs.skill_obs_counts()[task_skill]
        chunk_offsets, chunk_tasks = _snake_chunks(obs, threads)
        with using_threads(threads):
            return kernels.em_fit(
                seqs.correct,
                seqs.seq_offsets,
                seqs.skill_offsets,
                task_skill,
                init,
                init_loglik,
                chunk_offsets,
                chunk_tasks,
                max_iter,
                tol,
                forgetting,
                lo,
                hi,
                seqs.max_sequence_length(),
                advance_at_cap,
            )

    def refit(self, data: Data) -> BKT:
        """Warm-started refit: EM starts from the current ``params_`` where it can."""
        self._check_fitted()
        return self.fit(data, init_params=self.params_)

    # ------------------------------------------------------------------ inference
    def params_for(self, skills: npt.ArrayLike) -> tuple[F8, npt.NDArray[np.bool_]]:
        """Parameter rows for ``skills`` (defaults for unseen ones) and a seen mask."""
        self._check_fitted()
        labels = np.asarray(skills).reshape(-1)
        rows = self.params_.locate(labels)
        table = np.vstack([self.params_.as_array(), np.asarray(self.default_params_)[None, :]])
        return np.ascontiguousarray(table[np.where(rows >= 0, rows, len(self.params_))]), rows >= 0

    def known_skills(self, skills: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """True where a skill label was seen in training."""
        self._check_fitted()
        return self.params_.locate(np.asarray(skills).reshape(-1)) >= 0

    def forward(self, data: Data) -> tuple[F8, F8]:
        """``(p_correct, mastery)`` per response, in the caller's row order.

        ``p_correct`` is P(correct) predicted before each response from the earlier ones;
        ``mastery`` is P(known) after it, i.e. the state the next opportunity starts from.
        """
        self._check_fitted()
        seqs = as_sequences(data)
        params, _ = self.params_for(seqs.skills)
        if self.backend == "numpy":
            return reference.forward(
                seqs.correct, seqs.seq_offsets, seqs.skill_offsets, params, seqs.rows
            )
        # The forward pass is light: below about half a million responses per thread the
        # cost of waking threads (and of waiting for one the OS has put aside) outweighs it.
        threads = min(resolve_threads(self.threads), max(1, seqs.n_obs // FORWARD_OBS_PER_THREAD))
        chunk_offsets, chunk_skills = _snake_chunks(seqs.skill_obs_counts(), threads)
        p_correct = np.empty(seqs.n_obs)
        mastery = np.empty(seqs.n_obs)
        with using_threads(threads):
            kernels.forward(
                seqs.correct,
                seqs.seq_offsets,
                seqs.skill_offsets,
                params,
                seqs.rows,
                p_correct,
                mastery,
                chunk_offsets,
                chunk_skills,
            )
        return p_correct, mastery

    def predict_proba(self, data: Data) -> F8:
        """P(correct) for each response, predicted from that learner's earlier responses."""
        return self.forward(data)[0]

    def mastery(self, data: Data) -> F8:
        """P(known) after each response (learning and forgetting step included)."""
        return self.forward(data)[1]

    def final_state(self, data: Data) -> tuple[npt.NDArray[Any], npt.NDArray[Any], F8]:
        """``(skill, learner, P(known))`` after the last response of each sequence."""
        seqs = as_sequences(data)
        mastery = self.forward(seqs)[1]
        last = seqs.rows[seqs.seq_offsets[1:] - 1]
        seq_skill = np.repeat(seqs.skills, np.diff(seqs.skill_offsets))
        return seq_skill, seqs.learners, mastery[last]

    # ------------------------------------------------------------------ online
    def initial_state(self, skills: npt.ArrayLike) -> F8:
        """P(known) before any evidence: each skill's prior."""
        params, _ = self.params_for(skills)
        return params[:, kernels.PRIOR].copy()

    def skill_params(self, skill: object) -> SkillParams:
        """One skill's parameters (the defaults if it was not seen in training)."""
        self._check_fitted()
        if skill in self.params_:
            return self.params_[skill]
        return self.default_params_

    def partial_update(
        self, state: npt.ArrayLike, correct: npt.ArrayLike, skill: npt.ArrayLike
    ) -> F8:
        """One O(1) online step per element: P(known) before -> after a response.

        ``state``, ``correct`` and ``skill`` broadcast together; each element is an
        independent step (use :meth:`update_states` for a stream where a learner answers
        more than once).
        """
        params, _ = self.params_for(np.asarray(skill).reshape(-1))
        state_a, correct_a = np.broadcast_arrays(
            np.asarray(state, dtype=np.float64), np.asarray(correct)
        )
        shape = np.broadcast_shapes(state_a.shape, np.asarray(skill).shape)
        s = np.broadcast_to(state_a, shape).reshape(-1)
        c = np.broadcast_to(correct_a, shape).reshape(-1) != 0
        if params.shape[0] == 1:
            params = np.broadcast_to(params, (s.shape[0], 5))
        learn, forget, guess, slip = (params[:, j] for j in range(1, 5))
        p_correct = s * (1.0 - slip) + (1.0 - s) * guess
        post = np.where(c, s * (1.0 - slip) / p_correct, s * slip / (1.0 - p_correct))
        after = post * (1.0 - forget) + (1.0 - post) * learn
        out: F8 = np.clip(after, kernels.STATE_LO, kernels.STATE_HI).reshape(shape)
        return out

    def update_states(
        self,
        states: F8,
        index: npt.ArrayLike,
        skill: npt.ArrayLike,
        correct: npt.ArrayLike,
    ) -> F8:
        """Batch online update over a stream of responses, in time order, in place.

        Response ``i`` (on ``skill[i]``) moves ``states[index[i]]``, one learner x skill
        state; the same state may be moved many times. Returns P(correct) predicted before
        each response. Compiled; O(1) per response.
        """
        self._check_fitted()
        if states.dtype != np.float64 or not states.flags.c_contiguous:
            raise TypeError("states must be a C-contiguous float64 array (updated in place)")
        index_a = np.ascontiguousarray(index, dtype=np.int64)
        correct_a = (np.asarray(correct) != 0).astype(np.int8)
        labels = np.asarray(skill).reshape(-1)
        if index_a.shape != correct_a.shape or labels.shape != index_a.shape:
            raise ValueError("index, skill and correct must have the same length")
        if index_a.size and (index_a.min() < 0 or index_a.max() >= states.shape[0]):
            raise IndexError("state index out of range")
        skills, codes = np.unique(labels, return_inverse=True)
        params, _ = self.params_for(skills)
        p_correct = np.empty(index_a.shape[0])
        kernels.update_stream(
            states, index_a, params, codes.astype(np.int64).reshape(-1), correct_a, p_correct
        )
        return p_correct


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel, on tiny data.

    Call it once when a process starts so that no request pays compile time.
    """
    skill = np.array([0, 0, 0, 0, 1, 1, 1], dtype=np.int64)
    learner = np.array([0, 0, 1, 1, 0, 0, 0], dtype=np.int64)
    correct = np.array([0, 1, 1, 1, 0, 0, 1], dtype=np.int64)
    seqs = prepare(skill, learner, correct)
    for forgetting in (False, True):
        model = BKT(restarts=1, max_iter=2, forgetting=forgetting, threads=1).fit(seqs)
        model.forward(seqs)
    states = model.initial_state(np.array([0, 1]))
    model.update_states(states, np.array([0, 1]), np.array([0, 1]), np.array([1, 0]))
    lo, hi = model.bounds()
    kernels.e_step(seqs.correct, seqs.seq_offsets, seqs.skill_offsets, model.params_.as_array(), 4)
    _ = (lo, hi)
