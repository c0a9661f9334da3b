"""Sections for one school in one year: who takes what, in which period, with whom.

Elementary learners stay with one homeroom teacher for ELA, mathematics, science and
social studies. Middle and high school learners travel in blocks of up to 30 through core
sections whose periods rotate by block (so no learner has two classes at once) and take
mixed-grade electives in their remaining periods. Teachers are "slots" (``t:mathematics:0``,
``h:3:1``, ``sp:0``, ``aide:2``) that the generator later fills with people, so that a
teacher can keep a slot from one year to the next.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from waypoint.demo.population import Learner, pick

PERIODS = 7
MAX_SECTIONS_PER_TEACHER = 5
HOMEROOM_SIZE = 23.5
SECTION_MAX = 30

ELEMENTARY_SUBJECTS = ("ela", "mathematics", "science", "social_studies")
MIDDLE_CORE = ("ela", "mathematics", "science", "social_studies", "physical_education")
HIGH_CORE = ("ela", "mathematics", "science", "social_studies")

SUBJECT_TITLES = {
    "ela": "English Language Arts",
    "mathematics": "Mathematics",
    "science": "Science",
    "social_studies": "Social Studies",
    "physical_education": "Physical Education",
}
HIGH_TITLES = {
    "ela": {9: "English 9", 10: "English 10", 11: "American Literature", 12: "British Literature"},
    "mathematics": {9: "Algebra I", 10: "Geometry", 11: "Algebra II", 12: "Precalculus"},
    "science": {9: "Biology", 10: "Chemistry", 11: "Physics", 12: "Environmental Science"},
    "social_studies": {
        9: "World Geography",
        10: "World History",
        11: "United States History",
        12: "Government and Economics",
    },
}
# elective slots: (course title, subject, weight)
MIDDLE_ELECTIVES = (
    (
        ("Art", "arts", 0.28),
        ("Band", "arts", 0.15),
        ("Choir", "arts", 0.10),
        ("Spanish I", "world_languages", 0.27),
        ("Computer Science Discoveries", "computer_science", 0.20),
    ),
)
HIGH_ELECTIVES = (
    (
        ("Spanish I", "world_languages", 0.22),
        ("Spanish II", "world_languages", 0.15),
        ("French I", "world_languages", 0.10),
        ("Chinese I", "world_languages", 0.05),
        ("Health and Physical Education", "physical_education", 0.36),
        ("Weight Training", "physical_education", 0.12),
    ),
    (
        ("Studio Art", "arts", 0.14),
        ("Band", "arts", 0.10),
        ("Theatre", "arts", 0.08),
        ("Choir", "arts", 0.08),
        ("Computer Science Principles", "computer_science", 0.15),
        ("Introduction to Engineering", "career_technical", 0.12),
        ("Health Science", "career_technical", 0.12),
        ("Culinary Arts", "career_technical", 0.10),
        ("Business and Marketing", "career_technical", 0.11),
    ),
)
SUBJECT_CODES = {
    "ela": "ELA",
    "mathematics": "MATH",
    "science": "SCI",
    "social_studies": "SS",
    "physical_education": "PE",
    "arts": "ART",
    "world_languages": "WL",
    "computer_science": "CS",
    "career_technical": "CTE",
}


@dataclass(frozen=True)
class CourseSpec:
    key: str
    title: str
    code: str
    subject: str
    grade: int | None


@dataclass(slots=True, eq=False)
class PlannedSection:
    course: str
    subject: str
    grade: int | None
    period: str
    learners: list[Learner]
    lead: str = ""
    co: str | None = None
    shares: tuple[str, str] | None = None  # (lead, co-teacher) instruction shares
    aides: list[str] = field(default_factory=list)
    pk: int | None = None


def _grade_word(grade: int) -> str:
    return "Kindergarten" if grade == 0 else f"Grade {grade}"


def catalogue() -> list[CourseSpec]:
    """The district's course catalogue (one course per subject and grade, plus electives)."""
    specs = []
    for grade in range(0, 6):
        for subject in ELEMENTARY_SUBJECTS:
            title = f"{_grade_word(grade)} {SUBJECT_TITLES[subject]}"
            code = f"{SUBJECT_CODES[subject]}-{'K' if grade == 0 else grade:0>2}"
            specs.append(CourseSpec(f"e:{subject}:{grade}", title, code, subject, grade))
    for grade in range(6, 9):
        for subject in MIDDLE_CORE:
            title = f"{SUBJECT_TITLES[subject]} {grade}"
            code = f"{SUBJECT_CODES[subject]}-{grade:02d}"
            specs.append(CourseSpec(f"m:{subject}:{grade}", title, code, subject, grade))
    for grade in range(9, 13):
        for subject in HIGH_CORE:
            title = HIGH_TITLES[subject][grade]
            code = f"{SUBJECT_CODES[subject]}-{grade:02d}"
            specs.append(CourseSpec(f"h:{subject}:{grade}", title, code, subject, grade))
    seen = set()
    for level, slots in (("MS", MIDDLE_ELECTIVES), ("HS", HIGH_ELECTIVES)):
        for slot in slots:
            for title, subject, _ in slot:
                key = f"x:{level}:{title}"
                if key not in seen:
                    seen.add(key)
                    code = f"{SUBJECT_CODES[subject]}-{level}-{len(seen):02d}"
                    specs.append(CourseSpec(key, title, code, subject, None))
    return specs


