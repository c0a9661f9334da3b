"""Writes of mastery: the online update as evidence arrives, and the district refit.

Both call ``waypoint.engine.bkt``; the equations are in docs/mastery-engine.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from waypoint.audit.services import record_action
from waypoint.engine.bkt import BKT, BKTParams, SkillParams, update
from waypoint.engine.data import prepare
from waypoint.evidence.models import Observation
from waypoint.evidence.services import (
    IngestResult,
    ObservationRow,
    ingest_statements,
    record_observations,
)
from waypoint.jobs.progress import Progress
from waypoint.mastery.models import TRAIL_LENGTH, MasterySettings, MasteryState, SkillModel
from waypoint.roster.models import District

MASTERED_AT = 0.95
"""Default P(mastered) at or above which a standard counts as mastered (DESIGN.md)."""

DEFAULT_PARAMS = SkillParams(prior=0.2, learn=0.15, forget=0.0, guess=0.2, slip=0.1)
"""Parameters for a standard the district has not fitted yet."""


def mastered_at(district_id: int) -> float:
    """The district's mastery threshold (``MASTERED_AT`` unless the district set its own)."""
    value = (
        MasterySettings.objects.filter(district_id=district_id)
        .values_list("mastered_at", flat=True)
        .first()
    )
    return MASTERED_AT if value is None else float(value)


@transaction.atomic
def set_mastered_at(*, district: District, threshold: float, user: Any = None) -> None:
    """Change the district's mastery threshold. States are probabilities, so nothing is
    recomputed: every page reads the new rule at once."""
    if not (0.5 <= threshold < 1.0):
        raise ValueError(f"the mastery threshold must be at least 0.5 and below 1, not {threshold}")
    before = mastered_at(district.pk)
    MasterySettings.objects.update_or_create(district=district, defaults={"mastered_at": threshold})
    record_action(
        user=user,
        district_id=district.pk,
        action="mastery.settings",
        obj=district,
        details={"mastered_at": [before, threshold]},
    )


def params_of(model: SkillModel | None) -> SkillParams:
    if model is None:
        return DEFAULT_PARAMS
    return SkillParams(model.prior, model.learn, model.forget, model.guess, model.slip)


@transaction.atomic
def apply_observations(
    *, district: District, observations: Sequence[Observation], user: Any = None
) -> list[MasteryState]:
    """Move each learner × standard state by the O(1) online update, in time order.

    A state that does not exist yet starts at the standard's prior. Evidence that arrives
    late (older than the state's last evidence) is applied on arrival; the next refit puts
    it in its place.
    """
    obs = sorted(
        (o for o in observations if o.district_id == district.pk),
        key=lambda o: (o.observed_at, o.pk or 0),
    )
    if not obs:
        return []
    item_ids = {o.item_id for o in obs}
    learner_ids = {o.learner_id for o in obs}
    models = {
        m.item_id: m for m in SkillModel.objects.filter(district=district, item_id__in=item_ids)
    }
    states = {
        (s.learner_id, s.item_id): s
        for s in MasteryState.objects.select_for_update().filter(
            district=district, learner_id__in=learner_ids, item_id__in=item_ids
        )
    }
    created: dict[tuple[int, int], MasteryState] = {}
    for o in obs:
        key = (o.learner_id, o.item_id)
        model = models.get(o.item_id)
        params = params_of(model)
        state = states.get(key)
        if state is None:
            state = MasteryState(
                district=district,
                learner_id=o.learner_id,
                item_id=o.item_id,
                probability=params.prior,
                model_version=model.version if model else 0,
            )
            states[key] = created[key] = state
        if not state.trail:
            state.trail = [round(state.probability, 6)]
        state.probability = update(state.probability, o.correct, params)
        state.trail = [*state.trail, round(state.probability, 6)][-(TRAIL_LENGTH + 1) :]
        state.observation_count += 1
        if state.last_evidence_at is None or o.observed_at > state.last_evidence_at:
            state.last_evidence_at = o.observed_at
    MasteryState.objects.bulk_create(list(created.values()))
    changed = [s for k, s in states.items() if k not in created]
    now = timezone.now()
    for state in changed:
        state.updated_at = now
    if changed:
        MasteryState.objects.bulk_update(
            changed, ["probability", "observation_count", "last_evidence_at", "trail", "updated_at"]
        )
    record_action(
        user=user,
        district_id=district.pk,
        action="mastery.apply_observations",
        obj=district,
        details={"observations": len(obs), "states": len(states)},
    )
    return list(states.values())


def _trails(model: BKT, seqs: Any) -> list[list[float]]:
    """Per sequence (in ``final_state`` order): P before its last TRAIL_LENGTH observations
    and after each, from the forward pass (the prior where the sequence is shorter)."""
    mastery = model.mastery(seqs)
    prior = model.initial_state(np.repeat(seqs.skills, np.diff(seqs.skill_offsets)))
    out = []
    offsets = seqs.seq_offsets.tolist()
    rows = seqs.rows
    for s in range(len(offsets) - 1):
        start, end = offsets[s], offsets[s + 1]
        first = max(start, end - TRAIL_LENGTH)
        after = mastery[rows[first:end]].tolist()
        before = float(prior[s]) if first == start else float(mastery[rows[first - 1]])
        out.append([round(v, 6) for v in (before, *after)])
    return out


