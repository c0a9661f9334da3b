"""Plans: the learner's profile, one plan per learner per school year (goals with milestones,
reflections, feedback), the chosen next standard, the portfolio, educator growth plans, and
each account's language.

Every row belongs to one district. Reads go through ``waypoint.plans.selectors`` (which open
the learner through the access layer); writes through ``waypoint.plans.services``.

A :class:`PeerGrant` lets one learner give feedback on a classmate's plan; what it opens is
decided in ``waypoint.access.policies`` (``peer_feedback_learners``), nowhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from waypoint.roster.models import Person, SchoolYear, Section, TenantModel
from waypoint.standards.models import FrameworkItem


class AccountPreference(models.Model):
    """Per-account settings that follow a person from device to device (the language)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waypoint_preference"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class LearnerProfile(TenantModel):
    """Who the learner is, in their own words. The learner edits it; their adults read it."""

    learner = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="plan_profile")
    strengths = models.TextField(blank=True, default="")
    interests = models.TextField(blank=True, default="")
    aspirations = models.TextField(blank=True, default="")
    learns_best = models.TextField(blank=True, default="")
    home_languages = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"profile of {self.learner_id}"


class Plan(TenantModel):
    """One learner's plan for one school year, with how far it is learner-led."""

    class Leadership(models.TextChoices):
        TEACHER_SET = "teacher_set", _("Teacher-set")
        CO_CREATED = "co_created", _("Co-created")
        LEARNER_LED = "learner_led", _("Learner-led")

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plans")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    leadership = models.CharField(
        max_length=20, choices=Leadership.choices, default=Leadership.CO_CREATED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["-school_year__start_date"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["learner", "school_year"], name="one_plan_per_year"),
        ]

    def __str__(self) -> str:
        return f"plan of {self.learner_id} for {self.school_year_id}"


class Goal(TenantModel):
    """A goal of the plan: academic (linked to standards), personal, or college and career."""

    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic")
        PERSONAL = "personal", _("Personal and social-emotional")
        COLLEGE_CAREER = "college_career", _("College and career")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")
        SET_ASIDE = "set_aside", _("Set aside")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    target_date = models.DateField(null=True, blank=True)
    standards = models.ManyToManyField(FrameworkItem, blank=True, related_name="+")
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.title


class Milestone(TenantModel):
    """A step towards a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta(TenantModel.Meta):
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class Reflection(TenantModel):
    """The learner looking back, in their own words."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reflections")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="reflections"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reflection {self.pk}"


class Comment(TenantModel):
    """Feedback on a plan (or one of its goals) from a teacher, advisor, a peer the teacher
    allows (:class:`PeerGrant`) or the learner, with the role the author wrote it in."""

    class AuthorRole(models.TextChoices):
        LEARNER = "learner", _("Learner")
        PEER = "peer", _("Peer")
        TEACHER = "teacher", _("Teacher")
        ADVISOR = "advisor", _("Advisor")
        STAFF = "staff", _("Staff")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(
        max_length=10, choices=AuthorRole.choices, default=AuthorRole.STAFF
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class PeerGrant(TenantModel):
    """A teacher lets one learner of a section (the peer) give feedback on a classmate's plan.

    Who granted, to whom, for whose plan, through which section and when; revoked by setting
    ``revoked_at``. It holds only while both learners are enrolled in ``section`` (a section of
    the current school year): see ``waypoint.access.policies.peer_feedback_learners``."""

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    peer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(TenantModel.Meta):
        ordering = ["-granted_at", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["learner", "peer"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_peer_grant",
            ),
            models.CheckConstraint(condition=~Q(learner=F("peer")), name="peer_is_not_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.peer_id} may give feedback to {self.learner_id}"


class PathChoice(TenantModel):
    """The ready-to-learn standard a learner chose to work on next (latest row wins)."""

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-chosen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.learner_id} chose {self.item_id}"


class Artifact(TenantModel):
    """A piece of the learner's portfolio: a file, a link or a text, for some standards."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        TEXT = "text", _("Text")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned with feedback")

    learner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="artifacts")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField(blank=True, default="")
    url = models.URLField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    file_name = models.CharField(max_length=200, blank=True, default="")
    stored_name = models.CharField(max_length=100, blank=True, default="", editable=False)
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    standards = models.ManyToManyField(FrameworkItem, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ArtifactReview(TenantModel):
    """A teacher's decision on an artifact: accepted with a score (evidence) or returned."""

    artifact = models.ForeignKey(Artifact, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Artifact.Status.choices)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    feedback = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.artifact_id}"


class GrowthPlan(TenantModel):
    """An educator's professional growth plan for a school year (a staff record)."""

    staff = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="growth_plans")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["staff", "school_year"], name="one_growth_plan_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"growth plan of {self.staff_id}"


class GrowthGoal(TenantModel):
    """A professional goal."""

    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=20, choices=Goal.Status.choices, default=Goal.Status.NOT_STARTED
    )
    target_date = models.DateField(null=True, blank=True)
    author = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["target_date", "id"]

    def __str__(self) -> str:
        return self.title


class GrowthComment(TenantModel):
    """A coach's or school leader's comment on a growth plan (or the teacher's reply)."""

    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"growth comment {self.pk}"
