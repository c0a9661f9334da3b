"""Writes of effectiveness data: scale scores, instructor links, ratings, growth results.

Each takes already-validated rows, upserts them in one transaction with one audit entry,
and changes nothing for a row that is already stored as given (re-imports are no-ops).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from waypoint.audit.services import record_action
from waypoint.effectiveness.models import (
    EffectivenessRating,
    GrowthKnots,
    GrowthPercentile,
    InstructorLink,
    ScaleScore,
)
from waypoint.roster.models import District


@dataclass(frozen=True)
class Stored:
    """What a write did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _upsert(
    model: Any,
    district: District,
    key_fields: Sequence[str],
    rows: Iterable[dict[str, Any]],
) -> Stored:
    """Create or update rows by their natural key; a row equal to the stored one is left."""
    rows = list(rows)
    value_fields = [k for k in (rows[0] if rows else {}) if k not in key_fields]
    existing: dict[tuple[Any, ...], Any] = {}
    if rows:
        ids = {f"{key_fields[0]}__in": {r[key_fields[0]] for r in rows}}
        for obj in model.objects.filter(district=district, **ids):
            existing[tuple(getattr(obj, k) for k in key_fields)] = obj
    create, update, unchanged = [], [], 0
    for row in rows:
        key = tuple(row[k] for k in key_fields)
        obj = existing.get(key)
        if obj is None:
            create.append(model(district=district, **row))
        elif any(getattr(obj, f) != row[f] for f in value_fields):
            for f in value_fields:
                setattr(obj, f, row[f])
            update.append(obj)
        else:
            unchanged += 1
    model.objects.bulk_create(create, batch_size=2000)
    if update:
        model.objects.bulk_update(update, value_fields, batch_size=2000)
    return Stored(len(create), len(update), unchanged)


def _write(
    *, model: Any, district: District, keys: Sequence[str], rows: list[dict[str, Any]], user: Any
) -> Stored:
    with transaction.atomic():
        stored = _upsert(model, district, keys, rows)
        if stored.created or stored.updated:
            record_action(
                user=user,
                district_id=district.pk,
                action=f"import {model._meta.verbose_name_plural}",
                obj=district,
                details={"created": stored.created, "updated": stored.updated},
            )
    return stored


def store_scale_scores(
    *, district: District, rows: list[dict[str, Any]], user: Any = None
) -> Stored:
    """Rows: learner_id, subject, year, grade, scale_score, achievement_level, proficient."""
    keys = ("learner_id", "subject", "year")
    return _write(model=ScaleScore, district=district, keys=keys, rows=rows, user=user)


def store_instructor_links(
    *, district: District, rows: list[dict[str, Any]], user: Any = None
) -> Stored:
    """Rows: learner_id, staff_id, subject, school_year_id, share (Decimal or None)."""
    keys = ("learner_id", "staff_id", "subject", "school_year_id")
    return _write(model=InstructorLink, district=district, keys=keys, rows=rows, user=user)


def store_ratings(*, district: District, rows: list[dict[str, Any]], user: Any = None) -> Stored:
    """Rows: staff_id, school_year_id, level, score (Decimal or None), components (dict)."""
    keys = ("staff_id", "school_year_id")
    return _write(model=EffectivenessRating, district=district, keys=keys, rows=rows, user=user)


def store_growth(
    *,
    district: District,
    rows: list[dict[str, Any]],
    knots: list[dict[str, Any]],
    user: Any = None,
) -> tuple[Stored, Stored]:
    """SGP rows (learner_id, subject, year, grade, sgp, priors) and the knots and boundaries
    used (subject, grade, knots, boundaries, given), in one transaction."""
    with transaction.atomic():
        sgp = _upsert(GrowthPercentile, district, ("learner_id", "subject", "year"), rows)
        used = _upsert(GrowthKnots, district, ("subject", "grade"), knots)
        record_action(
            user=user,
            district_id=district.pk,
            action="compute growth percentiles",
            obj=district,
            details={"created": sgp.created, "updated": sgp.updated},
        )
    return sgp, used


def as_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
