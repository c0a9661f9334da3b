"""Two districts, each with a school whose staffing is the engine's worked example.

Teacher A (highly effective, $60,000) and B, C, D (effective, developing, effective;
$50,000, $50,000, $52,000) each teach a grade-4 mathematics class of 22; a vacant position
($70,000) covers a fifth class of 24 taught by an unrated substitute. A school leader and a
district admin plan; a teacher does not.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from tests import factories as f
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import District, Enrollment, Person, StaffRole
from waypoint.staffing.models import Position

L = EffectivenessRating.Level


def _account(person: Person, username: str) -> Person:
    person.user = f.UserFactory(username=username)
    person.save(update_fields=["user"])
    return person


def build_school(district: District, prefix: str) -> SimpleNamespace:
    s = SimpleNamespace(district=district)
    s.year = f.SchoolYearFactory(district=district)
    s.school = f.SchoolFactory(district=district, name=f"{prefix} Elementary")
    s.other_school = f.SchoolFactory(district=district, name=f"{prefix} Middle")
    ratings = {"A": L.HIGHLY_EFFECTIVE, "B": L.EFFECTIVE, "C": L.DEVELOPING, "D": L.EFFECTIVE}
    salaries = {"A": 60_000, "B": 50_000, "C": 50_000, "D": 52_000}
    s.teachers = {}
    s.sections = {}
    s.learners = []
    for name in ("A", "B", "C", "D", "sub"):
        teacher = f.StaffFactory(district=district, given_name=name, family_name=prefix)
        f.StaffRoleFactory(person=teacher, role=StaffRole.Role.TEACHER, school=s.school)
        section = f.SectionFactory(
            school=s.school, school_year=s.year, title=f"Grade 4 math {name}", grade=4
        )
        f.EnrollmentFactory(section=section, person=teacher, role=Enrollment.Role.TEACHER)
        size = 24 if name == "sub" else 22
        for i in range(size):
            learner = f.LearnerFactory(district=district)
            f.LearnerYearFactory(
                learner=learner,
                school_year=s.year,
                school=s.school,
                grade=4,
                english_learner=i % 3 == 0,
            )
            f.EnrollmentFactory(section=section, person=learner)
            s.learners.append(learner)
        s.teachers[name] = teacher
        s.sections[name] = section
        if name in ratings:
            EffectivenessRating.objects.create(
                district=district, staff=teacher, school_year=s.year, level=ratings[name]
            )
            Position.objects.create(
                district=district,
                sourced_id=f"{prefix}-pos-{name}",
                school=s.school,
                staff=teacher,
                kind=Position.Kind.TEACHER,
                salary=Decimal(salaries[name]),
                certifications=["mathematics:3-5"],
            )
    s.vacancy = Position.objects.create(
        district=district,
        sourced_id=f"{prefix}-pos-V1",
        school=s.school,
        kind=Position.Kind.TEACHER,
        salary=Decimal(70_000),
        certifications=["mathematics:3-5"],
    )
    s.vacancy.covers.add(s.sections["sub"])
    s.admin = _account(f.StaffFactory(district=district), f"{prefix.lower()}-admin")
    f.StaffRoleFactory(person=s.admin, role=StaffRole.Role.DISTRICT_ADMIN)
    s.leader = _account(f.StaffFactory(district=district), f"{prefix.lower()}-leader")
    f.StaffRoleFactory(person=s.leader, role=StaffRole.Role.SCHOOL_LEADER, school=s.school)
    s.other_leader = _account(f.StaffFactory(district=district), f"{prefix.lower()}-leader2")
    f.StaffRoleFactory(
        person=s.other_leader, role=StaffRole.Role.SCHOOL_LEADER, school=s.other_school
    )
    _account(s.teachers["B"], f"{prefix.lower()}-teacher")
    return s


def build_two() -> tuple[SimpleNamespace, SimpleNamespace]:
    a = build_school(f.DistrictFactory(name="Alder District", slug="alder"), "Alder")
    b = build_school(f.DistrictFactory(name="Birch District", slug="birch"), "Birch")
    return a, b
