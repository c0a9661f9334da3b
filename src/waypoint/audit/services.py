"""Writing audit entries. Callers pass identifiers only, never record values."""

from __future__ import annotations

from typing import Any

from waypoint.audit.models import AccessEntry, ActionEntry


def record_access(
    *,
    viewer: Any,
    record_type: str,
    requested_id: object,
    record_id: int | None,
    view: str,
    allowed: bool,
) -> AccessEntry:
    """One entry for one opening (or refused attempt) of a record."""
    return AccessEntry.objects.create(
        user_id=viewer.user_id,
        username=viewer.username,
        viewer_person_id=viewer.person_id,
        district_id=viewer.district_id,
        record_type=record_type,
        record_id=record_id,
        requested_id=str(requested_id)[:64],
        view=view[:80],
        outcome=AccessEntry.Outcome.ALLOWED if allowed else AccessEntry.Outcome.DENIED,
    )


def record_action(
    *,
    user: Any,
    district_id: int | None,
    action: str,
    obj: Any,
    details: dict[str, Any] | None = None,
) -> ActionEntry:
    """Called inside the same transaction as the change it describes."""
    return ActionEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        district_id=district_id,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj)),
        details=details or {},
    )
