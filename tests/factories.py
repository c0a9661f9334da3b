"""factory_boy factories for the district data model. Tests build what they need from these."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster import models as m

PASSWORD = "correct-horse-battery"


def today() -> dt.date:
    return timezone.localdate()


def year_around(day: dt.date, offset: int = 0) -> tuple[dt.date, dt.date]:
    """Start and end of the school year (Aug 1 – Jul 31) containing ``day``, shifted by years."""
    start_year = (day.year if day.month >= 8 else day.year - 1) + offset
    return dt.date(start_year, 8, 1), dt.date(start_year + 1, 7, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.District

    sourced_id = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.School

    district = factory.SubFactory(DistrictFactory)
    sourced_id = factory.Sequence(lambda n: f"school-{n}")
    name = factory.Sequence(lambda n: f"School {n}")
    kind = m.School.Kind.ELEMENTARY
    grade_low = 0
    grade_high = 5


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SchoolYear

    class Params:
        offset = 0  # 0 = the year containing today, -1 = last year

    district = factory.SubFactory(DistrictFactory)
    sourced_id = factory.Sequence(lambda n: f"year-{n}")
    start_date = factory.LazyAttribute(lambda o: year_around(today(), o.offset)[0])
    end_date = factory.LazyAttribute(lambda o: year_around(today(), o.offset)[1])
    count_date = factory.LazyAttribute(lambda o: dt.date(o.start_date.year, 10, 1))
    title = factory.LazyAttribute(lambda o: f"{o.start_date.year}–{o.end_date.year}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Section

    school = factory.SubFactory(SchoolFactory)
    district = factory.SelfAttribute("school.district")
    school_year = factory.SubFactory(
        SchoolYearFactory, district=factory.SelfAttribute("..district")
    )
    sourced_id = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Mathematics {n}")
    subject = m.Subject.MATHEMATICS
    grade = 4


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person

    district = factory.SubFactory(DistrictFactory)
    sourced_id = factory.Sequence(lambda n: f"person-{n}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    kind = m.Person.Kind.LEARNER


class LearnerFactory(PersonFactory):
    kind = m.Person.Kind.LEARNER


class StaffFactory(PersonFactory):
    kind = m.Person.Kind.STAFF


class GuardianFactory(PersonFactory):
    kind = m.Person.Kind.GUARDIAN


class LearnerYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LearnerYear

    learner = factory.SubFactory(LearnerFactory)
    district = factory.SelfAttribute("learner.district")
    school_year = factory.SubFactory(
        SchoolYearFactory, district=factory.SelfAttribute("..district")
    )
    grade = 4


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StaffRole

    person = factory.SubFactory(StaffFactory)
    district = factory.SelfAttribute("person.district")
    role = m.StaffRole.Role.TEACHER


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Enrollment

    section = factory.SubFactory(SectionFactory)
    district = factory.SelfAttribute("section.district")
    person = factory.SubFactory(LearnerFactory, district=factory.SelfAttribute("..district"))
    role = m.Enrollment.Role.STUDENT
    begin_date = factory.SelfAttribute("section.school_year.start_date")


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.GuardianLink

    learner = factory.SubFactory(LearnerFactory)
    district = factory.SelfAttribute("learner.district")
    guardian = factory.SubFactory(GuardianFactory, district=factory.SelfAttribute("..district"))


class CoachLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CoachLink

    coach = factory.SubFactory(StaffFactory)
    district = factory.SelfAttribute("coach.district")
    teacher = factory.SubFactory(StaffFactory, district=factory.SelfAttribute("..district"))
    school_year = factory.SubFactory(
        SchoolYearFactory, district=factory.SelfAttribute("..district")
    )


class AdvisorLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AdvisorLink

    advisor = factory.SubFactory(StaffFactory)
    district = factory.SelfAttribute("advisor.district")
    learner = factory.SubFactory(LearnerFactory, district=factory.SelfAttribute("..district"))
    school_year = factory.SubFactory(
        SchoolYearFactory, district=factory.SelfAttribute("..district")
    )


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EffectivenessRating

    staff = factory.SubFactory(StaffFactory)
    district = factory.SelfAttribute("staff.district")
    school_year = factory.SubFactory(
        SchoolYearFactory, district=factory.SelfAttribute("..district")
    )
    level = EffectivenessRating.Level.EFFECTIVE
