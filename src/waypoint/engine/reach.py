"""Reach planner: which highly effective teachers lead teams, who joins them, and what pays.

A school's staffing (teachers, their sections, vacant positions) and a pay policy go in; a
plan comes out that maximizes *reach* — learners whose teacher of record, including a
multi-classroom leader (MCL), is highly effective — within a budget. The model, its
variables and constraints are in ``docs/reach.md``; in short:

- a teacher at a leader level (highly effective) may lead one team in one (subject, grade
  band) they are certified in, of ``team_min``..``team_max`` members certified in it; the
  leader is then a teacher of record for every member's sections in that subject and band,
  so those learners count as reached;
- the leader's supplement is ``leader_pct + leader_pct_per_member x members`` of their base
  salary (at most ``leader_max_pct``); team members get ``member_pct``;
- a vacant position can be *converted*: its budget line is freed, a reach associate
  (``associate_salary``) is hired, and its learners join other classes of the same subject
  and band up to the class-size cap — reached when that class has a highly effective
  teacher of record; a highly effective teacher who is not a leader and takes such learners
  gets the excellent-teacher supplement ``excellent_pct``;
- total cost (salaries, supplements, unconverted positions, associates) never exceeds the
  budget (by default today's cost: budget neutral).

Counts are per learner-section (learner-subject), as the access measure counts them.
:func:`optimize` solves the plan as a MILP with HiGHS (one school at a time; a district is
solved school by school, see :func:`optimize_district`), always starting from the
:func:`greedy` plan, the by-hand baseline. :func:`evaluate` checks any plan (for example one
a planner edited) against every rule and counts its reach and cost; it is the one place
reach and cost are computed, for the optimizer, the baseline and saved scenarios alike.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import highspy
import numpy as np

__all__ = [
    "Conversion",
    "DistrictResult",
    "Evaluation",
    "Learner",
    "Level",
    "Move",
    "PayPolicy",
    "Plan",
    "Position",
    "ReachCount",
    "ReachResult",
    "School",
    "Section",
    "Teacher",
    "Team",
    "evaluate",
    "greedy",
    "optimize",
    "optimize_district",
]

Key = tuple[str, str]  # (subject, grade band)


class Level(StrEnum):
    """Effectiveness rating levels (DESIGN.md); ``not rated`` when there is none."""

    HIGHLY_EFFECTIVE = "highly effective"
    EFFECTIVE = "effective"
    DEVELOPING = "developing"
    INEFFECTIVE = "ineffective"
    NOT_RATED = "not rated"


@dataclass(frozen=True)
class Learner:
    """A learner in a section: objective weight (1 + high-need weights) and subgroups."""

    id: Hashable
    weight: float = 1.0
    subgroups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Teacher:
    """A teacher: base salary, rating level, certifications as (subject, grade band) pairs.

    ``score`` ranks teachers within a level for the greedy baseline ("best teachers first").
    """

    id: Hashable
    salary: float
    level: Level
    certifications: frozenset[Key]
    score: float = 0.0
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or str(self.id)


@dataclass(frozen=True)
class Section:
    """A class: its teacher of record (``None`` in a vacant position), subject, band, learners.

    Give either ``learners`` (with weights and subgroups) or just ``size``.
    """

    id: Hashable
    teacher: Hashable | None
    subject: str
    band: str
    size: int = 0
    learners: tuple[Learner, ...] = ()

    @property
    def key(self) -> Key:
        return (self.subject, self.band)

    @property
    def count(self) -> int:
        return len(self.learners) if self.learners else self.size

    def weights(self) -> list[float]:
        return [x.weight for x in self.learners] if self.learners else [1.0] * self.size


@dataclass(frozen=True)
class Position:
    """A position that can be converted: its yearly cost and the sections it covers today.

    A vacant teaching position's sections are taught by substitutes (no rated teacher of
    record); a vacant coach or specialist line has no sections.
    """

    id: Hashable
    cost: float
    sections: tuple[Section, ...] = ()
    kind: str = "vacant teaching position"


@dataclass(frozen=True)
class School:
    id: Hashable
    teachers: tuple[Teacher, ...]
    sections: tuple[Section, ...]
    positions: tuple[Position, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class PayPolicy:
    """Supplements as fractions of base salary, team sizes, class-size caps, associate cost."""

    team_min: int = 2
    team_max: int = 8
    leader_pct: float = 0.20
    leader_pct_per_member: float = 0.05
    leader_max_pct: float = 1.30
    member_pct: float = 0.0
    excellent_pct: float = 0.20
    excellent_max_pct: float = 0.40
    associate_salary: float = 32_000.0
    class_size_cap: int = 30
    band_caps: Mapping[str, int] = field(default_factory=dict)
    teams: bool = True
    """False for models without teams (class-size teaching, time-technology swap)."""

    def cap(self, band: str) -> int:
        return int(self.band_caps.get(band, self.class_size_cap))

    def largest_team(self) -> int:
        """Most members a leader may have: ``team_max``, or fewer if the pay cap binds."""
        if self.leader_pct_per_member <= 0:
            return self.team_max
        room = (self.leader_max_pct - self.leader_pct) / self.leader_pct_per_member
        return min(self.team_max, math.floor(room + 1e-9))

    def leader_supplement(self, salary: float, members: int) -> float:
        return salary * (self.leader_pct + self.leader_pct_per_member * members)

    def validate(self) -> None:
        if self.team_min < 1 or self.team_max < self.team_min:
            raise ValueError(
                "team size bounds must satisfy 1 <= team_min <= team_max "
                f"(got team_min={self.team_min}, team_max={self.team_max})"
            )
        for name in (
            "leader_pct",
            "leader_pct_per_member",
            "leader_max_pct",
            "member_pct",
            "excellent_pct",
            "excellent_max_pct",
            "associate_salary",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be finite and non-negative (got {value})")
        if self.excellent_pct > self.excellent_max_pct:
            raise ValueError(
                f"excellent_pct={self.excellent_pct} is above excellent_max_pct="
                f"{self.excellent_max_pct}"
            )
        if self.largest_team() < self.team_min:
            least = self.leader_pct + self.leader_pct_per_member * self.team_min
            raise ValueError(
                f"team size bounds are impossible: a team of team_min={self.team_min} members "
                f"pays its leader {least:.0%} of base, above leader_max_pct="
                f"{self.leader_max_pct:.0%}"
            )
        for band, cap in {"": self.class_size_cap, **self.band_caps}.items():
            if cap < 1:
                where = f" for band {band!r}" if band else ""
                raise ValueError(f"class-size cap{where} must be at least 1 (got {cap})")


@dataclass(frozen=True)
class Team:
    """A multi-classroom leader's team in one subject and grade band."""

    leader: Hashable
    subject: str
    band: str
    members: tuple[Hashable, ...]

    @property
    def key(self) -> Key:
        return (self.subject, self.band)


