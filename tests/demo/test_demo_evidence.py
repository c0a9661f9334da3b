"""`waypoint demo` simulates evidence on the demo framework and fits mastery from it."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.utils import timezone

from tests.demo.conftest import Build, demo_district
from waypoint.access.viewer import current_school_year
from waypoint.demo import evidence
from waypoint.evidence.models import Observation
from waypoint.mastery.models import MasteryState, SkillModel
from waypoint.roster.models import District, LearnerYear, Person
from waypoint.standards.models import Framework


def fingerprint(district: District) -> str:
    """The demo's evidence without database ids: learner, standard, outcome and time."""
    h = hashlib.sha256()
    rows = (
        Observation.objects.filter(district=district)
        .order_by("learner__sourced_id", "item__identifier", "observed_at", "correct")
        .values_list("learner__sourced_id", "item__identifier", "correct", "score", "observed_at")
    )
    for row in rows:
        h.update(repr(row).encode())
    return h.hexdigest()


def graded_learners(district: District) -> dict[int, int]:
    """Learner id → grade this year, for the learners of grades 3–8."""
    year = current_school_year(district.pk, timezone.localdate())
    return dict(
        LearnerYear.objects.filter(
            district=district, school_year=year, grade__in=range(3, 9)
        ).values_list("learner_id", "grade")
    )


def test_demo_simulates_evidence_and_mastery(build_demo: Build) -> None:
    out = build_demo("--learners", "300")
    district = demo_district()
    framework = Framework.objects.get(district=district)
    graded = graded_learners(district)

    match = re.search(r"Simulated ([\d,]+) observations for ([\d,]+) learners", out)
    assert match is not None, out
    # the simulated evidence; the demo portfolio adds a teacher-accepted piece (demo/plans.py)
    observations = Observation.objects.filter(district=district).exclude(
        source_ref__startswith="artifact:"
    )
    assert int(match[1].replace(",", "")) == observations.count() > 0
    assert int(match[2].replace(",", "")) == len(graded)  # under the cap, all of them

    # only learners of grades 3–8, only the demo framework's standards of their grade or below
    assert not Observation.objects.exclude(district=district).exists()
    learners = set(observations.values_list("learner_id", flat=True))
    assert learners == set(graded)
    assert not observations.exclude(item__framework=framework).exists()
    for learner_id, grade_low in observations.values_list("learner_id", "item__grade_low"):
        assert grade_low is not None and graded[learner_id] - 1 <= grade_low <= graded[learner_id]
    assert observations.filter(correct=True).exists()
    assert observations.filter(correct=False).exists()
    weekdays = {
        timezone.localtime(w).weekday() for w in observations.values_list("observed_at", flat=True)
    }
    assert weekdays <= {0, 1, 2, 3, 4}
    year = current_school_year(district.pk, timezone.localdate())
    assert year is not None
    for when in observations.values_list("observed_at", flat=True):
        assert year.start_date <= timezone.localtime(when).date() < timezone.localdate()

    # mastery: a fitted model per standard used, a state per learner × standard, varied
    states = MasteryState.objects.filter(district=district)
    pairs = set(observations.values_list("learner_id", "item_id").distinct())
    assert set(states.values_list("learner_id", "item_id")) == pairs
    assert SkillModel.objects.filter(district=district).count() == len({item for _, item in pairs})
    probabilities = list(states.values_list("probability", flat=True))
    assert all(0 < p < 1 for p in probabilities)
    assert any(p >= 0.95 for p in probabilities)
    assert any(p < 0.5 for p in probabilities)
    assert not states.filter(observation_count=0).exists()

    login = Person.objects.get(district=district, user__username="learner")
    if login.pk in graded:
        assert states.filter(learner=login).count() >= 2


def test_demo_evidence_is_repeatable(build_demo: Build) -> None:
    build_demo("--learners", "300", "--seed", "7")
    first = fingerprint(demo_district())
    build_demo("--learners", "300", "--seed", "7", "--reset")
    assert fingerprint(demo_district()) == first
    build_demo("--learners", "300", "--seed", "8", "--reset")
    assert fingerprint(demo_district()) != first


def test_large_demos_cap_the_learners_with_evidence(
    build_demo: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "MAX_EVIDENCE_LEARNERS", 20)
    out = build_demo("--learners", "300")
    district = demo_district()
    learners = set(
        Observation.objects.filter(district=district).values_list("learner_id", flat=True)
    )
    assert 0 < len(learners) <= 21  # the first 20, and the "learner" login if not among them
    assert f"for {len(learners)} learners" in out
    login = Person.objects.get(district=district, user__username="learner")
    if login.pk in graded_learners(district):
        assert login.pk in learners
