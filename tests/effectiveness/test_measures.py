"""Access measures from the roster, on hand-worked cases (the issue's "must show" 2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests import factories as f
from waypoint.effectiveness.measures import NO_SCHOOL, year_measures
from waypoint.effectiveness.models import EffectivenessRating, InstructorLink
from waypoint.engine import access_measures as am
from waypoint.roster.models import Enrollment, StaffRole, Subject

L = EffectivenessRating.Level
HE, E, NR, PR = am.HIGHLY_EFFECTIVE, am.EFFECTIVE, am.NOT_RATED, am.PARTLY_RATED


def _teach(section, person, *, share=None, role=Enrollment.Role.TEACHER, **kw):
    return f.EnrollmentFactory(
        section=section,
        person=person,
        role=role,
        primary=role == Enrollment.Role.TEACHER,
        instructor_share=share,
        **kw,
    )


@pytest.fixture
def scene(db: None) -> SimpleNamespace:
    """School A (principal rated highly effective) and school B (principal without a rating).

    Math at A: T1 (share 0.6, HE) and T2 (share 0.4, effective) with an aide rated HE.
    ELA at A: T3, no rating. Learner L1 takes both. Learner L2 was in T1's math at A on the
    count date and moved to B (T4, effective) on October 20; the roster now says B.
    """
    s = SimpleNamespace()
    d = s.district = f.DistrictFactory()
    y = s.year = f.SchoolYearFactory(district=d)
    s.a = f.SchoolFactory(district=d, name="A")
    s.b = f.SchoolFactory(district=d, name="B")
    s.pa = f.StaffFactory(district=d)
    s.pb = f.StaffFactory(district=d)
    f.StaffRoleFactory(person=s.pa, role=StaffRole.Role.SCHOOL_LEADER, school=s.a)
    f.StaffRoleFactory(person=s.pb, role=StaffRole.Role.SCHOOL_LEADER, school=s.b, school_year=y)
    s.t1, s.t2, s.t3, s.t4, s.aide = (f.StaffFactory(district=d) for _ in range(5))
    for person, level in [(s.pa, L.HIGHLY_EFFECTIVE), (s.t1, L.HIGHLY_EFFECTIVE)]:
        f.RatingFactory(staff=person, school_year=y, level=level)
    for person in (s.t2, s.t4):
        f.RatingFactory(staff=person, school_year=y, level=L.EFFECTIVE)
    f.RatingFactory(staff=s.aide, school_year=y, level=L.HIGHLY_EFFECTIVE)
    s.math_a = f.SectionFactory(school=s.a, school_year=y, subject=Subject.MATHEMATICS)
    s.ela_a = f.SectionFactory(school=s.a, school_year=y, subject=Subject.ELA)
    s.math_b = f.SectionFactory(school=s.b, school_year=y, subject=Subject.MATHEMATICS)
    _teach(s.math_a, s.t1, share=Decimal("0.6"))
    _teach(s.math_a, s.t2, share=Decimal("0.4"))
    _teach(s.math_a, s.aide, role=Enrollment.Role.AIDE)
    _teach(s.ela_a, s.t3)
    _teach(s.math_b, s.t4)
    s.l1 = f.LearnerFactory(district=d)
    f.LearnerYearFactory(learner=s.l1, school_year=y, school=s.a)
    f.EnrollmentFactory(section=s.math_a, person=s.l1)
    f.EnrollmentFactory(section=s.ela_a, person=s.l1)
    s.l2 = f.LearnerFactory(district=d)
    f.LearnerYearFactory(learner=s.l2, school_year=y, school=s.b)
    moved = dt.date(y.start_date.year, 10, 20)
    f.EnrollmentFactory(section=s.math_a, person=s.l2, end_date=moved)
    f.EnrollmentFactory(section=s.math_b, person=s.l2, begin_date=moved + dt.timedelta(days=1))
    return s


def _by_subject(m) -> dict[tuple[int, str], tuple[int, int, int]]:
    p = m.per_subject
    return {
        (int(a), m.subjects[int(b)]): (int(t), int(pr), int(x))
        for a, b, t, pr, x in zip(p.learner, p.subject, p.teacher, p.principal, p.both, strict=True)
    }


def _by_learner(m) -> dict[int, tuple[int, int, int]]:
    p = m.per_learner
    return {
        int(a): (int(t), int(pr), int(x))
        for a, t, pr, x in zip(p.learner, p.teacher, p.principal, p.both, strict=True)
    }


def test_shares_aide_unrated_teacher_and_the_mover(scene: SimpleNamespace) -> None:
    m = year_measures(scene.year)
    assert m.learners[scene.l1.pk].school == scene.a.pk
    # moved after the count date: counted at A, with A's math teacher
    assert m.learners[scene.l2.pk].school == scene.a.pk
    assert _by_subject(m) == {
        (scene.l1.pk, "mathematics"): (HE, HE, HE),  # T1 only (0.6); T2 (0.4) and aide not
        (scene.l1.pk, "ela"): (NR, HE, PR),  # T3 has no rating
        (scene.l2.pk, "mathematics"): (HE, HE, HE),
    }
    assert _by_learner(m) == {scene.l1.pk: (PR, HE, PR), scene.l2.pk: (HE, HE, HE)}


def test_both_teachers_count_without_shares_and_the_aide_never(scene: SimpleNamespace) -> None:
    Enrollment.objects.filter(section=scene.math_a).update(instructor_share=None)
    m = year_measures(scene.year)
    # T1 HE and T2 effective are both teachers of record: the learner-subject is effective
    assert _by_subject(m)[(scene.l1.pk, "mathematics")] == (E, HE, E)


def test_principal_without_rating(scene: SimpleNamespace) -> None:
    learner = f.LearnerFactory(district=scene.district)
    f.LearnerYearFactory(learner=learner, school_year=scene.year, school=scene.b)
    f.EnrollmentFactory(section=scene.math_b, person=learner)
    m = year_measures(scene.year)
    assert _by_subject(m)[(learner.pk, "mathematics")] == (E, NR, PR)


def test_learner_without_sections_is_not_rated_not_dropped(scene: SimpleNamespace) -> None:
    learner = f.LearnerFactory(district=scene.district)
    f.LearnerYearFactory(learner=learner, school_year=scene.year, school=None)
    m = year_measures(scene.year)
    assert m.learners[learner.pk].school == NO_SCHOOL
    assert _by_learner(m)[learner.pk] == (NR, NR, NR)


def test_imported_links_replace_the_roster_links(scene: SimpleNamespace) -> None:
    for staff, share in [(scene.t1, "0.3"), (scene.t2, "0.7")]:
        InstructorLink.objects.create(
            district=scene.district,
            learner=scene.l1,
            staff=staff,
            subject="mathematics",
            school_year=scene.year,
            share=Decimal(share),
        )
    m = year_measures(scene.year)
    assert _by_subject(m)[(scene.l1.pk, "mathematics")] == (E, HE, E)


def test_mcl_is_teacher_of_record_alongside(scene: SimpleNamespace) -> None:
    mcl = f.StaffFactory(district=scene.district)
    f.CoachLinkFactory(coach=mcl, teacher=scene.t1, school_year=scene.year, kind="mcl")
    m = year_measures(scene.year)
    # the MCL has no rating: T1 HE plus an unrated MCL is partly rated
    assert _by_subject(m)[(scene.l1.pk, "mathematics")] == (PR, HE, PR)
    f.RatingFactory(staff=mcl, school_year=scene.year, level=L.HIGHLY_EFFECTIVE)
    assert _by_subject(year_measures(scene.year))[(scene.l1.pk, "mathematics")] == (HE, HE, HE)


def test_world_other_district_and_other_years_stay_out(world: SimpleNamespace) -> None:
    m = year_measures(world.year_a)
    assert set(m.learners) == {world.l1.pk, world.l2.pk, world.l3.pk, world.lf.pk}
    # the world's ratings are last year's: this year nobody is rated
    assert set(_by_learner(m).values()) == {(NR, NR, NR)}
    last = year_measures(world.last_year_a)
    assert set(last.learners) == {world.lf.pk}
    # lf was T1's (effective last year) at Alder Elementary, whose leader was rated effective
    assert _by_learner(last)[world.lf.pk] == (E, E, E)
