"""Learners and their families for one school cluster, in memory, before anything is saved.

A cluster is a feeder pattern: a few elementary schools that feed one middle and one high
school. Learners are made for the current year by grade, then traced back a year (most were
one grade lower; some are new), and last year's leavers (graduates and movers) are added as
former learners. Families group siblings, share guardians, heritage and income, and live in
one elementary school's attendance zone.

Shares follow US public schools (NCES Digest of Education Statistics, rounded).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from waypoint.demo.names import family_name, given_name

GRADES = range(0, 13)  # K..12
GRADE_WEIGHTS = {9: 0.98, 10: 0.96, 11: 0.93, 12: 0.91}  # K-8 weigh 1.0

# (heritage, share, share economically disadvantaged, English-learner multiplier)
HERITAGE = (
    ("white", 0.45, 0.38, 0.3),
    ("hispanic", 0.28, 0.68, 2.4),
    ("black", 0.15, 0.66, 0.3),
    ("asian", 0.05, 0.33, 2.4),
    ("multi", 0.045, 0.45, 0.3),
    ("native", 0.01, 0.65, 0.5),
    ("pacific", 0.005, 0.55, 1.5),
    ("unknown", 0.01, 0.45, 0.3),
)
MULTI_RACE = (
    (("white", "black"), 0.40),
    (("white", "asian"), 0.25),
    (("white", "native"), 0.20),
    (("black", "native"), 0.08),
    (("asian", "pacific"), 0.07),
)
HISPANIC_RACE = ((("white",), 0.55), ((), 0.38), (("black",), 0.03), (("native",), 0.04))
GENDERS = (("female", 0.485), ("male", 0.505), ("nonbinary", 0.005), ("not_reported", 0.005))
FAMILY_SIZES = ((1, 0.55), (2, 0.32), (3, 0.10), (4, 0.03))
SERVICE_LEVELS = (("consult", 0.65), ("resource", 0.22), ("separate", 0.13))

NEW_SHARE = 0.07  # of a grade, new to the district this year
LEAVE_SHARE = 0.07  # of last year's learners in grades K-11, moved away
RETAINED_SHARE = 0.01  # repeat a grade
DISABILITY = 0.14
FOSTER = 0.005
HOMELESS_IF_DISADVANTAGED = 0.05  # about 2.5% overall
SECTION_504 = 0.03
MILITARY = 0.02


def pick(rng: random.Random, weighted: Sequence[tuple[object, float]]) -> object:
    """One value from (value, weight) pairs."""
    roll = rng.random() * sum(w for _, w in weighted)
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def english_learner_rate(grade: int) -> float:
    """Base share of English learners by grade: higher in the early grades."""
    if grade <= 2:
        return 0.15
    if grade <= 5:
        return 0.11
    if grade <= 8:
        return 0.08
    return 0.065


def gifted_rate(grade: int) -> float:
    """Gifted identification mostly starts in grade 2."""
    return 0.02 if grade <= 1 else 0.085


@dataclass(slots=True, eq=False)
class Guardian:
    given: str
    family: str
    female: bool
    relationship: str
    pk: int | None = None


@dataclass(slots=True, eq=False)
class Family:
    heritage: str
    hispanic: bool
    races: tuple[str, ...]
    name: str
    disadvantaged: bool
    el_multiplier: float
    elementary: int  # index of the zoned elementary school in the cluster
    guardians: list[Guardian] = field(default_factory=list)
    homeless: dict[str, bool] = field(default_factory=dict)
    children: list[Learner] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Learner:
    key: int
    grades: dict[str, int]  # year key ("prev"/"cur") -> grade
    family: Family | None = None
    gender: str = "not_reported"
    given: str = ""
    birth_date: dt.date | None = None
    u_el: float = 1.0
    u_gifted: float = 1.0
    disability: str | None = None  # service level when the learner has a disability
    foster: bool = False
    groups: tuple[str, ...] = ()
    joined: dict[str, dt.date] = field(default_factory=dict)  # late start, per year
    left: dict[str, dt.date] = field(default_factory=dict)  # early end, per year
    advisor_key: int = 0
    pk: int | None = None

    @property
    def active(self) -> bool:
        """Enrolled now: in a grade this year and not withdrawn."""
        return "cur" in self.grades and "cur" not in self.left


def split_counts(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _random_day(rng: random.Random, window: tuple[dt.date, dt.date]) -> dt.date:
    first, last = window
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _birth_date(rng: random.Random, grade: int, start_year: int) -> dt.date:
    """Someone in ``grade`` in the year starting ``start_year``: five by September 1 of K."""
    born_by = dt.date(start_year - 5 - grade, 9, 1)
    return born_by - dt.timedelta(days=rng.randrange(365))


def build_learners(
    rng: random.Random,
    current: int,
    cur_start_year: int,
    windows: dict[str, tuple[dt.date, dt.date] | None],
) -> list[Learner]:
    """Current learners by grade, traced back a year, plus last year's leavers."""
    counts = split_counts(current, [GRADE_WEIGHTS.get(g, 1.0) for g in GRADES])
    learners: list[Learner] = []
    for grade, count in zip(GRADES, counts, strict=True):
        for _ in range(count):
            grades = {"cur": grade}
            roll = rng.random()
            if grade > 0 and roll >= NEW_SHARE:
                retained = roll < NEW_SHARE + RETAINED_SHARE
                grades["prev"] = grade if retained else grade - 1
            learners.append(Learner(key=len(learners), grades=grades))
    continuing = [0] * 13
    for learner in learners:
        if "prev" in learner.grades:
            continuing[learner.grades["prev"]] += 1
    for grade in GRADES:
        if grade == 12:
            leavers = round(counts[12] * 0.97)  # graduates
        else:
            leavers = round(continuing[grade] * LEAVE_SHARE / (1 - LEAVE_SHARE))
        for _ in range(leavers):
            learners.append(Learner(key=len(learners), grades={"prev": grade}))

    for learner in learners:
        _fill_person(rng, learner, cur_start_year, windows)
    return learners


