"""Append-only audit log: who opened which record, who was refused, and who changed what.

Rows are written once and never updated or deleted by the application: ``save`` refuses an
update, ``delete`` refuses, and the queryset's bulk ``update``/``delete`` refuse. A database
trigger (see the migration) also rejects UPDATE on both SQLite and PostgreSQL. Entries hold
identifiers only, never the values of the record that was opened.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are never updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit rows are never deleted")


class AccessEntry(AppendOnlyModel):
    """One opening of (or refused attempt to open) a learner's or staff member's record."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Plain ids, not foreign keys: an audit row must outlive any change to what it points at.
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150, blank=True, default="")
    viewer_person_id = models.BigIntegerField(null=True)
    district_id = models.BigIntegerField(null=True, db_index=True)
    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField(null=True, db_index=True)
    requested_id = models.CharField(max_length=64)
    view = models.CharField(max_length=80)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.outcome} {self.record_type}"


class ActionEntry(AppendOnlyModel):
    """A write that matters: who did what to which object, in the same transaction."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False
    )
    district_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "action entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"