@transaction.atomic
def record_evidence(
    *,
    district: District,
    rows: Sequence[ObservationRow],
    source: str,
    user: Any = None,
    skip_recorded: bool = False,
) -> tuple[list[Observation], list[MasteryState]]:
    """Store observations (``evidence.services.record_observations``) and move the learners'
    mastery by them at once, in one transaction: (new observations, states moved)."""
    observations = record_observations(
        district=district, rows=rows, source=source, user=user, skip_recorded=skip_recorded
    )
    return observations, apply_observations(district=district, observations=observations, user=user)


@transaction.atomic
def record_statements(
    *,
    statements: Sequence[Any],
    tool: Any = None,
    district: District | None = None,
    user: Any = None,
) -> tuple[IngestResult, list[MasteryState]]:
    """Store xAPI statements (``evidence.services.ingest_statements``) and move mastery by their
    observations, in one transaction."""
    result = ingest_statements(statements=statements, tool=tool, district=district, user=user)
    target = tool.district if tool is not None else district
    assert target is not None  # ingest_statements refuses neither
    states = apply_observations(district=target, observations=result.observations, user=user)
    return result, states


@dataclass(frozen=True)
class FitResult:
    observations: int
    standards: int
    learners: int
    states: int


def fit_district(
    *,
    district: District,
    progress: Progress | None = None,
    user: Any = None,
    restarts: int = 5,
    seed: int = 0,
) -> FitResult:
    """Refit BKT per standard from all the district's observations and recompute states.

    Standards with stored parameters start EM from them (a warm start); the others use
    restarts. States are the forward pass over each learner's observations in time order.
    """
    progress = progress or Progress()
    rows = list(
        Observation.objects.filter(district=district)
        .order_by("observed_at", "id")
        .values_list("item_id", "learner_id", "correct")
    )
    progress.start("loading observations", len(rows))
    progress.finish()
    if not rows:
        return FitResult(0, 0, 0, 0)
    columns = np.asarray(rows, dtype=np.int64)
    seqs = prepare(columns[:, 0], columns[:, 1], columns[:, 2])

    stored = {m.item_id: m for m in SkillModel.objects.filter(district=district)}
    init = None
    if stored:
        keys = sorted(stored)
        init = BKTParams.from_array(
            np.asarray(keys, dtype=np.int64),
            [list(params_of(stored[k])) for k in keys],
        )
    progress.start("fitting standards", seqs.n_skills)
    model = BKT(restarts=restarts, seed=seed, default_params=DEFAULT_PARAMS).fit(
        seqs, init_params=init
    )
    progress.finish()
    skills, learners, final = model.final_state(seqs)
    trails = _trails(model, seqs)

    progress.start("saving mastery states", len(final))
    with transaction.atomic():
        now = timezone.now()
        fitted = model.params_
        versions: dict[int, int] = {}
        for index, item_id in enumerate(fitted.skills.tolist()):
            values = {
                "prior": float(fitted.prior[index]),
                "learn": float(fitted.learn[index]),
                "forget": float(fitted.forget[index]),
                "guess": float(fitted.guess[index]),
                "slip": float(fitted.slip[index]),
                "n_obs": int(fitted.n_obs[index]),
                "fitted_at": now,
            }
            existing = stored.get(item_id)
            if existing is None:
                existing = SkillModel.objects.create(district=district, item_id=item_id, **values)
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.version += 1
                existing.save()
            versions[item_id] = existing.version

        facts = {
            (r["learner_id"], r["item_id"]): (r["n"], r["last"])
            for r in Observation.objects.filter(district=district)
            .values("learner_id", "item_id")
            .annotate(n=Count("id"), last=Max("observed_at"))
        }
        states = {
            (s.learner_id, s.item_id): s
            for s in MasteryState.objects.select_for_update().filter(district=district)
        }
        new, changed = [], []
        for item_id, learner_id, p, trail in zip(
            skills.tolist(), learners.tolist(), final.tolist(), trails, strict=True
        ):
            key = (learner_id, item_id)
            count, last = facts.get(key, (0, None))
            state = states.get(key)
            if state is None:
                state = MasteryState(district=district, learner_id=learner_id, item_id=item_id)
                new.append(state)
            else:
                changed.append(state)
            state.probability = float(p)
            state.trail = trail
            state.observation_count = count
            state.last_evidence_at = last
            state.model_version = versions[item_id]
            state.updated_at = now
            progress.advance()
        MasteryState.objects.bulk_create(new, batch_size=2000)
        MasteryState.objects.bulk_update(
            changed,
            [
                "probability",
                "observation_count",
                "last_evidence_at",
                "model_version",
                "trail",
                "updated_at",
            ],
            batch_size=2000,
        )
        result = FitResult(
            observations=len(rows),
            standards=len(versions),
            learners=int(np.unique(learners).shape[0]),
            states=len(new) + len(changed),
        )
        record_action(
            user=user,
            district_id=district.pk,
            action="mastery.fit_district",
            obj=district,
            details=result.__dict__,
        )
    progress.finish()
    return result
