"""Compiled (numba) kernels for student growth percentiles.

Two pieces:

- ``bspline_basis``: the cubic B-spline basis of R's ``splines::bs`` (no intercept column):
  a clamped knot vector (each boundary knot four times, the interior knots between) and,
  for points outside the boundary knots, the polynomial piece of the first or last
  interval carried on (``bs`` extrapolates with a cubic Taylor expansion at a point inside
  that interval, which is the same polynomial).
- ``rq_simplex``: linear quantile regression at many quantiles by a simplex method on the
  observations (a vertex solution: ``p`` observations fitted exactly, as Barrodale–Roberts
  and quantreg's ``rq(method="br")`` return). Each pivot moves along one edge with an
  exact line search over the breakpoints of the check loss (the Barrodale–Roberts step:
  it passes as many breakpoints as lowers the loss), and each quantile starts from the
  optimal basis of its neighbour, so most quantiles need only a few pivots.

See ``docs/decisions/0003-growth-percentiles.md``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from waypoint.engine._jit import njit, prange

F8 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

DEGREE = 3
ORDER = DEGREE + 1

# Simplex settings: refactorise the basis inverse every REFRESH pivots; a column whose
# entries are below PIVOT_TOL (relative to the largest) is not used as a breakpoint.
REFRESH = 50
PIVOT_TOL = 1e-9
OPT_TOL = 1e-9
# A pivot element outside (PIVOT_MIN, PIVOT_MAX) refactorises at once; a residual more than
# SIDE_TOL on the other side of zero than recorded is moved to its side at a refactorisation.
PIVOT_MIN, PIVOT_MAX = 1e-6, 1e6
SIDE_TOL = 1e-9
# Breakpoints further than LIMIT_FACTOR times a typical recent step are heap-ordered only
# when the nearer ones do not end the line search.
LIMIT_FACTOR = 4.0
# Large problems start from the optimal basis of a subsample of max(SUBSAMPLE_PER_COLUMN
# * p, n / SUBSAMPLE_DIVISOR) rows (drawn with a fixed seed, so results are repeatable).
SUBSAMPLE_PER_COLUMN = 25
SUBSAMPLE_DIVISOR = 8
SEED = 20_161_029


@njit()
def bspline_basis(x: F8, interior: F8, lower: float, upper: float) -> F8:
    """``(len(x), len(interior) + 3)`` cubic B-spline basis, first basis function dropped."""
    n_int = interior.shape[0]
    n_knots = n_int + 2 * ORDER
    t = np.empty(n_knots)
    for k in range(ORDER):
        t[k] = lower
        t[n_knots - 1 - k] = upper
    for k in range(n_int):
        t[ORDER + k] = interior[k]
    n_basis = n_knots - ORDER
    out = np.zeros((x.shape[0], n_basis - 1))
    first_span = DEGREE
    last_span = n_basis - 1
    # The spans with positive width bound where each polynomial piece lives.
    while first_span < last_span and t[first_span + 1] <= t[first_span]:
        first_span += 1
    while last_span > first_span and t[last_span + 1] <= t[last_span]:
        last_span -= 1
    left = np.empty(ORDER)
    right = np.empty(ORDER)
    values = np.empty(ORDER)
    for i in range(x.shape[0]):
        xi = x[i]
        # Span: t[span] <= x < t[span + 1], the last span also takes x == upper, and points
        # outside [lower, upper] use the first or last span (its polynomial, extended).
        span = first_span
        if xi >= t[last_span]:
            span = last_span
        elif xi > t[first_span]:
            lo = first_span
            hi = last_span
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if xi < t[mid]:
                    hi = mid
                else:
                    lo = mid
            span = lo
            while span < last_span and t[span + 1] <= xi:
                span += 1
        # Cox-de Boor by triangular recursion on the ORDER non-zero functions of the span.
        values[0] = 1.0
        for j in range(1, ORDER):
            left[j] = xi - t[span + 1 - j]
            right[j] = t[span + j] - xi
            saved = 0.0
            for r in range(j):
                denom = right[r + 1] + left[j - r]
                term = values[r] / denom if denom != 0.0 else 0.0
                values[r] = saved + right[r + 1] * term
                saved = left[j - r] * term
            values[j] = saved
        for r in range(ORDER):
            col = span - DEGREE + r - 1
            if col >= 0:
                out[i, col] = values[r]
    return out


@njit()
def _initial_basis(x: F8) -> I64:
    """``p`` well-separated independent rows of ``x``, or -1s if the rank is below ``p``.

    Greedy Gram-Schmidt over the rows: a row joins when its part orthogonal to those
    already taken is a large enough share of its length. The share starts strict (a
    well-conditioned first basis keeps the updated inverse accurate) and is relaxed only
    when too few rows pass.
    """
    n, p = x.shape
    stride = 7919 if n % 7919 != 0 else 7907  # a prime: visits every row, spread out
    for share in (1e-1, 1e-3, 1e-6, 1e-9):
        basis = np.full(p, -1, dtype=np.int64)
        q = np.zeros((p, p))
        found = 0
        for step in range(n):
            i = (step * stride) % n
            v = x[i].copy()
            norm0 = np.sqrt(np.sum(v * v))
            if norm0 == 0.0:
                continue
            for _ in range(2):
                for k in range(found):
                    v -= np.dot(q[k], v) * q[k]
            norm = np.sqrt(np.sum(v * v))
            if norm > share * norm0:
                q[found] = v / norm
                basis[found] = i
                found += 1
                if found == p:
                    return basis
    return np.full(p, -1, dtype=np.int64)


@njit()
def _refresh(
    x: F8,
    y: F8,
    basis: I64,
    in_basis: npt.NDArray[np.bool_],
    negative: npt.NDArray[np.bool_],
    binv: F8,
    beta: F8,
    resid: F8,
    sum_all: F8,
    sum_neg: F8,
) -> None:
    """Recompute the basis inverse, coefficients, residuals, sides and nonbasic row sums."""
    n, p = x.shape
    xb = np.empty((p, p))
    yb = np.empty(p)
    for k in range(p):
        xb[k] = x[basis[k]]
        yb[k] = y[basis[k]]
    binv[:, :] = np.linalg.inv(xb)
    beta[:] = binv @ yb
    resid[:] = y - x @ beta
    for k in range(p):
        resid[basis[k]] = 0.0
    # Accumulated rounding may have left a residual on the other side of zero than its
    # recorded side: record the side it is on (the optimality test relies on it).
    for i in range(n):
        if not in_basis[i]:
            if negative[i] and resid[i] > SIDE_TOL:
                negative[i] = False
            elif not negative[i] and resid[i] < -SIDE_TOL:
                negative[i] = True
    sum_all[:] = 0.0
    sum_neg[:] = 0.0
    for i in range(n):
        if in_basis[i]:
            continue
        for k in range(p):
            sum_all[k] += x[i, k]
        if negative[i]:
            for k in range(p):
                sum_neg[k] += x[i, k]


@njit()
def _exact_beta(x: F8, y: F8, basis: I64) -> F8:
    """The coefficients that fit the basis rows exactly: ``X_h^-1 y_h`` by a fresh solve."""
    p = x.shape[1]
    xb = np.empty((p, p))
    yb = np.empty(p)
    for k in range(p):
        xb[k] = x[basis[k]]
        yb[k] = y[basis[k]]
    return np.linalg.solve(xb, yb).astype(np.float64)


@njit()
def _sift_down(keys: F8, items: I64, start: int, size: int) -> None:
    """Restore the min-heap property below ``start`` (ties broken by row, for determinism)."""
    pos = start
    while True:
        child = 2 * pos + 1
        if child >= size:
            return
        right = child + 1
        if right < size and (
            keys[right] < keys[child]
            or (keys[right] == keys[child] and items[right] < items[child])
        ):
            child = right
        if keys[child] < keys[pos] or (keys[child] == keys[pos] and items[child] < items[pos]):
            keys[pos], keys[child] = keys[child], keys[pos]
            items[pos], items[child] = items[child], items[pos]
            pos = child
        else:
            return


@njit()
def _heapify(keys: F8, items: I64, size: int) -> None:
    for start in range(size // 2 - 1, -1, -1):
        _sift_down(keys, items, start, size)


@njit()
def _solve_tau(
    x: F8,
    xt: F8,
    y: F8,
    tau: float,
    basis: I64,
    in_basis: npt.NDArray[np.bool_],
    negative: npt.NDArray[np.bool_],
    binv: F8,
    beta: F8,
    resid: F8,
    sum_all: F8,
    sum_neg: F8,
    max_pivots: int,
) -> int:
    """Pivot from the given basis to an optimal one at ``tau``; returns pivots made (-1: cap).

    The state (basis, residual sides, inverse, coefficients, residuals, nonbasic row sums)
    is updated in place, ready for the next quantile.
    """
    n, p = x.shape
    z = np.empty(n)
    cand_t = np.empty(n)
    cand_i = np.empty(n, dtype=np.int64)
    pivots = 0
    since_refresh = 0
    typical = 0.0
    limit = np.inf
    while True:
        # Reduced costs: xi = (tau * sum_all - sum_neg)' binv; the edge that raises
        # basis row j's residual from 0 has slope tau + xi_j, lowering it 1 - tau - xi_j.
        u = tau * sum_all - sum_neg
        xi = u @ binv
        best = -OPT_TOL
        jbest = -1
        sigma = 0.0
        for j in range(p):
            down = 1.0 - tau - xi[j]
            up = tau + xi[j]
            if down < best:
                best = down
                jbest = j
                sigma = 1.0
            if up < best:
                best = up
                jbest = j
                sigma = -1.0
        if jbest < 0:
            if since_refresh == 0:
                return pivots
            # Optimal on the updated quantities: confirm on freshly computed ones.
            _refresh(x, y, basis, in_basis, negative, binv, beta, resid, sum_all, sum_neg)
            since_refresh = 0
            continue
        if pivots >= max_pivots:
            return -1
        slope = best
        delta = sigma * binv[:, jbest]
        # z_i = x_i' delta: how fast each residual falls along the edge (column by column,
        # over the transposed design, so the inner loop runs over contiguous memory).
        z[:] = 0.0
        for k in range(p):
            dk = delta[k]
            if dk != 0.0:
                column = xt[k]
                for i in range(n):
                    z[i] += dk * column[i]
        scale = np.max(np.abs(z))
        tol = PIVOT_TOL * max(scale, 1.0)
        # Breakpoints within ``limit`` (a few typical steps) go to the front of the buffers,
        # the rest to the back; only the near ones are heap-ordered unless they run out.
        near = 0
        far = n
        for i in range(n):
            if in_basis[i]:
                continue
            zi = z[i]
            if negative[i]:
                if zi >= -tol:
                    continue
            elif zi <= tol:
                continue
            # Near when resid / z <= limit (written without the division, which only the
            # near ones need now; zi < 0 flips the inequality).
            if (resid[i] <= limit * zi) if zi > 0.0 else (resid[i] >= limit * zi):
                cand_t[near] = max(resid[i] / zi, 0.0)
                cand_i[near] = i
                near += 1
            else:
                far -= 1
                cand_i[far] = i
        # Pass breakpoints in order of step length until the slope turns non-negative;
        # that breakpoint's row enters the basis.
        _heapify(cand_t, cand_i, near)
        enter = -1
        step = 0.0
        size = near
        while True:
            if size == 0:
                if far == n:
                    break
                # The near ones ran out: heap-order the far ones and go on.
                size = n - far
                for k in range(size):
                    i = cand_i[far + k]
                    cand_i[k] = i
                    cand_t[k] = max(resid[i] / z[i], 0.0)
                far = n
                _heapify(cand_t, cand_i, size)
            i = cand_i[0]
            t_i = cand_t[0]
            slope += abs(z[i])
            if slope >= 0.0:
                enter = i
                step = t_i
                break
            # Passed: this residual changes side.
            if negative[i]:
                negative[i] = False
                sum_neg -= x[i]
            else:
                negative[i] = True
                sum_neg += x[i]
            size -= 1
            cand_t[0] = cand_t[size]
            cand_i[0] = cand_i[size]
            _sift_down(cand_t, cand_i, 0, size)
        if step > 0.0:
            typical = step if typical == 0.0 else 0.8 * typical + 0.2 * step
            limit = LIMIT_FACTOR * typical
        if enter < 0:
            return -1
        leave = basis[jbest]
        # The entering row leaves the nonbasic sums; the leaving row joins them on the side
        # its residual moves to (negative when sigma > 0).
        sum_all -= x[enter]
        if negative[enter]:
            sum_neg -= x[enter]
        negative[enter] = False
        sum_all += x[leave]
        negative[leave] = sigma > 0.0
        if negative[leave]:
            sum_neg += x[leave]
        in_basis[enter] = True
        in_basis[leave] = False
        for i in range(n):
            resid[i] -= step * z[i]
        resid[enter] = 0.0
        beta += step * delta
        # Replace row jbest of the basis matrix: pivot the inverse on column jbest.
        w = x[enter] @ binv
        alpha = w[jbest]
        col = binv[:, jbest].copy() / alpha
        for k in range(p):
            if k != jbest:
                binv[:, k] -= col * w[k]
        binv[:, jbest] = col
        basis[jbest] = enter
        pivots += 1
        since_refresh += 1
        if since_refresh >= REFRESH or not PIVOT_MIN < abs(alpha) < PIVOT_MAX:
            _refresh(x, y, basis, in_basis, negative, binv, beta, resid, sum_all, sum_neg)
            since_refresh = 0


@njit()
def _state(
    x: F8, y: F8, basis: I64
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], F8, F8, F8, F8, F8]:
    """Simplex state for a basis: each nonbasic row on the side of its residual's sign."""
    n, p = x.shape
    in_basis = np.zeros(n, dtype=np.bool_)
    for k in range(p):
        in_basis[basis[k]] = True
    negative = np.zeros(n, dtype=np.bool_)
    binv = np.empty((p, p))
    beta = np.empty(p)
    resid = np.empty(n)
    sum_all = np.zeros(p)
    sum_neg = np.zeros(p)
    _refresh(x, y, basis, in_basis, negative, binv, beta, resid, sum_all, sum_neg)
    for i in range(n):
        negative[i] = (not in_basis[i]) and resid[i] < 0.0
    _refresh(x, y, basis, in_basis, negative, binv, beta, resid, sum_all, sum_neg)
    return in_basis, negative, binv, beta, resid, sum_all, sum_neg


