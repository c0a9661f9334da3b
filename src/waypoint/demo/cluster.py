"""One feeder pattern of the demo district: plan learners, sections and staff, then write.

Elementary schools feed one middle and one high school. Learners move up a grade between
the two years (last year's fifth graders are this year's sixth graders at the middle
school); last year's leavers stay as former learners with their history. Cluster 0 also
holds the people behind the demo logins (see ``waypoint.demo.logins``).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

from waypoint.demo import population as pop
from waypoint.demo import schedule as sched
from waypoint.demo import staff as stf
from waypoint.demo.writer import YEARS, ClusterWriter

if TYPE_CHECKING:
    from waypoint.demo.generator import DemoBuilder

ELEMENTARY_SCHOOL_SIZE = 320
DEMO_TEACHER_SLOT = "t:mathematics:0"
DEMO_AIDE_SLOT = "aide:0"


def elementary_schools(cluster_learners: int) -> int:
    """Elementary schools in a cluster of this size (about 320 learners each)."""
    return max(1, round(cluster_learners * 6 / 13 / ELEMENTARY_SCHOOL_SIZE))


def school_level(grade: int) -> str:
    return "elementary" if grade <= 5 else "middle" if grade <= 8 else "high"


class ClusterBuilder(ClusterWriter):
    """Plans one cluster in memory, then writes it; nothing is kept afterwards."""

    def __init__(self, parent: DemoBuilder, index: int, learners: int) -> None:
        self.p = parent
        self.c = index
        self.n = learners
        self.rng = random.Random(f"waypoint-demo:{parent.seed}:cluster:{index}")
        self.demo = index == 0
        self.levels = ["elementary"] * elementary_schools(learners) + ["middle", "high"]
        self.middle = len(self.levels) - 2

    # ---- planning ------------------------------------------------------------------------
    def build(self) -> None:
        p, rng = self.p, self.rng
        learners = pop.build_learners(rng, self.n, p.plans["cur"].start_year, p.windows)
        pop.build_families(rng, learners, len(self.levels) - 2)
        self.learners = learners
        rosters: dict[str, list[dict[int, list[pop.Learner]]]] = {
            y: [{} for _ in self.levels] for y in YEARS
        }
        for learner in learners:
            for year, grade in learner.grades.items():
                by_grade = rosters[year][self.school_of(learner, grade)]
                by_grade.setdefault(grade, []).append(learner)
        self.sections = {
            year: [
                sched.plan_elementary(rng, rosters[year][s])
                if level == "elementary"
                else sched.plan_secondary(rng, rosters[year][s], level)
                for s, level in enumerate(self.levels)
            ]
            for year in YEARS
        }
        if self.demo:
            self._demo_aide(self.sections["cur"][self.middle])
        self.staff = []
        for s in range(len(self.levels)):
            slots = {y: self._slots(self.sections[y][s]) for y in YEARS}
            keep = {DEMO_TEACHER_SLOT, DEMO_AIDE_SLOT} if s == self.middle else set()
            self.staff.append(stf.staff_school(rng, s, slots, frozenset(keep)))
        advisors = stf.add_advisors(self.staff[-1])
        high_rosters = {
            y: [lr for g in sorted(rosters[y][-1]) for lr in rosters[y][-1][g]] for y in YEARS
        }
        self.advisor_links = stf.advisor_links(advisors, high_rosters)
        for school in self.staff:
            stf.rate(rng, school.people)
        force = self.staff[self.middle].slots["cur"][DEMO_TEACHER_SLOT] if self.demo else None
        self.coach_links = []
        for s, school in enumerate(self.staff):
            self.coach_links += stf.coach_links(rng, school, force if s == self.middle else None)
        self.write()
        if self.demo:
            self._pick_demo_people()

    def school_of(self, learner: pop.Learner, grade: int) -> int:
        level = school_level(grade)
        if level == "elementary":
            assert learner.family is not None
            return learner.family.elementary
        return self.middle if level == "middle" else self.middle + 1

    @staticmethod
    def _slots(sections: list[sched.PlannedSection]) -> set[str]:
        slots = set()
        for section in sections:
            slots.add(section.lead)
            if section.co:
                slots.add(section.co)
            slots.update(section.aides)
        return slots

    @staticmethod
    def _demo_aide(sections: list[sched.PlannedSection]) -> None:
        """Make sure the demo aide works in one of the demo teacher's sections."""
        mine = [s for s in sections if s.lead == DEMO_TEACHER_SLOT]
        if any(DEMO_AIDE_SLOT in s.aides for s in mine):
            return
        target = mine[0]
        for section in sections:
            if section.period == target.period and DEMO_AIDE_SLOT in section.aides:
                section.aides.remove(DEMO_AIDE_SLOT)
        target.aides.append(DEMO_AIDE_SLOT)

    # ---- the demo logins -----------------------------------------------------------------
    def _pick_demo_people(self) -> None:
        """One person per role, chosen so the demo tells one coherent story (see logins)."""
        people = self.p.people
        school = self.staff[self.middle]
        assert school.principal and school.coach and school.mcl
        chosen = {
            "teacher": school.slots["cur"][DEMO_TEACHER_SLOT],
            "aide": school.slots["cur"][DEMO_AIDE_SLOT],
            "leader": school.principal,
            "coach": school.coach,
            "mcl": school.mcl,
        }
        advisees = Counter(id(a) for a, _, year in self.advisor_links if year == "cur")
        chosen["advisor"] = next(a for a in self.staff[-1].teachers("cur") if advisees[id(a)])
        for username, person in chosen.items():
            assert person.pk is not None
            people[username] = person.pk
        in_class = [
            lr
            for section in self.sections["cur"][self.middle]
            if section.lead == DEMO_TEACHER_SLOT
            for lr in section.learners
            if lr.active
        ]

        def story(learner: pop.Learner) -> tuple[int, int]:
            """Prefer a learner with a sibling in the district and two guardians."""
            assert learner.family is not None
            siblings = sum(1 for ch in learner.family.children if ch.active)
            return (-min(siblings, 2), -len(learner.family.guardians))

        learner = min(in_class, key=story)  # min keeps the first of equals: deterministic
        assert learner.family is not None and learner.pk is not None
        guardian = learner.family.guardians[0]
        assert guardian.pk is not None
        people["learner"], people["guardian"] = learner.pk, guardian.pk
