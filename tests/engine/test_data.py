"""The (skill, learner, time) layout."""

from __future__ import annotations

import numpy as np
import pytest

from waypoint.engine.data import Sequences, as_sequences, prepare


def test_prepare_sorts_and_segments() -> None:
    # rows:        0    1    2    3    4    5    6
    skill = np.array(["b", "a", "b", "a", "a", "b", "c"])
    learner = np.array([7, 7, 3, 3, 7, 7, 3])
    correct = np.array([1, 0, 1, 1, 1, 0, 2])
    order = np.array([5, 9, 1, 2, 1, 0, 4])
    seqs = prepare(skill, learner, correct, order)
    assert list(seqs.skills) == ["a", "b", "c"]
    # a: learner 3 (row 3), learner 7 (rows 4 then 1); b: 3 (row 2), 7 (rows 5 then 0); c: 3
    assert list(seqs.rows) == [3, 4, 1, 2, 5, 0, 6]
    assert list(seqs.seq_offsets) == [0, 1, 3, 4, 6, 7]
    assert list(seqs.skill_offsets) == [0, 2, 4, 5]
    assert list(seqs.learners) == [3, 7, 3, 7, 3]
    assert list(seqs.correct) == [1, 1, 0, 1, 0, 1, 1]
    assert seqs.correct.dtype == np.int8
    assert list(seqs.skill_obs_counts()) == [3, 3, 1]
    assert seqs.max_sequence_length() == 2
    assert (seqs.n_obs, seqs.n_sequences, seqs.n_skills) == (7, 5, 3)


def test_row_order_is_time_without_order_key() -> None:
    seqs = prepare([1, 1, 1], [5, 5, 5], [0, 1, 1])
    assert list(seqs.rows) == [0, 1, 2]
    assert list(seqs.seq_offsets) == [0, 3]


def test_ties_in_order_keep_row_order() -> None:
    seqs = prepare([1, 1, 1], [5, 5, 5], [0, 1, 1], order=[2, 2, 1])
    assert list(seqs.rows) == [2, 0, 1]


def test_large_sparse_integer_ids() -> None:
    seqs = prepare([10**12, 5, 10**12], [-(10**15), 4, 4], [1, 0, 1])
    assert list(seqs.skills) == [5, 10**12]
    assert list(seqs.learners) == [4, -(10**15), 4]


def test_as_sequences_accepts_columns_or_layout() -> None:
    seqs = as_sequences({"skill": [1, 2], "learner": [1, 1], "correct": [1, 0]})
    assert isinstance(seqs, Sequences)
    assert as_sequences(seqs) is seqs
    with pytest.raises(ValueError, match="missing columns: learner"):
        as_sequences({"skill": [1], "correct": [1]})
    with pytest.raises(TypeError):
        as_sequences([1, 2, 3])  # type: ignore[arg-type]


def test_bad_columns() -> None:
    with pytest.raises(ValueError):
        prepare([1, 2], [1], [1, 0])
    with pytest.raises(ValueError):
        prepare([], [], [])