@njit()
def _start_basis(x: F8, y: F8, tau: float, max_pivots: int) -> I64:
    """A starting basis: on large problems, the optimal basis of a subsample at ``tau``.

    Solving a few hundred rows first puts the full solve close to its optimum, so its
    first pivots pass far fewer breakpoints than from an arbitrary basis.
    """
    n, p = x.shape
    size = max(SUBSAMPLE_PER_COLUMN * p, n // SUBSAMPLE_DIVISOR)
    if 2 * size <= n:
        rows = np.sort(np.random.permutation(n)[:size])
        xs = np.ascontiguousarray(x[rows])
        ys = y[rows].copy()
        sub = _initial_basis(xs)
        if sub[0] >= 0:
            in_basis, negative, binv, beta, resid, sum_all, sum_neg = _state(xs, ys, sub)
            xst = np.ascontiguousarray(xs.T)
            made = _solve_tau(
                xs,
                xst,
                ys,
                tau,
                sub,
                in_basis,
                negative,
                binv,
                beta,
                resid,
                sum_all,
                sum_neg,
                max_pivots,
            )
            if made >= 0:
                return rows[sub]
    return _initial_basis(x)


@njit()
def _sweep(x: F8, xt: F8, y: F8, taus: F8, start: int, stop: int, max_pivots: int, out: F8) -> int:
    """Solve ``taus[start:stop]`` from the middle outwards, each from its neighbour's basis.

    Writes coefficients to ``out[:, k]``; returns the total pivots (-1 when a cap was hit
    or the design has rank below its number of columns).
    """
    np.random.seed(SEED)
    mid = (start + stop - 1) // 2
    first = _start_basis(x, y, taus[mid], max_pivots)
    if first[0] < 0:
        return -1
    total = 0
    saved = first
    for direction in range(2):
        basis = saved.copy()
        in_basis, negative, binv, beta, resid, sum_all, sum_neg = _state(x, y, basis)
        if direction == 0:
            k0, k1, kstep = mid, stop, 1
        else:
            k0, k1, kstep = mid - 1, start - 1, -1
        for k in range(k0, k1, kstep):
            made = _solve_tau(
                x,
                xt,
                y,
                taus[k],
                basis,
                in_basis,
                negative,
                binv,
                beta,
                resid,
                sum_all,
                sum_neg,
                max_pivots,
            )
            if made < 0:
                return -1
            total += made
            out[:, k] = _exact_beta(x, y, basis)
            if k == mid:
                saved = basis.copy()
    return total


@njit()
def rq_simplex_serial(x: F8, y: F8, taus: F8, max_pivots: int) -> tuple[F8, int]:
    """``rq_simplex`` on the calling thread (no parallel start-up cost; release the GIL)."""
    out = np.full((x.shape[1], taus.shape[0]), np.nan)
    pivots = _sweep(x, np.ascontiguousarray(x.T), y, taus, 0, taus.shape[0], max_pivots, out)
    return out, pivots


@njit(parallel=True)
def rq_simplex(x: F8, y: F8, taus: F8, chunks: int, max_pivots: int) -> tuple[F8, I64]:
    """Coefficients ``(p, len(taus))`` of the linear quantile regressions of ``y`` on ``x``.

    ``taus`` are split into ``chunks`` runs of neighbours solved on separate threads.
    The second result holds the pivots per chunk (-1: cap hit or rank-deficient design).
    """
    m = taus.shape[0]
    p = x.shape[1]
    xt = np.ascontiguousarray(x.T)
    out = np.full((p, m), np.nan)
    n_chunks = max(1, min(chunks, m))
    pivots = np.zeros(n_chunks, dtype=np.int64)
    for c in prange(n_chunks):
        start = (c * m) // n_chunks
        stop = ((c + 1) * m) // n_chunks
        pivots[c] = _sweep(x, xt, y, taus, start, stop, max_pivots, out)
    return out, pivots


@njit()
def count_below(pred: F8, actual: F8) -> I64:
    """Per row: how many of its (sorted, rounded) predictions are strictly below actual."""
    n, m = pred.shape
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        c = 0
        for k in range(m):
            if pred[i, k] < actual[i]:
                c += 1
        out[i] = c
    return out
