"""Demo staffing: a salary schedule, a position for every staff member, a few vacancies, a
funding formula, and one saved scenario a planner can open at once.

Teachers are placed on the schedule by a seeded step (BA or MA lane) and certified in the
subjects and grade bands they teach this year (some also in the next band up). At each
school one unrated teacher's position is made a vacancy "covered by a long-term
substitute": the position is vacant and covers that teacher's sections, the way a district
would record a post it has not filled. The saved scenario is multi-classroom leadership,
budget neutral, at the school where it reaches the most learners.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from waypoint.access.viewer import current_school_year
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.engine import budget
from waypoint.roster.models import District, Enrollment, School, SchoolYear, StaffRole
from waypoint.staffing import funding
from waypoint.staffing.bands import BANDS, band_of
from waypoint.staffing.model_templates import ParameterError, clean
from waypoint.staffing.models import Position, SalarySchedule, SalaryStep, Scenario
from waypoint.staffing.services import compute

BASE_SALARY = 48_000.0
STEP_RAISE = 0.025
MA_BONUS = 5_000.0
BASE_PER_LEARNER = 7_200
"""The demo formula's base; today's allocations are 1-6% below what it gives each school."""
STEPS = 21
DEMO_SCENARIO = "Multi-classroom leadership, budget neutral"
OTHER_KINDS = {
    StaffRole.Role.AIDE: (Position.Kind.PARAPROFESSIONAL, 0.6),
    StaffRole.Role.COACH: (Position.Kind.COACH, 1.15),
    StaffRole.Role.MCL: (Position.Kind.MCL, 1.3),
}


@dataclass(frozen=True)
class StaffingResult:
    positions: int
    vacancies: int
    scenario: str | None
    school: str | None


def _salary(lane: str, step: int) -> Decimal:
    pay = BASE_SALARY * (1 + STEP_RAISE) ** step + (MA_BONUS if lane == "MA" else 0.0)
    return Decimal(round(pay, 2)).quantize(Decimal("0.01"))


def seed_staffing(*, district: District, seed: int, today: dt.date) -> StaffingResult:
    rng = random.Random(f"{seed}-staffing")
    year = current_school_year(district.pk, today)
    if year is None:
        return StaffingResult(0, 0, None, None)
    schedule = SalarySchedule.objects.create(district=district, name="Teachers 2026")
    SalaryStep.objects.bulk_create(
        SalaryStep(district=district, schedule=schedule, lane=lane, step=s, salary=_salary(lane, s))
        for lane in ("BA", "MA")
        for s in range(STEPS)
    )
    teaching = Enrollment.objects.filter(
        Enrollment.active_on_q(year.count_date),
        district=district,
        role=Enrollment.Role.TEACHER,
        section__school_year=year,
    ).values_list(
        "person_id", "section_id", "section__school_id", "section__subject", "section__grade"
    )
    schools: dict[int, Counter[int]] = defaultdict(Counter)
    keys: dict[int, set[str]] = defaultdict(set)
    sections: dict[int, list[int]] = defaultdict(list)
    for person, section, school, subject, grade in teaching:
        schools[person][school] += 1
        sections[person].append(section)
        band = band_of(grade)
        if band is not None:
            keys[person].add(f"{subject}:{band}")
    rated_now = set(
        EffectivenessRating.objects.filter(district=district, school_year=year).values_list(
            "staff_id", flat=True
        )
    )
    bands = list(BANDS)
    positions: list[Position] = []
    covers: dict[int, list[int]] = {}
    vacant_at: set[int] = set()
    for person in sorted(schools):
        school = min(schools[person].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        lane = "MA" if rng.random() < 0.45 else "BA"
        step = rng.randrange(STEPS)
        certs = set(keys[person])
        for key in list(certs):
            subject, band = key.split(":")
            nxt = bands.index(band) + 1
            if nxt < len(bands) and rng.random() < 0.3:
                certs.add(f"{subject}:{bands[nxt]}")
        vacancy = person not in rated_now and school not in vacant_at
        p = Position(
            district=district,
            sourced_id=f"pos-{person}",
            school_id=school,
            staff_id=None if vacancy else person,
            kind=Position.Kind.TEACHER,
            salary=_salary(lane, step),
            lane=lane,
            step=step,
            schedule=schedule,
            certifications=sorted(certs),
        )
        if vacancy:
            vacant_at.add(school)
            covers[len(positions)] = sections[person]
        positions.append(p)
    others = StaffRole.objects.filter(
        district=district, school_year=year, role__in=list(OTHER_KINDS), school__isnull=False
    ).values_list("person_id", "role", "school_id")
    for person, role, school in others:
        kind, scale = OTHER_KINDS[role]
        positions.append(
            Position(
                district=district,
                sourced_id=f"pos-{role}-{person}",
                school_id=school,
                staff_id=person,
                kind=kind,
                salary=(_salary("BA", rng.randrange(STEPS)) * Decimal(str(scale))).quantize(
                    Decimal("0.01")
                ),
            )
        )
    Position.objects.bulk_create(positions)
    saved = {p.sourced_id: p for p in Position.objects.filter(district=district)}
    through = Position.covers.through
    through.objects.bulk_create(
        through(position_id=saved[positions[i].sourced_id].pk, section_id=s)
        for i, ids in covers.items()
        for s in ids
    )
    learners = funding.funded_learners(year)
    formula = funding.save_formula(district, base=Decimal(str(BASE_PER_LEARNER)), weights={})
    formula.current = {
        str(a.school): round(a.allocation * rng.uniform(0.94, 0.99), -3)
        for a in budget.allocate(learners, funding.weights_of(formula))
    }
    formula.save(update_fields=["current"])
    name, school_name = _best_scenario(district, year, sorted(vacant_at))
    return StaffingResult(len(positions), len(covers), name, school_name)


def _best_scenario(
    district: District, year: SchoolYear, schools: list[int]
) -> tuple[str | None, str | None]:
    """Save the MCL scenario at the school (with a vacancy) where it reaches the most."""
    parameters = clean(Scenario.Template.MCL, {})
    best: tuple[int, School, dict[str, object]] | None = None
    for school in School.objects.filter(pk__in=schools).order_by("pk"):
        try:
            computed = compute(school, year, parameters)
        except ParameterError:
            continue
        reach = computed["result"]["reach"]
        gain = reach["after"]["reached"] - reach["before"]["reached"]
        if best is None or gain > best[0]:
            best = (gain, school, computed)
    if best is None:
        return None, None
    _, school, computed = best
    Scenario.objects.create(
        district=district,
        school=school,
        school_year=year,
        name=DEMO_SCENARIO,
        template=Scenario.Template.MCL,
        parameters=parameters.values,
        plan=computed["plan"],
        result=computed["result"],
    )
    return DEMO_SCENARIO, school.name
