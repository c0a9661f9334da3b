"""Simulated evidence for the demo: BKT responses on the demo framework, then mastery.

Every learner in grades 3–8 this school year works on the demo framework's standards of
their grade, in teaching order (mathematics and ELA side by side, one standard after the
other through the year), and reviews a couple of standards of the grade below early in the
year. Responses are drawn from BKT (``waypoint.engine``) with plausible per-standard
parameters, shifted by a per-learner ability so that some learners are ahead and some
behind; able learners also move a standard or two further. Timestamps fall on school days
from the first day of the year's first term up to yesterday.

Mastery comes from :func:`waypoint.mastery.services.fit_district`, the real refit: it fits
each standard's parameters and computes every learner × standard state.

For large demos only the first :data:`MAX_EVIDENCE_LEARNERS` learners of grades 3–8 (by
sourced id, plus the demo "learner" login) get evidence, so a 100,000-learner demo still
builds in reasonable time. Everything is seeded: the same seed gives the same evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Min
from django.utils import timezone

from waypoint.access.viewer import current_school_year
from waypoint.demo import bulk
from waypoint.engine import _bkt_kernels as kernels
from waypoint.evidence.models import Observation
from waypoint.mastery.services import fit_district
from waypoint.roster.models import District, LearnerYear, Person, Term
from waypoint.standards.models import Framework, FrameworkItem

MAX_EVIDENCE_LEARNERS = 3000
"""At most this many learners of grades 3–8 get evidence (the first by sourced id)."""

GRADES = range(3, 9)
REVIEW_STANDARDS = 2
"""Standards of the grade below each learner reviews early in the year."""
OBSERVATION_COLUMNS = (
    "district",
    "learner",
    "item",
    "correct",
    "score",
    "max_score",
    "observed_at",
    "source",
    "source_ref",
    "created_at",
)
SOURCE_REF = "demo"


@dataclass(frozen=True)
class EvidenceResult:
    observations: int
    learners: int
    states: int


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _window(district: District, today: dt.date) -> tuple[dt.date, dt.date, float] | None:
    """(first day of evidence, last day, share of the teaching year gone), or None."""
    year = current_school_year(district.pk, today)
    if year is None:
        return None
    first_term = Term.objects.filter(school_year=year).aggregate(d=Min("start_date"))["d"]
    start = max(first_term or year.start_date, year.start_date)
    end = min(today - dt.timedelta(days=1), year.end_date)
    # early in the year (or before it starts) there is still a few weeks of evidence to show
    start = min(start, end - dt.timedelta(days=27))
    share = (end - start).days / max((year.end_date - start).days - 30, 1)
    return start, end, min(max(share, 0.1), 1.0)


def _learners(district: District, today: dt.date) -> list[tuple[int, int]]:
    """(learner id, grade) of the learners of grades 3–8 this year who get evidence."""
    year = current_school_year(district.pk, today)
    rows = list(
        LearnerYear.objects.filter(district=district, school_year=year, grade__in=GRADES)
        .order_by("learner__sourced_id")
        .values_list("learner_id", "grade")
    )
    chosen = rows[:MAX_EVIDENCE_LEARNERS]
    login = Person.objects.filter(district=district, user__username="learner").first()
    if login is not None and login.pk not in {pk for pk, _ in chosen}:
        chosen += [row for row in rows if row[0] == login.pk]
    return chosen


def _standards(framework: Framework) -> dict[int, dict[str, list[int]]]:
    """Grade → subject → standard ids in teaching order."""
    out: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    items = FrameworkItem.objects.filter(
        framework=framework, item_type="Standard", retired=False, grade_low__in=GRADES
    ).order_by("grade_low", "sequence_number", "human_coding_scheme", "identifier")
    for pk, grade, subject in items.values_list("pk", "grade_low", "subject"):
        if grade is not None:  # always, by the filter
            out[grade][(subject or [""])[0]].append(pk)
    return out


def simulate_evidence(
    *, district: District, framework: Framework, seed: int, today: dt.date
) -> EvidenceResult:
    """Write simulated observations for the demo's learners and fit mastery from them."""
    window = _window(district, today)
    learners = _learners(district, today) if window else []
    standards = _standards(framework)
    if window is None or not learners or not standards:
        return EvidenceResult(0, 0, 0)
    start, end, share = window
    days = (end - start).days + 1
    rng = np.random.default_rng([seed, 7_000_001])

    # plausible BKT parameters per standard: prior, learn, guess, slip (no forgetting)
    base: dict[int, tuple[float, float, float, float]] = {}
    for grade in sorted(standards):
        for subject in sorted(standards[grade]):
            for pk in standards[grade][subject]:
                prior, learn = rng.uniform(0.08, 0.3), rng.uniform(0.1, 0.3)
                guess, slip = rng.uniform(0.1, 0.25), rng.uniform(0.05, 0.15)
                base[pk] = (prior, learn, guess, slip)

    seq_learner: list[int] = []
    seq_item: list[int] = []
    seq_params: list[tuple[float, float, float, float, float]] = []
    seq_days: list[tuple[int, int]] = []  # first and last day offset of the sequence
    seq_length: list[int] = []
    for learner_id, grade in learners:
        ability = float(rng.normal())
        pace = share * (1 + 0.25 * ability)  # share of the grade's standards reached
        for subject in sorted(standards[grade]):
            order = standards[grade][subject]
            n = len(order)
            reached = min(n, max(1, math.ceil(n * pace + 1e-9)))
            for k, pk in enumerate(order[:reached]):
                prior, learn, guess, slip = base[pk]
                first = days * k // reached  # reached standards spread over the weeks so far
                length = int(rng.integers(2, 5)) if k == reached - 1 else int(rng.integers(4, 11))
                seq_learner.append(learner_id)
                seq_item.append(pk)
                seq_params.append(
                    (
                        _sigmoid(_logit(prior) + 1.0 * ability),
                        _sigmoid(_logit(learn) + 0.8 * ability),
                        0.0,
                        guess,
                        slip,
                    )
                )
                seq_days.append((first, min(first + 35, days) - 1))
                seq_length.append(length)
        below = [
            pk
            for subject in sorted(standards.get(grade - 1, {}))
            for pk in standards[grade - 1][subject]
        ]
        if below:
            for pk in rng.choice(below, size=min(REVIEW_STANDARDS, len(below)), replace=False):
                _, learn, guess, slip = base[int(pk)]
                seq_learner.append(learner_id)
                seq_item.append(int(pk))
                seq_params.append((_sigmoid(_logit(0.6) + 1.0 * ability), learn, 0.0, guess, slip))
                seq_days.append((0, min(days, 28) - 1))
                seq_length.append(int(rng.integers(2, 5)))

    lengths = np.asarray(seq_length, dtype=np.int64)
    offsets = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    n_obs = int(offsets[-1])
    table = np.asarray(seq_params, dtype=np.float64)
    u = rng.random((n_obs, 2))
    correct = np.empty(n_obs, dtype=np.int8)
    kernels.simulate(offsets, np.arange(len(seq_length), dtype=np.int64), table, u, correct)

    # timestamps: sorted school-day moments (8:00–15:00) in each sequence's window
    day_bounds = np.asarray(seq_days, dtype=np.int64)
    lo = np.repeat(day_bounds[:, 0], lengths)
    hi = np.repeat(day_bounds[:, 1], lengths)
    day = lo + (rng.random(n_obs) * (hi - lo + 1)).astype(np.int64)
    weekday = (start.weekday() + day) % 7  # a weekend day moves to Friday (Monday at the start)
    back = np.where(weekday == 5, 1, np.where(weekday == 6, 2, 0))
    day = np.where(day >= back, day - back, day + (7 - weekday))
    moments = day * 86_400 + 8 * 3600 + rng.integers(0, 7 * 3600, n_obs)
    seq_of = np.repeat(np.arange(lengths.shape[0]), lengths)
    moments = moments[np.lexsort((moments, seq_of))]  # in order within each sequence
    origin = dt.datetime.combine(start, dt.time(), tzinfo=timezone.get_current_timezone())

    learner_col = np.repeat(np.asarray(seq_learner, dtype=np.int64), lengths).tolist()
    item_col = np.repeat(np.asarray(seq_item, dtype=np.int64), lengths).tolist()
    scores = np.where(correct == 1, rng.integers(4, 6, n_obs), rng.integers(0, 4, n_obs))
    rows = zip(
        learner_col, item_col, correct.tolist(), scores.tolist(), moments.tolist(), strict=True
    )
    now = timezone.now()
    source = Observation.Source.RESPONSES.value
    bulk.insert(
        Observation,
        OBSERVATION_COLUMNS,
        (
            (
                district.pk,
                learner_id,
                item_id,
                bool(ok),
                float(score),
                5.0,
                origin + dt.timedelta(seconds=seconds),
                source,
                SOURCE_REF,
                now,
            )
            for learner_id, item_id, ok, score, seconds in rows
        ),
    )

    fit = fit_district(district=district, restarts=1, seed=seed)
    return EvidenceResult(observations=n_obs, learners=len(learners), states=fit.states)
