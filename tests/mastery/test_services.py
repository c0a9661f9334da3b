"""The online update as evidence arrives, and the district refit (service and command)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.evidence import factories as ef
from waypoint.audit.models import ActionEntry
from waypoint.engine.bkt import SkillParams, update
from waypoint.evidence.models import Observation
from waypoint.mastery.models import MasteryState, SkillModel
from waypoint.mastery.services import DEFAULT_PARAMS, apply_observations, fit_district

T0 = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)


def test_the_online_update_uses_default_then_fitted_parameters(world: SimpleNamespace) -> None:
    district = world.district_a
    item = ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=district))
    first = ef.ObservationFactory(item=item, learner=world.l1, correct=True, observed_at=T0)
    apply_observations(district=district, observations=[first])
    state = MasteryState.objects.get()
    assert state.probability == pytest.approx(update(DEFAULT_PARAMS.prior, True, DEFAULT_PARAMS))
    assert (state.observation_count, state.last_evidence_at, state.model_version) == (1, T0, 0)

    fitted = SkillParams(prior=0.4, learn=0.2, forget=0.0, guess=0.1, slip=0.05)
    SkillModel.objects.create(
        district=district, item=item, fitted_at=T0, version=3, **fitted._asdict()
    )
    later = [
        ef.ObservationFactory(
            item=item, learner=world.l1, correct=c, observed_at=T0 + dt.timedelta(hours=h)
        )
        for h, c in [(2, False), (1, True)]  # given out of order: applied in time order
    ]
    before = state.probability
    apply_observations(district=district, observations=later)
    state.refresh_from_db()
    expected = update(update(before, True, fitted), False, fitted)
    assert state.probability == pytest.approx(expected)
    assert state.observation_count == 3
    assert state.last_evidence_at == T0 + dt.timedelta(hours=2)
    assert ActionEntry.objects.filter(action="mastery.apply_observations").count() == 2
    # observations of another district are not applied here
    foreign = ef.ObservationFactory(
        item=ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=world.district_b)),
        learner=world.lb,
    )
    assert apply_observations(district=district, observations=[foreign]) == []
    assert not MasteryState.objects.filter(district=world.district_b).exists()


TRUE = {
    "easy": SkillParams(prior=0.3, learn=0.2, forget=0.0, guess=0.2, slip=0.1),
    "hard": SkillParams(prior=0.1, learn=0.08, forget=0.0, guess=0.1, slip=0.15),
}


def simulate(params: SkillParams, n_learners: int, n_steps: int, rng: np.random.Generator):
    known = rng.random(n_learners) < params.prior
    out = np.empty((n_learners, n_steps), dtype=bool)
    for t in range(n_steps):
        p = np.where(known, 1 - params.slip, params.guess)
        out[:, t] = rng.random(n_learners) < p
        known = known | (rng.random(n_learners) < params.learn)
    return out


@pytest.fixture
def synthetic(world: SimpleNamespace) -> SimpleNamespace:
    """300 learners × 20 opportunities on two standards, simulated from known parameters."""
    district = world.district_a
    framework = ef.FrameworkFactory(district=district)
    learners = f.LearnerFactory.create_batch(300, district=district)
    rng = np.random.default_rng(7)
    items = {}
    rows = []
    for code, params in TRUE.items():
        item = items[code] = ef.FrameworkItemFactory(framework=framework, human_coding_scheme=code)
        answers = simulate(params, len(learners), 20, rng)
        for i, learner in enumerate(learners):
            for t in range(20):
                rows.append(
                    Observation(
                        district=district,
                        learner=learner,
                        item=item,
                        correct=bool(answers[i, t]),
                        observed_at=T0 + dt.timedelta(days=t, minutes=i),
                        source=Observation.Source.RESPONSES,
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=2000)
    return SimpleNamespace(world=world, district=district, items=items, learners=learners)


def test_fit_district_recovers_parameters_and_recomputes_states(synthetic: SimpleNamespace) -> None:
    result = fit_district(district=synthetic.district)
    assert (result.observations, result.standards, result.learners, result.states) == (
        12000,
        2,
        300,
        600,
    )
    for code, truth in TRUE.items():
        fitted = SkillModel.objects.get(item=synthetic.items[code])
        assert (fitted.version, fitted.n_obs, fitted.forget) == (1, 6000, 0.0)
        assert fitted.prior == pytest.approx(truth.prior, abs=0.1), code
        assert fitted.learn == pytest.approx(truth.learn, abs=0.07), code
        assert fitted.guess == pytest.approx(truth.guess, abs=0.07), code
        assert fitted.slip == pytest.approx(truth.slip, abs=0.07), code
    states = MasteryState.objects.filter(district=synthetic.district)
    assert states.count() == 600
    probabilities = np.array(states.values_list("probability", flat=True))
    assert ((probabilities > 0) & (probabilities < 1)).all()
    assert set(states.values_list("observation_count", flat=True)) == {20}
    assert set(states.values_list("model_version", flat=True)) == {1}
    assert states.first().last_evidence_at is not None
    # most learners have mastered the easy standard after 20 opportunities, fewer the hard
    easy = states.filter(item=synthetic.items["easy"], probability__gte=0.95).count()
    hard = states.filter(item=synthetic.items["hard"], probability__gte=0.95).count()
    assert easy > hard
    assert ActionEntry.objects.filter(action="mastery.fit_district").count() == 1


def test_the_command_refits_warm_with_a_new_version(synthetic: SimpleNamespace) -> None:
    fit_district(district=synthetic.district)
    first = {m.item_id: (m.learn, m.guess) for m in SkillModel.objects.all()}
    out = StringIO()
    call_command("mastery", "fit", "--district", synthetic.district.slug, stdout=out)
    assert "fitted 2 standard(s) from 12000 observation(s) of 300 learner(s)" in out.getvalue()
    for model in SkillModel.objects.all():
        assert model.version == 2
        # a warm start from the optimum stays there
        assert (model.learn, model.guess) == pytest.approx(first[model.item_id], abs=0.01)
    assert set(MasteryState.objects.values_list("model_version", flat=True)) == {2}
    # the other district has no evidence and nothing changes there
    call_command("mastery", "fit", "--district", synthetic.world.district_b.slug, stdout=out)
    assert not SkillModel.objects.filter(district=synthetic.world.district_b).exists()
    with pytest.raises(CommandError):
        call_command("mastery", "fit", "--district", "no-such-district")


def test_states_keep_a_trail_of_recent_probabilities(world: SimpleNamespace) -> None:
    """The trail holds P before the last six observations and after each: online and refit."""
    district = world.district_a
    item = ef.FrameworkItemFactory(framework=ef.FrameworkFactory(district=district))
    answers = [False, False, True, False, False, False, False, True]
    expected = [DEFAULT_PARAMS.prior]
    for hour, correct in enumerate(answers):
        obs = ef.ObservationFactory(
            item=item, learner=world.l1, correct=correct, observed_at=T0 + dt.timedelta(hours=hour)
        )
        apply_observations(district=district, observations=[obs])
        expected.append(update(expected[-1], correct, DEFAULT_PARAMS))
    state = MasteryState.objects.get()
    assert state.trail == pytest.approx(expected[-7:], abs=1e-6)
    assert state.recent_gain() == pytest.approx(expected[-1] - expected[-7], abs=1e-6)
    assert state.recent_gain(8) is None  # only six observations back are kept

    fit_district(district=district)
    state.refresh_from_db()
    assert len(state.trail) == 7 and state.trail[-1] == pytest.approx(state.probability, abs=1e-6)
    # one observation: the trail is the prior, then P after it
    other = ef.FrameworkItemFactory(framework=item.framework)
    ef.ObservationFactory(item=other, learner=world.l2, correct=True, observed_at=T0)
    fit_district(district=district)
    short = MasteryState.objects.get(item=other)
    model = SkillModel.objects.get(item=other)
    assert short.trail == pytest.approx([model.prior, short.probability], abs=1e-6)