@dataclass(frozen=True)
class Move:
    """``count`` learners of a converted position's section join ``target``'s class.

    ``learner_ids`` names them when the section lists its learners.
    """

    source: Hashable
    target: Hashable
    count: int
    learner_ids: tuple[Hashable, ...] = ()


@dataclass(frozen=True)
class Conversion:
    """A position converted into a reach associate; its learners move as ``moves`` say."""

    position: Hashable
    moves: tuple[Move, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Teams, conversions, and the teachers paid the excellent-teacher supplement."""

    teams: tuple[Team, ...] = ()
    conversions: tuple[Conversion, ...] = ()
    extended: frozenset[Hashable] = frozenset()


@dataclass(frozen=True)
class ReachCount:
    """Learners (learner-sections) with a highly effective teacher of record.

    ``by_subgroup`` maps a subgroup to (reached, total); ``weighted`` sums learner weights.
    """

    reached: int
    total: int
    weighted: float
    by_subgroup: Mapping[str, tuple[int, int]]

    @property
    def share(self) -> float:
        return self.reached / self.total if self.total else 0.0


@dataclass(frozen=True)
class Evaluation:
    """A checked plan: reach, cost and every supplement (teacher id -> amount)."""

    reach: ReachCount
    cost: float
    supplements: Mapping[Hashable, float]
    associates: int


@dataclass(frozen=True)
class ReachResult:
    """A plan with what it changed and why, reach and cost before and after, solver report.

    ``status`` is HiGHS's model status (or "greedy"); ``bound`` is a proven upper bound on
    the weighted reach after, and ``gap`` = (bound - weighted reach after) / bound.
    """

    school: Hashable
    plan: Plan
    changes: tuple[str, ...]
    before: ReachCount
    after: ReachCount
    cost_before: float
    cost_after: float
    budget: float
    supplements: Mapping[Hashable, float]
    status: str
    bound: float
    gap: float
    seconds: float


# ---------------------------------------------------------------------------- checks


def _check_school(school: School) -> None:
    ids: set[Hashable] = set()
    for t in school.teachers:
        if t.id in ids:
            raise ValueError(f"teacher id {t.id!r} appears twice")
        ids.add(t.id)
        if not math.isfinite(t.salary) or t.salary < 0:
            raise ValueError(f"teacher {t.id!r} has a negative or invalid salary ({t.salary})")
    seen: set[Hashable] = set()
    vacant = [s for p in school.positions for s in p.sections]
    for s in (*school.sections, *vacant):
        if s.id in seen:
            raise ValueError(f"section id {s.id!r} appears twice")
        seen.add(s.id)
        if s.size < 0:
            raise ValueError(f"section {s.id!r} has a negative size ({s.size})")
        if s.learners and s.size not in (0, len(s.learners)):
            raise ValueError(
                f"section {s.id!r} says size={s.size} but lists {len(s.learners)} learners"
            )
        for x in s.learners:
            if not math.isfinite(x.weight) or x.weight < 0:
                raise ValueError(f"learner {x.id!r} has an invalid weight ({x.weight})")
    for s in school.sections:
        if s.teacher not in ids:
            raise ValueError(f"section {s.id!r} names unknown teacher {s.teacher!r}")
    pids: set[Hashable] = set()
    for p in school.positions:
        if p.id in pids:
            raise ValueError(f"position id {p.id!r} appears twice")
        pids.add(p.id)
        if not math.isfinite(p.cost) or p.cost < 0:
            raise ValueError(f"position {p.id!r} has a negative or invalid cost ({p.cost})")
        for s in p.sections:
            if s.teacher is not None:
                raise ValueError(f"section {s.id!r} of vacant position {p.id!r} has a teacher")


def current_cost(school: School) -> float:
    """Today's cost: every base salary plus every convertible position's budget line."""
    return float(sum(t.salary for t in school.teachers) + sum(p.cost for p in school.positions))


# ---------------------------------------------------------------------------- evaluate


def evaluate(
    school: School, plan: Plan, policy: PayPolicy, budget: float | None = None
) -> Evaluation:
    """Check ``plan`` against every rule and count its reach and cost.

    Raises ``ValueError`` naming the offending team, teacher, section or amount when the plan
    breaks a rule (team size, certification, class-size cap, pay policy, budget).
    """
    policy.validate()
    _check_school(school)
    teachers = {t.id: t for t in school.teachers}
    positions = {p.id: p for p in school.positions}
    sections = {s.id: s for s in school.sections}
    vacant = {s.id: s for p in school.positions for s in p.sections}
    supplements: dict[Hashable, float] = defaultdict(float)
    role: dict[Hashable, str] = {}
    team_of: dict[Hashable, Key] = {}
    if plan.teams and not policy.teams:
        raise ValueError("this staffing model has no teams, but the plan has some")
    for team in plan.teams:
        leader = teachers.get(team.leader)
        if leader is None:
            raise ValueError(f"team leader {team.leader!r} is not a teacher of the school")
        if leader.level is not Level.HIGHLY_EFFECTIVE:
            raise ValueError(f"team leader {team.leader!r} is rated {leader.level}, not a leader")
        n = len(team.members)
        if n > policy.team_max:
            raise ValueError(
                f"team of {team.leader!r} has {n} members, more than team_max={policy.team_max}"
            )
        if n < policy.team_min:
            raise ValueError(
                f"team of {team.leader!r} has {n} members, fewer than team_min={policy.team_min}"
            )
        pct = policy.leader_pct + policy.leader_pct_per_member * n
        if pct > policy.leader_max_pct + 1e-9:
            raise ValueError(
                f"team of {team.leader!r}: a supplement of {pct:.0%} of base is above "
                f"leader_max_pct={policy.leader_max_pct:.0%}"
            )
        for person in (team.leader, *team.members):
            t = teachers.get(person)
            if t is None:
                raise ValueError(f"team member {person!r} is not a teacher of the school")
            if person in role:
                raise ValueError(f"teacher {person!r} is on more than one team")
            if team.key not in t.certifications:
                raise ValueError(
                    f"teacher {person!r} is not certified for {team.subject} {team.band}"
                )
            role[person] = "leader" if person == team.leader else "member"
            team_of[person] = team.key
        supplements[team.leader] += policy.leader_supplement(leader.salary, n)
        for person in team.members:
            if policy.member_pct:
                supplements[person] += policy.member_pct * teachers[person].salary
    for person in plan.extended:
        t = teachers.get(person)
        if t is None:
            raise ValueError(f"extended teacher {person!r} is not a teacher of the school")
        if t.level is not Level.HIGHLY_EFFECTIVE:
            raise ValueError(
                f"teacher {person!r} is rated {t.level}: the excellent-teacher supplement is "
                "for highly effective teachers"
            )
        if role.get(person) == "leader":
            raise ValueError(f"teacher {person!r} leads a team and is paid as a leader")
        supplements[person] += policy.excellent_pct * t.salary

    def reached(section: Section) -> bool:
        t = teachers[section.teacher]
        return t.level is Level.HIGHLY_EFFECTIVE or (
            role.get(t.id) is not None and team_of[t.id] == section.key
        )

    incoming: dict[Hashable, list[Learner]] = defaultdict(list)
    moved: set[Hashable] = set()
    converted: set[Hashable] = set()
    for conv in plan.conversions:
        position = positions.get(conv.position)
        if position is None:
            raise ValueError(f"converted position {conv.position!r} is not in the school")
        if conv.position in converted:
            raise ValueError(f"position {conv.position!r} is converted twice")
        converted.add(conv.position)
        own = {s.id for s in position.sections}
        taken: dict[Hashable, int] = defaultdict(int)
        for move in conv.moves:
            if move.source not in own:
                raise ValueError(f"move from {move.source!r}: not a section of {conv.position!r}")
            target = sections.get(move.target)
            source = vacant[move.source]
            if target is None:
                raise ValueError(f"move to {move.target!r}: not a section with a teacher")
            if target.key != source.key:
                raise ValueError(
                    f"learners of {move.source!r} ({source.subject} {source.band}) cannot join "
                    f"{move.target!r} ({target.subject} {target.band})"
                )
            if move.count < 0:
                raise ValueError(f"move from {move.source!r} has a negative count ({move.count})")
            t = teachers[target.teacher]
            if (
                t.level is Level.HIGHLY_EFFECTIVE
                and role.get(t.id) != "leader"
                and t.id not in plan.extended
            ):
                raise ValueError(
                    f"teacher {t.id!r} takes extra learners without the excellent-teacher "
                    "supplement"
                )
            if source.learners:
                if len(move.learner_ids) != move.count:
                    raise ValueError(
                        f"move from {move.source!r} must name its {move.count} learners"
                    )
                by_id = {x.id: x for x in source.learners}
                for lid in move.learner_ids:
                    if lid not in by_id or (move.source, lid) in moved:
                        raise ValueError(
                            f"learner {lid!r} of {move.source!r} moved twice or unknown"
                        )
                    moved.add((move.source, lid))
                    incoming[move.target].append(by_id[lid])
            else:
                incoming[move.target].extend(Learner((move.source, i)) for i in range(move.count))
            taken[move.source] += move.count
        for s in position.sections:
            if taken[s.id] != s.count:
                raise ValueError(
                    f"converted position {conv.position!r}: {taken[s.id]} of the {s.count} "
                    f"learners of {s.id!r} placed"
                )
    for target_id, extra in incoming.items():
        target = sections[target_id]
        cap = policy.cap(target.band)
        if extra and target.count + len(extra) > cap:
            raise ValueError(
                f"section {target_id!r} would have {target.count + len(extra)} learners, above "
                f"the class-size cap of {cap}"
            )

    reached_n, total_n, weighted = 0, 0, 0.0
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def count(members: Iterable[Learner], size: int, hit: bool) -> None:
        nonlocal reached_n, total_n, weighted
        listed = list(members)
        total_n += size
        if hit:
            reached_n += size
            weighted += sum(x.weight for x in listed) if listed else float(size)
        for x in listed:
            for g in x.subgroups:
                groups[g][1] += 1
                if hit:
                    groups[g][0] += 1

    for s in school.sections:
        hit = reached(s)
        count(s.learners, s.count, hit)
        extra = incoming.get(s.id, [])
        count(extra, len(extra), hit)
    for p in school.positions:
        if p.id not in converted:
            for s in p.sections:
                count(s.learners, s.count, False)

    cost = current_cost(school) + sum(supplements.values())
    for p in school.positions:
        if p.id in converted:
            cost += policy.associate_salary - p.cost
    if budget is not None and cost > budget + 1e-6:
        raise ValueError(f"plan costs {cost:,.2f}, over the budget of {budget:,.2f}")
    return Evaluation(
        reach=ReachCount(
            reached_n, total_n, weighted, {g: (v[0], v[1]) for g, v in sorted(groups.items())}
        ),
        cost=cost,
        supplements=dict(supplements),
        associates=len(converted),
    )


# ---------------------------------------------------------------------------- shared data


@dataclass
class _Data:
    """Index of a school for the greedy and the MILP."""

    school: School
    policy: PayPolicy
    teachers: dict[Hashable, Teacher]
    leaders: list[Hashable]  # eligible to lead
    key_load: dict[tuple[Hashable, Key], int]  # learners a teacher teaches in a key
    key_weight: dict[tuple[Hashable, Key], float]
    room: dict[tuple[Hashable, Key], int]  # free places below the cap, per teacher and key
    kinds: list[tuple[Hashable, Key, float, int]]  # (position, key, weight, learners)
    whole_weights: bool

    @classmethod
    def build(cls, school: School, policy: PayPolicy) -> _Data:
        teachers = {t.id: t for t in school.teachers}
        leaders = [t.id for t in school.teachers if t.level is Level.HIGHLY_EFFECTIVE]
        key_load: dict[tuple[Hashable, Key], int] = defaultdict(int)
        key_weight: dict[tuple[Hashable, Key], float] = defaultdict(float)
        room: dict[tuple[Hashable, Key], int] = defaultdict(int)
        for s in school.sections:
            key_load[(s.teacher, s.key)] += s.count
            key_weight[(s.teacher, s.key)] += sum(s.weights())
            room[(s.teacher, s.key)] += max(0, policy.cap(s.band) - s.count)
        kinds: dict[tuple[Hashable, Key, float], int] = defaultdict(int)
        for p in school.positions:
            for s in p.sections:
                for w in s.weights():
                    kinds[(p.id, s.key, w)] += 1
        return cls(
            school,
            policy,
            teachers,
            leaders,
            dict(key_load),
            dict(key_weight),
            {k: v for k, v in room.items() if v > 0},
            [(p, k, w, n) for (p, k, w), n in kinds.items()],
            all(
                float(x.weight).is_integer()
                for s in (*school.sections, *(v for p in school.positions for v in p.sections))
                for x in s.learners
            ),
        )

    def receivers(self, key: Key) -> list[Hashable]:
        return [t for (t, k) in self.room if k == key]


def _place(
    school: School,
    policy: PayPolicy,
    position: Position,
    room_left: dict[Hashable, int],
    order: Sequence[Hashable],
) -> tuple[Move, ...] | None:
    """Fill sections in ``order`` with ``position``'s learners, heaviest first; None if no room."""
    sections = {s.id: s for s in school.sections}
    pending: list[tuple[float, int, Hashable, Learner | None]] = []
    for s in position.sections:
        if s.learners:
            pending += [(-x.weight, i, s.id, x) for i, x in enumerate(s.learners)]
        else:
            pending += [(-1.0, i, s.id, None) for i in range(s.size)]
    pending.sort(key=lambda item: (item[0], str(item[2]), item[1]))
    vacant = {s.id: s for s in position.sections}
    need: dict[Key, int] = defaultdict(int)
    for _, _, sid, _ in pending:
        need[vacant[sid].key] += 1
    have: dict[Key, int] = defaultdict(int)
    for sid in order:
        have[sections[sid].key] += room_left.get(sid, 0)
    if any(have[k] < n for k, n in need.items()):
        return None
    moves: dict[tuple[Hashable, Hashable], list[Hashable]] = defaultdict(list)
    counts: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for _, _, sid, learner in pending:
        key = vacant[sid].key
        for target in order:
            if sections[target].key == key and room_left.get(target, 0) > 0:
                room_left[target] -= 1
                counts[(sid, target)] += 1
                if learner is not None:
                    moves[(sid, target)].append(learner.id)
                break
    return tuple(
        Move(src, dst, n, tuple(moves.get((src, dst), ()))) for (src, dst), n in counts.items()
    )


# ---------------------------------------------------------------------------- greedy


def greedy(school: School, policy: PayPolicy, budget: float | None = None) -> Plan:
    """The by-hand plan: best teachers lead the largest teams first, paid by conversions.

    Highly effective teachers in order of ``score`` (then learners taught) each take the
    subject and band where the most unassigned, not highly effective certified teachers
    teach, with as many of them as allowed (those teaching the most learners there first),
    shrinking the team until its supplements fit what is left of the budget after converting
    vacant positions (largest saving first; their learners join reached classes first).
    Finally, positions whose learners all fit in reached classes are converted. Raises
    ``ValueError`` when even converting every position cannot bring the cost under budget.
    """
    policy.validate()
    _check_school(school)
    d = _Data.build(school, policy)
    base = current_cost(school)
    budget = base if budget is None else float(budget)
    spare = budget - base
    teams: list[Team] = []
    assigned: set[Hashable] = set()
    extended: set[Hashable] = set()
    conversions: list[Conversion] = []
    room_left = {s.id: max(0, policy.cap(s.band) - s.count) for s in school.sections}
    positions = sorted(
        (p for p in school.positions if p.cost > policy.associate_salary),
        key=lambda p: (-(p.cost - policy.associate_salary), str(p.id)),
    )
    team_key: dict[Hashable, Key] = {}

    def is_reached(s: Section) -> bool:
        t = d.teachers[s.teacher]
        return t.level is Level.HIGHLY_EFFECTIVE or team_key.get(t.id) == s.key

    def receiving_order() -> list[Hashable]:
        # reached classes first (largest room first), then classes of teachers who may take
        # learners without a supplement; highly effective non-leaders are left out
        ok = [
            s
            for s in school.sections
            if not (
                d.teachers[s.teacher].level is Level.HIGHLY_EFFECTIVE
                and s.teacher not in {tm.leader for tm in teams}
            )
        ]
        ok.sort(key=lambda s: (not is_reached(s), -room_left[s.id], str(s.id)))
        return [s.id for s in ok]

    def convert_one() -> bool:
        nonlocal spare
        for p in list(positions):
            trial = dict(room_left)
            moves = _place(school, policy, p, trial, receiving_order())
            if moves is not None:
                room_left.update(trial)
                conversions.append(Conversion(p.id, moves))
                positions.remove(p)
                spare += p.cost - policy.associate_salary
                return True
        return False

    while spare < -1e-9:
        if not convert_one():
            raise ValueError(
                f"budget {budget:,.2f} is below what this plan-maker can reach "
                f"({budget - spare:,.2f})"
            )

    largest = policy.largest_team()
    ranked = sorted(
        d.leaders if policy.teams else (),
        key=lambda t: (
            -d.teachers[t].score,
            -sum(n for (u, _), n in d.key_load.items() if u == t),
            str(t),
        ),
    )
    for leader in ranked:
        if leader in assigned:
            continue
        lt = d.teachers[leader]
        options = []
        for key in sorted(lt.certifications):
            pool = [
                u.id
                for u in school.teachers
                if u.id != leader
                and u.id not in assigned
                and u.level is not Level.HIGHLY_EFFECTIVE
                and key in u.certifications
                and d.key_load.get((u.id, key), 0) > 0
            ]
            pool.sort(key=lambda u, k=key: (-d.key_load.get((u, k), 0), str(u)))  # type: ignore[misc]
            if len(pool) >= policy.team_min:
                options.append((len(pool), sum(d.key_load[(u, key)] for u in pool), key, pool))
        if not options:
            continue
        options.sort(key=lambda o: (-min(o[0], largest), -o[1], o[2]))
        _, _, key, pool = options[0]
        for size in range(min(largest, len(pool)), policy.team_min - 1, -1):
            members = pool[:size]
            cost = policy.leader_supplement(lt.salary, size) + policy.member_pct * sum(
                d.teachers[u].salary for u in members
            )
            teams.append(Team(leader, key[0], key[1], tuple(members)))
            team_key.update({u: key for u in (leader, *members)})
            saved = (spare, len(conversions), list(positions), dict(room_left))
            while spare < cost - 1e-9 and convert_one():
                pass
            if spare >= cost - 1e-9:
                spare -= cost
                assigned.update((leader, *members))
                break
            # not affordable: undo the team and the conversions made for it (their learners
            # may sit in the leader's class, which needs the leader's role)
            teams.pop()
            for u in (leader, *members):
                team_key.pop(u, None)
            spare, n_conversions, positions[:], kept_room = saved
            del conversions[n_conversions:]
            room_left.clear()
            room_left.update(kept_room)
    # last: conversions whose learners all fit in reached classes
    for p in list(positions):
        trial = dict(room_left)
        reached_ids = [s.id for s in school.sections if is_reached(s)]
        order = [sid for sid in receiving_order() if sid in set(reached_ids)]
        moves = _place(school, policy, p, trial, order)
        if moves is not None:
            room_left.update(trial)
            conversions.append(Conversion(p.id, moves))
            positions.remove(p)
            spare += p.cost - policy.associate_salary
    return Plan(tuple(teams), tuple(conversions), frozenset(extended))


# ---------------------------------------------------------------------------- MILP


@dataclass
class _Model:
    names: list[tuple[str, tuple[object, ...]]]
    index: dict[tuple[str, tuple[object, ...]], int]
    lower: list[float]
    upper: list[float]
    integer: list[int]
    cost: list[float]  # objective (maximize reach - eps x cost)
    money: list[float]  # contribution to cost (minus today's)
    rows: list[tuple[dict[int, float], float, float]]

    def add(self, name: str, key: tuple[object, ...], lo: float, hi: float, integral: bool) -> int:
        i = len(self.names)
        self.names.append((name, key))
        self.index[(name, key)] = i
        self.lower.append(lo)
        self.upper.append(hi)
        self.integer.append(1 if integral else 0)
        self.cost.append(0.0)
        self.money.append(0.0)
        return i

    def row(self, coef: Mapping[int, float], lo: float, hi: float) -> None:
        self.rows.append((dict(coef), lo, hi))


def _build(d: _Data) -> tuple[_Model, float, float]:
    """Variables and constraints (docs/reach.md); returns the model, constant reach, max money."""
    policy, school = d.policy, d.school
    m = _Model([], {}, [], [], [], [], [], [])
    largest = policy.largest_team()
    keys_taught = {k for (_, k) in d.key_load}
    leader_keys: dict[Key, list[Hashable]] = defaultdict(list)
    for t in d.leaders if policy.teams else ():
        for k in sorted(d.teachers[t].certifications):
            if k in keys_taught:
                leader_keys[k].append(t)
    constant = 0.0
    for (u, _), w in d.key_weight.items():
        if d.teachers[u].level is Level.HIGHLY_EFFECTIVE:
            constant += w
    belongs: dict[Hashable, list[int]] = defaultdict(list)
    members_of_key: dict[Key, list[int]] = defaultdict(list)
    seats_of_key: dict[Key, list[int]] = defaultdict(list)
    for k, ts in leader_keys.items():
        for t in ts:
            y = m.add("y", (t, k), 0, 1, True)
            n = m.add("m", (t, k), 0, largest, True)
            salary = d.teachers[t].salary
            m.money[y] = salary * policy.leader_pct
            m.money[n] = salary * policy.leader_pct_per_member
            m.row({n: 1.0, y: -float(policy.team_min)}, 0, math.inf)
            m.row({n: 1.0, y: -float(largest)}, -math.inf, 0)
            belongs[t].append(y)
            seats_of_key[k].append(n)
    for u in school.teachers:
        for k in sorted(u.certifications):
            if k not in leader_keys or not any(t != u.id for t in leader_keys[k]):
                continue
            w = m.add("w", (u.id, k), 0, 1, True)
            m.money[w] = policy.member_pct * u.salary
            if u.level is not Level.HIGHLY_EFFECTIVE:
                m.cost[w] = d.key_weight.get((u.id, k), 0.0)
            belongs[u.id].append(w)
            members_of_key[k].append(w)
    for cols in belongs.values():
        if len(cols) > 1:
            m.row(dict.fromkeys(cols, 1.0), -math.inf, 1)
    for k, seats in seats_of_key.items():
        coef = dict.fromkeys(seats, 1.0)
        for w in members_of_key.get(k, []):
            coef[w] = -1.0
        m.row(coef, 0, 0)
    # conversions, excellent supplements, learners placed
    for p in school.positions:
        x = m.add("x", (p.id,), 0, 1, True)
        m.money[x] = policy.associate_salary - p.cost
    extended: dict[Hashable, int] = {}
    for t in d.leaders:
        if any(u == t for (u, _) in d.room):
            e = m.add("e", (t,), 0, 1, True)
            m.money[e] = policy.excellent_pct * d.teachers[t].salary
            extended[t] = e
            ys = [m.index[("y", (t, k))] for k in _leader_keys_of(t, leader_keys)]
            if ys:
                m.row({e: 1.0, **dict.fromkeys(ys, 1.0)}, -math.inf, 1)
    into: dict[tuple[Hashable, Key], list[int]] = defaultdict(list)
    reach_into: dict[tuple[Hashable, Key], list[int]] = defaultdict(list)
    for c, (pid, k, weight, n) in enumerate(d.kinds):
        x = m.index[("x", (pid,))]
        row: dict[int, float] = {x: -float(n)}
        for r in d.receivers(k):
            room = d.room[(r, k)]
            f = m.add("f", (c, r), 0, min(n, room), True)
            row[f] = 1.0
            into[(r, k)].append(f)
            if d.teachers[r].level is Level.HIGHLY_EFFECTIVE:
                m.cost[f] = weight
            else:
                g = m.add("g", (c, r), 0, min(n, room), False)
                m.cost[g] = weight
                m.row({g: 1.0, f: -1.0}, -math.inf, 0)
                reach_into[(r, k)].append(g)
        m.row(row, 0, 0)
    for (r, k), fs in into.items():
        free = float(d.room[(r, k)])
        coef = dict.fromkeys(fs, 1.0)
        if d.teachers[r].level is Level.HIGHLY_EFFECTIVE:
            coef[extended[r]] = -free
            for y in (m.index[("y", (r, kk))] for kk in _leader_keys_of(r, leader_keys)):
                coef[y] = -free
            m.row(coef, -math.inf, 0)
        else:
            m.row(coef, -math.inf, free)
        gs = reach_into.get((r, k))
        if gs:
            coef = dict.fromkeys(gs, 1.0)
            w_col = m.index.get(("w", (r, k)))
            if w_col is None:
                for g in gs:
                    m.upper[g] = 0.0
            else:
                coef[w_col] = -free
                m.row(coef, -math.inf, 0)
    most = sum(abs(v) for v in m.money) + sum(
        t.salary * policy.leader_max_pct for t in school.teachers
    )
    return m, constant, most


def _leader_keys_of(t: Hashable, leader_keys: Mapping[Key, list[Hashable]]) -> list[Key]:
    return [k for k, ts in leader_keys.items() if t in ts]


def _start_vector(d: _Data, m: _Model, plan: Plan) -> np.ndarray:
    """The column values of a plan (the feasible start)."""
    v = np.zeros(len(m.names))
    sections = {s.id: s for s in d.school.sections}
    for team in plan.teams:
        v[m.index[("y", (team.leader, team.key))]] = 1
        v[m.index[("m", (team.leader, team.key))]] = len(team.members)
        for u in team.members:
            v[m.index[("w", (u, team.key))]] = 1
    for t in plan.extended:
        v[m.index[("e", (t,))]] = 1
    kind_of: dict[tuple[Hashable, Key, float], int] = {
        (pid, k, w): c for c, (pid, k, w, _) in enumerate(d.kinds)
    }
    position_of = {s.id: p for p in d.school.positions for s in p.sections}
    team_key = {u: t.key for t in plan.teams for u in (t.leader, *t.members)}
    for conv in plan.conversions:
        v[m.index[("x", (conv.position,))]] = 1
        for move in conv.moves:
            p = position_of[move.source]
            src = next(s for s in p.sections if s.id == move.source)
            target = sections[move.target]
            by_id = {x.id: x.weight for x in src.learners}
            weights = [by_id[i] for i in move.learner_ids] if src.learners else [1.0] * move.count
            for w in weights:
                c = kind_of[(p.id, src.key, w)]
                v[m.index[("f", (c, target.teacher))]] += 1
                if d.teachers[target.teacher].level is not Level.HIGHLY_EFFECTIVE and (
                    team_key.get(target.teacher) == target.key
                ):
                    v[m.index[("g", (c, target.teacher))]] += 1
    return v


def _plan_from(d: _Data, m: _Model, values: np.ndarray) -> Plan:
    """Read a plan out of column values: teams, conversions with moves, extended teachers."""
    school, policy = d.school, d.policy
    val = np.rint(values).astype(np.int64)
    leaders: dict[Key, list[tuple[Hashable, int]]] = defaultdict(list)
    members: dict[Key, list[Hashable]] = defaultdict(list)
    extended: set[Hashable] = set()
    converted: list[Position] = []
    flows: dict[tuple[int, Hashable], int] = {}
    for i, (name, key) in enumerate(m.names):
        if val[i] <= 0:
            continue
        if name == "y":
            t, k = key
            leaders[k].append((t, int(val[m.index[("m", key)]])))  # type: ignore[index]
        elif name == "w":
            u, k = key
            members[k].append(u)  # type: ignore[index]
        elif name == "e":
            extended.add(key[0])
        elif name == "x":
            converted.append(next(p for p in school.positions if p.id == key[0]))
        elif name == "f":
            flows[(int(key[0]), key[1])] = int(val[i])  # type: ignore[call-overload]
    teams = []
    for k, lead in leaders.items():
        pool = sorted(members.get(k, []), key=lambda u, kk=k: (-d.key_load.get((u, kk), 0), str(u)))  # type: ignore[misc]
        at = 0
        for t, n in sorted(lead, key=lambda item: str(item[0])):
            teams.append(Team(t, k[0], k[1], tuple(pool[at : at + n])))
            at += n
    by_teacher_key: dict[tuple[Hashable, Key], list[Section]] = defaultdict(list)
    for s in school.sections:
        by_teacher_key[(s.teacher, s.key)].append(s)
    room_left = {s.id: max(0, policy.cap(s.band) - s.count) for s in school.sections}
    conversions = []
    for p in converted:
        pool_by_kind: dict[tuple[Key, float], list[tuple[Hashable, Hashable | None]]] = defaultdict(
            list
        )
        for s in p.sections:
            if s.learners:
                for x in s.learners:
                    pool_by_kind[(s.key, x.weight)].append((s.id, x.id))
            else:
                pool_by_kind[(s.key, 1.0)].extend((s.id, None) for _ in range(s.size))
        counts: dict[tuple[Hashable, Hashable], list[Hashable | None]] = defaultdict(list)
        for c, (pid, k, weight, _) in enumerate(d.kinds):
            if pid != p.id:
                continue
            queue = pool_by_kind[(k, weight)]
            for r in sorted(d.receivers(k), key=str):
                n = flows.get((c, r), 0)
                for target in by_teacher_key[(r, k)]:
                    while n > 0 and room_left[target.id] > 0:
                        sid, lid = queue.pop()
                        counts[(sid, target.id)].append(lid)
                        room_left[target.id] -= 1
                        n -= 1
        moves = tuple(
            Move(
                src,
                dst,
                len(ids),
                tuple(i for i in ids if i is not None) if ids[0] is not None else (),
            )
            for (src, dst), ids in counts.items()
        )
        conversions.append(Conversion(p.id, moves))
    return Plan(tuple(teams), tuple(conversions), frozenset(extended))


def optimize(
    school: School,
    policy: PayPolicy | None = None,
    *,
    budget: float | None = None,
    time_limit: float = 10.0,
    gap: float = 1e-4,
) -> ReachResult:
    """The plan that reaches the most (weighted) learners within ``budget`` (None: neutral).

    Solved with HiGHS from the :func:`greedy` start (or, when the greedy cannot meet the
    budget, from the least-cost plan). Raises ``ValueError`` for bad input or a budget no
    plan can meet, naming the value.
    """
    started = time.perf_counter()
    policy = policy or PayPolicy()
    policy.validate()
    _check_school(school)
    base = current_cost(school)
    budget = base if budget is None else float(budget)
    if not math.isfinite(budget):
        raise ValueError(f"budget must be a finite amount (got {budget})")
    d = _Data.build(school, policy)
    m, constant, most = _build(d)
    try:
        start = greedy(school, policy, budget)
    except ValueError:
        start = _least_cost(d, m, budget, base, time_limit)
    if not m.names:  # nothing to decide: no leader, no position
        result = _result(school, start, policy, budget, "Optimal", started)
        return _with_solver(result, "Optimal", result.after.weighted, 0.0, started)
    eps = 1e-3 / max(1.0, most)
    n = len(m.names)
    objective = np.asarray(m.cost) - eps * np.asarray(m.money)

    def solve(with_start: bool) -> highspy.Highs:
        h = _highs(m, time_limit, gap)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), objective)
        h.changeObjectiveOffset(constant)
        _budget_row(h, m, budget - base)
        if with_start:
            h.setSolution(n, np.arange(n, dtype=np.int32), _start_vector(d, m, start))
        h.run()
        return h

    h = solve(with_start=True)
    solution = h.getSolution()
    reported = float(h.getInfo().objective_function_value)
    if solution.value_valid and not math.isclose(
        constant + float(objective @ np.asarray(solution.col_value)),
        reported,
        rel_tol=1e-9,
        abs_tol=1e-6,
    ):
        # HiGHS 1.16 can report an optimum better than the start while handing back the start
        # itself as the solution (tests/engine/test_reach.py found one); solve again without it
        h = solve(with_start=False)
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    solution = h.getSolution()
    plan = start
    if solution.value_valid:
        candidate = _plan_from(d, m, np.asarray(solution.col_value))
        try:
            evaluate(school, candidate, policy, budget)
            plan = candidate
        except ValueError:  # rounding pushed it past a bound: keep the start
            status += " (start kept)"
    result = _result(school, plan, policy, budget, status, started)
    got = result.after.weighted
    bound = float(info.mip_dual_bound) + eps * max(0.0, budget - base)
    if not math.isfinite(bound):
        return _with_solver(result, status, math.inf, math.inf, started)
    if d.whole_weights:  # reach is a whole number: so is its bound
        bound = math.floor(bound + 1e-6)
    bound = max(bound, got)
    gap_value = (bound - got) / bound if bound > 0 else 0.0
    return _with_solver(result, status, bound, gap_value, started)


