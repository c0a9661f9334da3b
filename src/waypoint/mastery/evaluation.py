"""Held-out evaluation of a district's BKT model: AUC, RMSE, log-loss and calibration.

The split is **per learner, in time order**: each learner's observations (all standards
together) are ordered by ``(observed_at, id)`` and the last ``test_share`` of them
(``floor(n × test_share)``, so a learner with few observations may have none held out) is
held out; the rest is the training part. BKT is fitted on the training part only. Each
held-out response is then predicted by the forward pass with the fitted parameters, the
state carried over from that learner's training responses on the standard and moved by
their earlier held-out responses: every prediction uses only evidence from before it.
Standards with no training observations are predicted from the default parameters.

Django reads the observations here; the model and the metrics come from ``waypoint.engine``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
import numpy.typing as npt

from waypoint.engine.bkt import BKT
from waypoint.engine.data import prepare
from waypoint.engine.metrics import log_loss, rmse, roc_auc
from waypoint.evidence.models import Observation
from waypoint.mastery.services import DEFAULT_PARAMS
from waypoint.roster.models import District
from waypoint.standards.models import FrameworkItem

N_BINS = 10
OTHER = "other"


class EvaluationError(ValueError):
    """Nothing to evaluate (no observations, or none held out)."""


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True)
class Scores:
    """Metrics of one group of held-out responses."""

    label: str
    count: int
    auc: float
    rmse: float
    log_loss: float
    calibration: list[CalibrationBin] = field(default_factory=list)


@dataclass(frozen=True)
class Evaluation:
    district: str
    test_share: float
    train_count: int
    test_count: int
    learners: int
    standards_fitted: int
    unseen_test_count: int
    """Held-out responses on standards with no training data (default parameters)."""
    overall: Scores
    per_standard: list[Scores]


def calibration(y: npt.ArrayLike, p: npt.ArrayLike, n_bins: int = N_BINS) -> list[CalibrationBin]:
    """Equal-width bins of the predicted probability; ``p == 1`` falls in the last bin."""
    y_a = np.asarray(y, dtype=np.float64)
    p_a = np.asarray(p, dtype=np.float64)
    index = np.clip((p_a * n_bins).astype(np.int64), 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    sum_p = np.bincount(index, weights=p_a, minlength=n_bins)
    sum_y = np.bincount(index, weights=y_a, minlength=n_bins)
    bins = []
    for b in range(n_bins):
        n = int(counts[b])
        bins.append(
            CalibrationBin(
                low=b / n_bins,
                high=(b + 1) / n_bins,
                count=n,
                mean_predicted=float(sum_p[b] / n) if n else math.nan,
                observed_rate=float(sum_y[b] / n) if n else math.nan,
            )
        )
    return bins


def score(label: str, y: npt.NDArray[np.float64], p: npt.NDArray[np.float64]) -> Scores:
    return Scores(
        label=label,
        count=int(y.shape[0]),
        auc=roc_auc(y, p),
        rmse=rmse(y, p),
        log_loss=log_loss(y, p),
        calibration=calibration(y, p),
    )


def split_by_learner(learner: npt.NDArray[np.int64], test_share: float) -> npt.NDArray[np.bool_]:
    """Held-out mask: the last ``floor(n × share)`` rows of each learner (rows in time order)."""
    n = learner.shape[0]
    order = np.argsort(learner, kind="stable")  # by learner, time order kept within
    sorted_learner = learner[order]
    starts = np.flatnonzero(np.r_[True, sorted_learner[1:] != sorted_learner[:-1]])
    lengths = np.diff(np.r_[starts, n])
    position = np.arange(n) - np.repeat(starts, lengths)
    n_test = np.floor(lengths * test_share).astype(np.int64)
    held_sorted = position >= np.repeat(lengths - n_test, lengths)
    held = np.empty(n, dtype=bool)
    held[order] = held_sorted
    return held


def evaluate_district(
    *,
    district: District,
    test_share: float = 0.2,
    min_count: int = 30,
    restarts: int = 5,
    seed: int = 0,
) -> Evaluation:
    """Fit on the training part, score the held-out part (see the module docstring)."""
    if not 0.0 < test_share < 1.0:
        raise ValueError("test_share must be between 0 and 1")
    rows = list(
        Observation.objects.filter(district=district)
        .order_by("observed_at", "id")
        .values_list("item_id", "learner_id", "correct")
    )
    if not rows:
        raise EvaluationError(f"district {district.slug!r} has no observations to evaluate")
    columns = np.asarray(rows, dtype=np.int64)
    skill, learner, correct = columns[:, 0], columns[:, 1], columns[:, 2]
    held = split_by_learner(learner, test_share)
    n_test = int(held.sum())
    if n_test == 0 or n_test == held.shape[0]:
        raise EvaluationError(
            f"district {district.slug!r} has too few observations per learner to hold out "
            f"{test_share:.0%} of them"
        )
    train = ~held
    model = BKT(restarts=restarts, seed=seed, default_params=DEFAULT_PARAMS).fit(
        prepare(skill[train], learner[train], correct[train])
    )
    # One forward pass over everything, rows already in time order: each held-out response
    # is predicted from the state the learner's earlier responses (training first) left.
    p_all = model.predict_proba(prepare(skill, learner, correct))
    y = correct[held].astype(np.float64)
    p = p_all[held]
    test_skill = skill[held]
    unseen = int((~model.known_skills(test_skill)).sum())

    labels = _labels(np.unique(test_skill).tolist())
    per_standard: list[Scores] = []
    small = np.zeros(n_test, dtype=bool)
    for item_id in np.unique(test_skill).tolist():
        mask = test_skill == item_id
        if int(mask.sum()) < min_count:
            small |= mask
        else:
            per_standard.append(score(labels[item_id], y[mask], p[mask]))
    per_standard.sort(key=lambda s: s.label)
    if small.any():
        per_standard.append(score(OTHER, y[small], p[small]))
    return Evaluation(
        district=district.slug,
        test_share=test_share,
        train_count=int(train.sum()),
        test_count=n_test,
        learners=int(np.unique(learner).shape[0]),
        standards_fitted=len(model.params_),
        unseen_test_count=unseen,
        overall=score("overall", y, p),
        per_standard=per_standard,
    )


def _labels(item_ids: list[int]) -> Mapping[int, str]:
    labels = {}
    for item in FrameworkItem.objects.filter(pk__in=item_ids):
        labels[item.pk] = item.human_coding_scheme or f"item {item.pk}"
    return labels


# ---------------------------------------------------------------------- output


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def format_report(result: Evaluation) -> str:
    """Plain-text tables: the metrics per group, then a calibration table per group."""
    lines = [
        f"district {result.district}: {result.train_count} training and {result.test_count} "
        f"held-out observation(s) of {result.learners} learner(s); last {result.test_share:.0%} "
        f"of each learner's observations held out",
        f"{result.standards_fitted} standard(s) fitted; {result.unseen_test_count} held-out "
        "observation(s) on standards without training data (default parameters)",
        "",
    ]
    groups = [result.overall, *result.per_standard]
    width = max(12, *(len(g.label) for g in groups))
    lines.append(f"{'group':<{width}}  {'n':>7}  {'AUC':>6}  {'RMSE':>6}  {'log-loss':>8}")
    for g in groups:
        lines.append(
            f"{g.label:<{width}}  {g.count:>7}  {_fmt(g.auc):>6}  {_fmt(g.rmse):>6}  "
            f"{_fmt(g.log_loss):>8}"
        )
    for g in groups:
        lines += ["", f"calibration: {g.label}"]
        lines.append(f"{'bin':<9}  {'mean predicted':>14}  {'observed rate':>13}  {'count':>7}")
        for b in g.calibration:
            lines.append(
                f"{b.low:.1f}-{b.high:.1f}  {_fmt(b.mean_predicted):>14}  "
                f"{_fmt(b.observed_rate):>13}  {b.count:>7}"
            )
    return "\n".join(lines) + "\n"


def reliability_svg(result: Evaluation, size: int = 360) -> str:
    """A self-contained SVG reliability plot of the overall calibration bins."""
    pad = 48
    inner = size - 2 * pad

    def x(v: float) -> float:
        return pad + v * inner

    def yy(v: float) -> float:
        return size - pad - v * inner

    title = (
        f"Reliability of held-out predictions, district {result.district} "
        f"(n = {result.test_count}, AUC {_fmt(result.overall.auc)})"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{pad}" y="{pad}" width="{inner}" height="{inner}" fill="white" stroke="#444"/>',
        f'<line x1="{x(0)}" y1="{yy(0)}" x2="{x(1)}" y2="{yy(1)}" stroke="#999" '
        'stroke-dasharray="4 3"/>',
    ]
    for t in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{x(t)}" y="{size - pad + 16}" text-anchor="middle">{t:.1f}</text>')
        parts.append(f'<text x="{pad - 6}" y="{yy(t) + 4}" text-anchor="end">{t:.1f}</text>')
    parts.append(
        f'<text x="{size / 2}" y="{size - 10}" text-anchor="middle">'
        "mean predicted P(correct)</text>"
    )
    parts.append(
        f'<text x="14" y="{size / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {size / 2})">observed rate correct</text>'
    )
    filled = [b for b in result.overall.calibration if b.count]
    biggest = max((b.count for b in filled), default=1)
    points = " ".join(f"{x(b.mean_predicted):.1f},{yy(b.observed_rate):.1f}" for b in filled)
    if points:
        parts.append(f'<polyline points="{points}" fill="none" stroke="#1f6feb"/>')
    for b in filled:
        radius = 2.5 + 5.5 * math.sqrt(b.count / biggest)
        parts.append(
            f'<circle cx="{x(b.mean_predicted):.1f}" cy="{yy(b.observed_rate):.1f}" '
            f'r="{radius:.1f}" fill="#1f6feb" fill-opacity="0.7">'
            f"<title>{b.low:.1f}-{b.high:.1f}: predicted {b.mean_predicted:.3f}, "
            f"observed {b.observed_rate:.3f}, n = {b.count}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_svg(result: Evaluation, path: str | Path) -> None:
    Path(path).write_text(reliability_svg(result), encoding="utf-8")
