"""Staff records: yearly effectiveness ratings. Visible only as `waypoint.access` allows."""

from __future__ import annotations

from django.db import models

from waypoint.roster.models import Person, SchoolYear, TenantModel


class EffectivenessRating(TenantModel):
    """A staff member's rating for a school year. Levels do not overlap (DESIGN.md)."""

    class Level(models.TextChoices):
        HIGHLY_EFFECTIVE = "highly_effective", "Highly effective"
        EFFECTIVE = "effective", "Effective"
        DEVELOPING = "developing", "Developing"
        INEFFECTIVE = "ineffective", "Ineffective"

    staff = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ratings")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, choices=Level.choices)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    components = models.JSONField(default=dict, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-school_year__start_date"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["staff", "school_year"], name="one_rating_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.school_year})"


class ScaleScore(TenantModel):
    """A learner's state-assessment result: subject, school year (its start year), grade,
    scale score and achievement level. One per learner, subject and year."""

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="scale_scores")
    subject = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField(help_text="start year of the school year")
    grade = models.SmallIntegerField()
    scale_score = models.FloatField()
    achievement_level = models.CharField(max_length=40, blank=True, default="")
    proficient = models.BooleanField(default=False)

    class Meta(TenantModel.Meta):
        ordering = ["learner", "subject", "year"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["learner", "subject", "year"], name="one_scale_score_per_year"
            ),
        ]
        indexes = [models.Index(fields=["district", "subject", "year"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.year}: {self.scale_score:g}"


class InstructorLink(TenantModel):
    """A learner's instructor in a subject and school year with an instruction share, as the
    district sends it. Where a learner–subject–year has links, they replace the roster's."""

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="instructors")
    staff = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="instructed")
    subject = models.CharField(max_length=32)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["learner", "staff", "subject", "school_year"], name="one_instructor_link"
            ),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | models.Q(share__gte=0, share__lte=1),
                name="instructor_link_share_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} teaches {self.learner} {self.subject} ({self.share})"


class GrowthKnots(TenantModel):
    """The knots and boundaries a growth run used for one subject and grade."""

    subject = models.CharField(max_length=32)
    grade = models.SmallIntegerField()
    knots = models.JSONField()
    boundaries = models.JSONField()
    given = models.BooleanField(default=False, help_text="given by the district, not computed")

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["district", "subject", "grade"], name="one_knots_per_subject_grade"
            ),
        ]


class GrowthPercentile(TenantModel):
    """A learner's SGP for a subject and year, from the model with the most priors they had."""

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="growth")
    subject = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    grade = models.SmallIntegerField()
    sgp = models.PositiveSmallIntegerField()
    priors = models.PositiveSmallIntegerField()

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["learner", "subject", "year"], name="one_sgp_per_year"),
        ]
        indexes = [models.Index(fields=["district", "subject", "year"])]
