"""The district data model: orgs, school years, courses, sections, people, enrollments, links.

Every row belongs to one district (the tenant) and keeps the stable external id it was imported
with (OneRoster ``sourcedId``) in ``sourced_id``. Rows are year-scoped where the fact changes
from year to year (sections, enrollments, a learner's grade and program flags, coaching links),
so a new school year adds rows and last year's stay as history.

Rows that come from OneRoster also keep its ``dateLastModified`` and, in ``extra`` (JSON),
the OneRoster fields Waypoint does not model, so that an export gives them back
(docs/oneroster.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from waypoint.roster.grades import Grade, grade_label


class District(models.Model):
    """The tenant. Its settings are the district-level rules DESIGN.md names."""

    sourced_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    count_date_month = models.PositiveSmallIntegerField(default=10)
    count_date_day = models.PositiveSmallIntegerField(default=1)
    suppression_min_n = models.PositiveSmallIntegerField(default=10)
    extra = models.JSONField(
        default=dict, blank=True, help_text="OneRoster fields Waypoint does not model"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """A row owned by one district, with the external id it came in with."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    sourced_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="%(app_label)s_%(class)s_unique_sourced_id",
            )
        ]


class School(TenantModel):
    class Kind(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary"
        MIDDLE = "middle", "Middle"
        HIGH = "high", "High"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    identifier = models.CharField(max_length=64, blank=True, default="", help_text="e.g. NCES id")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    grade_low = models.SmallIntegerField(choices=Grade.choices, null=True, blank=True)
    grade_high = models.SmallIntegerField(choices=Grade.choices, null=True, blank=True)
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def grade_span(self) -> str:
        return f"{grade_label(self.grade_low)}–{grade_label(self.grade_high)}"


class SchoolYear(TenantModel):
    """A school year with its count date (learners are attributed to schools on that day)."""

    title = models.CharField(max_length=40)
    start_date = models.DateField()
    end_date = models.DateField()
    count_date = models.DateField()
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-start_date"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district", "start_date"], name="one_year_per_start"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="year_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class Term(TenantModel):
    """A part of a school year: semester, term or grading period (OneRoster academicSession)."""

    class Kind(models.TextChoices):
        SEMESTER = "semester", "Semester"
        TERM = "term", "Term"
        GRADING_PERIOD = "gradingPeriod", "Grading period"

    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="terms")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TERM)
    title = models.CharField(max_length=80)
    start_date = models.DateField()
    end_date = models.DateField()
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["start_date", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.school_year})"


class Subject(models.TextChoices):
    MATHEMATICS = "mathematics", "Mathematics"
    ELA = "ela", "English language arts"
    SCIENCE = "science", "Science"
    SOCIAL_STUDIES = "social_studies", "Social studies"
    WORLD_LANGUAGES = "world_languages", "World languages"
    ARTS = "arts", "Arts"
    PHYSICAL_EDUCATION = "physical_education", "Physical education and health"
    COMPUTER_SCIENCE = "computer_science", "Computer science"
    CAREER_TECHNICAL = "career_technical", "Career and technical education"
    HOMEROOM = "homeroom", "Homeroom / advisory"
    OTHER = "other", "Other"


class Course(TenantModel):
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=64, blank=True, default="")
    subject = models.CharField(max_length=32, choices=Subject.choices, default=Subject.OTHER)
    grade = models.SmallIntegerField(choices=Grade.choices, null=True, blank=True)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT)
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Section(TenantModel):
    """A class (OneRoster ``class``): a course taught at one school in one school year."""

    class ClassType(models.TextChoices):
        HOMEROOM = "homeroom", "Homeroom"
        SCHEDULED = "scheduled", "Scheduled"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sections")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="sections")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.PROTECT)
    terms = models.ManyToManyField(Term, blank=True)
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=64, blank=True, default="")
    subject = models.CharField(max_length=32, choices=Subject.choices, default=Subject.OTHER)
    grade = models.SmallIntegerField(choices=Grade.choices, null=True, blank=True)
    period = models.CharField(max_length=40, blank=True, default="")
    location = models.CharField(max_length=80, blank=True, default="")
    class_type = models.CharField(
        max_length=10, choices=ClassType.choices, default=ClassType.SCHEDULED
    )
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["school_year", "title"]
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return self.title


