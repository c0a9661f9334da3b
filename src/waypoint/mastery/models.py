"""Mastery: per learner × standard state, and per district × standard BKT parameters."""

from __future__ import annotations

from django.db import models

from waypoint.roster.models import District, Person, TenantModel
from waypoint.standards.models import FrameworkItem


class SkillModel(TenantModel):
    """A standard's fitted BKT parameters in one district (see docs/mastery-engine.md)."""

    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    prior = models.FloatField()
    learn = models.FloatField()
    forget = models.FloatField(default=0.0)
    guess = models.FloatField()
    slip = models.FloatField()
    n_obs = models.PositiveIntegerField(default=0, help_text="Observations the fit used")
    fitted_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every refit")

    class Meta(TenantModel.Meta):
        ordering = ["item"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district", "item"], name="one_skill_model_per_item"),
        ]

    def __str__(self) -> str:
        return f"BKT v{self.version} for {self.item_id}"


TRAIL_LENGTH = 6
"""Observations a state's ``trail`` covers (DESIGN: "stuck" is many observations, little gain)."""


class MasteryState(TenantModel):
    """P(mastered) of one learner on one standard, kept current by the online update."""

    def recent_gain(self, observations: int = TRAIL_LENGTH) -> float | None:
        """Change of P(mastered) over the last ``observations`` (None if fewer are known)."""
        if len(self.trail) <= observations:
            return None
        return float(self.trail[-1]) - float(self.trail[-1 - observations])

    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    observation_count = models.PositiveIntegerField(default=0)
    last_evidence_at = models.DateTimeField(null=True, blank=True)
    model_version = models.PositiveIntegerField(
        default=0, help_text="SkillModel version used; 0 = default parameters"
    )
    trail = models.JSONField(
        default=list,
        blank=True,
        help_text="P(mastered) before the last observations and after each (at most "
        "TRAIL_LENGTH + 1 values, oldest first): the recent gain, e.g. to spot a stuck learner",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["learner", "item"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["learner", "item"], name="one_state_per_learner_item"),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0.0, probability__lte=1.0),
                name="mastery_probability_in_range",
            ),
        ]
        indexes = [models.Index(fields=["district", "item"])]

    def __str__(self) -> str:
        return f"{self.learner_id} on {self.item_id}: {self.probability:.3f}"


class MasterySettings(models.Model):
    """A district's mastery rule: mastered at P(mastered) ≥ ``mastered_at`` (DESIGN.md: 0.95)."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="mastery_settings"
    )
    mastered_at = models.FloatField(
        default=0.95, help_text="P(mastered) at or above which a standard counts as mastered"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "mastery settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mastered_at__gte=0.5, mastered_at__lt=1.0),
                name="mastered_at_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"mastery settings of {self.district_id}"
