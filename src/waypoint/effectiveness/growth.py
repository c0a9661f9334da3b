"""Student growth percentiles from the stored scale scores (engine: ``waypoint.engine.growth``).

``compute_growth`` reads every scale score of the district, has the engine fit the SGP models
(knots and boundaries from all years of the data, or the district's own), and stores each
learner's SGP with the knots and boundaries used, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from waypoint.effectiveness import services
from waypoint.effectiveness.models import ScaleScore
from waypoint.engine.growth import KnotsBoundaries, growth_percentiles
from waypoint.roster.models import District


@dataclass(frozen=True)
class GrowthOutcome:
    scores: int
    percentiles: services.Stored
    knots: services.Stored


def compute_growth(
    *,
    district: District,
    knots: Mapping[tuple[str, int], KnotsBoundaries] | None = None,
    user: Any = None,
    threads: int | None = 1,
) -> GrowthOutcome:
    """SGPs for every stored score with a consecutive prior, stored with their knots."""
    rows = list(
        ScaleScore.objects.filter(district=district)
        .order_by()
        .values_list("learner_id", "subject", "year", "grade", "scale_score")
    )
    if not rows:
        return GrowthOutcome(0, services.Stored(), services.Stored())
    learner, subject, year, grade, score = (np.array(c) for c in zip(*rows, strict=True))
    result = growth_percentiles(learner, subject, year, grade, score, knots=knots, threads=threads)
    sgp_rows = [
        {
            "learner_id": int(lid),
            "subject": str(subj),
            "year": int(yr),
            "grade": int(gr),
            "sgp": int(value),
            "priors": int(k),
        }
        for lid, subj, yr, gr, value, k in zip(
            result.learner,
            result.subject,
            result.year,
            result.grade,
            result.sgp,
            result.priors,
            strict=True,
        )
    ]
    given = set(knots or {})
    knot_rows = [
        {
            "subject": subj,
            "grade": gr,
            "knots": [float(x) for x in kb.knots],
            "boundaries": [float(x) for x in kb.boundaries],
            "given": (subj, gr) in given,
        }
        for (subj, gr), kb in result.knots.items()
    ]
    stored, used = services.store_growth(
        district=district, rows=sgp_rows, knots=knot_rows, user=user
    )
    return GrowthOutcome(len(rows), stored, used)