class Person(TenantModel):
    """Anyone the district knows: a learner, a staff member or a guardian.

    ``user`` links the person to a login account; most people in an imported roster have no
    account until they are invited. One account belongs to one person, so to one district.
    """

    class Kind(models.TextChoices):
        LEARNER = "learner", "Learner"
        STAFF = "staff", "Staff"
        GUARDIAN = "guardian", "Guardian"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True, default="")
    preferred_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    identifier = models.CharField(
        max_length=64, blank=True, default="", help_text="District or state id"
    )
    active = models.BooleanField(default=True)
    username = models.CharField(max_length=255, blank=True, default="")
    enabled = models.BooleanField(default=True, help_text="OneRoster enabledUser")
    user_ids = models.JSONField(
        default=list, blank=True, help_text='Other systems\' ids, as ["type:id", …]'
    )
    phone = models.CharField(max_length=64, blank=True, default="")
    sms = models.CharField(max_length=64, blank=True, default="")
    grades = models.JSONField(default=list, blank=True, help_text="CEDS grade codes as sent")
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    # The fingerprint of the source row an import last wrote this row from (imports only; see
    # Enrollment.source_hash): anything else that changes the row must clear it.
    source_hash = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta(TenantModel.Meta):
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["district", "kind", "family_name", "given_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"


class Demographics(TenantModel):
    """Facts about a learner that do not change with the school year (OneRoster demographics)."""

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NONBINARY = "nonbinary", "Nonbinary"
        NOT_REPORTED = "not_reported", "Not reported"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="demographics")
    birth_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_REPORTED)
    american_indian_or_alaska_native = models.BooleanField(default=False)
    asian = models.BooleanField(default=False)
    black_or_african_american = models.BooleanField(default=False)
    native_hawaiian_or_other_pacific_islander = models.BooleanField(default=False)
    white = models.BooleanField(default=False)
    hispanic_or_latino = models.BooleanField(default=False)
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    # The fingerprint of the source row an import last wrote this row from (imports only; see
    # Enrollment.source_hash): anything else that changes the row must clear it.
    source_hash = models.BigIntegerField(null=True, blank=True, editable=False)

    RACE_LABELS = {
        "american_indian_or_alaska_native": "American Indian or Alaska Native",
        "asian": "Asian",
        "black_or_african_american": "Black or African American",
        "native_hawaiian_or_other_pacific_islander": "Native Hawaiian or Other Pacific Islander",
        "white": "White",
    }
    RACE_FIELDS = (
        "american_indian_or_alaska_native",
        "asian",
        "black_or_african_american",
        "native_hawaiian_or_other_pacific_islander",
        "white",
    )

    def __str__(self) -> str:
        return f"Demographics of {self.person_id}"

    @property
    def race_ethnicity(self) -> str:
        """The federal reporting category: Hispanic first, then one race, else two or more."""
        if self.hispanic_or_latino:
            return "Hispanic or Latino"
        races = [f for f in self.RACE_FIELDS if getattr(self, f)]
        if len(races) > 1:
            return "Two or more races"
        if races:
            return self.RACE_LABELS[races[0]]
        return "Not reported"


class LearnerYear(TenantModel):
    """A learner's grade, home school and program flags for one school year."""

    class ServiceLevel(models.TextChoices):
        NONE = "", "None"
        CONSULT = "consult", "Consultation (under 21% of the day)"
        RESOURCE = "resource", "Resource (21–60% of the day)"
        SEPARATE = "separate", "Separate setting (over 60% of the day)"

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="years")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT)
    grade = models.SmallIntegerField(choices=Grade.choices)
    economically_disadvantaged = models.BooleanField(default=False)
    english_learner = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)
    disability_service_level = models.CharField(
        max_length=12, choices=ServiceLevel.choices, blank=True, default=""
    )
    gifted = models.BooleanField(default=False)
    homeless = models.BooleanField(default=False)
    foster_care = models.BooleanField(default=False)
    district_groups = models.JSONField(default=list, blank=True)

    # The fingerprint of the source row an import last wrote this row from (imports only; see
    # Enrollment.source_hash): anything else that changes the row must clear it.
    source_hash = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta(TenantModel.Meta):
        ordering = ["-school_year__start_date"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["learner", "school_year"], name="one_row_per_year"),
        ]
        indexes = [models.Index(fields=["school", "school_year"])]

    def __str__(self) -> str:
        return f"{self.school_year}: grade {self.grade_label}"

    @property
    def grade_label(self) -> str:
        return grade_label(self.grade)


