"""`waypoint mastery evaluate`: held-out scores on a per-learner time-ordered split."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.evidence import factories as ef
from waypoint.engine.synthetic import random_params, simulate
from waypoint.evidence.models import Observation
from waypoint.mastery.evaluation import OTHER, calibration, evaluate_district, split_by_learner
from waypoint.mastery.models import MasteryState, SkillModel

T0 = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)
N_LEARNERS = 150


def _observations(district, items, learners, data) -> list[Observation]:
    return [
        Observation(
            district=district,
            learner=learners[learner],
            item=items[skill],
            correct=bool(correct),
            # a learner alternates between standards; opportunities are an hour apart
            observed_at=T0 + dt.timedelta(hours=int(order), minutes=int(skill)),
            source=Observation.Source.RESPONSES,
        )
        for skill, learner, correct, order in zip(
            data["skill"], data["learner"], data["correct"], data["order"], strict=True
        )
    ]


@pytest.fixture
def synthetic(world: SimpleNamespace) -> SimpleNamespace:
    """Three standards simulated from known parameters in district A, a few rows on a fourth,
    and evidence in district B that must not be used."""
    district = world.district_a
    framework = ef.FrameworkFactory(district=district)
    items = [
        ef.FrameworkItemFactory(framework=framework, human_coding_scheme=f"STD.{k}")
        for k in range(3)
    ]
    learners = f.LearnerFactory.create_batch(N_LEARNERS, district=district)
    data = simulate(random_params(3, seed=3), N_LEARNERS, min_length=10, max_length=25, seed=5)
    rows = _observations(district, items, learners, data)
    rare = ef.FrameworkItemFactory(framework=framework, human_coding_scheme="RARE.1")
    for i, learner in enumerate(learners[:5]):
        for t in range(5):
            rows.append(
                Observation(
                    district=district,
                    learner=learner,
                    item=rare,
                    correct=bool((i + t) % 2),
                    observed_at=T0 + dt.timedelta(hours=30 + t),
                    source=Observation.Source.RESPONSES,
                )
            )
    # district B: all wrong answers on its own standard; if used, counts and scores change
    other_item = ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=world.district_b))
    for t in range(40):
        rows.append(
            Observation(
                district=world.district_b,
                learner=world.lb,
                item=other_item,
                correct=False,
                observed_at=T0 + dt.timedelta(hours=t),
                source=Observation.Source.RESPONSES,
            )
        )
    Observation.objects.bulk_create(rows, batch_size=2000)
    n_a = int(data["correct"].shape[0]) + 25
    return SimpleNamespace(world=world, district=district, items=items, n_a=n_a)


def test_the_split_holds_out_the_latest_share_of_each_learner() -> None:
    learner = np.array([1, 2, 1, 1, 2, 1, 1, 3], dtype=np.int64)  # rows in time order
    held = split_by_learner(learner, 0.4)
    # learner 1 has 5 rows: the last 2 held out; learner 2 has 2: none (floor 0.8); 3: none
    assert held.tolist() == [False, False, False, False, False, True, True, False]


def test_calibration_bins_cover_every_prediction() -> None:
    p = np.array([0.0, 0.05, 0.1, 0.55, 0.99, 1.0])
    y = np.array([0, 0, 1, 1, 1, 1])
    bins = calibration(y, p)
    assert len(bins) == 10
    assert sum(b.count for b in bins) == 6
    assert (bins[0].count, bins[1].count, bins[5].count, bins[9].count) == (2, 1, 1, 2)
    assert bins[9].observed_rate == 1.0
    assert bins[9].mean_predicted == pytest.approx(0.995)


def test_evaluate_district_scores_held_out_evidence(synthetic: SimpleNamespace) -> None:
    result = evaluate_district(district=synthetic.district, test_share=0.2)
    assert result.train_count + result.test_count == synthetic.n_a  # district B left out
    assert result.learners == N_LEARNERS
    assert 0.15 * synthetic.n_a < result.test_count <= 0.2 * synthetic.n_a
    assert result.overall.count == result.test_count
    assert result.overall.auc > 0.7
    assert 0 < result.overall.rmse < 0.5
    assert 0 < result.overall.log_loss < 0.69
    assert sum(b.count for b in result.overall.calibration) == result.test_count
    # a well-specified model is roughly calibrated where there is enough data
    for b in result.overall.calibration:
        if b.count >= 200:
            assert b.observed_rate == pytest.approx(b.mean_predicted, abs=0.08), b
    labels = [s.label for s in result.per_standard]
    assert labels == ["STD.0", "STD.1", "STD.2", OTHER]  # RARE.1 has < 30 held out
    assert sum(s.count for s in result.per_standard) == result.test_count
    for s in result.per_standard:
        assert sum(b.count for b in s.calibration) == s.count
    # evaluation changes no stored model or state
    assert not SkillModel.objects.exists()
    assert not MasteryState.objects.exists()


def test_the_command_prints_tables_and_writes_the_plot(
    synthetic: SimpleNamespace, tmp_path: Path
) -> None:
    out = StringIO()
    plot = tmp_path / "reliability.svg"
    call_command("mastery", "evaluate", "--district", "alder", "--plot", str(plot), stdout=out)
    text = out.getvalue()
    assert "held-out observation(s) of 150 learner(s)" in text
    for label in ("overall", "STD.0", "STD.1", "STD.2", OTHER):
        assert f"calibration: {label}" in text
    assert "AUC" in text and "log-loss" in text and "mean predicted" in text
    svg = plot.read_text()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<title>Reliability of held-out predictions, district alder" in svg
    assert svg.count("<circle") >= 3


def test_clear_errors(synthetic: SimpleNamespace) -> None:
    with pytest.raises(CommandError, match="no district with the slug 'no-such'"):
        call_command("mastery", "evaluate", "--district", "no-such")
    empty = f.DistrictFactory(slug="empty")
    with pytest.raises(CommandError, match="'empty' has no observations to evaluate"):
        call_command("mastery", "evaluate", "--district", empty.slug)
    with pytest.raises(CommandError, match="--test-share"):
        call_command("mastery", "evaluate", "--district", "alder", "--test-share", "1.5")
