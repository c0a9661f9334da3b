"""Observations from rows (response files, teacher-entered scores): threshold, all or nothing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.evidence import factories as ef
from waypoint.audit.models import ActionEntry
from waypoint.evidence.models import Observation
from waypoint.evidence.services import (
    EvidenceRejected,
    ObservationRow,
    record_observations,
    score_threshold,
    set_score_threshold,
)

WHEN = dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def items(world: SimpleNamespace) -> SimpleNamespace:
    framework = ef.FrameworkFactory(district=world.district_a)
    return SimpleNamespace(
        one=ef.FrameworkItemFactory(framework=framework),
        two=ef.FrameworkItemFactory(framework=framework),
        other_district=ef.FrameworkItemFactory(
            framework=ef.FrameworkFactory(district=world.district_b)
        ),
    )


def test_scores_count_as_correct_from_80_percent_of_the_maximum(
    world: SimpleNamespace, items: SimpleNamespace
) -> None:
    rows = [
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, score=4, max_score=5),  # 80%
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, score=3.9, max_score=5),  # 78%
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, score=0.7 + 0.1, max_score=1),
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, correct=False),
    ]
    created = record_observations(district=world.district_a, rows=rows, source="responses")
    assert [o.correct for o in created] == [True, False, True, False]
    assert created[0].score == 4 and created[0].max_score == 5
    assert ActionEntry.objects.filter(action="evidence.record_observations").count() == 1


def test_the_district_sets_its_own_score_threshold(
    world: SimpleNamespace, items: SimpleNamespace
) -> None:
    """District A lowers its threshold to 70%: 7/10 is correct there, still not in B."""
    set_score_threshold(district=world.district_a, threshold=0.7)
    row = ObservationRow(world.l1.pk, [items.one.pk], WHEN, score=7, max_score=10)
    assert [
        o.correct
        for o in record_observations(district=world.district_a, rows=[row], source="responses")
    ] == [True]
    row_b = ObservationRow(world.lb.pk, [items.other_district.pk], WHEN, score=7, max_score=10)
    assert [
        o.correct
        for o in record_observations(district=world.district_b, rows=[row_b], source="responses")
    ] == [False]
    assert (score_threshold(world.district_a), score_threshold(world.district_b)) == (0.7, 0.8)
    entry = ActionEntry.objects.get(action="evidence.settings")
    assert entry.details == {"score_threshold": [0.8, 0.7]}
    for bad in (0.0, 1.5, float("nan"), -0.2):
        with pytest.raises(ValueError, match="score threshold"):
            set_score_threshold(district=world.district_a, threshold=bad)
    assert score_threshold(world.district_a) == 0.7


def test_a_row_aligned_to_two_standards_gives_two_observations(
    world: SimpleNamespace, items: SimpleNamespace
) -> None:
    row = ObservationRow(world.l1.pk, [items.one.pk, items.two.pk, items.one.pk], WHEN, True)
    record_observations(district=world.district_a, rows=[row], source="responses")
    assert sorted(Observation.objects.values_list("item_id", flat=True)) == sorted(
        [items.one.pk, items.two.pk]
    )


def test_one_bad_row_writes_nothing_and_says_why(
    world: SimpleNamespace, items: SimpleNamespace
) -> None:
    rows = [
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, correct=True),
        ObservationRow(world.lb.pk, [items.one.pk], WHEN, correct=True),  # other district
        ObservationRow(world.l1.pk, [items.other_district.pk], WHEN, correct=True),
        ObservationRow(world.l1.pk, [items.one.pk], WHEN, score=6, max_score=5),
        ObservationRow(world.l1.pk, [items.one.pk], WHEN.replace(tzinfo=None), correct=True),
        ObservationRow(world.t1.pk, [items.one.pk], WHEN, correct=True),  # staff, not a learner
    ]
    with pytest.raises(EvidenceRejected) as refused:
        record_observations(district=world.district_a, rows=rows, source="responses")
    found = {(p.index, p.field) for p in refused.value.problems}
    assert found == {
        (1, "learner"),
        (2, "standards"),
        (3, "score"),
        (4, "observed_at"),
        (5, "learner"),
    }
    assert Observation.objects.count() == 0
    assert not ActionEntry.objects.filter(action="evidence.record_observations").exists()
