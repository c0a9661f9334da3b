"""Staff for one school: people in teaching slots (with turnover), leaders, coaches, MCLs,
their coaching and advisory links and last year's effectiveness ratings, in memory."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from waypoint.demo.names import family_name, given_name
from waypoint.demo.population import Learner, pick

# US public school teachers (NCES, rounded)
STAFF_HERITAGE = (
    ("white", 0.79),
    ("hispanic", 0.09),
    ("black", 0.07),
    ("asian", 0.025),
    ("multi", 0.02),
    ("native", 0.005),
)
CONTINUE_SHARE = 0.88  # of teachers and aides who stay from last year to this
# levels: (value, weight); scores on a 1-4 scale
LEVELS = (
    ("highly_effective", 0.18),
    ("effective", 0.63),
    ("developing", 0.147),
    ("ineffective", 0.043),
)
MCL_LEVELS = (("highly_effective", 0.85), ("effective", 0.15))
SCORE_RANGES = {
    "highly_effective": (3.50, 4.00),
    "effective": (2.50, 3.49),
    "developing": (1.75, 2.49),
    "ineffective": (1.00, 1.74),
}
RATED_ROLES = ("teacher", "mcl", "coach", "school_leader")
YEARS = ("prev", "cur")


@dataclass(slots=True, eq=False)
class Staff:
    key: str
    given: str
    family: str
    female: bool
    school: int | None  # index in the cluster; None for district staff
    # year -> [(role, primary)]
    roles: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    rating: tuple[str, Decimal, dict[str, float]] | None = None
    title: str = ""
    pk: int | None = None

    @property
    def active(self) -> bool:
        return "cur" in self.roles

    def add_role(self, year: str, role: str, primary: bool = True) -> None:
        self.roles.setdefault(year, []).append((role, primary))

    def has_role(self, year: str, role: str) -> bool:
        return any(r == role for r, _ in self.roles.get(year, ()))


def new_person(rng: random.Random, key: str, school: int | None, title: str) -> Staff:
    heritage = str(pick(rng, STAFF_HERITAGE))
    female = rng.random() < 0.72
    return Staff(
        key=key,
        given=given_name(rng, female, heritage),
        family=family_name(rng, heritage),
        female=female,
        school=school,
        title=title,
    )


def _natural(slot: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r":", slot))


SLOT_TITLES = {"t": "Teacher", "h": "Teacher", "sp": "Special education teacher", "aide": "Aide"}


@dataclass(slots=True, eq=False)
class SchoolStaff:
    """Everyone at one school, and who fills each teaching slot in each year."""

    school: int
    people: list[Staff] = field(default_factory=list)
    slots: dict[str, dict[str, Staff]] = field(default_factory=dict)  # year -> slot -> person
    principal: Staff | None = None
    coach: Staff | None = None
    mcl: Staff | None = None

    def teachers(self, year: str) -> list[Staff]:
        return [p for s, p in self.slots.get(year, {}).items() if not s.startswith("aide:")]


def staff_school(
    rng: random.Random,
    school: int,
    slots_by_year: dict[str, set[str]],
    keep: frozenset[str] = frozenset(),
) -> SchoolStaff:
    """Fill the school's slots for both years; ``keep`` slots never change hands."""
    staff = SchoolStaff(school=school)
    principal = new_person(rng, f"{school}:principal", school, "Principal")
    assistant = new_person(rng, f"{school}:assistant", school, "Assistant principal")
    coach = new_person(rng, f"{school}:coach", school, "Instructional coach")
    mcl = new_person(rng, f"{school}:mcl", school, "Multi-classroom leader")
    for year in YEARS:
        principal.add_role(year, "school_leader")
        assistant.add_role(year, "school_leader")
        coach.add_role(year, "coach")
        mcl.add_role(year, "mcl")
    staff.people += [principal, assistant, coach, mcl]
    staff.principal, staff.coach, staff.mcl = principal, coach, mcl

    all_slots = sorted(slots_by_year["prev"] | slots_by_year["cur"], key=_natural)
    for slot in all_slots:
        role = "aide" if slot.startswith("aide:") else "teacher"
        title = SLOT_TITLES[slot.split(":")[0]]
        in_years = [y for y in YEARS if slot in slots_by_year[y]]
        stays = len(in_years) == 2 and (slot in keep or rng.random() < CONTINUE_SHARE)
        holders = [new_person(rng, f"{school}:{slot}", school, title)]
        if len(in_years) == 2 and not stays:
            holders.append(new_person(rng, f"{school}:{slot}:new", school, title))
        for i, year in enumerate(in_years):
            person = holders[min(i, len(holders) - 1)]
            person.add_role(year, role)
            staff.slots.setdefault(year, {})[slot] = person
        staff.people += holders
    return staff


