"""Metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from waypoint.engine.metrics import accuracy, log_loss, rmse, roc_auc

# Hand-worked example: five responses.
#   y     = 1    0    1    0    1
#   score = 0.9  0.3  0.6  0.6  0.2
Y = [1, 0, 1, 0, 1]
S = [0.9, 0.3, 0.6, 0.6, 0.2]


def test_auc_by_hand() -> None:
    # Positive/negative pairs (3 x 2 = 6): 0.9 beats both negatives (2), 0.6 beats 0.3 and
    # ties 0.6 (1.5), 0.2 beats neither (0): AUC = 3.5 / 6.
    assert roc_auc(Y, S) == pytest.approx(3.5 / 6, abs=1e-15)


def test_auc_edge_cases() -> None:
    assert roc_auc([0, 1], [0.1, 0.9]) == 1.0
    assert roc_auc([1, 0], [0.1, 0.9]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_rmse_by_hand() -> None:
    # squared errors: 0.01, 0.09, 0.16, 0.36, 0.64 -> sum 1.26, mean 0.252
    assert rmse(Y, S) == pytest.approx(math.sqrt(0.252), abs=1e-15)


def test_log_loss_by_hand() -> None:
    expected = -(math.log(0.9) + math.log(0.7) + math.log(0.6) + math.log(0.4) + math.log(0.2)) / 5
    assert log_loss(Y, S) == pytest.approx(expected, abs=1e-15)
    assert log_loss([1], [0.0]) == pytest.approx(-math.log(1e-15))


def test_accuracy_by_hand() -> None:
    # predictions >= 0.5: 1 0 1 1 0 -> right on 1st, 2nd, 3rd
    assert accuracy(Y, S) == pytest.approx(0.6)


def test_length_mismatch() -> None:
    with pytest.raises(ValueError):
        rmse([1, 0], [0.5])
    with pytest.raises(ValueError):
        roc_auc(np.array([]), np.array([]))
