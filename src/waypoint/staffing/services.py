"""Compute and save staffing scenarios: plan, reach before and after, cost, five-year budget.

Everything is computed before anything is written, so a bad parameter, an impossible budget
or a solver failure leaves a saved scenario exactly as it was. Reach is counted by the
access measures' own rule (``engine.access_measures.reached`` over the instructor links the
access measures read, changed as the plan says) and published through
``reports.published`` with small-cell suppression, so a stored result holds only numbers a
planner may see.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import IntegrityError, transaction

from waypoint.access.viewer import Viewer
from waypoint.audit.services import record_action
from waypoint.effectiveness.measures import SUBGROUPS, Link, instructor_links
from waypoint.engine import access_measures as am
from waypoint.engine import budget, reach
from waypoint.reports.published import Record, publish
from waypoint.roster.models import School, SchoolYear, Subject
from waypoint.staffing import funding
from waypoint.staffing.model_templates import ParameterError, Parameters, clean
from waypoint.staffing.models import Scenario
from waypoint.staffing.school_model import StaffingData, at_school, links_after, load

DIMENSIONS = ("subject", *SUBGROUPS)
TIME_LIMIT = 20.0


def _reach_rows(data: StaffingData, links: list[Link]) -> list[tuple[int, str, bool]]:
    subjects = sorted({r[1] for r in links})
    code = {s: i for i, s in enumerate(subjects)}
    staff, levels = data.rated_arrays()
    learner, subject, hit = am.reached(
        link_learner=[r[0] for r in links],
        link_subject=[code[r[1]] for r in links],
        link_staff=[r[2] for r in links],
        link_is_teacher=[r[3] for r in links],
        link_share=[r[4] for r in links],
        link_always=[r[5] for r in links],
        rated_staff=staff,
        rated_level=levels,
    )
    return [
        (int(a), subjects[int(b)], bool(c))
        for a, b, c in zip(learner.tolist(), subject.tolist(), hit.tolist(), strict=True)
    ]


def _published(
    data: StaffingData, before: list[Link], after: list[Link], threshold: int
) -> tuple[dict[str, dict[str, int]], list[dict[str, str]]]:
    records = []
    totals: dict[str, dict[str, int]] = {}
    for section, links in (("before", before), ("after", after)):
        rows = _reach_rows(data, links)
        totals[section] = {"reached": sum(r[2] for r in rows), "total": len(rows)}
        for learner, subject, hit in rows:
            groups = data.learners[learner].groups
            records.append(
                Record(
                    section,
                    data.school.id,
                    {"subject": subject, **{g: groups[g] for g in SUBGROUPS}},
                    frozenset({"reached"}) if hit else frozenset(),
                )
            )
    published = publish(records, DIMENSIONS, ("reached",), threshold=threshold)
    return totals, published.rows()


def _labelled(text: str) -> str:
    """An engine sentence with subject codes in words (``physical_education 6-8`` ...)."""
    for code, label in Subject.choices:
        text = text.replace(f" {code} ", f" {label} ")
    return text


def _plan_json(data: StaffingData, plan: reach.Plan) -> dict[str, Any]:
    name = data.names
    return {
        "teams": [
            {
                "leader": t.leader,
                "leader_name": name.get(t.leader, str(t.leader)),
                "subject": t.subject,
                "subject_label": Subject(t.subject).label
                if t.subject in Subject.values
                else t.subject,
                "band": t.band,
                "members": [{"id": m, "name": name.get(m, str(m))} for m in t.members],
            }
            for t in plan.teams
        ],
        "conversions": [
            {
                "position": c.position,
                "name": name.get(c.position, str(c.position)),
                "moves": [
                    {
                        "from": name.get(m.source, str(m.source)),
                        "to": name.get(m.target, str(m.target)),
                        "learners": m.count,
                    }
                    for m in c.moves
                ],
            }
            for c in plan.conversions
        ],
        "extended": [
            {"id": t, "name": name.get(t, str(t))} for t in sorted(plan.extended, key=str)
        ],
    }


def compute(school: School, year: SchoolYear, parameters: Parameters) -> dict[str, Any]:
    """The scenario's plan and results; raises ParameterError naming what cannot be met."""
    v = parameters.values
    data = load(school, year, bands=frozenset(v["bands"]), high_need_weight=v["high_need_weight"])
    policy = parameters.policy
    today = reach.current_cost(data.school)
    target = today + v["extra_budget"]
    try:
        if v["method"] == "greedy":
            result = reach.greedy_result(data.school, policy, budget=target)
        else:
            result = reach.optimize(data.school, policy, budget=target, time_limit=TIME_LIMIT)
    except ValueError as exc:  # a budget no plan meets, or staffing the engine refuses
        field = "extra_budget" if "budget" in str(exc) else "positions"
        raise ParameterError({field: str(exc)}) from exc
    before_links = instructor_links(year, data.learners, among=at_school(school, year))
    after_links = links_after(data, before_links, result.plan)
    totals, rows = _published(data, before_links, after_links, school.district.suppression_min_n)
    fixed = data.fixed_cost
    supplements = sum(result.supplements.values())
    salaries = sum(t.salary for t in data.school.teachers)
    other_after = result.cost_after - salaries - supplements + fixed
    learners = len(data.learners)
    revenue = (today + fixed) / learners if learners else 0.0
    revenue *= funding.formula_change(school, year)
    projection = budget.project(
        salaries=salaries,
        supplements=supplements,
        other_costs=other_after,
        learners=learners,
        revenue_per_learner=revenue,
        first_year=year.start_date.year + 1,
        salary_step=v["salary_step"],
        inflation=v["inflation"],
        enrollment_change=v["enrollment_change"],
        funding_growth=v["funding_growth"],
        grant=v["grant"],
        grant_ends=v["grant_ends"],
    )
    return {
        "plan": _plan_json(data, result.plan),
        "result": {
            "reach": totals,
            "published": rows,
            "learners": learners,
            "learners_in_plan": data.learners_in_plan,
            "cost_before": today + fixed,
            "cost_after": result.cost_after + fixed,
            "budget": target + fixed,
            "supplements": supplements,
            "associates": len(result.plan.conversions),
            "position_unit": (salaries / len(data.school.teachers))
            if data.school.teachers
            else 0.0,
            "freed": sum(
                p.cost
                for p in data.school.positions
                if p.id in {c.position for c in result.plan.conversions}
            ),
            "changes": [_labelled(c) for c in result.changes],
            "status": result.status,
            "gap": None if math.isnan(result.gap) else result.gap,
            "seconds": round(result.seconds, 3),
            "revenue_per_learner": revenue,
            "projection": {
                "years": [
                    {
                        "year": y.year,
                        "learners": y.learners,
                        "revenue": round(y.revenue, 2),
                        "grant": round(y.grant, 2),
                        "cost": round(y.cost, 2),
                        "balance": round(y.balance, 2),
                        "affordable": y.affordable,
                    }
                    for y in projection.years
                ],
                "affordable_after_grant": projection.affordable_after_grant,
                "shortfall_years": list(projection.shortfall_years),
            },
        },
    }