def add_advisors(staff: SchoolStaff) -> dict[str, list[Staff]]:
    """High-school teachers advise; returns the advisors per year."""
    advisors = {}
    for year in YEARS:
        people = [p for p in staff.teachers(year) if p.title == "Teacher"]
        for person in people:
            person.add_role(year, "advisor", primary=False)
        advisors[year] = people
    return advisors


def advisor_links(
    advisors: dict[str, list[Staff]], rosters: dict[str, list[Learner]]
) -> list[tuple[Staff, Learner, str]]:
    """Each high-school learner gets an advisor, kept across years where the advisor stays."""
    links = []
    for year in YEARS:
        people = advisors.get(year) or []
        if not people:
            continue
        for learner in rosters.get(year, []):
            links.append((people[learner.advisor_key % len(people)], learner, year))
    return links


def _team_key(slot: str) -> str:
    """A team: a grade band of homeroom teachers (K-2, 3-5) or a subject department."""
    kind, what = slot.split(":")[:2]
    if kind == "h":
        return "h:lower" if int(what) <= 2 else "h:upper"
    return f"{kind}:{what}"


def coach_links(
    rng: random.Random,
    staff: SchoolStaff,
    force: Staff | None = None,
) -> list[tuple[Staff, Staff, str, str]]:
    """(coach, teacher, year, kind): the coach supports 4-8 teachers (new and developing
    ones first); the MCL leads a team of 3-5 teachers from one grade or department."""
    links = []
    for year in YEARS:
        slots = {s: p for s, p in staff.slots.get(year, {}).items() if not s.startswith("aide:")}
        if not slots:
            continue
        people = list(dict.fromkeys(slots.values()))
        needy = [p for p in people if p.key.endswith(":new") or _struggling(p)]
        others = [p for p in people if p not in needy]
        rng.shuffle(needy)
        rng.shuffle(others)
        coached = (needy + others)[: rng.randint(4, 8)]
        if year == "cur" and force is not None and force not in coached:
            coached = [force, *coached[:-1]] if len(coached) >= 4 else [force, *coached]
        assert staff.coach is not None and staff.mcl is not None
        links += [(staff.coach, p, year, "coach") for p in coached]

        teams: dict[str, list[Staff]] = {}
        for slot, person in sorted(slots.items(), key=lambda kv: _natural(kv[0])):
            if person is not force and not slot.startswith("sp:"):
                teams.setdefault(_team_key(slot), []).append(person)
        big = sorted(k for k, v in teams.items() if len(v) >= 3)
        if big:
            team = teams[rng.choice(big)][: rng.randint(3, 5)]
        else:
            team = [p for p in people if p is not force][: rng.randint(3, 5)]
        links += [(staff.mcl, p, year, "mcl") for p in dict.fromkeys(team)]
    return links


def _struggling(person: Staff) -> bool:
    return person.rating is not None and person.rating[0] in ("developing", "ineffective")


def rate(rng: random.Random, people: list[Staff]) -> None:
    """Last year's rating for everyone who held a rated role last year."""
    for person in people:
        held = [r for r, _ in person.roles.get("prev", ())]
        if not any(r in RATED_ROLES for r in held):
            continue
        level = str(pick(rng, MCL_LEVELS if "mcl" in held else LEVELS))
        low, high = SCORE_RANGES[level]
        score = round(rng.uniform(low, high), 2)
        growth = round(min(4.0, max(1.0, score + rng.uniform(-0.4, 0.4))), 2)
        practice = round(min(4.0, max(1.0, 2 * score - growth)), 2)
        person.rating = (
            level,
            Decimal(f"{score:.2f}"),
            {"student_growth": growth, "professional_practice": practice},
        )
