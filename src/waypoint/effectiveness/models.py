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