class StaffRole(TenantModel):
    """What a staff member does, where (school, or the whole district), and in which year.

    A role with no school year is standing; one with a school year counts in that year only.
    """

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        AIDE = "aide", "Aide"
        COACH = "coach", "Coach"
        MCL = "mcl", "Multi-classroom leader"
        ADVISOR = "advisor", "Advisor"
        SCHOOL_LEADER = "school_leader", "School leader"
        DISTRICT_ADMIN = "district_admin", "District administrator"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT)
    school_year = models.ForeignKey(SchoolYear, null=True, blank=True, on_delete=models.PROTECT)
    primary = models.BooleanField(default=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        where = self.school.name if self.school_id else "district"
        return f"{self.get_role_display()} ({where})"


class Enrollment(TenantModel):
    """A person in a section, with role, dates, primary flag and (optionally) instruction share."""

    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        TEACHER = "teacher", "Teacher"
        AIDE = "aide", "Aide"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    role = models.CharField(max_length=10, choices=Role.choices)
    primary = models.BooleanField(default=False)
    begin_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    instructor_share = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Share of instruction (0–1) where the district sends one",
    )
    date_last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # A fingerprint of the source row last imported into this row (imports only): a re-import
    # skips a row whose fingerprint is unchanged. Cleared whenever an import changes the row
    # other than from its source row (a deactivation); anything else writing enrollments
    # must clear it too.
    source_hash = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta(TenantModel.Meta):
        indexes = [
            models.Index(fields=["person", "role"]),
            models.Index(fields=["section", "role"]),
        ]
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(instructor_share__isnull=True)
                | Q(instructor_share__gte=0, instructor_share__lte=1),
                name="instructor_share_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.section} ({self.role})"

    def active_on(self, day: dt.date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and (self.begin_date is None or self.begin_date <= day)
            and (self.end_date is None or self.end_date >= day)
        )

    @staticmethod
    def active_on_q(day: dt.date, prefix: str = "") -> Q:
        """The condition "active on ``day``" as a Q, optionally through a relation prefix."""
        p = f"{prefix}__" if prefix else ""
        return (
            Q(**{f"{p}status": Enrollment.Status.ACTIVE})
            & (Q(**{f"{p}begin_date__isnull": True}) | Q(**{f"{p}begin_date__lte": day}))
            & (Q(**{f"{p}end_date__isnull": True}) | Q(**{f"{p}end_date__gte": day}))
        )


class GuardianLink(TenantModel):
    class Relationship(models.TextChoices):
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Guardian"
        RELATIVE = "relative", "Relative"

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="children_links")
    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(
        max_length=10, choices=Relationship.choices, default=Relationship.PARENT
    )

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["guardian", "learner"], name="one_guardian_link"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.relationship}) of {self.learner}"


class CoachLink(TenantModel):
    """A coach or multi-classroom leader supporting a teacher in a school year."""

    class Kind(models.TextChoices):
        COACH = "coach", "Coach"
        MCL = "mcl", "Multi-classroom leader"

    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coachee_links")
    teacher = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coach_links")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.COACH)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["coach", "teacher", "school_year"], name="one_coach_link_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} ({self.kind}) supports {self.teacher}"


class AdvisorLink(TenantModel):
    advisor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="advisee_links")
    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="advisor_links")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["advisor", "learner", "school_year"], name="one_advisor_link_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor} advises {self.learner}"


class ImportLock(models.Model):
    """Held while a roster import for one district runs: one row per district, at most.

    The row is inserted and committed before the import's own transaction starts and deleted
    when it ends, so a second import of the same district fails at once on the unique key, on
    SQLite and PostgreSQL alike. ``district_key`` is the district's ``sourced_id`` (the district
    row may not exist yet when an import creates it).
    """

    district_key = models.CharField(max_length=255, unique=True)
    started_at = models.DateTimeField()
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_by = models.CharField(max_length=150, blank=True, default="")

    def __str__(self) -> str:
        return f"import of {self.district_key} since {self.started_at:%Y-%m-%d %H:%M}"


class Learner(Person):
    """Person rows of kind learner, for Django admin (always scoped by ``waypoint.access``)."""

    class Meta:
        proxy = True
        ordering = ["family_name", "given_name", "id"]
