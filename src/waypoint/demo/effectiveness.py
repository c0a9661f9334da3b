"""Demo effectiveness data: four years of scale scores, two years of ratings, growth.

Every learner in grades 3–8 this year gets mathematics and ELA scale scores for this year and
the three before (grade − 1 a year earlier, and so on, from grade 3 up), drawn around a
learner's own level with growth each year. Teachers, multi-classroom leaders and school
leaders get a rating for each school year the demo has where the roster generator gave them
none (most effective, some highly effective, a few developing or ineffective, and some left
unrated so "not rated" shows).
SGPs are then computed by the growth engine from the stored scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from waypoint.effectiveness.growth import compute_growth
from waypoint.effectiveness.models import EffectivenessRating, ScaleScore
from waypoint.roster.models import District, LearnerYear, SchoolYear, StaffRole

SUBJECTS = ("mathematics", "ela")
LEVELS = ("highly_effective", "effective", "developing", "ineffective")
LEVEL_ODDS = (0.25, 0.55, 0.15, 0.05)
UNRATED_SHARE = 0.08
CUTS = ("Below basic", "Basic", "Proficient", "Advanced")


@dataclass(frozen=True)
class EffectivenessResult:
    ratings: int
    scores: int
    growth: int


def _level(score: float, grade: int) -> tuple[str, bool]:
    # cut scores rise 25 points a grade from 400 / 450 / 500 at grade 3
    base = 400 + 25 * (grade - 3)
    if score < base:
        return CUTS[0], False
    if score < base + 50:
        return CUTS[1], False
    if score < base + 100:
        return CUTS[2], True
    return CUTS[3], True


def seed_effectiveness(*, district: District, seed: int, today: dt.date) -> EffectivenessResult:
    """Ratings, four years of scores and SGPs for the demo district."""
    rng = np.random.default_rng(seed + 7)
    years = list(SchoolYear.objects.filter(district=district).order_by("start_date"))
    staff = sorted(
        set(
            StaffRole.objects.filter(
                district=district,
                role__in=[StaffRole.Role.TEACHER, StaffRole.Role.MCL, StaffRole.Role.SCHOOL_LEADER],
            ).values_list("person_id", flat=True)
        )
    )
    already = set(
        EffectivenessRating.objects.filter(district=district).values_list(
            "staff_id", "school_year_id"
        )
    )
    ratings = []
    for year in years:
        for person in staff:
            if (person, year.pk) in already or rng.random() < UNRATED_SHARE:
                continue
            level = LEVELS[int(rng.choice(4, p=LEVEL_ODDS))]
            score = round(float(rng.normal(3.0, 0.5)), 2)
            ratings.append(
                EffectivenessRating(
                    district=district,
                    staff_id=person,
                    school_year=year,
                    level=level,
                    score=score,
                    components={"growth": round(float(rng.normal(3.0, 0.6)), 2)},
                )
            )
    EffectivenessRating.objects.bulk_create(ratings, batch_size=2000)

    current = years[-1] if years else None
    scores = []
    if current is not None:
        start = current.start_date.year
        learners = LearnerYear.objects.filter(
            school_year=current, grade__gte=3, grade__lte=8
        ).values_list("learner_id", "grade", "economically_disadvantaged", "english_learner")
        for learner, grade, ed, el in learners:
            for subject in SUBJECTS:
                ability = rng.normal(0, 40) - 15 * ed - 20 * el
                for back in range(min(4, grade - 2)):
                    g = grade - back
                    score = 425 + 25 * (g - 3) + ability + rng.normal(0, 18)
                    name, proficient = _level(score, g)
                    scores.append(
                        ScaleScore(
                            district=district,
                            learner_id=learner,
                            subject=subject,
                            year=start - back,
                            grade=g,
                            scale_score=round(float(score)),
                            achievement_level=name,
                            proficient=proficient,
                        )
                    )
    ScaleScore.objects.bulk_create(scores, batch_size=5000)
    growth = compute_growth(district=district, threads=None) if scores else None
    created = growth.percentiles.created if growth else 0
    return EffectivenessResult(len(ratings), len(scores), created)