def _fill_person(
    rng: random.Random,
    learner: Learner,
    cur_start_year: int,
    windows: dict[str, tuple[dt.date, dt.date] | None],
) -> None:
    learner.gender = str(pick(rng, GENDERS))
    if "cur" in learner.grades:
        prev = learner.grades.get("prev")
        held_back = prev is not None and prev == learner.grades["cur"]
        age_grade = learner.grades["cur"] + (1 if held_back else 0)
        learner.birth_date = _birth_date(rng, age_grade, cur_start_year)
    else:
        learner.birth_date = _birth_date(rng, learner.grades["prev"], cur_start_year - 1)
    learner.u_el = rng.random()
    learner.u_gifted = rng.random()
    if rng.random() < DISABILITY:
        learner.disability = str(pick(rng, SERVICE_LEVELS))
    learner.foster = rng.random() < FOSTER
    groups = []
    if learner.disability is None and rng.random() < SECTION_504 / (1 - DISABILITY):
        groups.append("section_504")
    if rng.random() < MILITARY:
        groups.append("military_connected")
    learner.groups = tuple(groups)
    learner.advisor_key = rng.randrange(1_000_000)
    prev_window, cur_window = windows.get("prev"), windows.get("cur")
    # last year: a few joined late; some of those who moved away left before June
    if "prev" in learner.grades and prev_window and rng.random() < 0.02:
        learner.joined["prev"] = _random_day(rng, prev_window)
    moved_away = "cur" not in learner.grades and learner.grades["prev"] < 12
    if moved_away and prev_window and rng.random() < 0.3:
        left = _random_day(rng, prev_window)
        if left > learner.joined.get("prev", left - dt.timedelta(days=1)):
            learner.left["prev"] = left
    # this year so far: some newcomers started late; a few have withdrawn
    if "cur" in learner.grades and cur_window:
        if "prev" not in learner.grades and rng.random() < 0.3:
            learner.joined["cur"] = _random_day(rng, cur_window)
        elif rng.random() < 0.015:
            learner.left["cur"] = _random_day(rng, cur_window)


def build_families(rng: random.Random, learners: list[Learner], elementary_schools: int) -> None:
    """Group learners into families (siblings share guardians), with heritage and income."""
    order = list(learners)
    rng.shuffle(order)
    heritage_weights = [(h, share) for h, share, _, _ in HERITAGE]
    by_heritage = {h: (ed, el) for h, _, ed, el in HERITAGE}
    i = 0
    while i < len(order):
        size = int(pick(rng, FAMILY_SIZES))  # type: ignore[call-overload]
        children = order[i : i + size]
        i += size
        heritage = str(pick(rng, heritage_weights))
        hispanic = heritage == "hispanic"
        if heritage == "multi":
            races = pick(rng, MULTI_RACE)
        elif hispanic:
            races = pick(rng, HISPANIC_RACE)
        elif heritage == "unknown":
            races = ()
        else:
            races = (heritage,)
        ed_share, el_multiplier = by_heritage[heritage]
        family = Family(
            heritage=heritage,
            hispanic=hispanic,
            races=races,  # type: ignore[arg-type]
            name=family_name(rng, heritage),
            disadvantaged=rng.random() < ed_share,
            el_multiplier=el_multiplier,
            elementary=rng.randrange(elementary_schools),
        )
        for year in ("prev", "cur"):
            family.homeless[year] = (
                family.disadvantaged and rng.random() < HOMELESS_IF_DISADVANTAGED
            )
        _add_guardians(rng, family)
        for child in children:
            child.family = family
            family.children.append(child)
            female = child.gender == "female" or (
                child.gender not in ("female", "male") and rng.random() < 0.5
            )
            child.given = given_name(rng, female, heritage)


def _add_guardians(rng: random.Random, family: Family) -> None:
    first_female = rng.random() < 0.75
    relationship = str(pick(rng, (("parent", 0.9), ("guardian", 0.06), ("relative", 0.04))))
    family.guardians.append(
        Guardian(
            given=given_name(rng, first_female, family.heritage),
            family=family.name,
            female=first_female,
            relationship=relationship,
        )
    )
    if rng.random() < 0.62:
        second_female = not first_female if rng.random() < 0.9 else first_female
        surname = family.name if rng.random() < 0.75 else family_name(rng, family.heritage)
        family.guardians.append(
            Guardian(
                given=given_name(rng, second_female, family.heritage),
                family=surname,
                female=second_female,
                relationship="parent",
            )
        )


def flags_for(learner: Learner, year: str) -> dict[str, object]:
    """The learner's program flags in one year (most are stable; EL status ends with time)."""
    family = learner.family
    assert family is not None
    grade = learner.grades[year]
    el_rate = min(0.9, english_learner_rate(grade) * family.el_multiplier)
    return {
        "economically_disadvantaged": family.disadvantaged or learner.foster,
        "english_learner": learner.u_el < el_rate,
        "disability": learner.disability is not None,
        "disability_service_level": learner.disability or "",
        "gifted": learner.u_gifted < gifted_rate(grade),
        "homeless": family.homeless[year],
        "foster_care": learner.foster,
        "district_groups": list(learner.groups),
    }
