"""Teacher of record and access measures on hand-worked cases (DESIGN.md, "Domain words")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from waypoint.engine import access_measures as am

HE, E, D = am.HIGHLY_EFFECTIVE, am.EFFECTIVE, am.DEVELOPING
NR, PR = am.NOT_RATED, am.PARTLY_RATED
NAN = math.nan


def test_teacher_of_record_shares_aides_and_mcl() -> None:
    # group 1: shares 0.6 / 0.4 -> only the 0.6 teacher
    # group 2: shares 0.5 / 0.5 -> both
    # group 3: shares 0.4 / 0.3 / 0.3 -> the largest (0.4) only
    # group 4: no shares -> both teachers, never the aide
    # group 5: a share on one teacher only -> the other (no share) is not teacher of record
    # group 6: shares 0.7 / 0.3 with an MCL on the 0.3 teacher's team -> 0.7 teacher and MCL
    group = [1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6]
    teacher = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]
    share = [0.6, 0.4, 0.5, 0.5, 0.4, 0.3, 0.3, NAN, NAN, 0.9, 0.2, NAN, 0.7, 0.3, NAN]
    always = [0] * 14 + [1]
    got = am.teachers_of_record(group, teacher, share, always)
    assert got.tolist() == [
        True, False, True, True, True, False, False, True, True, False,
        True, False, True, False, True,
    ]  # fmt: skip


def test_an_aide_is_never_teacher_of_record_even_marked_always() -> None:
    assert am.teachers_of_record([1], [False], [NAN], [True]).tolist() == [False]


def test_bad_share_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        am.teachers_of_record([1], [True], [1.5])


def test_levels_of_missing_staff_is_unrated() -> None:
    assert am.levels_of([7, 8, 9], [9, 7], [E, HE]).tolist() == [HE, am.UNRATED, E]
    with pytest.raises(ValueError, match="one rating"):
        am.levels_of([1], [1, 1], [E, E])


def test_combine_takes_the_lowest_level_or_says_not_rated() -> None:
    groups, cats = am.combine([1, 1, 2, 2, 3, 4, 4], [HE, E, HE, 0, 0, HE, HE])
    assert groups.tolist() == [1, 2, 3, 4]
    assert cats.tolist() == [E, PR, NR, HE]


def test_merge_teacher_and_principal() -> None:
    got = am.merge([HE, HE, NR, NR, E, PR], [HE, E, NR, HE, NR, HE])
    assert got.tolist() == [HE, E, NR, PR, PR, PR]


def _world() -> tuple[tuple[am.AccessRows, am.AccessRows], dict[str, int]]:
    """Learners 1-4 at school 10 (principal 100, highly effective), learner 5 at school 20
    (principal 200, no rating). Subjects 0 (math) and 1 (ELA). Teachers: 11 HE, 12 E,
    13 no rating, 14 developing; aide 15 HE (must not count).

    - learner 1: math with 11 (0.6) and 12 (0.4) -> 11 only: HE; ELA with 12: E
    - learner 2: math co-taught by 11 and 12 (no shares) -> E; aide 15 in ELA alone -> NR
    - learner 3: math with 13 (no rating) -> NR
    - learner 4: math with 11 -> HE, ELA with 13 -> NR: per learner PARTLY_RATED
    - learner 5: math with 14 -> developing; principal not rated
    - learner 6: counted, no sections at all -> NR per learner, absent per subject
    """
    links = [
        # learner, subject, staff, teacher?, share
        (1, 0, 11, True, 0.6),
        (1, 0, 12, True, 0.4),
        (1, 1, 12, True, NAN),
        (2, 0, 11, True, NAN),
        (2, 0, 12, True, NAN),
        (2, 1, 15, False, NAN),
        (3, 0, 13, True, NAN),
        (4, 0, 11, True, NAN),
        (4, 0, 15, False, NAN),
        (4, 1, 13, True, NAN),
        (5, 0, 14, True, NAN),
        (99, 0, 11, True, NAN),  # a learner not counted (e.g. not enrolled on the count date)
    ]
    cols = list(zip(*links, strict=True))
    result = am.access_measures(
        link_learner=cols[0],
        link_subject=cols[1],
        link_staff=cols[2],
        link_is_teacher=cols[3],
        link_share=cols[4],
        link_always=None,
        learner=[1, 2, 3, 4, 5, 6],
        learner_school=[10, 10, 10, 10, 20, 10],
        principal_school=[10, 20],
        principal_staff=[100, 200],
        rated_staff=[11, 12, 14, 15, 100],
        rated_level=[HE, E, D, HE, HE],
    )
    return result, {}


def test_access_per_learner_subject() -> None:
    (per_subject, _), _ = _world()
    rows = {
        (int(a), int(b)): (int(t), int(p), int(x))
        for a, b, t, p, x in zip(
            per_subject.learner,
            per_subject.subject,
            per_subject.teacher,
            per_subject.principal,
            per_subject.both,
            strict=True,
        )
    }
    assert rows == {
        (1, 0): (HE, HE, HE),
        (1, 1): (E, HE, E),
        (2, 0): (E, HE, E),
        (2, 1): (NR, HE, PR),  # the aide alone is no teacher of record
        (3, 0): (NR, HE, PR),
        (4, 0): (HE, HE, HE),
        (4, 1): (NR, HE, PR),
        (5, 0): (D, NR, PR),  # the principal has no rating
    }


def test_access_per_learner() -> None:
    (_, per_learner), _ = _world()
    assert per_learner.learner.tolist() == [1, 2, 3, 4, 5, 6]
    assert per_learner.teacher.tolist() == [E, PR, NR, PR, D, NR]
    assert per_learner.principal.tolist() == [HE, HE, HE, HE, NR, HE]
    assert per_learner.both.tolist() == [E, PR, PR, PR, PR, PR]


def test_tally_counts_every_learner_once() -> None:
    (_, per_learner), _ = _world()
    t = am.tally({"school": [10, 10, 10, 10, 20, 10]}, per_learner.teacher)
    assert t.keys["school"].tolist() == [10, 20]
    assert t.total.tolist() == [5, 1]
    assert t.column("effective").tolist() == [1, 0]
    assert t.column("not_rated").tolist() == [2, 0]
    assert t.column("partly_rated").tolist() == [2, 0]
    assert t.column("developing").tolist() == [0, 1]
    assert t.column("effective_or_better").tolist() == [1, 0]


def test_tally_by_two_keys() -> None:
    t = am.tally({"a": [1, 1, 2, 2], "b": [5, 6, 5, 5]}, [HE, HE, E, NR])
    assert [(r["a"], r["b"], r["highly_effective"], r["total"]) for r in t.rows()] == [
        (1, 5, 1, 1),
        (1, 6, 1, 1),
        (2, 5, 0, 2),
    ]


def test_group_stats_and_medians() -> None:
    s = am.group_stats(
        {"g": [1, 1, 1, 1, 2, 2, 2]},
        score=[500, 510, 520, 530, 400, 410, 420],
        proficient=[1, 1, 0, 1, 0, 0, 1],
        sgp=[10, 40, 60, NAN, 5, 50, 99],
    )
    assert s.n.tolist() == [4, 3]
    assert s.proficient.tolist() == [3, 1]
    assert s.mean_score.tolist() == [515.0, 410.0]
    assert s.n_sgp.tolist() == [3, 3]
    assert s.median_sgp.tolist() == [40.0, 50.0]
    even = am.group_stats({"g": [1, 1]}, [1, 1], [0, 0], [30, 41])
    assert even.median_sgp.tolist() == [35.5]


def test_weighted_median_by_instructor_share() -> None:
    # SGPs 20 (weight 0.2), 50 (0.3), 80 (1.0): half the weight is 0.75 -> reached at 80
    index = np.zeros(3, dtype=np.int64)
    n, med = am.median_by(index, np.array([80.0, 20.0, 50.0]), np.array([1.0, 0.2, 0.3]), groups=1)
    assert n.tolist() == [3] and med.tolist() == [80.0]


def test_gaps_to_highest_and_to_all() -> None:
    assert am.gaps(np.array([0.8, 0.5, NAN])).tolist()[:2] == pytest.approx([0.0, 0.3])
    assert am.gaps(np.array([0.8, 0.5]), reference=0.6).tolist() == pytest.approx([-0.2, 0.1])


def test_median_sgp_by_staff() -> None:
    got = am.median_sgp_by_staff(
        staff=[7, 7, 7, 9, 9], sgp=[20, 50, 80, 40, NAN], share=[0.2, 0.3, 1.0, NAN, 1.0]
    )
    assert got.staff.tolist() == [7, 9]
    assert got.n.tolist() == [3, 1]
    assert got.median.tolist() == [50.0, 40.0]
    assert got.weighted_median.tolist() == [80.0, 40.0]


def test_reach_counts_a_learner_subject_when_any_teacher_of_record_is_highly_effective() -> None:
    nan = math.nan
    # learner 1, subject 0: effective team teacher + highly effective MCL -> reached
    # learner 1, subject 1: highly effective aide only -> not reached (aides never count)
    # learner 2, subject 0: shares 0.7 (effective) / 0.3 (highly effective) -> not reached
    # learner 3, subject 0: unrated teacher -> not reached
    learner, subject, hit = am.reached(
        link_learner=[1, 1, 1, 2, 2, 3],
        link_subject=[0, 0, 1, 0, 0, 0],
        link_staff=[10, 11, 11, 10, 11, 12],
        link_is_teacher=[True, True, False, True, True, True],
        link_share=[nan, nan, nan, 0.7, 0.3, nan],
        link_always=[False, True, False, False, False, False],
        rated_staff=[10, 11],
        rated_level=[am.EFFECTIVE, am.HIGHLY_EFFECTIVE],
    )
    assert list(zip(learner.tolist(), subject.tolist(), hit.tolist(), strict=True)) == [
        (1, 0, True),
        (1, 1, False),
        (2, 0, False),
        (3, 0, False),
    ]
