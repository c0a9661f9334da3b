"""Evidence: observations on standards, the xAPI statements they came from, tool tokens.

An :class:`Observation` is one piece of evidence on one standard (``FrameworkItem``), correct
or not (DESIGN.md). Scores become observations by the district's threshold; an item aligned
to several standards gives one observation for each. Every row belongs to one district.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from waypoint.roster.models import District, Person, TenantModel
from waypoint.standards.models import FrameworkItem


def hash_tool_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ToolToken(TenantModel):
    """A digital learning tool's own token, scoped to one district. Only the hash is kept."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    home_page = models.TextField(
        blank=True,
        default="",
        help_text="If set, a statement's actor.account.homePage must equal it",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ActivityAlignment(TenantModel):
    """An xAPI activity (its IRI) aligned to one standard; an activity may have several."""

    activity_iri = models.TextField()
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["activity_iri", "item"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["district", "activity_iri", "item"], name="one_alignment_per_pair"
            ),
        ]
        indexes = [models.Index(fields=["district", "activity_iri"])]

    def __str__(self) -> str:
        return f"{self.activity_iri} → {self.item_id}"


class XapiStatement(TenantModel):
    """An xAPI statement as a tool sent it. The same statement id is stored once per district."""

    statement_id = models.UUIDField()
    raw = models.JSONField()
    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    tool = models.ForeignKey(
        ToolToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    received_at = models.DateTimeField()

    class Meta(TenantModel.Meta):
        ordering = ["received_at", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["district", "statement_id"], name="one_statement_per_id"
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class Observation(TenantModel):
    """One piece of evidence on one standard: correct or not, with the score it came from."""

    class Source(models.TextChoices):
        XAPI = "xapi", "xAPI statement"
        RESPONSES = "responses", "Item responses file"
        TEACHER = "teacher", "Teacher-entered score"

    learner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    correct = models.BooleanField()
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    observed_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=Source.choices)
    source_ref = models.CharField(
        max_length=255, blank=True, default="", help_text="e.g. the xAPI statement id"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["observed_at", "id"]
        indexes = [
            models.Index(fields=["district", "item", "learner", "observed_at"]),
            models.Index(fields=["learner", "item"]),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} on {self.item_id}: {'correct' if self.correct else 'incorrect'}"


class EvidenceSettings(models.Model):
    """A district's rule for turning a score into an observation (DESIGN.md: 80%)."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="evidence_settings"
    )
    score_threshold = models.FloatField(
        default=0.8, help_text="A score is correct at score / maximum ≥ this (0 < t ≤ 1)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "evidence settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score_threshold__gt=0.0, score_threshold__lte=1.0),
                name="score_threshold_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"evidence settings of {self.district_id}"
