"""Pure-numpy reference path for Bayesian Knowledge Tracing.

Written independently of the compiled kernels, in the textbook form: per skill, the
sequences are padded into a (sequences x time) matrix and the scaled forward (alpha-hat)
and backward (beta-hat) vectors of the two-state hidden Markov model are computed for all
sequences at once, one time step at a time. It is slower than the kernels and meant for
checking them (tests hold the two to 1e-9) and for the ``backend="numpy"`` option.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from waypoint.engine._bkt_kernels import (
    FORGET,
    FORGOT,
    FROM_KNOWN,
    FROM_UNKNOWN,
    GUESS,
    GUESSED,
    INIT_KNOWN,
    KNOWN,
    LEARN,
    LEARNED,
    LOGLIK,
    N_ACC,
    N_SEQ,
    PRIOR,
    SLIP,
    SLIPPED,
    STATE_HI,
    STATE_LO,
    UNKNOWN,
)

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]


@dataclass(frozen=True)
class _Padded:
    obs: npt.NDArray[np.bool_]  # (n_seq, T) correct, False where padded
    valid: npt.NDArray[np.bool_]  # (n_seq, T)
    flat: I64  # sorted response index of each valid cell, row-major over valid cells


def _pad(correct: I8, seq_offsets: I64, s0: int, s1: int) -> _Padded:
    starts = seq_offsets[s0:s1]
    lengths = seq_offsets[s0 + 1 : s1 + 1] - starts
    n_seq = int(lengths.shape[0])
    width = int(lengths.max()) if n_seq else 0
    first = int(seq_offsets[s0])
    total = int(seq_offsets[s1]) - first
    row = np.repeat(np.arange(n_seq), lengths)
    col = np.arange(total) - np.repeat(starts - first, lengths)
    obs = np.zeros((n_seq, width), dtype=bool)
    valid = np.zeros((n_seq, width), dtype=bool)
    obs[row, col] = correct[first : first + total] != 0
    valid[row, col] = True
    flat = np.full((n_seq, width), -1, dtype=np.int64)
    flat[row, col] = np.arange(first, first + total)
    return _Padded(obs=obs, valid=valid, flat=flat)


def _emissions(pad: _Padded, p: F8) -> tuple[F8, F8]:
    e_unknown = np.where(pad.obs, p[GUESS], 1.0 - p[GUESS])
    e_known = np.where(pad.obs, 1.0 - p[SLIP], p[SLIP])
    return e_unknown, e_known


def _e_step_padded(pad: _Padded, p: F8) -> F8:
    with np.errstate(divide="ignore", invalid="ignore"):  # padded cells divide 0 by 0
        return _e_step_padded_inner(pad, p)


def _e_step_padded_inner(pad: _Padded, p: F8) -> F8:
    acc = np.zeros(N_ACC)
    n_seq, width = pad.obs.shape
    if n_seq == 0:
        return acc
    trans = np.array([[1.0 - p[LEARN], p[LEARN]], [p[FORGET], 1.0 - p[FORGET]]])
    e0, e1 = _emissions(pad, p)
    emit = np.stack([e0, e1], axis=2)  # (n_seq, T, 2)
    alpha = np.zeros((n_seq, width, 2))
    scale = np.ones((n_seq, width))
    a = np.array([1.0 - p[PRIOR], p[PRIOR]]) * emit[:, 0, :]
    scale[:, 0] = a.sum(axis=1)
    alpha[:, 0, :] = a / scale[:, 0:1]
    for t in range(1, width):
        live = pad.valid[:, t]
        a = (alpha[:, t - 1, :] @ trans) * emit[:, t, :]
        c = a.sum(axis=1)
        scale[:, t] = np.where(live, c, 1.0)
        alpha[:, t, :] = np.where(live[:, None], a / c[:, None], 0.0)
    beta = np.ones((n_seq, width, 2))
    for t in range(width - 2, -1, -1):
        nxt = pad.valid[:, t + 1]
        b = (emit[:, t + 1, :] * beta[:, t + 1, :] / scale[:, t + 1 : t + 2]) @ trans.T
        beta[:, t, :] = np.where(nxt[:, None], b, 1.0)
    gamma = alpha * beta
    gamma /= gamma.sum(axis=2, keepdims=True)
    gamma = np.where(pad.valid[:, :, None], gamma, 0.0)
    acc[INIT_KNOWN] = gamma[:, 0, 1].sum()
    acc[N_SEQ] = n_seq
    acc[UNKNOWN] = gamma[:, :, 0].sum()
    acc[KNOWN] = gamma[:, :, 1].sum()
    acc[GUESSED] = (gamma[:, :, 0] * pad.obs).sum()
    acc[SLIPPED] = (gamma[:, :, 1] * (pad.valid & ~pad.obs)).sum()
    if width > 1:
        # xi[n, t, i, j] = P(state i at t, state j at t + 1 | all responses)
        w = emit[:, 1:, :] * beta[:, 1:, :] / scale[:, 1:, None]
        xi = alpha[:, :-1, :, None] * trans[None, None, :, :] * w[:, :, None, :]
        xi /= xi.sum(axis=(2, 3), keepdims=True)
        xi = np.where(pad.valid[:, 1:, None, None], xi, 0.0)
        acc[LEARNED] = xi[:, :, 0, 1].sum()
        acc[FROM_UNKNOWN] = xi[:, :, 0, :].sum()
        acc[FORGOT] = xi[:, :, 1, 0].sum()
        acc[FROM_KNOWN] = xi[:, :, 1, :].sum()
    acc[LOGLIK] = np.log(scale[pad.valid]).sum()
    return acc


def e_step(correct: I8, seq_offsets: I64, skill_offsets: I64, params: F8) -> F8:
    """One E-step per skill; same accumulators as the compiled ``e_step``."""
    n_skills = skill_offsets.shape[0] - 1
    out = np.zeros((n_skills, N_ACC))
    for k in range(n_skills):
        pad = _pad(correct, seq_offsets, int(skill_offsets[k]), int(skill_offsets[k + 1]))
        out[k] = _e_step_padded(pad, params[k])
    return out


def m_step(acc: F8, p: F8, lo: F8, hi: F8, forgetting: bool) -> F8:
    """The bounded M-step (clamped closed-form updates)."""
    q = p.copy()
    ratios = (
        (PRIOR, INIT_KNOWN, N_SEQ),
        (LEARN, LEARNED, FROM_UNKNOWN),
        (FORGET, FORGOT, FROM_KNOWN),
        (GUESS, GUESSED, UNKNOWN),
        (SLIP, SLIPPED, KNOWN),
    )
    for index, num, den in ratios:
        if index == FORGET and not forgetting:
            q[FORGET] = 0.0
        elif acc[den] > 0.0:
            q[index] = min(max(acc[num] / acc[den], lo[index]), hi[index])
    return q


def em_fit(
    correct: I8,
    seq_offsets: I64,
    skill_offsets: I64,
    task_skill: I64,
    init: F8,
    init_loglik: F8,
    max_iter: int,
    tol: float,
    forgetting: bool,
    lo: F8,
    hi: F8,
    advance_at_cap: bool,
) -> tuple[F8, F8, I64, npt.NDArray[np.bool_]]:
    """EM per task, with the same stopping rule and outputs as the compiled ``em_fit``."""
    n_tasks = task_skill.shape[0]
    params = init.copy()
    loglik = init_loglik.copy()
    iters = np.zeros(n_tasks, dtype=np.int64)
    converged = np.zeros(n_tasks, dtype=np.bool_)
    pads: dict[int, _Padded] = {}
    for t in range(n_tasks):
        k = int(task_skill[t])
        if k not in pads:
            pads[k] = _pad(correct, seq_offsets, int(skill_offsets[k]), int(skill_offsets[k + 1]))
        p = params[t]
        previous = init_loglik[t]
        n = 0
        while n < max_iter:
            acc = _e_step_padded(pads[k], p)
            n += 1
            loglik[t] = acc[LOGLIK]
            if abs(acc[LOGLIK] - previous) < tol:
                converged[t] = True
                break
            previous = acc[LOGLIK]
            if n < max_iter or advance_at_cap:
                p = m_step(acc, p, lo, hi, forgetting)
        params[t] = p
        iters[t] = n
    return params, loglik, iters, converged


def forward(
    correct: I8, seq_offsets: I64, skill_offsets: I64, params: F8, rows: I64
) -> tuple[F8, F8]:
    """P(correct) before and P(known) after each response, in the original row order."""
    n = correct.shape[0]
    p_correct = np.empty(n)
    mastery = np.empty(n)
    for k in range(skill_offsets.shape[0] - 1):
        pad = _pad(correct, seq_offsets, int(skill_offsets[k]), int(skill_offsets[k + 1]))
        p = params[k]
        n_seq, width = pad.obs.shape
        known = np.full(n_seq, p[PRIOR])
        for t in range(width):
            live = pad.valid[:, t]
            pc = known * (1.0 - p[SLIP]) + (1.0 - known) * p[GUESS]
            ok = pad.obs[:, t]
            post = np.where(ok, known * (1.0 - p[SLIP]) / pc, known * p[SLIP] / (1.0 - pc))
            after = np.clip(post * (1.0 - p[FORGET]) + (1.0 - post) * p[LEARN], STATE_LO, STATE_HI)
            where = rows[pad.flat[live, t]]
            p_correct[where] = pc[live]
            mastery[where] = after[live]
            known = after
    return p_correct, mastery
