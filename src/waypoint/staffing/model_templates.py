"""Staffing model templates and their editable parameters, checked with named errors.

Each template is a starting point whose every number a district may change:

- **Multi-classroom leadership**: a highly effective teacher leads a team of 2–8 teachers in
  one subject and grade band and is a teacher of record for all its learners; paid 20% of
  base plus 5% per member, at most 130%; vacant positions become reach associates.
- **Elementary subject specialization**: a highly effective elementary teacher teaches their
  subject to one or two partner classes (a team of 1–2 in K–5), for 10% + 5% per partner.
- **Time-technology swap**: part of class time in digital learning with a paraprofessional
  lets excellent teachers take larger classes (cap 34) for the excellent-teacher
  supplement; no teams.
- **Class-size teaching**: excellent teachers take a few more learners (cap 32) for a 30%
  supplement; no teams.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from waypoint.engine.reach import PayPolicy
from waypoint.staffing.bands import BANDS, ELEMENTARY
from waypoint.staffing.models import Scenario

T = Scenario.Template

COMMON: dict[str, Any] = {
    "team_min": 2,
    "team_max": 8,
    "leader_pct": 0.20,
    "leader_pct_per_member": 0.05,
    "leader_max_pct": 1.30,
    "member_pct": 0.0,
    "excellent_pct": 0.20,
    "excellent_max_pct": 0.40,
    "associate_salary": 32_000,
    "class_size_cap": 30,
    "bands": list(BANDS),
    "extra_budget": 0,
    "high_need_weight": 0.0,
    "method": "optimizer",
    # five-year projection
    "grant": 0,
    "grant_ends": None,
    "salary_step": 0.02,
    "inflation": 0.025,
    "enrollment_change": 0.0,
    "funding_growth": 0.025,
}
DEFAULTS: dict[str, dict[str, Any]] = {
    T.MCL: {**COMMON, "teams": True},
    T.SPECIALIZATION: {
        **COMMON,
        "teams": True,
        "team_min": 1,
        "team_max": 2,
        "leader_pct": 0.10,
        "leader_pct_per_member": 0.05,
        "leader_max_pct": 0.30,
        "bands": sorted(ELEMENTARY),
    },
    T.TIME_TECH: {**COMMON, "teams": False, "class_size_cap": 34},
    T.CLASS_SIZE: {**COMMON, "teams": False, "class_size_cap": 32, "excellent_pct": 0.30},
}
LABELS: dict[str, str] = {
    "team_min": "Smallest team",
    "team_max": "Largest team",
    "leader_pct": "Leader supplement (share of base)",
    "leader_pct_per_member": "Leader supplement per team member",
    "leader_max_pct": "Leader supplement cap",
    "member_pct": "Team member supplement",
    "excellent_pct": "Excellent-teacher supplement",
    "excellent_max_pct": "Excellent-teacher supplement cap",
    "associate_salary": "Reach associate salary",
    "class_size_cap": "Class-size cap",
    "bands": "Grade bands",
    "extra_budget": "Budget change from today ($; 0 = budget neutral)",
    "high_need_weight": "Extra weight for a high-need learner",
    "method": "Plan made by",
    "grant": "Grant per year ($)",
    "grant_ends": "Grant ends (year)",
    "salary_step": "Yearly salary step",
    "inflation": "Inflation",
    "enrollment_change": "Yearly enrollment change",
    "funding_growth": "Yearly growth of funding per learner",
}
INTEGERS = ("team_min", "team_max", "class_size_cap")
FRACTIONS = (
    "leader_pct",
    "leader_pct_per_member",
    "leader_max_pct",
    "member_pct",
    "excellent_pct",
    "excellent_max_pct",
)
AMOUNTS = ("associate_salary", "grant")
METHODS = ("optimizer", "greedy")


class ParameterError(ValueError):
    """Bad scenario parameters: ``errors`` maps each parameter to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class Parameters:
    template: str
    values: dict[str, Any]

    @property
    def policy(self) -> PayPolicy:
        v = self.values
        return PayPolicy(
            team_min=v["team_min"],
            team_max=v["team_max"],
            leader_pct=v["leader_pct"],
            leader_pct_per_member=v["leader_pct_per_member"],
            leader_max_pct=v["leader_max_pct"],
            member_pct=v["member_pct"],
            excellent_pct=v["excellent_pct"],
            excellent_max_pct=v["excellent_max_pct"],
            associate_salary=v["associate_salary"],
            class_size_cap=v["class_size_cap"],
            teams=v["teams"],
        )