def _split(items: Sequence[Learner], parts: int) -> list[list[Learner]]:
    """Split into ``parts`` nearly equal consecutive groups."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def plan_elementary(rng: random.Random, rosters: dict[int, list[Learner]]) -> list[PlannedSection]:
    """Homerooms of about 23; each homeroom is four sections with the same teacher."""
    sections = []
    for grade in sorted(rosters):
        roster = list(rosters[grade])
        if not roster:
            continue
        rng.shuffle(roster)
        homerooms = max(1, round(len(roster) / HOMEROOM_SIZE))
        for h, group in enumerate(_split(roster, homerooms)):
            for subject in ELEMENTARY_SUBJECTS:
                sections.append(
                    PlannedSection(
                        course=f"e:{subject}:{grade}",
                        subject=subject,
                        grade=grade,
                        period="",
                        learners=group,
                        lead=f"h:{grade}:{h}",
                    )
                )
    _elementary_support(rng, sections)
    return sections


def plan_secondary(
    rng: random.Random, rosters: dict[int, list[Learner]], level: str
) -> list[PlannedSection]:
    """Blocks of up to 30 through core sections, then mixed-grade electives; six periods each."""
    core = MIDDLE_CORE if level == "middle" else HIGH_CORE
    electives = MIDDLE_ELECTIVES if level == "middle" else HIGH_ELECTIVES
    prefix = "m" if level == "middle" else "h"
    x_level = "MS" if level == "middle" else "HS"
    sections: list[PlannedSection] = []
    pools: dict[tuple[int, int], list[Learner]] = {}
    block_no = 0
    for grade in sorted(rosters):
        roster = list(rosters[grade])
        if not roster:
            continue
        rng.shuffle(roster)
        for block in _split(roster, max(1, math.ceil(len(roster) / SECTION_MAX))):
            for s, subject in enumerate(core):
                sections.append(
                    PlannedSection(
                        course=f"{prefix}:{subject}:{grade}",
                        subject=subject,
                        grade=grade,
                        period=str((block_no + s) % PERIODS + 1),
                        learners=block,
                    )
                )
            for j in range(len(electives)):
                period = (block_no + len(core) + j) % PERIODS + 1
                pools.setdefault((j, period), []).extend(block)
            block_no += 1
    for (j, period), pool in sorted(pools.items()):
        rng.shuffle(pool)
        options = [((title, subject), w) for title, subject, w in electives[j]]
        for group in _split(pool, max(1, math.ceil(len(pool) / SECTION_MAX))):
            title, subject = cast(tuple[str, str], pick(rng, options))
            sections.append(
                PlannedSection(
                    course=f"x:{x_level}:{title}",
                    subject=subject,
                    grade=None,
                    period=str(period),
                    learners=group,
                )
            )
    _assign_teachers(sections)
    _secondary_support(rng, sections)
    return sections


def _assign_teachers(sections: list[PlannedSection]) -> None:
    """Fill teachers one course at a time: up to five sections each, never two at once."""
    loads: dict[str, list[set[str]]] = {}
    order = sorted(sections, key=lambda s: (s.subject, s.course, int(s.period)))
    for section in order:
        teachers = loads.setdefault(section.subject, [])
        free = [
            i
            for i, periods in enumerate(teachers)
            if len(periods) < MAX_SECTIONS_PER_TEACHER and section.period not in periods
        ]
        if free:
            chosen = free[0]
        else:
            teachers.append(set())
            chosen = len(teachers) - 1
        teachers[chosen].add(section.period)
        section.lead = f"t:{section.subject}:{chosen}"


def _co_shares(rng: random.Random) -> tuple[str, str]:
    return ("0.600", "0.400") if rng.random() < 0.7 else ("0.500", "0.500")


def _elementary_support(rng: random.Random, sections: list[PlannedSection]) -> None:
    """Co-teachers for ELA and mathematics in some homerooms; aides, early grades first."""
    homerooms: dict[str, list[PlannedSection]] = {}
    for section in sections:
        if section.subject in ("ela", "mathematics"):
            homerooms.setdefault(section.lead, []).append(section)
    keys = list(homerooms)
    shuffled = list(keys)
    rng.shuffle(shuffled)
    specialists = max(1, round(len(keys) * 0.15 / 2))
    for i in range(specialists):
        for lead in shuffled[2 * i : 2 * i + 2]:
            shares = _co_shares(rng)
            for section in homerooms[lead]:
                section.co, section.shares = f"sp:{i}", shares
    early = [k for k in keys if int(k.split(":")[1]) <= 2]
    later = [k for k in keys if int(k.split(":")[1]) > 2]
    rng.shuffle(early)
    rng.shuffle(later)
    aides = max(1, round(len(keys) / 4))
    for i, lead in enumerate((early + later)[: aides * 2]):
        for section in homerooms[lead]:
            section.aides.append(f"aide:{i // 2}")


def _secondary_support(rng: random.Random, sections: list[PlannedSection]) -> None:
    """Co-taught inclusion sections (ELA, mathematics) with shares; aides in some core sections."""
    eligible = [s for s in sections if s.subject in ("ela", "mathematics") and s.grade is not None]
    rng.shuffle(eligible)
    specialists = max(1, round(len(eligible) * 0.12 / 4))
    taken: set[int] = set()
    for i in range(specialists):
        periods: set[str] = set()
        for section in eligible:
            if len(periods) == 4:
                break
            if id(section) in taken or section.period in periods:
                continue
            taken.add(id(section))
            periods.add(section.period)
            section.co, section.shares = f"sp:{i}", _co_shares(rng)
    core = [s for s in sections if s.grade is not None]
    core.sort(key=lambda s: s.co is None)  # aides go first where there is a co-teacher
    aides = max(1, round(len(sections) / 45))
    used: set[int] = set()
    for i in range(aides):
        periods = set()
        for section in core:
            if len(periods) == MAX_SECTIONS_PER_TEACHER:
                break
            if id(section) in used or section.period in periods:
                continue
            used.add(id(section))
            periods.add(section.period)
            section.aides.append(f"aide:{i}")
