"""Saved small groups and recorded interventions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from waypoint.roster.models import District, Person, Section, TenantModel
from waypoint.standards.models import FrameworkItem


class SmallGroup(TenantModel):
    """A group a teacher pulls on a day: its learners, one target standard, who leads it."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="small_groups")
    target = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    meets_on = models.DateField()
    led_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    learners = models.ManyToManyField(Person, related_name="+", through="SmallGroupMember")
    note = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-meets_on", "id"]
        indexes = [models.Index(fields=["section", "meets_on"])]

    def __str__(self) -> str:
        return f"group on {self.target_id}, {self.meets_on}"


class SmallGroupMember(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(SmallGroup, on_delete=models.CASCADE, related_name="members")
    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "learner"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.group_id}"


class Intervention(TenantModel):
    """Something a teacher did for a learner, with the learner's mastery when it was done."""

    class Action(models.TextChoices):
        RETEACH = "reteach", "Reteach a prerequisite in a small group"
        PRACTICE = "practice", "Practice on a ready standard"
        ENRICHMENT = "enrichment", "Enrichment"
        CONFERENCE = "conference", "One-to-one conference"
        CHECK_IN = "check-in", "Social-emotional check-in"

    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    standard = models.ForeignKey(
        FrameworkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    done_on = models.DateField()
    mastery_before = models.FloatField(
        null=True, blank=True, help_text="P(mastered) of the standard when it was recorded"
    )
    group = models.ForeignKey(
        SmallGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-done_on", "-id"]
        indexes = [
            models.Index(fields=["district", "standard", "done_on"]),
            models.Index(fields=["learner", "done_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} for {self.learner_id} on {self.done_on}"


class InterventionComparison(models.Model):
    """A comparable learner who did not get the intervention, and their mastery at the time:
    same standard, similar P(mastered), chosen when the intervention was recorded."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="comparisons"
    )
    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    probability_before = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "learner"], name="one_comparison_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} compared with {self.intervention_id}"
