"""Columnar response data, sorted by (skill, learner, time) and cut into sequences.

Knowledge-tracing kernels walk one learner's responses on one skill in time order. Rather
than nested Python lists, the engine keeps four flat arrays:

``correct``       int8, every response, sorted by (skill, learner, time)
``seq_offsets``   int64, sequence ``j`` is ``correct[seq_offsets[j]:seq_offsets[j + 1]]``
``skill_offsets`` int64, skill ``k`` owns sequences ``skill_offsets[k]:skill_offsets[k + 1]``
``rows``          int64, the original row of each sorted response, so results go back in
                  the caller's order

:func:`prepare` builds this layout from unsorted columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from waypoint.engine._jit import njit

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Sequences:
    """Responses sorted by (skill, learner, time), with skill and sequence offsets."""

    skills: npt.NDArray[Any]
    """Skill label of each skill block, sorted ascending (``n_skills``)."""
    skill_offsets: IntArray
    """``n_skills + 1`` offsets into the sequences."""
    learners: npt.NDArray[Any]
    """Learner label of each sequence (``n_sequences``)."""
    seq_offsets: IntArray
    """``n_sequences + 1`` offsets into the responses."""
    correct: npt.NDArray[np.int8]
    """1 for a correct response, 0 otherwise, in sorted order (``n_obs``)."""
    rows: IntArray
    """Original row number of each sorted response (``n_obs``)."""

    @property
    def n_obs(self) -> int:
        return int(self.correct.shape[0])

    @property
    def n_sequences(self) -> int:
        return int(self.seq_offsets.shape[0] - 1)

    @property
    def n_skills(self) -> int:
        return int(self.skills.shape[0])

    def skill_obs_counts(self) -> IntArray:
        """Number of responses on each skill."""
        return np.diff(self.seq_offsets[self.skill_offsets]).astype(np.int64)

    def max_sequence_length(self) -> int:
        if self.n_sequences == 0:
            return 0
        return int(np.diff(self.seq_offsets).max())


@njit()
def _bucket_sort(codes: IntArray, n_buckets: int, perm: IntArray) -> IntArray:
    """``perm`` stably reordered by ``codes[perm]`` (a counting sort: O(n + buckets))."""
    n = perm.shape[0]
    starts = np.zeros(n_buckets + 1, dtype=np.int64)
    for i in range(n):
        starts[codes[perm[i]] + 1] += 1
    for b in range(n_buckets):
        starts[b + 1] += starts[b]
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        c = codes[perm[i]]
        out[starts[c]] = perm[i]
        starts[c] += 1
    return out


def _codes(values: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray]:
    """Dense integer codes for ``values`` (0..n-1, in the sorted order of the labels)."""
    if values.dtype.kind in "iub" and values.size:
        lo = int(values.min())
        hi = int(values.max())
        if hi - lo <= 4 * values.size + 1024:
            # Small integer range: a lookup table beats sorting.
            shifted = values.astype(np.int64) - lo
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[shifted] = True
            labels = np.flatnonzero(present)
            table = np.cumsum(present, dtype=np.int64) - 1
            return (labels + lo).astype(values.dtype), table[shifted]
    labels, inverse = np.unique(values, return_inverse=True)
    return labels, inverse.astype(np.int64).reshape(-1)


def prepare(
    skill: npt.ArrayLike,
    learner: npt.ArrayLike,
    correct: npt.ArrayLike,
    order: npt.ArrayLike | None = None,
) -> Sequences:
    """Sort unsorted response columns into the (skill, learner, time) layout.

    ``order`` is any sortable time key (timestamps, sequence numbers). Without it, row order
    stands for time. Ties in ``order`` keep row order. ``correct`` is read as a truth value
    (non-zero is correct).
    """
    skill_a = np.asarray(skill)
    learner_a = np.asarray(learner)
    correct_a = np.asarray(correct)
    n = skill_a.shape[0]
    if skill_a.ndim != 1 or learner_a.shape != (n,) or correct_a.shape != (n,):
        raise ValueError("skill, learner and correct must be 1-D columns of the same length")
    if n == 0:
        raise ValueError("no responses")
    skills, skill_code = _codes(skill_a)
    learners, learner_code = _codes(learner_a)

    key = skill_code * np.int64(learners.shape[0]) + learner_code
    if order is None:
        by_time = np.arange(n, dtype=np.int64)
    else:
        order_a = np.asarray(order)
        if order_a.shape != (n,):
            raise ValueError("order must be a 1-D column as long as the others")
        by_time = np.argsort(order_a, kind="stable").astype(np.int64)
    # least significant key first: stable by learner, then stable by skill
    rows = _bucket_sort(learner_code, int(learners.shape[0]), by_time)
    rows = _bucket_sort(skill_code, int(skills.shape[0]), rows)

    sorted_key = key[rows]
    starts = np.flatnonzero(np.diff(sorted_key)) + 1
    seq_offsets = np.empty(starts.shape[0] + 2, dtype=np.int64)
    seq_offsets[0] = 0
    seq_offsets[1:-1] = starts
    seq_offsets[-1] = n
    seq_key = sorted_key[seq_offsets[:-1]]
    seq_skill = seq_key // np.int64(learners.shape[0])
    seq_learner = seq_key - seq_skill * np.int64(learners.shape[0])
    # every skill code occurs, so the sequence counts per skill give the offsets
    counts = np.bincount(seq_skill, minlength=skills.shape[0])
    skill_offsets = np.zeros(skills.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=skill_offsets[1:])

    correct_sorted = (correct_a[rows] != 0).astype(np.int8)
    return Sequences(
        skills=skills,
        skill_offsets=skill_offsets,
        learners=learners[seq_learner],
        seq_offsets=seq_offsets,
        correct=correct_sorted,
        rows=rows,
    )


def as_sequences(data: Sequences | Mapping[str, npt.ArrayLike]) -> Sequences:
    """Accept a prepared layout, or a mapping of columns for :func:`prepare`.

    The mapping needs ``skill``, ``learner`` and ``correct``; ``order`` is optional.
    """
    if isinstance(data, Sequences):
        return data
    if isinstance(data, Mapping):
        missing = {"skill", "learner", "correct"} - set(data)
        if missing:
            raise ValueError(f"missing columns: {', '.join(sorted(missing))}")
        return prepare(data["skill"], data["learner"], data["correct"], data.get("order"))
    raise TypeError(
        "data must be a Sequences layout or a mapping with skill, learner, correct columns"
    )
