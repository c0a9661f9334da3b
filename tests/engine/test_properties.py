"""Property tests (hypothesis): probabilities stay in (0, 1); a correct answer never lowers
mastery without forgetting when guess + slip < 1; online updates equal the batch pass."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from waypoint.engine.bkt import BKT, BKTParams, SkillParams, update

prob = st.floats(min_value=1e-6, max_value=1 - 1e-6, allow_nan=False)
responses = st.lists(st.integers(0, 1), min_size=1, max_size=60)


@st.composite
def skill_params(draw: st.DrawFn, forgetting: bool = True) -> SkillParams:
    forget = draw(prob) if forgetting else 0.0
    return SkillParams(draw(prob), draw(prob), forget, draw(prob), draw(prob))


def _model(p: SkillParams) -> BKT:
    model = BKT(threads=1)
    model.params_ = BKTParams.from_array([0], [list(p)], n_obs=[1])
    model.default_params_ = p
    return model


SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(p=skill_params(), seq=responses)
def test_probabilities_stay_inside_open_interval(p: SkillParams, seq: list[int]) -> None:
    model = _model(p)
    data = {"skill": [0] * len(seq), "learner": [1] * len(seq), "correct": seq}
    p_correct, mastery = model.forward(data)
    assert np.all((p_correct > 0) & (p_correct < 1))
    assert np.all((mastery > 0) & (mastery < 1))


@SETTINGS
@given(p=skill_params(forgetting=False), state=prob)
def test_correct_answer_never_lowers_mastery(p: SkillParams, state: float) -> None:
    assume(p.guess + p.slip < 1.0)
    # up to floating-point rounding of the division (a few ulps)
    assert update(state, 1, p) >= state * (1 - 4e-16)
    model = _model(p)
    assert model.partial_update(state, 1, 0) >= state * (1 - 4e-16)


@SETTINGS
@given(p=skill_params(forgetting=False), seq=responses)
def test_correct_answer_never_lowers_mastery_along_a_sequence(
    p: SkillParams, seq: list[int]
) -> None:
    assume(p.guess + p.slip < 1.0)
    model = _model(p)
    mastery = model.mastery({"skill": [0] * len(seq), "learner": [1] * len(seq), "correct": seq})
    before = np.r_[p.prior, mastery[:-1]]
    correct = np.asarray(seq) == 1
    assert np.all(mastery[correct] >= before[correct] * (1 - 4e-16))


@SETTINGS
@given(p=skill_params(), seq=responses)
def test_online_update_equals_batch_forward(p: SkillParams, seq: list[int]) -> None:
    model = _model(p)
    _, mastery = model.forward({"skill": [0] * len(seq), "learner": [1] * len(seq), "correct": seq})
    state = p.prior
    online = []
    for c in seq:
        state = update(state, c, p)
        online.append(state)
    np.testing.assert_allclose(online, mastery, rtol=1e-12, atol=1e-15)
    states = np.array([p.prior])
    model.update_states(states, np.zeros(len(seq), dtype=np.int64), [0] * len(seq), seq)
    assert states[0] == np.float64(mastery[-1]) or abs(states[0] - mastery[-1]) < 1e-15