def _highs(m: _Model, time_limit: float, gap: float) -> highspy.Highs:
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ unannotated
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    n = len(m.names)
    n_rows = len(m.rows)
    starts, index, value = [0], [], []
    by_col: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for r, (coef, _, _) in enumerate(m.rows):
        for c, v in coef.items():
            if v != 0.0:
                by_col[c].append((r, v))
    for col in by_col:
        for r, v in col:
            index.append(r)
            value.append(v)
        starts.append(len(index))
    h.passModel(
        n,
        n_rows,
        len(index),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        np.zeros(n),
        np.asarray(m.lower, dtype=np.float64),
        np.asarray(m.upper, dtype=np.float64),
        np.asarray([r[1] for r in m.rows], dtype=np.float64),
        np.asarray([r[2] for r in m.rows], dtype=np.float64),
        np.asarray(starts[:-1] if n else [], dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(value, dtype=np.float64),
        np.asarray(m.integer, dtype=np.int32),
    )
    return h


def _budget_row(h: highspy.Highs, m: _Model, spare: float) -> None:
    cols = [i for i, v in enumerate(m.money) if v != 0.0]
    h.addRow(
        -math.inf,
        float(spare),
        len(cols),
        np.asarray(cols, dtype=np.int32),
        np.asarray([m.money[i] for i in cols], dtype=np.float64),
    )


def _least_cost(d: _Data, m: _Model, budget: float, base: float, time_limit: float) -> Plan:
    """The cheapest plan (a MILP); ``ValueError`` naming the budget when it is still over."""
    if not m.names:
        raise ValueError(
            f"budget {budget:,.2f} is below the least cost any plan can reach ({base:,.2f})"
        )
    h = _highs(m, time_limit, 0.0)
    n = len(m.names)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(m.money))
    h.run()
    solution = h.getSolution()
    status = h.modelStatusToString(h.getModelStatus())
    if not solution.value_valid:
        raise ValueError(f"no plan found for budget {budget:,.2f} ({status})")
    least = base + float(np.dot(np.rint(solution.col_value), m.money))
    if least > budget + 1e-6:
        what = (
            "the least cost any plan can reach"
            if status == "Optimal"
            else f"the cheapest plan found within {time_limit:g} s"
        )
        raise ValueError(f"budget {budget:,.2f} is below {what} ({least:,.2f})")
    return _plan_from(d, m, np.asarray(solution.col_value))


