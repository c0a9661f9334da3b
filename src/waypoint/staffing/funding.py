"""Weighted student funding from the roster: the district's formula over each school's
learners of a year (``LearnerYear``), compared with today's allocations, and the revenue
per learner a school's budget projection uses."""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from django.db import transaction

from waypoint.audit.services import record_action
from waypoint.engine import budget
from waypoint.roster.models import District, LearnerYear, School, SchoolYear
from waypoint.staffing.bands import BANDS, band_of
from waypoint.staffing.model_templates import ParameterError
from waypoint.staffing.models import FundingFormula

DEFAULT_WEIGHTS: dict[str, Any] = {
    "grade_bands": {"PK-2": 0.10, "3-5": 0.0, "6-8": 0.05, "9-12": 0.15},
    "economically_disadvantaged": 0.25,
    "english_learner": 0.20,
    "disability_levels": {"": 0.0, "consult": 0.15, "resource": 0.50, "separate": 1.10},
    "gifted": 0.10,
}


def weights_of(formula: FundingFormula) -> budget.Weights:
    w = {**DEFAULT_WEIGHTS, **formula.weights}
    return budget.Weights(
        base=float(formula.base),
        grade_bands=dict(w["grade_bands"]),
        economically_disadvantaged=float(w["economically_disadvantaged"]),
        english_learner=float(w["english_learner"]),
        disability_levels=dict(w["disability_levels"]),
        gifted=float(w["gifted"]),
    )


def funded_learners(year: SchoolYear) -> list[budget.FundedLearner]:
    rows = LearnerYear.objects.filter(
        district_id=year.district_id, school_year=year, school__isnull=False
    ).values_list(
        "school_id",
        "grade",
        "economically_disadvantaged",
        "english_learner",
        "disability",
        "disability_service_level",
        "gifted",
    )
    return [
        budget.FundedLearner(
            school,
            band_of(grade) or "9-12",
            ed,
            el,
            (level or "") if disability else None,
            gifted,
        )
        for school, grade, ed, el, disability, level, gifted in rows
    ]


def allocations(year: SchoolYear) -> tuple[budget.Allocation, ...] | None:
    """Every school's allocation under the district's formula (None without a formula)."""
    formula = FundingFormula.objects.filter(district_id=year.district_id).first()
    if formula is None:
        return None
    current: dict[Hashable, float] = {int(k): float(v) for k, v in formula.current.items()}
    try:
        return budget.allocate(funded_learners(year), weights_of(formula), current)
    except ValueError as exc:
        raise ParameterError({"weights": str(exc)}) from exc


def formula_change(school: School, year: SchoolYear) -> float:
    """How the formula changes the school's money: its allocation over today's (1 without a
    formula or without today's allocation). A school's staffing budget scales with it."""
    found = allocations(year)
    for a in found or ():
        if a.school == school.pk and a.current:
            return a.allocation / a.current
    return 1.0


def _flat(weights: dict[str, Any]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in weights.items():
        if isinstance(value, dict):
            out += [(f"{key} {k or 'none'}", v) for k, v in value.items()]
        else:
            out.append((key, value))
    return out


def current_formula(district_id: int | None) -> FundingFormula | None:
    if district_id is None:
        return None
    return FundingFormula.objects.filter(district_id=district_id).first()


def weight_rows(formula: FundingFormula | None) -> list[tuple[str, str, object]]:
    """(form field, label, weight) for every weight of the formula (defaults without one)."""
    w = {**DEFAULT_WEIGHTS, **(formula.weights if formula else {})}
    rows: list[tuple[str, str, object]] = [
        (f"band_{b}", f"Grades {b}", w["grade_bands"].get(b, 0.0)) for b in BANDS
    ]
    rows += [
        (
            "economically_disadvantaged",
            "Economically disadvantaged",
            w["economically_disadvantaged"],
        ),
        ("english_learner", "English learner", w["english_learner"]),
        ("gifted", "Gifted", w["gifted"]),
    ]
    labels = {
        "": "Disability, no service level",
        "consult": "Disability: consultation",
        "resource": "Disability: resource",
        "separate": "Disability: separate setting",
    }
    rows += [
        (f"disability_{k or 'none'}", labels.get(k, k), v)
        for k, v in w["disability_levels"].items()
    ]
    return rows


def save_formula(
    district: District, *, base: object, weights: dict[str, Any], user: Any = None
) -> FundingFormula:
    """Check and store a district's formula; ParameterError names a bad value, nothing saved."""
    errors: dict[str, str] = {}
    try:
        amount = Decimal(str(base))
        if not amount.is_finite() or amount < 0:
            raise ValueError
    except (ArithmeticError, ValueError):
        errors["base"] = f"{base!r} must be an amount of at least 0"
        amount = Decimal(0)
    merged = {**DEFAULT_WEIGHTS, **weights}
    for name, value in _flat(merged):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            errors[name] = f"{value!r} is not a number"
        elif value < 0:
            errors[name] = f"{value:g} must not be negative"
    bands = merged["grade_bands"]
    missing = [b for b in BANDS if b not in bands]
    if missing:
        errors["grade_bands"] = f"no weight for {', '.join(missing)}"
    probe = FundingFormula(district=district, base=amount, weights=merged)
    if not errors:
        try:
            weights_of(probe).validate()
        except (TypeError, ValueError) as exc:
            errors["weights"] = str(exc)
    if errors:
        raise ParameterError(errors)
    with transaction.atomic():
        formula, _ = FundingFormula.objects.update_or_create(
            district=district, defaults={"base": amount, "weights": merged}
        )
        record_action(
            user=user,
            district_id=district.pk,
            action="set funding formula",
            obj=formula,
            details={"base": str(amount), "weights": merged},
        )
    return formula
