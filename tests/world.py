"""A small two-district world that every access test shares: built from factories, not files.

District A has two schools; district B mirrors the basics so that leaks across tenants show.
Names in the returned namespace are the ones the access matrix uses.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tests import factories as f
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import Enrollment, Person, School, StaffRole


def _account(person: Person, username: str) -> Person:
    person.user = f.UserFactory(username=username)
    person.save(update_fields=["user"])
    return person


def _teach(section, teacher: Person, role: str = Enrollment.Role.TEACHER, primary: bool = True):
    return f.EnrollmentFactory(section=section, person=teacher, role=role, primary=primary)


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    a = w.district_a = f.DistrictFactory(name="Alder District", slug="alder")
    b = w.district_b = f.DistrictFactory(name="Birch District", slug="birch")

    w.year_a = f.SchoolYearFactory(district=a)
    w.last_year_a = f.SchoolYearFactory(district=a, offset=-1)
    w.year_b = f.SchoolYearFactory(district=b)

    w.school_a1 = f.SchoolFactory(district=a, name="Alder Elementary")
    w.school_a2 = f.SchoolFactory(district=a, name="Alder Middle", kind=School.Kind.MIDDLE)
    w.school_b1 = f.SchoolFactory(district=b, name="Birch Elementary")

    def section(school, year, title):
        return f.SectionFactory(school=school, school_year=year, title=title)

    w.s1 = section(w.school_a1, w.year_a, "Grade 4 Math (T1)")
    w.s2 = section(w.school_a1, w.year_a, "Grade 4 Math (T2)")
    w.s3 = section(w.school_a2, w.year_a, "Grade 7 Math (T3)")
    w.s0 = section(w.school_a1, w.last_year_a, "Grade 3 Math last year (T1)")
    w.sb = section(w.school_b1, w.year_b, "Grade 4 Math (TB)")

    def staff(district, username, *roles, school=None):
        person = _account(f.StaffFactory(district=district), username)
        for role in roles:
            f.StaffRoleFactory(person=person, role=role, school=school)
        return person

    R = StaffRole.Role
    w.t1 = staff(a, "t1", R.TEACHER, school=w.school_a1)
    w.t2 = staff(a, "t2", R.TEACHER, school=w.school_a1)
    w.t3 = staff(a, "t3", R.TEACHER, school=w.school_a2)
    w.aide = staff(a, "aide1", R.AIDE, school=w.school_a1)
    w.coach = staff(a, "coach1", R.COACH, school=w.school_a1)
    w.mcl = staff(a, "mcl1", R.MCL, school=w.school_a1)
    w.advisor = staff(a, "advisor1", R.ADVISOR, school=w.school_a1)
    w.leader = staff(a, "leader1", R.SCHOOL_LEADER, school=w.school_a1)
    w.admin = staff(a, "admin1", R.DISTRICT_ADMIN)
    w.tb = staff(b, "tb", R.TEACHER, school=w.school_b1)
    w.admin_b = staff(b, "adminb", R.DISTRICT_ADMIN)

    _teach(w.s1, w.t1)
    _teach(w.s1, w.aide, role=Enrollment.Role.AIDE, primary=False)
    _teach(w.s2, w.t2)
    _teach(w.s3, w.t3)
    _teach(w.s0, w.t1)
    _teach(w.sb, w.tb)

    w.l1 = _account(f.LearnerFactory(district=a, given_name="Ada"), "learner1")  # T1's learner
    w.l2 = f.LearnerFactory(district=a, given_name="Ben")  # T2's section, same school
    w.l3 = f.LearnerFactory(district=a, given_name="Cy")  # other school
    w.lf = f.LearnerFactory(district=a, given_name="Fay")  # T1's learner last year, T2's now
    w.ld = f.LearnerFactory(district=a, given_name="Dot")  # dropped from T1's section
    w.lb = f.LearnerFactory(district=b, given_name="Eve")  # other district

    for learner, sec in [(w.l1, w.s1), (w.l2, w.s2), (w.l3, w.s3), (w.lf, w.s2), (w.lb, w.sb)]:
        f.EnrollmentFactory(section=sec, person=learner)
        f.LearnerYearFactory(learner=learner, school_year=sec.school_year, school=sec.school)
    last_year_end = w.last_year_a.end_date
    f.EnrollmentFactory(section=w.s0, person=w.lf, end_date=last_year_end)
    f.LearnerYearFactory(learner=w.lf, school_year=w.last_year_a, school=w.school_a1, grade=3)
    f.EnrollmentFactory(
        section=w.s1,
        person=w.ld,
        end_date=f.today() - dt.timedelta(days=1),
        status=Enrollment.Status.INACTIVE,
    )

    w.guardian = _account(f.GuardianFactory(district=a), "guardian1")
    f.GuardianLinkFactory(guardian=w.guardian, learner=w.l1)
    w.guardian2 = _account(f.GuardianFactory(district=a), "guardian2")
    f.GuardianLinkFactory(guardian=w.guardian2, learner=w.l2)
    w.guardian_b = _account(f.GuardianFactory(district=b), "guardianb")
    f.GuardianLinkFactory(guardian=w.guardian_b, learner=w.lb)

    f.CoachLinkFactory(coach=w.coach, teacher=w.t1, school_year=w.year_a)
    f.CoachLinkFactory(coach=w.mcl, teacher=w.t1, school_year=w.year_a, kind="mcl")
    f.AdvisorLinkFactory(advisor=w.advisor, learner=w.l1, school_year=w.year_a)

    L = EffectivenessRating.Level
    w.rating_t1 = f.RatingFactory(staff=w.t1, school_year=w.last_year_a, level=L.EFFECTIVE)
    w.rating_t2 = f.RatingFactory(staff=w.t2, school_year=w.last_year_a, level=L.DEVELOPING)
    w.rating_t3 = f.RatingFactory(staff=w.t3, school_year=w.last_year_a, level=L.HIGHLY_EFFECTIVE)
    w.rating_leader = f.RatingFactory(staff=w.leader, school_year=w.last_year_a)
    w.rating_tb = f.RatingFactory(staff=w.tb, school_year=w.year_b)
    return w
