"""Writing one planned cluster: schools, people, yearly facts, staff links, sections and
enrollments, as plain tuples through ``waypoint.demo.bulk`` (see ``cluster`` for the plan)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from waypoint.demo import bulk
from waypoint.demo import population as pop
from waypoint.demo import schedule as sched
from waypoint.demo import staff as stf
from waypoint.demo.names import DOMAIN, ascii_slug
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import (
    AdvisorLink,
    CoachLink,
    Demographics,
    Enrollment,
    GuardianLink,
    LearnerYear,
    Person,
    School,
    Section,
    StaffRole,
)

if TYPE_CHECKING:
    from waypoint.demo.generator import DemoBuilder

YEARS = ("prev", "cur")
SCHOOL_KINDS = {
    "elementary": (School.Kind.ELEMENTARY, 0, 5, "Elementary School"),
    "middle": (School.Kind.MIDDLE, 6, 8, "Middle School"),
    "high": (School.Kind.HIGH, 9, 12, "High School"),
}
FLAG_FIELDS = (
    "economically_disadvantaged",
    "english_learner",
    "disability",
    "disability_service_level",
    "gifted",
    "homeless",
    "foster_care",
    "district_groups",
)


class ClusterWriter:
    """The writing half of a cluster; ``ClusterBuilder`` fills these attributes first."""

    p: DemoBuilder
    c: int
    rng: random.Random
    levels: list[str]
    learners: list[pop.Learner]
    staff: list[stf.SchoolStaff]
    sections: dict[str, list[list[sched.PlannedSection]]]
    coach_links: list[tuple[stf.Staff, stf.Staff, str, str]]
    advisor_links: list[tuple[stf.Staff, pop.Learner, str]]
    schools: list[int]
    school_codes: list[str]
    families: list[pop.Family]

    def school_of(self, learner: pop.Learner, grade: int) -> int:
        raise NotImplementedError

    def write(self) -> None:
        self._write_schools()
        self._write_people()
        self._write_learner_facts()
        self._write_staff_facts()
        self._write_sections()
        self._write_enrollments()

    def _write_schools(self) -> None:
        p = self.p
        rows = []
        for level in self.levels:
            kind, low, high, suffix = SCHOOL_KINDS[level]
            name = f"{p.school_names[p.school_no]} {suffix}"
            p.school_no += 1
            rows.append(
                (
                    p.sid(f"school/{p.school_no}"),
                    name,
                    f"{3700000 + p.school_no:07d}",
                    kind,
                    low,
                    high,
                )
            )
        names = ("sourced_id", "name", "identifier", "kind", "grade_low", "grade_high")
        self.schools = p.save(School, names, rows, returning=True)
        self.school_codes = [row[2][-4:] for row in rows]

    def _write_people(self) -> None:
        p, rng = self.p, self.rng
        base = 1_000_000_000 + self.c * 10_000
        rows: list[tuple[Any, ...]] = []
        for lr in self.learners:
            family = lr.family
            assert family is not None
            email = (
                f"{ascii_slug(lr.given)}.{ascii_slug(family.name)}.{base + lr.key}"
                f"@students.{DOMAIN}"
            )
            rows.append(
                (
                    p.sid(f"learner/{self.c}/{lr.key}"),
                    Person.Kind.LEARNER,
                    lr.given,
                    family.name,
                    email,
                    str(base + lr.key),
                    lr.active,
                )
            )
        families = {id(lr.family): lr.family for lr in self.learners}
        self.families = [f for f in families.values() if f is not None]
        guardians = [g for family in self.families for g in family.guardians]
        for i, g in enumerate(guardians):
            email = ""
            if rng.random() < 0.8:
                email = f"{ascii_slug(g.given)}{ascii_slug(g.family)}{rng.randrange(10, 100)}"
                email += "@example.com"
            rows.append(
                (
                    p.sid(f"guardian/{self.c}/{i}"),
                    Person.Kind.GUARDIAN,
                    g.given,
                    g.family,
                    email,
                    f"G{self.c:04d}{i:06d}",
                    True,
                )
            )
        staff = [person for school in self.staff for person in school.people]
        rows += [p.staff_row(person, str(self.c)) for person in staff]
        ids = p.save(Person, p.PERSON_FIELDS, rows, returning=True)
        records: list[Any] = [*self.learners, *guardians, *staff]
        for record, pk in zip(records, ids, strict=True):
            record.pk = pk

    def _write_learner_facts(self) -> None:
        p = self.p

        def demographics() -> Iterator[tuple[Any, ...]]:
            for lr in self.learners:
                assert lr.family is not None
                races, f = set(lr.family.races), lr.family
                yield (
                    p.sid(f"learner/{self.c}/{lr.key}"),
                    lr.pk,
                    lr.birth_date,
                    lr.gender,
                    "native" in races,
                    "asian" in races,
                    "black" in races,
                    "pacific" in races,
                    "white" in races,
                    f.hispanic,
                )

        p.save(
            Demographics,
            (
                "sourced_id",
                "person",
                "birth_date",
                "gender",
                "american_indian_or_alaska_native",
                "asian",
                "black_or_african_american",
                "native_hawaiian_or_other_pacific_islander",
                "white",
                "hispanic_or_latino",
            ),
            demographics(),
        )

        def years() -> Iterator[tuple[Any, ...]]:
            for lr in self.learners:
                for year, grade in lr.grades.items():
                    flags = pop.flags_for(lr, year)
                    yield (
                        lr.pk,
                        p.years[year],
                        self.schools[self.school_of(lr, grade)],
                        grade,
                        *(flags[name] for name in FLAG_FIELDS),
                    )

        p.save(LearnerYear, ("learner", "school_year", "school", "grade", *FLAG_FIELDS), years())
        p.save(
            GuardianLink,
            ("guardian", "learner", "relationship"),
            (
                (g.pk, child.pk, g.relationship)
                for family in self.families
                for g in family.guardians
                for child in family.children
            ),
        )

    def _write_staff_facts(self) -> None:
        p = self.p
        people = [(s, person) for s, school in enumerate(self.staff) for person in school.people]
        p.save(
            StaffRole,
            ("person", "role", "school", "school_year", "primary"),
            [
                (person.pk, role, self.schools[s], p.years[year], primary)
                for s, person in people
                for year, held in person.roles.items()
                for role, primary in held
            ],
        )
        p.save(
            EffectivenessRating,
            ("staff", "school_year", "level", "score", "components"),
            [
                (person.pk, p.years["prev"], *person.rating)
                for _, person in people
                if person.rating is not None
            ],
        )
        p.save(
            CoachLink,
            ("coach", "teacher", "school_year", "kind"),
            [(c.pk, t.pk, p.years[y], kind) for c, t, y, kind in self.coach_links],
        )
        p.save(
            AdvisorLink,
            ("advisor", "learner", "school_year"),
            [(a.pk, lr.pk, p.years[y]) for a, lr, y in self.advisor_links],
        )

    def _write_sections(self) -> None:
        p = self.p
        rows: list[tuple[Any, ...]] = []
        planned: list[tuple[str, sched.PlannedSection]] = []
        for year in YEARS:
            for s, sections in enumerate(self.sections[year]):
                people = self.staff[s].slots.get(year, {})
                leads = sorted({x.lead for x in sections}, key=stf._natural)
                rooms = {slot: f"Room {101 + i}" for i, slot in enumerate(leads)}
                for n, section in enumerate(sections):
                    course_id, spec = p.courses[section.course]
                    rows.append(
                        (
                            p.sid(f"section/{self.c}/{year}/{s}/{n}"),
                            self.schools[s],
                            p.years[year],
                            course_id,
                            f"{spec.title} — {people[section.lead].family}",
                            f"{spec.code}-{self.school_codes[s]}-{n + 1:03d}",
                            section.subject,
                            section.grade,
                            section.period,
                            rooms[section.lead],
                        )
                    )
                    planned.append((year, section))
        names = (
            "sourced_id",
            "school",
            "school_year",
            "course",
            "title",
            "code",
            "subject",
            "grade",
            "period",
            "location",
        )
        ids = p.save(Section, names, rows, returning=True)
        links = []
        for (year, section), pk in zip(planned, ids, strict=True):
            section.pk = pk
            links += [(pk, term) for term in p.semesters[year]]
        count, _ = bulk.insert(Section.terms.through, ("section", "term"), links)
        p.rows["roster.Section_terms"] += count

    def _write_enrollments(self) -> None:
        p = self.p
        teacher, aide, student = (
            Enrollment.Role.TEACHER,
            Enrollment.Role.AIDE,
            Enrollment.Role.STUDENT,
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            for year in YEARS:
                plan = p.plans[year]
                begin, end = plan.enroll_begin, (None if year == "cur" else plan.last_day)
                for s, sections in enumerate(self.sections[year]):
                    people = self.staff[s].slots.get(year, {})
                    for n, section in enumerate(sections):
                        key = f"enrollment/{self.c}/{year}/{s}/{n}"
                        lead_share = section.shares[0] if section.shares else None
                        staff = [(section.lead, teacher, True, lead_share)]
                        if section.co and section.shares:
                            staff.append((section.co, teacher, False, section.shares[1]))
                        staff += [(a, aide, False, None) for a in section.aides]
                        for slot, role, primary, share in staff:
                            person = people[slot]
                            yield (
                                p.sid(f"{key}/{person.key}"),
                                section.pk,
                                person.pk,
                                role,
                                primary,
                                begin,
                                end,
                                share,
                            )
                        for lr in section.learners:
                            yield (
                                p.sid(f"{key}/l{lr.key}"),
                                section.pk,
                                lr.pk,
                                student,
                                False,
                                lr.joined.get(year, begin),
                                lr.left.get(year, end),
                                None,
                            )

        names = (
            "sourced_id",
            "section",
            "person",
            "role",
            "primary",
            "begin_date",
            "end_date",
            "instructor_share",
        )
        p.save(Enrollment, names, rows())
