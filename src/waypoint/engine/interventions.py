"""Next best intervention: one learner's candidate actions ranked by expected mastery gain.

Expected gain comes from the learner's BKT states and each standard's BKT parameters
(:mod:`waypoint.engine.bkt`); the rules are also written up in ``docs/classroom-grouping.md``.

- **One opportunity.** With ``p`` = P(known) now, the expected P(known) after one more
  opportunity, averaging over a correct and an incorrect response with BKT's own predictive
  probability, is ``P(correct) * update(p, 1) + P(incorrect) * update(p, 0)`` (the engine's
  online step, :func:`waypoint.engine.bkt.update`). Without forgetting this equals
  ``1 - (1 - p)(1 - learn)``.
- **A session** is ``opportunities`` such steps (default 3). An action's *effectiveness*
  ``e`` says how many ordinary practice opportunities one of its opportunities is worth:
  ``learn`` becomes ``1 - (1 - learn) ** e``. Defaults (:class:`Effectiveness`): reteach in a
  small group 1.5, practice 1.0, practice on a standard the learner is stuck on 0.5 (more of
  what has not worked), enrichment 1.0, one-to-one conference 2.0. These are starting values,
  not findings; a district can tune them from the "did it work" comparisons.
- **Prerequisite gate.** A standard is learned only as fast as its prerequisites are known:
  its ``learn`` is multiplied by the product of P(known) of its direct prerequisites. Raising
  P(known) of a prerequisite therefore also raises what the next session on each standard it
  blocks will yield; that lift (same number of ordinary opportunities on each blocked
  standard) is added to the action's gain. This is why a missing prerequisite is usually
  worth reteaching before anything else.
- **Candidates.** *Reteach* each unmastered direct prerequisite of an unmastered in-scope
  standard the learner has evidence on (a gap under current work; scope: at or below the
  learner's grade). *Practice* each in-scope standard that
  is ready to learn (not mastered, every prerequisite mastered) and not already a reteach.
  *Enrichment* only when every grade-level standard is mastered: each ready standard beyond
  grade level, or, if none is given, a generic extension valued as a fresh standard with the
  grade-level standards' mean parameters. *Conference* for each standard the learner is
  stuck on (at least ``stuck_observations`` recent observations and a mastery gain under
  ``stuck_gain`` over them). *Check-in* (social-emotional): it teaches nothing itself; it is
  valued as the best academic action's gain times 1.2 when there is a concern (a flag, or
  no evidence for ``quiet_days``) and times 0.1 otherwise.

Ties rank reteach, conference, practice, enrichment, check-in, then by standard label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from waypoint.engine.bkt import SkillParams, predict_correct, update

__all__ = [
    "Action",
    "Effectiveness",
    "Intervention",
    "LearnerSnapshot",
    "expected_mastery",
    "rank_interventions",
]

MASTERED_AT = 0.95
"""P(mastered) at which a standard counts as mastered (DESIGN.md's default)."""


class Action(StrEnum):
    RETEACH = "reteach"
    CONFERENCE = "conference"
    PRACTICE = "practice"
    ENRICHMENT = "enrichment"
    CHECK_IN = "check-in"


@dataclass(frozen=True)
class Effectiveness:
    """Ordinary practice opportunities one opportunity of each action is worth."""

    reteach: float = 1.5
    practice: float = 1.0
    practice_when_stuck: float = 0.5
    enrichment: float = 1.0
    conference: float = 2.0
    check_in_with_concern: float = 1.2
    check_in_without_concern: float = 0.1


@dataclass(frozen=True)
class LearnerSnapshot:
    """What the ranking needs to know about one learner.

    ``mastery``: P(known) per standard with evidence (others start at the skill's prior).
    ``scope``: standards at or below the learner's grade. ``grade_level``: the learner's
    grade-level standards (enrichment needs every one mastered). ``beyond``: standards above
    grade level, candidates for enrichment. ``recent_observations`` / ``recent_gain``: per
    standard, observations in the recent window and the mastery change over them.
    ``days_since_evidence``: ``None`` if unknown. ``concern``: a flag raised by staff.
    """

    mastery: Mapping[Hashable, float]
    scope: Collection[Hashable]
    grade_level: Collection[Hashable] = ()
    beyond: Collection[Hashable] = ()
    recent_observations: Mapping[Hashable, int] = field(default_factory=dict)
    recent_gain: Mapping[Hashable, float] = field(default_factory=dict)
    days_since_evidence: int | None = None
    concern: bool = False


@dataclass(frozen=True)
class Intervention:
    """One candidate action, its expected mastery gain (sum of P(known) increases), and why."""

    action: Action
    standard: Hashable | None
    expected_gain: float
    reason: str


def _with_learn(params: SkillParams, learn: float) -> SkillParams:
    return params._replace(learn=min(max(learn, 0.0), 1.0))


def expected_mastery(
    state: float, params: SkillParams, opportunities: int, effectiveness: float = 1.0
) -> float:
    """Expected P(known) after ``opportunities`` steps, responses averaged out (see above)."""
    if opportunities < 0 or effectiveness < 0:
        raise ValueError("opportunities and effectiveness must be non-negative")
    boosted = _with_learn(params, 1.0 - (1.0 - params.learn) ** effectiveness)
    if boosted.forget == 0.0 and 0.0 < state < 1.0:
        # The posterior is a martingale, so each step's expectation is p + (1 - p) learn:
        # k steps in closed form (the loop below gives the same to rounding; tested).
        return 1.0 - (1.0 - state) * (1.0 - boosted.learn) ** opportunities
    p = state
    for _ in range(opportunities):
        right = predict_correct(p, boosted)
        p = right * update(p, 1, boosted) + (1.0 - right) * update(p, 0, boosted)
    return p


def _fmt(p: float) -> str:
    return f"{p:.2f}"


def rank_interventions(
    learner: LearnerSnapshot,
    params: Callable[[Hashable], SkillParams],
    prerequisites: Mapping[Hashable, Iterable[Hashable]],
    *,
    opportunities: int = 3,
    effectiveness: Effectiveness | None = None,
    mastered_at: float = MASTERED_AT,
    stuck_observations: int = 6,
    stuck_gain: float = 0.1,
    quiet_days: int = 14,
    label: Callable[[Hashable], str] = str,
) -> list[Intervention]:
    """Candidate actions for ``learner``, best expected mastery gain first, each with a reason.

    ``params`` gives a standard's BKT parameters (e.g. a fitted model's ``skill_params``,
    which falls back to the defaults for unseen standards); ``prerequisites`` maps a standard
    to its direct prerequisites; ``label`` names a standard in reasons.
    """
    eff = effectiveness or Effectiveness()
    before = {s: tuple(dict.fromkeys(ps)) for s, ps in prerequisites.items()}
    after: dict[Hashable, list[Hashable]] = {}
    for s, ps in before.items():
        for q in ps:
            after.setdefault(q, []).append(s)
    cache: dict[Hashable, SkillParams] = {}

    def skill(s: Hashable) -> SkillParams:
        if s not in cache:
            cache[s] = params(s)
        return cache[s]

    def p_known(s: Hashable) -> float:
        return learner.mastery.get(s, skill(s).prior)

    def mastered(s: Hashable) -> bool:
        return p_known(s) >= mastered_at

    def gate(s: Hashable, lifted: Hashable | None = None, to: float = 0.0) -> float:
        return math.prod(to if q == lifted else p_known(q) for q in before.get(s, ()))

    def gain(s: Hashable, factor: float, gate_value: float | None = None) -> float:
        g = gate(s) if gate_value is None else gate_value
        sp = skill(s)
        p = p_known(s)
        if sp.forget == 0.0 and 0.0 < p < 1.0 and factor >= 0:
            # expected_mastery's closed form, without building parameter tuples (hot path)
            learn = 1.0 - (1.0 - min(max(sp.learn * g, 0.0), 1.0)) ** factor
            return float((1.0 - p) * (1.0 - (1.0 - learn) ** opportunities))
        return expected_mastery(p, _with_learn(sp, sp.learn * g), opportunities, factor) - p

    scope = set(learner.scope)

    def blocked_by(m: Hashable) -> list[Hashable]:
        return sorted(
            (b for b in after.get(m, ()) if b in scope and not mastered(b)),
            key=lambda b: (label(b), str(b)),
        )

    def value(s: Hashable, factor: float) -> tuple[float, float]:
        """Direct gain on ``s`` and the lift it gives the standards it blocks."""
        direct = gain(s, factor)
        lifted_to = p_known(s) + direct
        lift = sum(
            gain(b, eff.practice, gate(b, s, lifted_to)) - gain(b, eff.practice)
            for b in blocked_by(s)
        )
        return direct, lift

    def names(items: Sequence[Hashable], most: int = 3) -> str:
        shown = ", ".join(label(s) for s in items[:most])
        return shown + (f" and {len(items) - most} more" if len(items) > most else "")

    def stuck(s: Hashable) -> bool:
        return (
            not mastered(s)
            and learner.recent_observations.get(s, 0) >= stuck_observations
            and learner.recent_gain.get(s, 0.0) < stuck_gain
        )

    out: list[Intervention] = []

    # reteach: unmastered prerequisites of unmastered in-scope standards the learner has
    # been working on (has evidence on): gaps under current work
    working = [s for s in scope if s in learner.mastery and not mastered(s)]
    reteach = {m for s in working for m in before.get(s, ()) if not mastered(m)}
    for m in reteach:
        direct, lift = value(m, eff.reteach)
        blocks = [b for b in blocked_by(m) if b in learner.mastery]
        out.append(
            Intervention(
                Action.RETEACH,
                m,
                direct + lift,
                f"{label(m)} is a missing prerequisite (P(mastered) {_fmt(p_known(m))}) "
                f"of {names(blocks)}; reteach it in a small group: expected "
                f"+{_fmt(direct)} on it and +{_fmt(lift)} on what it unblocks",
            )
        )

    # practice: ready to learn, not already a reteach
    for s in scope:
        if s in reteach or mastered(s) or not all(mastered(q) for q in before.get(s, ())):
            continue
        is_stuck = stuck(s)
        direct, lift = value(s, eff.practice_when_stuck if is_stuck else eff.practice)
        why = (
            f"ready to learn {label(s)} (P(mastered) {_fmt(p_known(s))}) but stuck on it, "
            "so more of the same is expected to help less"
            if is_stuck
            else f"ready to learn {label(s)} (P(mastered) {_fmt(p_known(s))})"
        )
        out.append(
            Intervention(
                Action.PRACTICE,
                s,
                direct + lift,
                f"{why}: expected +{_fmt(direct)}"
                + (f" on it and +{_fmt(lift)} on what it unblocks" if lift >= 0.005 else ""),
            )
        )

    # conference: stuck standards (many recent observations, little gain)
    for s in learner.recent_observations:
        if s in scope and stuck(s):
            direct, lift = value(s, eff.conference)
            out.append(
                Intervention(
                    Action.CONFERENCE,
                    s,
                    direct + lift,
                    f"stuck on {label(s)}: {learner.recent_observations[s]} recent observations, "
                    f"mastery {learner.recent_gain.get(s, 0.0):+.2f}; a one-to-one conference: "
                    f"expected +{_fmt(direct + lift)}",
                )
            )

    # enrichment: every grade-level standard mastered
    grade_level = list(learner.grade_level)
    if grade_level and all(mastered(s) for s in grade_level):
        ready_beyond = [
            s
            for s in learner.beyond
            if not mastered(s) and all(mastered(q) for q in before.get(s, ()))
        ]
        for s in ready_beyond:
            direct, lift = value(s, eff.enrichment)
            out.append(
                Intervention(
                    Action.ENRICHMENT,
                    s,
                    direct + lift,
                    f"every grade-level standard mastered; {label(s)} is ready beyond grade "
                    f"level: expected +{_fmt(direct + lift)}",
                )
            )
        if not ready_beyond:
            rows = [skill(s) for s in grade_level]
            mean = SkillParams(*(sum(col) / len(rows) for col in zip(*rows, strict=True)))
            fresh = expected_mastery(mean.prior, mean, opportunities, eff.enrichment) - mean.prior
            out.append(
                Intervention(
                    Action.ENRICHMENT,
                    None,
                    fresh,
                    "every grade-level standard mastered; extend with enrichment work: "
                    f"expected +{_fmt(fresh)} on a new standard",
                )
            )

    # social-emotional check-in: valued through the best academic action
    best = max(out, key=lambda i: i.expected_gain, default=None)
    quiet = learner.days_since_evidence is not None and learner.days_since_evidence >= quiet_days
    concerns = []
    if learner.concern:
        concerns.append("a concern was flagged")
    if quiet:
        concerns.append(f"no evidence in {learner.days_since_evidence} days")
    factor = eff.check_in_with_concern if concerns else eff.check_in_without_concern
    base = best.expected_gain if best is not None else 0.0
    unlocks = (
        f"; it clears the way for {best.action.value}"
        + (f" on {label(best.standard)}" if best.standard is not None else "")
        if best is not None
        else ""
    )
    out.append(
        Intervention(
            Action.CHECK_IN,
            None,
            factor * base,
            ("; ".join(concerns) if concerns else "no concern flagged") + unlocks,
        )
    )

    order = {action: rank for rank, action in enumerate(Action)}
    out.sort(
        key=lambda i: (
            -round(i.expected_gain, 12),
            order[i.action],
            "" if i.standard is None else label(i.standard),
            str(i.standard),
        )
    )
    return out