# ---------------------------------------------------------------------------- explain


def _money(x: float) -> str:
    return f"${x:,.0f}"


def _names(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explain(school: School, plan: Plan, policy: PayPolicy) -> tuple[str, ...]:
    """One sentence per change: each team, each member, each conversion, each extension."""
    teachers = {t.id: t for t in school.teachers}
    sections = {s.id: s for s in school.sections}
    load: dict[tuple[Hashable, Key], int] = defaultdict(int)
    for s in school.sections:
        load[(s.teacher, s.key)] += s.count
    out: list[str] = []
    for team in plan.teams:
        lt = teachers[team.leader]
        gained = sum(
            load[(u, team.key)]
            for u in team.members
            if teachers[u].level is not Level.HIGHLY_EFFECTIVE
        )
        pct = policy.leader_pct + policy.leader_pct_per_member * len(team.members)
        out.append(
            f"{lt.label} ({lt.level}) becomes the multi-classroom leader of a "
            f"{len(team.members)}-teacher {team.subject} {team.band} team for a {pct:.0%} "
            f"supplement ({_money(policy.leader_supplement(lt.salary, len(team.members)))}), "
            f"so {gained} more learners have a highly effective teacher of record."
        )
        for u in team.members:
            t = teachers[u]
            pay = (
                f" for a {policy.member_pct:.0%} supplement "
                f"({_money(policy.member_pct * t.salary)})"
                if policy.member_pct
                else ""
            )
            why = (
                f"their {load[(u, team.key)]} {team.subject} {team.band} learners now have "
                f"{lt.label} as a highly effective teacher of record"
                if t.level is not Level.HIGHLY_EFFECTIVE
                else "the team needs the member"
            )
            out.append(f"{t.label} ({t.level}) joins {lt.label}'s team{pay}: {why}.")
    reached_teachers = {u for tm in plan.teams for u in (tm.leader, *tm.members)}
    team_key = {u: tm.key for tm in plan.teams for u in (tm.leader, *tm.members)}
    positions = {p.id: p for p in school.positions}
    for conv in plan.conversions:
        p = positions[conv.position]
        per_teacher: dict[str, int] = defaultdict(int)
        hit = 0
        for move in conv.moves:
            target = sections[move.target]
            t = teachers[target.teacher]
            per_teacher[t.label] += move.count
            if t.level is Level.HIGHLY_EFFECTIVE or (
                t.id in reached_teachers and team_key[t.id] == target.key
            ):
                hit += move.count
        moved = sum(per_teacher.values())
        where = (
            f"; its {moved} learners join the classes of "
            + _names([f"{name} ({n})" for name, n in sorted(per_teacher.items())])
            + f", {hit} of them with a highly effective teacher of record"
            if moved
            else ""
        )
        out.append(
            f"{p.kind.capitalize()} {p.id} ({_money(p.cost)}) is converted into a reach "
            f"associate ({_money(policy.associate_salary)}), freeing "
            f"{_money(p.cost - policy.associate_salary)} for supplements{where}."
        )
    for u in sorted(plan.extended, key=str):
        t = teachers[u]
        extra = sum(
            mv.count
            for conv in plan.conversions
            for mv in conv.moves
            if sections[mv.target].teacher == u
        )
        out.append(
            f"{t.label} ({t.level}) takes {extra} more learners for a {policy.excellent_pct:.0%} "
            f"excellent-teacher supplement ({_money(policy.excellent_pct * t.salary)})."
        )
    return tuple(out)


def _result(
    school: School, plan: Plan, policy: PayPolicy, budget: float, status: str, started: float
) -> ReachResult:
    before = evaluate(school, Plan(), policy)
    after = evaluate(school, plan, policy, budget)
    return ReachResult(
        school=school.id,
        plan=plan,
        changes=explain(school, plan, policy),
        before=before.reach,
        after=after.reach,
        cost_before=before.cost,
        cost_after=after.cost,
        budget=budget,
        supplements=after.supplements,
        status=status,
        bound=after.reach.weighted,
        gap=0.0,
        seconds=time.perf_counter() - started,
    )


def _with_solver(
    result: ReachResult, status: str, bound: float, gap: float, started: float
) -> ReachResult:
    return replace(
        result, status=status, bound=bound, gap=gap, seconds=time.perf_counter() - started
    )


def greedy_result(
    school: School, policy: PayPolicy | None = None, *, budget: float | None = None
) -> ReachResult:
    """The :func:`greedy` plan reported like :func:`optimize` (status "greedy", no bound)."""
    started = time.perf_counter()
    policy = policy or PayPolicy()
    base = current_cost(school)
    budget = base if budget is None else float(budget)
    plan = greedy(school, policy, budget)
    result = _result(school, plan, policy, budget, "greedy", started)
    return _with_solver(result, "greedy", math.nan, math.nan, started)


# ---------------------------------------------------------------------------- district


@dataclass(frozen=True)
class DistrictResult:
    """Every school's result; solved school by school, each within its own budget."""

    schools: tuple[ReachResult, ...]
    solved: str = "school by school"

    @property
    def reached_before(self) -> int:
        return sum(r.before.reached for r in self.schools)

    @property
    def reached_after(self) -> int:
        return sum(r.after.reached for r in self.schools)

    @property
    def learners(self) -> int:
        return sum(r.after.total for r in self.schools)

    @property
    def cost_before(self) -> float:
        return sum(r.cost_before for r in self.schools)

    @property
    def cost_after(self) -> float:
        return sum(r.cost_after for r in self.schools)

    @property
    def bound(self) -> float:
        return sum(r.bound for r in self.schools)

    @property
    def gap(self) -> float:
        """District gap on weighted reach: (sum of bounds - sum reached) / sum of bounds."""
        bound = self.bound
        got = sum(r.after.weighted for r in self.schools)
        return (bound - got) / bound if bound > 0 else 0.0


def optimize_district(
    schools: Sequence[School],
    policy: PayPolicy | None = None,
    *,
    budgets: Mapping[Hashable, float] | None = None,
    time_limit: float = 10.0,
    gap: float = 1e-4,
) -> DistrictResult:
    """:func:`optimize` for each school with its own budget (default: neutral per school)."""
    budgets = budgets or {}
    return DistrictResult(
        tuple(
            optimize(s, policy, budget=budgets.get(s.id), time_limit=time_limit, gap=gap)
            for s in schools
        )
    )
