"""Next best intervention: expected gains from BKT, and the ranking they give."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint.engine.bkt import BKT, BKTParams, SkillParams, predict_correct, update
from waypoint.engine.interventions import (
    Action,
    Effectiveness,
    LearnerSnapshot,
    expected_mastery,
    rank_interventions,
)

PARAMS = SkillParams(prior=0.2, learn=0.2, forget=0.0, guess=0.2, slip=0.1)
PREREQS = {"4.NF.A.1": ["3.NF.A.1"], "4.NF.B.3": ["4.NF.A.1"], "4.OA.A.1": []}
SCOPE = ["3.NF.A.1", "4.NF.A.1", "4.NF.B.3", "4.OA.A.1"]
GRADE = ["4.NF.A.1", "4.NF.B.3", "4.OA.A.1"]


def same(_: object) -> SkillParams:
    return PARAMS


prob = st.floats(0.01, 0.99)


@st.composite
def skill_params(draw: st.DrawFn) -> SkillParams:
    return SkillParams(
        draw(prob), draw(prob), draw(st.just(0.0) | st.floats(0.0, 0.3)), draw(prob), draw(prob)
    )


@settings(max_examples=80, deadline=None)
@given(state=prob, params=skill_params(), k=st.integers(0, 5))
def test_expected_mastery_averages_the_online_update_over_every_response_sequence(
    state: float, params: SkillParams, k: int
) -> None:
    total = 0.0
    for responses in itertools.product((0, 1), repeat=k):
        p, weight = state, 1.0
        for correct in responses:
            right = predict_correct(p, params)
            weight *= right if correct else 1.0 - right
            p = update(p, correct, params)
        total += weight * p
    assert expected_mastery(state, params, k) == pytest.approx(total, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(state=prob, learn=prob, k=st.integers(0, 6), e=st.floats(0.0, 3.0))
def test_without_forgetting_it_is_the_closed_form_with_effectiveness_as_extra_opportunities(
    state: float, learn: float, k: int, e: float
) -> None:
    params = SkillParams(0.3, learn, 0.0, 0.2, 0.1)
    expected = 1.0 - (1.0 - state) * (1.0 - learn) ** (e * k)
    assert expected_mastery(state, params, k, e) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(state=prob, params=skill_params(), k=st.integers(1, 5), e=st.floats(0.0, 3.0))
def test_a_more_effective_action_never_expects_less(
    state: float, params: SkillParams, k: int, e: float
) -> None:
    # without forgetting (with it, a learn rate near 1 can overshoot BKT's equilibrium)
    params = params._replace(forget=0.0)
    assert (
        expected_mastery(state, params, k, e + 0.5) >= expected_mastery(state, params, k, e) - 1e-12
    )


def test_missing_prerequisite_gets_reteach_first() -> None:
    learner = LearnerSnapshot(
        mastery={"3.NF.A.1": 0.4, "4.NF.A.1": 0.2, "4.NF.B.3": 0.1, "4.OA.A.1": 0.3},
        scope=SCOPE,
        grade_level=GRADE,
    )
    ranked = rank_interventions(learner, same, PREREQS)
    first = ranked[0]
    assert (first.action, first.standard) == (Action.RETEACH, "3.NF.A.1")
    assert "missing prerequisite" in first.reason and "4.NF.A.1" in first.reason
    # the deepest gap first: reteaching 3.NF.A.1 also lifts 4.NF.A.1
    actions = [(i.action, i.standard) for i in ranked]
    assert actions.index((Action.RETEACH, "4.NF.A.1")) < actions.index(
        (Action.PRACTICE, "4.OA.A.1")
    )
    # the reteach's gain counts the lift on what it unblocks, beyond its own gain
    own = expected_mastery(0.4, PARAMS, 3, Effectiveness().reteach) - 0.4
    assert first.expected_gain > own


def test_reteach_beats_practice_on_a_ready_standard_that_starts_lower() -> None:
    # same standard parameters; the gap starts higher (0.4) than the ready standard (0.3),
    # so its own gain is smaller: the effectiveness of reteaching and the unblocking carry it
    learner = LearnerSnapshot(
        mastery={"3.NF.A.1": 0.4, "4.NF.A.1": 0.3, "4.NF.B.3": 0.1, "4.OA.A.1": 0.3},
        scope=SCOPE,
    )
    ranked = rank_interventions(learner, same, PREREQS)
    assert ranked[0].action is Action.RETEACH


def test_a_prerequisite_under_nothing_started_is_practice_not_reteach() -> None:
    # no evidence on 4.NF.B.3 yet: 4.NF.A.1 is the next step, not a gap to reteach
    learner = LearnerSnapshot(mastery={"3.NF.A.1": 0.97, "4.NF.A.1": 0.3}, scope=SCOPE)
    ranked = rank_interventions(learner, same, PREREQS)
    assert Action.RETEACH not in {i.action for i in ranked}
    practice = next(i for i in ranked if i.standard == "4.NF.A.1")
    assert practice.action is Action.PRACTICE
    # its gain still counts the lift it gives 4.NF.B.3
    assert practice.expected_gain > expected_mastery(0.3, PARAMS, 3) - 0.3
    assert "on what it unblocks" in practice.reason


def test_everything_mastered_gets_enrichment() -> None:
    learner = LearnerSnapshot(
        mastery=dict.fromkeys(SCOPE, 0.97), scope=SCOPE, grade_level=GRADE, days_since_evidence=2
    )
    ranked = rank_interventions(learner, same, PREREQS)
    assert ranked[0].action is Action.ENRICHMENT
    assert ranked[0].standard is None
    assert "every grade-level standard mastered" in ranked[0].reason
    assert {i.action for i in ranked} == {Action.ENRICHMENT, Action.CHECK_IN}


def test_enrichment_names_ready_standards_beyond_grade_level() -> None:
    prereqs = {**PREREQS, "5.NF.A.1": ["4.NF.B.3"], "5.NF.B.3": ["5.NF.A.1"]}
    learner = LearnerSnapshot(
        mastery=dict.fromkeys(SCOPE, 0.97),
        scope=SCOPE,
        grade_level=GRADE,
        beyond=["5.NF.A.1", "5.NF.B.3"],
    )
    ranked = rank_interventions(learner, same, prereqs)
    enrichment = [i.standard for i in ranked if i.action is Action.ENRICHMENT]
    assert enrichment == ["5.NF.A.1"]  # 5.NF.B.3 waits for 5.NF.A.1
    assert ranked[0].action is Action.ENRICHMENT


def test_no_enrichment_while_a_grade_level_standard_is_unmastered() -> None:
    learner = LearnerSnapshot(
        mastery={**dict.fromkeys(SCOPE, 0.97), "4.OA.A.1": 0.5}, scope=SCOPE, grade_level=GRADE
    )
    ranked = rank_interventions(learner, same, PREREQS)
    assert ranked[0].action is Action.PRACTICE and ranked[0].standard == "4.OA.A.1"
    assert Action.ENRICHMENT not in {i.action for i in ranked}


def test_stuck_learner_gets_a_conference_and_practice_counts_for_less() -> None:
    learner = LearnerSnapshot(
        mastery={**dict.fromkeys(SCOPE, 0.97), "4.OA.A.1": 0.3, "4.NF.B.3": 0.3},
        scope=SCOPE,
        recent_observations={"4.OA.A.1": 9, "4.NF.B.3": 2},
        recent_gain={"4.OA.A.1": 0.02, "4.NF.B.3": 0.0},
    )
    ranked = rank_interventions(learner, same, PREREQS)
    first = ranked[0]
    assert (first.action, first.standard) == (Action.CONFERENCE, "4.OA.A.1")
    assert "9 recent observations" in first.reason
    practice = {i.standard: i.expected_gain for i in ranked if i.action is Action.PRACTICE}
    # same starting mastery and parameters; only the stuck one is discounted
    assert practice["4.OA.A.1"] < practice["4.NF.B.3"]
    assert [i.standard for i in ranked if i.action is Action.CONFERENCE] == ["4.OA.A.1"]


@pytest.mark.parametrize(
    ("concern", "days", "first"),
    [(True, None, True), (False, 30, True), (False, 3, False), (False, None, False)],
)
def test_check_in_leads_only_when_there_is_a_concern(
    concern: bool, days: int | None, first: bool
) -> None:
    learner = LearnerSnapshot(
        mastery={"3.NF.A.1": 0.97, "4.NF.A.1": 0.3},
        scope=SCOPE,
        concern=concern,
        days_since_evidence=days,
    )
    ranked = rank_interventions(learner, same, PREREQS)
    assert (ranked[0].action is Action.CHECK_IN) is first
    check_in = next(i for i in ranked if i.action is Action.CHECK_IN)
    best_other = max(i.expected_gain for i in ranked if i.action is not Action.CHECK_IN)
    factor = 1.2 if first else 0.1
    assert check_in.expected_gain == pytest.approx(factor * best_other)
    if days and days >= 14:
        assert f"no evidence in {days} days" in check_in.reason


mastery_values = st.floats(0.01, 0.99)


@settings(max_examples=60, deadline=None)
@given(
    mastery=st.fixed_dictionaries({s: mastery_values for s in SCOPE}),
    observations=st.dictionaries(st.sampled_from(SCOPE), st.integers(0, 12), max_size=4),
    params=skill_params(),
    concern=st.booleans(),
)
def test_ranking_is_by_expected_gain(
    mastery: dict[str, float],
    observations: dict[str, int],
    params: SkillParams,
    concern: bool,
) -> None:
    learner = LearnerSnapshot(
        mastery=mastery,
        scope=SCOPE,
        grade_level=GRADE,
        recent_observations=observations,
        recent_gain=dict.fromkeys(observations, 0.01),
        concern=concern,
    )
    ranked = rank_interventions(learner, lambda _: params, PREREQS)
    gains = [i.expected_gain for i in ranked]
    assert gains == sorted(gains, reverse=True)
    if params.forget == 0.0:  # with forgetting, a state above BKT's equilibrium can fall
        assert all(g >= -1e-12 for g in gains)
    assert all(i.reason for i in ranked)
    assert sum(i.action is Action.CHECK_IN for i in ranked) == 1
    # every unmastered standard that is ready or blocks one has an action on it
    acted = {i.standard for i in ranked}
    for s in SCOPE:
        ready = all(mastery[q] >= 0.95 for q in PREREQS.get(s, []))
        if mastery[s] < 0.95 and ready:
            assert s in acted


def test_uses_a_fitted_models_parameters_and_defaults_for_unseen_standards() -> None:
    model = BKT(threads=1)
    model.params_ = BKTParams.from_array(
        ["4.OA.A.1", "4.NF.B.3"], [[0.2, 0.6, 0.0, 0.2, 0.1], [0.2, 0.05, 0.0, 0.2, 0.1]]
    )
    model.default_params_ = PARAMS
    learner = LearnerSnapshot(mastery={"4.OA.A.1": 0.3, "4.NF.B.3": 0.3}, scope=["4.OA.A.1"])
    fast = rank_interventions(learner, model.skill_params, {})
    assert (fast[0].action, fast[0].standard) == (Action.PRACTICE, "4.OA.A.1")
    assert fast[0].expected_gain == pytest.approx(1 - 0.7 * 0.4**3 - 0.3, abs=1e-9)
    # 3.NF.A.1 is not in the fitted model: its prior (0.2) and defaults are used
    unseen = LearnerSnapshot(mastery={}, scope=["3.NF.A.1"])
    (practice, _) = rank_interventions(unseen, model.skill_params, {})
    assert practice.expected_gain == pytest.approx(0.8 * (1 - 0.8**3), abs=1e-9)


def test_reasons_use_the_label() -> None:
    learner = LearnerSnapshot(mastery={7: 0.3}, scope=[7])
    ranked = rank_interventions(learner, same, {}, label=lambda s: f"standard #{s}")
    assert "standard #7" in ranked[0].reason
