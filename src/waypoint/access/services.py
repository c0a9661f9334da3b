"""Writes for the access package: API tokens. Each is an audited action in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from waypoint.access.models import ApiToken, hash_token
from waypoint.audit.services import record_action


def _district_of(user: Any) -> int | None:
    person = getattr(user, "person", None)
    return person.district_id if person is not None else None


def create_token(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the raw key (shown once, never stored)."""
    raw = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw)
        )
        record_action(
            user=user,
            district_id=_district_of(user),
            action="api_token.create",
            obj=token,
            details={"name": name, "prefix": token.prefix},
        )
    return token, raw


def revoke_tokens(*, user: Any, prefix: str | None = None) -> int:
    """Revoke the user's live tokens (those starting with ``prefix``, or all). Returns how many."""
    with transaction.atomic():
        tokens = list(
            ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        )
        chosen = [t for t in tokens if prefix is None or t.prefix.startswith(prefix)]
        for token in chosen:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_action(
                user=user, district_id=_district_of(user), action="api_token.revoke", obj=token
            )
    return len(chosen)
