"""Compiled (numba) kernels for Bayesian Knowledge Tracing.

Layout and equations are described in ``docs/mastery-engine.md``; the pure-numpy path in
``_bkt_reference.py`` computes the same quantities independently and the tests hold the two
to 1e-9. Parameters travel as float64 rows ``[prior, learn, forget, guess, slip]``.

One E-step walks each sequence twice (see ``_e_step_skill``): forward with the
unnormalised forward vector, keeping the filtered P(known) of each response in a scratch
buffer as long as the longest sequence (one per thread, so it stays in cache), then
backward, accumulating the expected counts the M-step needs. The fit runs the whole EM
loop of a skill inside one compiled call; skills (and restarts) are spread over threads.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from waypoint.engine._jit import njit, prange

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

PRIOR, LEARN, FORGET, GUESS, SLIP = 0, 1, 2, 3, 4
N_PARAMS = 5

# E-step accumulators (expected counts), one row per skill:
INIT_KNOWN = 0  # sum over sequences of P(known at the first response)
N_SEQ = 1  # number of sequences
LEARNED = 2  # sum over transitions of P(unknown -> known)
FROM_UNKNOWN = 3  # sum over transitions of P(unknown before the transition)
FORGOT = 4  # sum over transitions of P(known -> unknown)
FROM_KNOWN = 5  # sum over transitions of P(known before the transition)
GUESSED = 6  # sum over responses of P(unknown) * correct
UNKNOWN = 7  # sum over responses of P(unknown)
SLIPPED = 8  # sum over responses of P(known) * (1 - correct)
KNOWN = 9  # sum over responses of P(known)
LOGLIK = 10  # log-likelihood
N_ACC = 11

# P(known) carried from one response to the next is kept in [STATE_LO, STATE_HI]: after a
# few dozen correct answers it would otherwise round to exactly 1.0 in float64.
STATE_LO = 1e-12
STATE_HI = 1.0 - 1e-12

_SMALL = 1e-150
_BIG = 1e150
_LOG_BIG = math.log(_BIG)


@njit()
def _forward_step(q0: float, q1: float, row: F8) -> tuple[float, float, float, float, int]:
    """One forward step: next (q0, q1), P(response) unnormalised, filtered P(known), rescaled."""
    a0 = q0 * row[0]
    a1 = q1 * row[1]
    total = a0 + a1
    post = a1 / total
    n0 = q0 * row[2] + q1 * row[3]
    n1 = q0 * row[4] + q1 * row[5]
    if total < _SMALL:
        return n0 * _BIG, n1 * _BIG, total * _BIG, post, 1
    return n0, n1, total, post, 0


@njit()
def _backward_step(
    row: F8, b0: float, b1: float, f1: float, learn: float, forget: float
) -> tuple[float, float, float, float, float, float]:
    """From the backward vector at a response to the one before it.

    ``f1`` is the filtered P(known) at the previous response. Returns the new backward
    vector, the smoothed P(unknown), P(known) at the previous response, and the smoothed
    P(unknown -> known) and P(known -> unknown) of the transition between the two.
    """
    w0 = row[0] * b0
    w1 = row[1] * b1
    nb0 = b0 * row[2] + b1 * row[8]
    nb1 = b0 * row[9] + b1 * row[5]
    if nb0 + nb1 < _SMALL:
        nb0 *= _BIG
        nb1 *= _BIG
        w0 *= _BIG
        w1 *= _BIG
    f0 = 1.0 - f1
    r = 1.0 / (f0 * nb0 + f1 * nb1)
    return nb0, nb1, f0 * nb0 * r, f1 * nb1 * r, f0 * learn * w1 * r, f1 * forget * w0 * r


@njit()
def _e_step_skill(
    correct: I8,
    seq_offsets: I64,
    s0: int,
    s1: int,
    params: F8,
    filt: F8,
    acc: F8,
    max_len: int,
) -> None:
    """Forward-backward over the sequences ``s0:s1`` of one skill; expected counts to ``acc``.

    The forward pass carries the unnormalised forward vector (two numbers), rescaled by a
    constant only when it gets tiny, so no division sits on the step-to-step dependency
    chain; the filtered P(known) of each response goes to ``filt``. The backward pass
    carries the unnormalised backward vector the same way, and normalises the smoothed
    state and transition probabilities (one reciprocal per response, off the chain).
    Responses are read without branches: ``c`` is 0.0 or 1.0.
    """
    p0 = params[PRIOR]
    learn = params[LEARN]
    forget = params[FORGET]
    guess = params[GUESS]
    slip = params[SLIP]
    stay0 = 1.0 - learn
    stay1 = 1.0 - forget
    # emission of a response c: e1 = P(c | known), e0 = P(c | unknown)
    e1_base = slip
    e1_step = 1.0 - 2.0 * slip
    e0_base = 1.0 - guess
    e0_step = 2.0 * guess - 1.0
    init_known = 0.0
    learned = 0.0
    from_unknown = 0.0
    forgot = 0.0
    from_known = 0.0
    guessed = 0.0
    unknown = 0.0
    slipped = 0.0
    known = 0.0
    loglik = 0.0
    rescales = 0
    # Per response value c (0 or 1), a row of coefficients, looked up rather than branched
    # on: the emissions e0 = P(c | unknown), e1 = P(c | known); the forward step
    # q' = (q0 e0, q1 e1) A, i.e. q0' = q0 f00 + q1 f10 and q1' = q0 f01 + q1 f11; and the
    # backward step b' = A (e * b), i.e. b0' = b0 e0 (1 - learn) + b1 e1 learn and
    # b1' = b0 e0 forget + b1 e1 (1 - forget).
    # Either step keeps one multiply and one fused multiply-add on the dependency chain.
    tab = np.empty((2, 10))
    for c in range(2):
        e0 = e0_base + c * e0_step
        e1 = e1_base + c * e1_step
        tab[c, 0] = e0
        tab[c, 1] = e1
        tab[c, 2] = e0 * stay0
        tab[c, 3] = e1 * forget
        tab[c, 4] = e0 * learn
        tab[c, 5] = e1 * stay1
        tab[c, 6] = float(c)
        tab[c, 7] = 1.0 - c
        tab[c, 8] = e1 * learn
        tab[c, 9] = e0 * forget
    # Sequences are walked two at a time, forward and then backward: two independent
    # dependency chains keep the core busy.
    s = s0
    while s < s1:
        pair = s + 1 < s1
        start = seq_offsets[s]
        end = seq_offsets[s + 1]
        start_b = end
        end_b = seq_offsets[s + 2] if pair else end
        length = end - start
        length_b = end_b - start_b
        both = min(length, length_b)
        q0 = 1.0 - p0
        q1 = p0
        q0b = 1.0 - p0
        q1b = p0
        total = 1.0
        total_b = 1.0
        for j in range(both):
            q0, q1, total, filt[j], up = _forward_step(q0, q1, tab[correct[start + j]])
            q0b, q1b, total_b, filt[max_len + j], up_b = _forward_step(
                q0b, q1b, tab[correct[start_b + j]]
            )
            rescales += up + up_b
        for j in range(both, length):
            q0, q1, total, filt[j], up = _forward_step(q0, q1, tab[correct[start + j]])
            rescales += up
        for j in range(both, length_b):
            q0b, q1b, total_b, filt[max_len + j], up_b = _forward_step(
                q0b, q1b, tab[correct[start_b + j]]
            )
            rescales += up_b
        loglik += math.log(total) + math.log(total_b)
        # backward, from the last responses: both sequences together while both have a
        # predecessor, then each alone down to its first response
        i = end - 1
        i_b = end_b - 1
        g1 = filt[i - start]
        g0 = 1.0 - g1
        b0 = 1.0
        b1 = 1.0
        g1b = filt[max_len + i_b - start_b] if pair else 0.0
        g0b = 1.0 - g1b
        b0b = 1.0
        b1b = 1.0
        for _ in range(both - 1):
            row = tab[correct[i]]
            row_b = tab[correct[i_b]]
            unknown += g0 + g0b
            known += g1 + g1b
            guessed += g0 * row[6] + g0b * row_b[6]
            slipped += g1 * row[7] + g1b * row_b[7]
            b0, b1, g0, g1, x01, x10 = _backward_step(
                row, b0, b1, filt[i - 1 - start], learn, forget
            )
            b0b, b1b, g0b, g1b, x01b, x10b = _backward_step(
                row_b, b0b, b1b, filt[max_len + i_b - 1 - start_b], learn, forget
            )
            learned += x01 + x01b
            forgot += x10 + x10b
            from_unknown += g0 + g0b
            from_known += g1 + g1b
            i -= 1
            i_b -= 1
        for lane in range(2 if pair else 1):
            if lane == 1:
                i, start, base = i_b, start_b, max_len
                b0, b1, g0, g1 = b0b, b1b, g0b, g1b
            else:
                base = 0
            while True:
                row = tab[correct[i]]
                unknown += g0
                known += g1
                guessed += g0 * row[6]
                slipped += g1 * row[7]
                if i == start:
                    init_known += g1
                    break
                b0, b1, g0, g1, x01, x10 = _backward_step(
                    row, b0, b1, filt[base + i - 1 - start], learn, forget
                )
                learned += x01
                forgot += x10
                from_unknown += g0
                from_known += g1
                i -= 1
        s += 2 if pair else 1
    acc[INIT_KNOWN] = init_known
    acc[N_SEQ] = float(s1 - s0)
    acc[LEARNED] = learned
    acc[FROM_UNKNOWN] = from_unknown
    acc[FORGOT] = forgot
    acc[FROM_KNOWN] = from_known
    acc[GUESSED] = guessed
    acc[UNKNOWN] = unknown
    acc[SLIPPED] = slipped
    acc[KNOWN] = known
    acc[LOGLIK] = loglik - rescales * _LOG_BIG


@njit()
def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


@njit()
def _m_step(acc: F8, params: F8, lo: F8, hi: F8, forgetting: bool) -> None:
    """Bounded M-step: clamping a Bernoulli MLE onto its interval is the constrained MLE."""
    if acc[N_SEQ] > 0.0:
        params[PRIOR] = _clamp(acc[INIT_KNOWN] / acc[N_SEQ], lo[PRIOR], hi[PRIOR])
    if acc[FROM_UNKNOWN] > 0.0:
        params[LEARN] = _clamp(acc[LEARNED] / acc[FROM_UNKNOWN], lo[LEARN], hi[LEARN])
    if forgetting:
        if acc[FROM_KNOWN] > 0.0:
            params[FORGET] = _clamp(acc[FORGOT] / acc[FROM_KNOWN], lo[FORGET], hi[FORGET])
    else:
        params[FORGET] = 0.0
    if acc[UNKNOWN] > 0.0:
        params[GUESS] = _clamp(acc[GUESSED] / acc[UNKNOWN], lo[GUESS], hi[GUESS])
    if acc[KNOWN] > 0.0:
        params[SLIP] = _clamp(acc[SLIPPED] / acc[KNOWN], lo[SLIP], hi[SLIP])


@njit(parallel=True)
def e_step(correct: I8, seq_offsets: I64, skill_offsets: I64, params: F8, max_len: int) -> F8:
    """One E-step for every skill with the given parameters: ``(n_skills, N_ACC)`` counts."""
    n_skills = skill_offsets.shape[0] - 1
    out = np.zeros((n_skills, N_ACC))
    for k in prange(n_skills):
        filt = np.empty(2 * max(max_len, 1))
        _e_step_skill(
            correct,
            seq_offsets,
            skill_offsets[k],
            skill_offsets[k + 1],
            params[k],
            filt,
            out[k],
            max(max_len, 1),
        )
    return out


@njit(parallel=True)
def em_fit(
    correct: I8,
    seq_offsets: I64,
    skill_offsets: I64,
    task_skill: I64,
    init: F8,
    init_loglik: F8,
    chunk_offsets: I64,
    chunk_tasks: I64,
    max_iter: int,
    tol: float,
    forgetting: bool,
    lo: F8,
    hi: F8,
    max_len: int,
    advance_at_cap: bool,
) -> tuple[F8, F8, I64, npt.NDArray[np.bool_]]:
    """EM for every task (a skill and a starting point), tasks spread over chunks.

    Each chunk (one per thread, balanced by the caller) runs its tasks one after another,
    so every task's result is the same whatever the number of threads. A run stops when the
    log-likelihood changes by less than ``tol`` (``init_loglik`` is the one before the first
    E-step: ``-inf`` for a new run, the last value for a run that goes on) or after
    ``max_iter`` E-steps; then, with ``advance_at_cap``, a capped run takes its M-step (so
    that a later call goes on without repeating the E-step; its log-likelihood is then that
    of the parameters before the step). Returns the parameters, the last log-likelihood, the
    number of E-steps and whether each run converged.
    """
    n_tasks = task_skill.shape[0]
    params = init.copy()
    loglik = init_loglik.copy()
    iters = np.zeros(n_tasks, dtype=np.int64)
    converged = np.zeros(n_tasks, dtype=np.bool_)
    n_chunks = chunk_offsets.shape[0] - 1
    for c in prange(n_chunks):
        filt = np.empty(2 * max(max_len, 1))
        acc = np.zeros(N_ACC)
        for q in range(chunk_offsets[c], chunk_offsets[c + 1]):
            t = chunk_tasks[q]
            k = task_skill[t]
            p = params[t]
            previous = init_loglik[t]
            n = 0
            while n < max_iter:
                _e_step_skill(
                    correct,
                    seq_offsets,
                    skill_offsets[k],
                    skill_offsets[k + 1],
                    p,
                    filt,
                    acc,
                    max(max_len, 1),
                )
                n += 1
                current = acc[LOGLIK]
                loglik[t] = current
                if abs(current - previous) < tol:
                    converged[t] = True
                    break
                previous = current
                if n < max_iter or advance_at_cap:
                    _m_step(acc, p, lo, hi, forgetting)
            iters[t] = n
    return params, loglik, iters, converged


@njit(parallel=True)
def forward(
    correct: I8,
    seq_offsets: I64,
    skill_offsets: I64,
    params: F8,
    rows: I64,
    p_correct: F8,
    mastery: F8,
    chunk_offsets: I64,
    chunk_skills: I64,
) -> None:
    """Forward inference; writes results at each response's original row.

    ``p_correct[row]`` is P(correct) predicted before the response, ``mastery[row]`` is
    P(known) after it (the learning/forgetting step included: the state the next
    opportunity starts from).
    """
    n_chunks = chunk_offsets.shape[0] - 1
    for c in prange(n_chunks):
        for q in range(chunk_offsets[c], chunk_offsets[c + 1]):
            k = chunk_skills[q]
            p0 = params[k, PRIOR]
            learn = params[k, LEARN]
            forget = params[k, FORGET]
            guess = params[k, GUESS]
            slip = params[k, SLIP]
            for s in range(skill_offsets[k], skill_offsets[k + 1]):
                pk = p0
                for i in range(seq_offsets[s], seq_offsets[s + 1]):
                    pc = pk * (1.0 - slip) + (1.0 - pk) * guess
                    post = pk * (1.0 - slip) / pc if correct[i] else pk * slip / (1.0 - pc)
                    pk = post * (1.0 - forget) + (1.0 - post) * learn
                    pk = min(max(pk, STATE_LO), STATE_HI)
                    r = rows[i]
                    p_correct[r] = pc
                    mastery[r] = pk


@njit()
def update_stream(
    states: F8, index: I64, params: F8, param_row: I64, correct: I8, p_correct: F8
) -> None:
    """Online updates, in order: response ``i`` moves ``states[index[i]]``.

    ``param_row[i]`` picks the response's skill parameters. ``p_correct[i]`` receives the
    prediction made before the response. O(1) per response.
    """
    for i in range(index.shape[0]):
        j = index[i]
        k = param_row[i]
        pk = states[j]
        slip = params[k, SLIP]
        guess = params[k, GUESS]
        pc = pk * (1.0 - slip) + (1.0 - pk) * guess
        post = pk * (1.0 - slip) / pc if correct[i] else pk * slip / (1.0 - pc)
        after = post * (1.0 - params[k, FORGET]) + (1.0 - post) * params[k, LEARN]
        states[j] = min(max(after, STATE_LO), STATE_HI)
        p_correct[i] = pc


@njit()
def simulate(seq_offsets: I64, seq_skill: I64, params: F8, u: F8, correct: I8) -> None:
    """Draw responses from BKT: ``u`` holds two uniforms per response (state, response)."""
    for s in range(seq_offsets.shape[0] - 1):
        p = params[seq_skill[s]]
        known = False
        for i in range(seq_offsets[s], seq_offsets[s + 1]):
            if i == seq_offsets[s]:
                known = u[i, 0] < p[PRIOR]
            elif known:
                known = not (u[i, 0] < p[FORGET])
            else:
                known = u[i, 0] < p[LEARN]
            threshold = 1.0 - p[SLIP] if known else p[GUESS]
            correct[i] = 1 if u[i, 1] < threshold else 0