def save_scenario(
    viewer: Viewer,
    *,
    school: School,
    year: SchoolYear,
    name: str,
    template: str,
    parameters: dict[str, Any],
    scenario: Scenario | None = None,
    user: Any = None,
) -> Scenario:
    """Create or update a scenario, audited. Raises ParameterError (nothing written) on bad
    input."""
    name = (name or "").strip()
    if not name:
        raise ParameterError({"name": "give the scenario a name"})
    if len(name) > 120:
        raise ParameterError({"name": f"{len(name)} characters; at most 120"})
    clash = Scenario.objects.filter(school=school, school_year=year, name=name)
    if scenario is not None:
        clash = clash.exclude(pk=scenario.pk)
    if clash.exists():
        raise ParameterError({"name": f"{name!r} is already a scenario of {school.name}"})
    cleaned = clean(template, parameters)
    computed = compute(school, year, cleaned)
    try:
        with transaction.atomic():
            if scenario is None:
                scenario = Scenario(
                    district_id=school.district_id,
                    school=school,
                    school_year=year,
                    created_by=viewer.person,
                )
            scenario.name = name
            scenario.template = template
            scenario.parameters = cleaned.values
            scenario.plan = computed["plan"]
            scenario.result = computed["result"]
            created = scenario.pk is None
            scenario.save()
            record_action(
                user=user,
                district_id=school.district_id,
                action="create scenario" if created else "update scenario",
                obj=scenario,
                details={"name": name, "template": template},
            )
    except IntegrityError as exc:  # a concurrent save took the name
        raise ParameterError({"name": f"{name!r} is already a scenario of {school.name}"}) from exc
    return scenario