def _number(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError
    value = float(str(raw).strip().replace(",", "").rstrip("%")) if isinstance(raw, str) else raw
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError
    return float(value)


def clean(template: str, raw: Mapping[str, Any]) -> Parameters:
    """The template's defaults overridden by ``raw``, every value checked.

    Raises :class:`ParameterError` naming each bad value, for example
    ``team_max: 12 is more than 8 members a team may have``.
    """
    if template not in DEFAULTS:
        raise ParameterError({"template": f"{template!r} is not one of {', '.join(DEFAULTS)}"})
    values = dict(DEFAULTS[template])
    errors: dict[str, str] = {}
    unknown = sorted(set(raw) - set(values))
    for name in unknown:
        errors[name] = "is not a parameter of this model"
    for name, given in raw.items():
        if name in unknown or given is None or given == "":
            continue
        try:
            if name in INTEGERS:
                number = _number(given)
                if not number.is_integer():
                    raise ValueError
                values[name] = int(number)
            elif (
                name in FRACTIONS
                or name in AMOUNTS
                or name
                in (
                    "extra_budget",
                    "high_need_weight",
                    "salary_step",
                    "inflation",
                    "enrollment_change",
                )
            ):
                values[name] = _number(given)
            elif name == "grant_ends":
                number = _number(given)
                if not number.is_integer():
                    raise ValueError
                values[name] = int(number)
            elif name == "bands":
                bands = [given] if isinstance(given, str) else list(given)
                bad = [b for b in bands if b not in BANDS]
                if bad or not bands:
                    errors[name] = f"{bad or bands!r}: choose among {', '.join(BANDS)}"
                    continue
                values[name] = [b for b in BANDS if b in bands]
            elif name == "method":
                if given not in METHODS:
                    errors[name] = f"{given!r} is not one of {', '.join(METHODS)}"
                    continue
                values[name] = given
            elif name == "teams":
                values[name] = bool(given)
        except (TypeError, ValueError):
            kind = "a whole number" if name in (*INTEGERS, "grant_ends") else "a number"
            errors[name] = f"{given!r} is not {kind}"
    for name in (*FRACTIONS, *AMOUNTS, "high_need_weight"):
        if name not in errors and values[name] < 0:
            errors[name] = f"{values[name]:g} must not be negative"
    if "team_max" not in errors and values["team_max"] > 8 and template == T.MCL:
        errors["team_max"] = f"{values['team_max']} is more than the 8 members a team may have"
    if "team_min" not in errors and values["team_min"] < 1:
        errors["team_min"] = f"{values['team_min']} must be at least 1"
    if not errors and values["team_max"] < values["team_min"]:
        errors["team_max"] = (
            f"{values['team_max']} is smaller than the smallest team ({values['team_min']})"
        )
    if "leader_max_pct" not in errors and values["leader_max_pct"] > 1.30:
        errors["leader_max_pct"] = f"{values['leader_max_pct']:.0%} is above the 130% cap"
    if "class_size_cap" not in errors and values["class_size_cap"] < 1:
        errors["class_size_cap"] = f"{values['class_size_cap']} must be at least 1"
    for name in ("salary_step", "inflation", "enrollment_change", "funding_growth"):
        if name not in errors and values[name] <= -1:
            errors[name] = f"{values[name]:g} is a fall of 100% or more"
    parameters = Parameters(template, values)
    if not errors:
        try:
            parameters.policy.validate()
        except ValueError as exc:
            errors["policy"] = str(exc)
    if errors:
        raise ParameterError(errors)
    return parameters
