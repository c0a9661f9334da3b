"""Prediction metrics for binary outcomes: ROC AUC, RMSE and log-loss.

Computed here rather than taken from scikit-learn so the engine stays lean. ``roc_auc``
is the Mann-Whitney statistic with tied scores given average ranks, which equals the area
under the ROC curve with ties drawn as diagonal segments (what scikit-learn reports).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def _pair(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(y_score, dtype=np.float64).reshape(-1)
    if y.shape != p.shape:
        raise ValueError("y_true and y_score must have the same length")
    if y.size == 0:
        raise ValueError("no observations")
    return y, p


def roc_auc(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> float:
    """Area under the ROC curve; ``nan`` when only one class is present."""
    y, p = _pair(y_true, y_score)
    positive = y != 0
    n_pos = int(positive.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    sorted_p = p[order]
    # average rank (1-based) of each group of tied scores
    starts = np.flatnonzero(np.r_[True, sorted_p[1:] != sorted_p[:-1]])
    ends = np.r_[starts[1:], sorted_p.size]
    average = (starts + ends + 1) / 2.0
    ranks = np.repeat(average, ends - starts)
    rank_sum = float(ranks[positive[order]].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def rmse(y_true: npt.ArrayLike, y_score: npt.ArrayLike) -> float:
    """Root mean squared error of the predicted probabilities."""
    y, p = _pair(y_true, y_score)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def log_loss(y_true: npt.ArrayLike, y_score: npt.ArrayLike, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood, natural log; predictions clipped to [eps, 1 - eps]."""
    y, p = _pair(y_true, y_score)
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def accuracy(y_true: npt.ArrayLike, y_score: npt.ArrayLike, threshold: float = 0.5) -> float:
    """Share of responses whose prediction falls on the right side of ``threshold``."""
    y, p = _pair(y_true, y_score)
    return float(np.mean((p >= threshold) == (y != 0)))
