"""Staffing records: salary schedules, positions, funding formulas and saved scenarios.

OneRoster carries no HR data, so positions and salary schedules come in their own files
(``waypoint import positions|salaries``, see ``docs/staffing-import.md``). A position is a
budget line at a school: filled by a staff member or vacant; a vacant teaching position names
the sections it covers today (taught by substitutes). Scenarios keep a planner's parameters,
the plan and its computed results, so two can be compared side by side later.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from waypoint.roster.models import Person, School, SchoolYear, Section, TenantModel


class SalarySchedule(TenantModel):
    """A district's salary schedule: base pay by step (and lane, e.g. BA / MA)."""

    name = models.CharField(max_length=80)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district", "name"], name="one_schedule_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SalaryStep(TenantModel):
    schedule = models.ForeignKey(SalarySchedule, on_delete=models.CASCADE, related_name="steps")
    lane = models.CharField(max_length=20, blank=True, default="")
    step = models.PositiveSmallIntegerField()
    salary = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta(TenantModel.Meta):
        ordering = ["schedule", "lane", "step"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["schedule", "lane", "step"], name="one_salary_step"),
            models.CheckConstraint(condition=Q(salary__gte=0), name="salary_step_not_negative"),
        ]


class Position(TenantModel):
    """A budget line at a school; ``staff`` is empty when the position is vacant."""

    class Kind(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        MCL = "mcl", "Multi-classroom leader"
        TEAM_TEACHER = "team_teacher", "Team teacher"
        REACH_ASSOCIATE = "reach_associate", "Reach associate"
        PARAPROFESSIONAL = "paraprofessional", "Paraprofessional"
        RESIDENT = "resident", "Resident"
        COACH = "coach", "Coach"
        SPECIALIST = "specialist", "Specialist"

    TEACHING = (Kind.TEACHER, Kind.MCL, Kind.TEAM_TEACHER)

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="positions")
    staff = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    fte = models.DecimalField(max_digits=3, decimal_places=2, default=1)
    salary = models.DecimalField(max_digits=10, decimal_places=2)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    schedule = models.ForeignKey(
        SalarySchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lane = models.CharField(
        max_length=20, blank=True, default="", help_text="the schedule's lane (e.g. BA, MA)"
    )
    certifications = models.JSONField(
        default=list, blank=True, help_text='"subject:band" pairs, e.g. "mathematics:3-5"'
    )
    covers = models.ManyToManyField(
        Section, blank=True, related_name="+", help_text="a vacant position's sections today"
    )
    active = models.BooleanField(default=True)

    class Meta(TenantModel.Meta):
        ordering = ["school", "kind", "sourced_id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=Q(salary__gte=0), name="position_salary_not_negative"),
            models.CheckConstraint(condition=Q(fte__gt=0, fte__lte=1), name="position_fte_0_to_1"),
        ]

    def __str__(self) -> str:
        who = str(self.staff) if self.staff_id else "vacant"
        return f"{self.get_kind_display()} ({who})"


class FundingFormula(TenantModel):
    """A district's weighted-student-funding formula (``engine.budget.Weights``)."""

    base = models.DecimalField(max_digits=10, decimal_places=2)
    weights = models.JSONField(default=dict, help_text="grade_bands, flags, disability_levels")
    current = models.JSONField(
        default=dict, blank=True, help_text="school id -> today's allocation, to compare"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district"], name="one_funding_formula"),
        ]


class Scenario(TenantModel):
    """A planner's saved staffing scenario for one school and year, with its results.

    ``parameters`` are the template's editable settings; ``plan`` the teams, conversions and
    extended teachers; ``result`` the reach and cost before and after, by subgroup, the
    explanation, the solver's report and the five-year projection — computed when saved.
    """

    class Template(models.TextChoices):
        MCL = "mcl", "Multi-classroom leadership"
        SPECIALIZATION = "specialization", "Elementary subject specialization"
        TIME_TECH = "time_tech", "Time-technology swap"
        CLASS_SIZE = "class_size", "Class-size teaching"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="scenarios")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    template = models.CharField(max_length=20, choices=Template.choices)
    parameters = models.JSONField(default=dict)
    plan = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["school", "name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="one_scenario_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name
