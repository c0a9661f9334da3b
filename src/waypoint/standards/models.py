"""Competency frameworks (CASE): frameworks, their items, associations, district prerequisites.

A framework is imported per district (every row is a ``TenantModel``): two districts that use
the same published framework each hold their own copy, so a district's re-import, retirement or
added prerequisites never touch another district. Rows are keyed by their CASE ``identifier``
(kept in ``sourced_id`` too), so importing a newer version updates rows in place and keeps their
primary keys, which is what evidence and mastery will point at. An item that a newer version no
longer holds is retired, never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from waypoint.roster.grades import grade_label
from waypoint.roster.models import TenantModel


class CaseVersion(models.TextChoices):
    """Which reader read the package."""

    V1_0 = "1.0", "CASE 1.0"
    V1_1 = "1.1", "CASE 1.1"
    DRAFT_2016 = "2016-draft", "CASE 2016 draft (pre-1.0)"


class Framework(TenantModel):
    """A CASE CFDocument: one competency framework as a district imported it."""

    identifier = models.CharField(max_length=255, help_text="CASE identifier (a UUID)")
    original_identifier = models.TextField(
        blank=True, default="", help_text="Identifier as the 2016 draft gave it (an ASN URI)"
    )
    uri = models.TextField(blank=True, default="")
    title = models.TextField()
    creator = models.TextField(blank=True, default="")
    publisher = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    official_source_url = models.TextField(blank=True, default="")
    version = models.CharField(max_length=255, blank=True, default="")
    adoption_status = models.CharField(max_length=255, blank=True, default="")
    status_start_date = models.DateField(null=True, blank=True)
    status_end_date = models.DateField(null=True, blank=True)
    subject = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=255, blank=True, default="")
    framework_type = models.CharField(max_length=255, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    last_change = models.DateTimeField(null=True, blank=True)
    case_version_read = models.CharField(max_length=12, choices=CaseVersion.choices)
    imported_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="Last import that changed anything")

    class Meta(TenantModel.Meta):
        ordering = ["title", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district", "identifier"], name="one_framework_per_id"),
        ]

    def __str__(self) -> str:
        return self.title


class FrameworkItem(TenantModel):
    """A CASE CFItem: a domain, cluster, standard, component … of one framework."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="items")
    identifier = models.CharField(max_length=255, help_text="CASE identifier (a UUID)")
    original_identifier = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    item_type = models.CharField(max_length=255, blank=True, default="")
    human_coding_scheme = models.CharField(max_length=255, blank=True, default="")
    full_statement = models.TextField()
    abbreviated_statement = models.TextField(blank=True, default="")
    alternative_label = models.TextField(blank=True, default="")
    list_enumeration = models.CharField(max_length=255, blank=True, default="")
    sequence_number = models.IntegerField(
        null=True, blank=True, help_text="Order among siblings (from the isChildOf association)"
    )
    education_levels = models.JSONField(default=list, blank=True, help_text="As the file gave")
    grade_low = models.SmallIntegerField(null=True, blank=True)
    grade_high = models.SmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=255, blank=True, default="")
    subject = models.JSONField(default=list, blank=True)
    concept_keywords = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True, default="")
    status_start_date = models.DateField(null=True, blank=True)
    status_end_date = models.DateField(null=True, blank=True)
    last_change = models.DateTimeField(null=True, blank=True)
    retired = models.BooleanField(default=False, help_text="No longer in the framework's file")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["framework", "sequence_number", "human_coding_scheme", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["district", "identifier"], name="one_item_per_id"),
            models.CheckConstraint(
                condition=Q(grade_low__isnull=True)
                | Q(grade_high__isnull=True)
                | Q(grade_low__lte=F("grade_high")),
                name="item_grade_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["district", "human_coding_scheme"])]

    def __str__(self) -> str:
        return self.code_or_statement

    @property
    def code_or_statement(self) -> str:
        return self.human_coding_scheme or self.abbreviated_statement or self.full_statement[:60]

    @property
    def grade_span(self) -> str:
        if self.grade_low is None:
            return ""
        if self.grade_low == self.grade_high:
            return grade_label(self.grade_low)
        return f"{grade_label(self.grade_low)}–{grade_label(self.grade_high)}"


class FrameworkAssociation(TenantModel):
    """A CASE CFAssociation, of any type, kept with both ends' identifiers.

    ``origin_item`` / ``destination_item`` are set when that end is an item of the same
    framework; an end that is the framework document itself, or lies outside the framework,
    has only its identifier, uri and title. ``isChildOf`` gives the tree and ``precedes``
    the prerequisites (origin precedes destination: origin is the prerequisite).
    """

    class Type(models.TextChoices):
        IS_CHILD_OF = "isChildOf", "is child of"
        PRECEDES = "precedes", "precedes"
        IS_PEER_OF = "isPeerOf", "is peer of"
        IS_PART_OF = "isPartOf", "is part of"
        EXACT_MATCH_OF = "exactMatchOf", "exact match of"
        IS_RELATED_TO = "isRelatedTo", "is related to"
        REPLACED_BY = "replacedBy", "replaced by"
        EXEMPLAR = "exemplar", "exemplar"
        HAS_SKILL_LEVEL = "hasSkillLevel", "has skill level"
        IS_TRANSLATION_OF = "isTranslationOf", "is translation of"

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="associations")
    identifier = models.CharField(max_length=255)
    uri = models.TextField(blank=True, default="")
    association_type = models.CharField(max_length=255)
    origin_identifier = models.TextField()
    origin_uri = models.TextField(blank=True, default="")
    origin_title = models.TextField(blank=True, default="")
    origin_item = models.ForeignKey(
        FrameworkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination_identifier = models.TextField()
    destination_uri = models.TextField(blank=True, default="")
    destination_title = models.TextField(blank=True, default="")
    destination_item = models.ForeignKey(
        FrameworkItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sequence_number = models.IntegerField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    last_change = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["framework", "association_type", "sequence_number", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["district", "identifier"], name="one_association_per_id"
            ),
        ]
        indexes = [
            models.Index(fields=["framework", "association_type"]),
            models.Index(fields=["origin_item", "association_type"]),
            models.Index(fields=["destination_item", "association_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.origin_identifier} {self.association_type} {self.destination_identifier}"


class DistrictPrerequisite(TenantModel):
    """A prerequisite edge a district added: ``prerequisite`` comes before ``dependent``."""

    prerequisite = models.ForeignKey(
        FrameworkItem, on_delete=models.PROTECT, related_name="district_dependent_edges"
    )
    dependent = models.ForeignKey(
        FrameworkItem, on_delete=models.PROTECT, related_name="district_prerequisite_edges"
    )
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(TenantModel.Meta):
        ordering = ["prerequisite", "dependent"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["prerequisite", "dependent"], name="one_district_prerequisite"
            ),
            models.CheckConstraint(
                condition=~Q(prerequisite=F("dependent")), name="prerequisite_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prerequisite} → {self.dependent}"
