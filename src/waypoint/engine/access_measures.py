"""Teacher of record, access measures and gaps (DESIGN.md, "Domain words"), over plain arrays.

No Django: the selector layer (``waypoint.effectiveness.measures``) feeds these functions
from the roster, and the benchmark feeds them a million synthetic rows.

- :func:`teachers_of_record` picks, from instructor links of one learner–subject–year
  group, the staff with lead responsibility: teachers (never aides); where shares are given,
  those with a share of at least 0.5 or, if none reaches it, the largest share; a
  multi-classroom leader (``always``) alongside.
- :func:`combine` gives each group one category from its staff's levels: the lowest level
  when every member is rated (so "highly effective" means every teacher of record is),
  :data:`PARTLY_RATED` when some are and some are not, :data:`NOT_RATED` when none is.
- :func:`tally` counts categories by any key columns; :func:`group_stats` gives the gap
  statistics (n, proficient, mean scale score, median SGP) by key columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

HIGHLY_EFFECTIVE, EFFECTIVE, DEVELOPING, INEFFECTIVE = 4, 3, 2, 1
UNRATED = 0
"""A staff member's level code when they have no rating for the year."""
PARTLY_RATED, NOT_RATED = 0, -1
"""Group categories besides the four levels."""
LEVEL_CODES = {
    "highly_effective": HIGHLY_EFFECTIVE,
    "effective": EFFECTIVE,
    "developing": DEVELOPING,
    "ineffective": INEFFECTIVE,
}
CATEGORIES = (HIGHLY_EFFECTIVE, EFFECTIVE, DEVELOPING, INEFFECTIVE, PARTLY_RATED, NOT_RATED)
"""Order of the category columns of :class:`Tally`."""
CATEGORY_NAMES = (
    "highly_effective",
    "effective",
    "developing",
    "ineffective",
    "partly_rated",
    "not_rated",
)


def _i64(values: npt.ArrayLike) -> I64:
    return np.asarray(values, dtype=np.int64)


def teachers_of_record(
    group: npt.ArrayLike,
    is_teacher: npt.ArrayLike,
    share: npt.ArrayLike,
    always: npt.ArrayLike | None = None,
) -> B:
    """Which instructor links are teachers of record, as a mask over the links.

    ``group`` identifies the learner–subject–year of each link; ``is_teacher`` is false for
    aides (never teachers of record); ``share`` is the instruction share, NaN where none was
    given. In a group where some teacher has a share, teachers with a share ≥ 0.5 are
    teachers of record, or, if none reaches 0.5, those with the largest share (ties all);
    a teacher without a share in such a group is not. In a group without shares every
    teacher is. ``always`` marks links that are teachers of record regardless (a
    multi-classroom leader accountable for the section), unless they are aides.
    """
    g = _i64(group)
    teacher = np.asarray(is_teacher, dtype=bool)
    s = np.where(teacher, np.asarray(share, dtype=np.float64), np.nan)
    n = g.shape[0]
    if teacher.shape != (n,) or s.shape != (n,):
        raise ValueError("group, is_teacher and share must be 1-d of one length")
    if n == 0:
        return np.zeros(0, dtype=bool)
    if np.any((s < 0) | (s > 1)):
        raise ValueError("shares must lie between 0 and 1")
    codes, inverse = np.unique(g, return_inverse=True)
    best = np.full(codes.shape[0], -np.inf)
    np.fmax.at(best, inverse, np.where(np.isnan(s), -np.inf, s))
    has_share = np.isfinite(best)[inverse]
    top = best[inverse]
    chosen = (s >= 0.5) | ((top < 0.5) & (s == top))
    mask = teacher & np.where(has_share, chosen, True)
    if always is not None:
        mask |= teacher & np.asarray(always, dtype=bool)
    return np.asarray(mask, dtype=bool)


def levels_of(staff: npt.ArrayLike, rated_staff: npt.ArrayLike, rated_level: npt.ArrayLike) -> I64:
    """Each staff id's level code from a (staff, level) table; :data:`UNRATED` where absent."""
    ids = _i64(staff)
    table = _i64(rated_staff)
    level = _i64(rated_level)
    if table.shape[0] == 0:
        return np.zeros(ids.shape[0], dtype=np.int64)
    order = np.argsort(table, kind="stable")
    table, level = table[order], level[order]
    if np.any(table[1:] == table[:-1]):
        raise ValueError("one rating per staff member and year")
    at = np.clip(np.searchsorted(table, ids), 0, table.shape[0] - 1)
    return np.where(table[at] == ids, level[at], UNRATED).astype(np.int64)


def combine(group: npt.ArrayLike, level: npt.ArrayLike) -> tuple[I64, I64]:
    """One category per group from its members' level codes: the group ids (sorted) and
    their category — the lowest level if all are rated, else PARTLY_RATED / NOT_RATED."""
    g = _i64(group)
    lv = _i64(level)
    codes, inverse = np.unique(g, return_inverse=True)
    low = np.full(codes.shape[0], HIGHLY_EFFECTIVE + 1, dtype=np.int64)
    high = np.full(codes.shape[0], UNRATED, dtype=np.int64)
    np.minimum.at(low, inverse, lv)
    np.maximum.at(high, inverse, lv)
    category = np.where(high == UNRATED, NOT_RATED, np.where(low == UNRATED, PARTLY_RATED, low))
    return codes.astype(np.int64), category.astype(np.int64)


def combine_sorted(group: I64, level: I64) -> tuple[I64, I64]:
    """:func:`combine` for rows already sorted by group (faster: no hashing, reduceat)."""
    if group.shape[0] == 0:
        return group.copy(), group.copy()
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    low = np.minimum.reduceat(level, starts)
    high = np.maximum.reduceat(level, starts)
    category = np.where(high == UNRATED, NOT_RATED, np.where(low == UNRATED, PARTLY_RATED, low))
    return group[starts], category.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Tally:
    """Counts of categories by key: ``keys[name][i]`` and ``counts[i, c]`` for
    :data:`CATEGORIES` in order; ``total[i]`` is the row sum (the group)."""

    keys: dict[str, I64]
    counts: I64

    @property
    def total(self) -> I64:
        return np.asarray(self.counts.sum(axis=1), dtype=np.int64)

    def column(self, name: str) -> I64:
        """The count of one category (``"highly_effective"``, …) or derived
        ``"effective_or_better"``."""
        if name == "effective_or_better":
            return self.column("highly_effective") + self.column("effective")
        return np.asarray(self.counts[:, CATEGORY_NAMES.index(name)], dtype=np.int64)

    def rows(self) -> list[dict[str, int]]:
        out = []
        for i in range(self.counts.shape[0]):
            row = {k: int(v[i]) for k, v in self.keys.items()}
            row.update({c: int(self.counts[i, j]) for j, c in enumerate(CATEGORY_NAMES)})
            row["total"] = int(self.counts[i].sum())
            out.append(row)
        return out


DENSE_LIMIT = 1 << 24
"""Largest product of key ranges counted densely (bincount) rather than by sorting."""


def _group_index(keys: Mapping[str, npt.ArrayLike], n: int) -> tuple[dict[str, I64], I64]:
    """Unique key combinations (each column) and each row's index into them."""
    columns = {k: _i64(v) for k, v in keys.items()}
    if not columns or n == 0:
        return {k: v[:0] for k, v in columns.items()}, np.zeros(n, dtype=np.int64)
    lows = {k: int(v.min()) for k, v in columns.items()}
    spans = {k: int(v.max()) - lows[k] + 1 for k, v in columns.items()}
    if int(np.prod([float(x) for x in spans.values()])) <= DENSE_LIMIT:
        # small integer ranges: mixed-radix codes, present codes found by a dense count
        code = np.zeros(n, dtype=np.int64)
        for k, v in columns.items():
            code = code * spans[k] + (v - lows[k])
        total = int(np.prod(list(spans.values()), dtype=np.int64))
        present = np.flatnonzero(np.bincount(code, minlength=total))
        lookup = np.zeros(total, dtype=np.int64)
        lookup[present] = np.arange(present.shape[0])
        out: dict[str, I64] = {}
        rest = present
        for k in reversed(list(columns)):
            out[k] = rest % spans[k] + lows[k]
            rest = rest // spans[k]
        return {k: out[k] for k in columns}, lookup[code]
    code = np.zeros(n, dtype=np.int64)
    uniques: list[I64] = []
    for values in columns.values():
        u, inv = np.unique(values, return_inverse=True)
        uniques.append(u)
        code = code * u.shape[0] + inv
    key_codes, index = np.unique(code, return_inverse=True)
    out = {}
    rest = key_codes
    for name, u in reversed(list(zip(columns, uniques, strict=True))):
        out[name] = u[rest % u.shape[0]]
        rest = rest // u.shape[0]
    return {k: out[k] for k in columns}, index.astype(np.int64)


def tally(keys: Mapping[str, npt.ArrayLike], category: npt.ArrayLike) -> Tally:
    """Count categories by the key columns (all of one length with ``category``)."""
    cat = _i64(category)
    columns, index = _group_index(keys, cat.shape[0])
    slot = cat - NOT_RATED  # -1 … 4 → 0 … 5
    # CATEGORIES runs 4, 3, 2, 1, 0, -1: column = 5 - slot
    width = len(CATEGORIES)
    groups = int(index.max()) + 1 if index.shape[0] else 0
    flat = np.bincount(index * width + (width - 1 - slot), minlength=groups * width)
    return Tally(columns, flat.reshape(groups, width).astype(np.int64))


@dataclass(frozen=True, eq=False)
class GroupStats:
    """Gap statistics by key: learners with a score, proficient, mean scale score, and
    learners with an SGP and their median SGP (NaN where none)."""

    keys: dict[str, I64]
    n: I64
    proficient: I64
    mean_score: F8
    n_sgp: I64
    median_sgp: F8


def group_stats(
    keys: Mapping[str, npt.ArrayLike],
    score: npt.ArrayLike,
    proficient: npt.ArrayLike,
    sgp: npt.ArrayLike,
    weight: npt.ArrayLike | None = None,
) -> GroupStats:
    """n, proficient count, mean score and median SGP by the key columns. ``sgp`` is NaN
    where a learner has none. With ``weight``, the median SGP is the weighted median (the
    smallest SGP at which the cumulative weight reaches half the group's weight)."""
    s = np.asarray(score, dtype=np.float64)
    columns, index = _group_index(keys, s.shape[0])
    groups = int(index.max()) + 1 if index.shape[0] else 0
    n = np.bincount(index, minlength=groups).astype(np.int64)
    prof = np.bincount(index, weights=np.asarray(proficient, dtype=np.float64), minlength=groups)
    total = np.bincount(index, weights=s, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    g = np.asarray(sgp, dtype=np.float64)
    w = np.ones_like(g) if weight is None else np.asarray(weight, dtype=np.float64)
    n_sgp, median = median_by(index, g, w, groups)
    return GroupStats(columns, n, prof.round().astype(np.int64), mean, n_sgp, median)


def median_by(index: I64, values: F8, weight: F8, groups: int) -> tuple[I64, F8]:
    """Count and (weighted) median of non-NaN values per group index. Unweighted, it is the
    usual median (the mean of the two middle values for an even count)."""
    ok = ~np.isnan(values) & (weight > 0)
    idx, val, wt = index[ok], values[ok], weight[ok]
    count = np.bincount(idx, minlength=groups).astype(np.int64)
    median = np.full(groups, np.nan)
    if idx.shape[0] == 0:
        return count, median
    if np.all(wt == 1.0) and np.all((val >= 0) & (val < 128) & (val == np.round(val))):
        return count, _small_integer_median(idx, val.astype(np.int64), count, groups)
    order = np.lexsort((val, idx))
    idx, val, wt = idx[order], val[order], wt[order]
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    if np.all(wt == 1.0):
        has = count > 0
        lo = starts + (count - 1) // 2
        hi = starts + count // 2
        median[has] = (val[lo[has]] + val[hi[has]]) / 2.0
        return count, median
    cum = np.cumsum(wt)
    before = np.concatenate(([0.0], cum))[starts]
    group_weight = np.bincount(idx, weights=wt, minlength=groups)
    within = cum - before[idx]
    reached = within >= group_weight[idx] / 2.0 - 1e-12
    first = np.full(groups, -1, dtype=np.int64)
    pos = np.flatnonzero(reached)
    # the first row of each group at which the cumulative weight reaches half
    first_pos = np.full(groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_pos, idx[pos], pos)
    has = count > 0
    first[has] = first_pos[has]
    median[has] = val[first[has]]
    return count, median


def _small_integer_median(idx: I64, val: I64, count: I64, groups: int) -> F8:
    """The median of small whole numbers (SGPs) per group from a histogram: O(n)."""
    width = 128
    hist = np.bincount(idx * width + val, minlength=groups * width).reshape(groups, width)
    cum = np.cumsum(hist, axis=1)
    lo_rank = (count - 1) // 2  # 0-based ranks of the two middle values
    hi_rank = count // 2
    lo = np.argmax(cum > lo_rank[:, None], axis=1).astype(np.float64)
    hi = np.argmax(cum > hi_rank[:, None], axis=1).astype(np.float64)
    return np.where(count > 0, (lo + hi) / 2.0, np.nan)


def gaps(rate: F8, reference: float | None = None) -> F8:
    """Each group's gap (in the same units) below the highest group, or below ``reference``
    (all learners) when given: positive means behind. NaN rates stay NaN."""
    r = np.asarray(rate, dtype=np.float64)
    if reference is None:
        if np.all(np.isnan(r)):
            return r.copy()
        reference = float(np.nanmax(r))
    return np.asarray(reference - r, dtype=np.float64)


def combine_categories(group: npt.ArrayLike, category: npt.ArrayLike) -> tuple[I64, I64]:
    """Merge group categories into coarser groups (learner–subject → learner): NOT_RATED
    when all are, PARTLY_RATED when some are not rated, else the lowest level."""
    g = _i64(group)
    cat = _i64(category)
    codes, inverse = np.unique(g, return_inverse=True)
    low = np.full(codes.shape[0], HIGHLY_EFFECTIVE + 1, dtype=np.int64)
    high = np.full(codes.shape[0], NOT_RATED, dtype=np.int64)
    np.minimum.at(low, inverse, cat)
    np.maximum.at(high, inverse, cat)
    out = np.where(high == NOT_RATED, NOT_RATED, np.where(low <= PARTLY_RATED, PARTLY_RATED, low))
    return codes.astype(np.int64), out.astype(np.int64)


def merge(a: npt.ArrayLike, b: npt.ArrayLike) -> I64:
    """Two categories of the same learners together (teacher and principal: "both")."""
    x, y = _i64(a), _i64(b)
    both_none = (x == NOT_RATED) & (y == NOT_RATED)
    some_none = (x <= PARTLY_RATED) | (y <= PARTLY_RATED)
    return np.where(
        both_none, NOT_RATED, np.where(some_none, PARTLY_RATED, np.minimum(x, y))
    ).astype(np.int64)


@dataclass(frozen=True, eq=False)
class AccessRows:
    """Categories per learner–subject (``subject`` set) or per learner (``subject`` None)."""

    learner: I64
    subject: I64 | None
    teacher: I64
    principal: I64
    both: I64


def access_measures(
    *,
    link_learner: npt.ArrayLike,
    link_subject: npt.ArrayLike,
    link_staff: npt.ArrayLike,
    link_is_teacher: npt.ArrayLike,
    link_share: npt.ArrayLike,
    link_always: npt.ArrayLike | None,
    learner: npt.ArrayLike,
    learner_school: npt.ArrayLike,
    principal_school: npt.ArrayLike,
    principal_staff: npt.ArrayLike,
    rated_staff: npt.ArrayLike,
    rated_level: npt.ArrayLike,
) -> tuple[AccessRows, AccessRows]:
    """Access categories for one school year, per learner–subject and per learner.

    Links are the instructor links of learners' sections on the count date (learner,
    subject code ≥ 0, staff, teacher or aide, share or NaN, MCL flag). ``learner`` /
    ``learner_school`` are the learners counted and their school on the count date (-1 for
    none); principals are (school, staff) pairs; ratings are (staff, level code) for the
    year. Every counted learner appears once in the per-learner rows; one without any
    teacher of record is NOT_RATED. A learner–subject whose links hold no teacher of
    record (an aide alone) is NOT_RATED too.
    """
    lid = _i64(learner)
    lschool = _i64(learner_school)
    ll, ls_, lst = _i64(link_learner), _i64(link_subject), _i64(link_staff)
    counted = np.isin(ll, lid)
    ll, ls_, lst = ll[counted], ls_[counted], lst[counted]
    teacher = np.asarray(link_is_teacher, dtype=bool)[counted]
    share = np.asarray(link_share, dtype=np.float64)[counted]
    always = None if link_always is None else np.asarray(link_always, dtype=bool)[counted]
    subjects = int(ls_.max()) + 1 if ls_.shape[0] else 1
    group = ll * subjects + ls_
    tor = teachers_of_record(group, teacher, share, always)
    level = np.where(tor, levels_of(lst, rated_staff, rated_level), UNRATED)
    # a link that is not a teacher of record neither rates nor unrates its group, but gives
    # the group a place (so an aide-only subject is NOT_RATED); min and max need no dedup
    is_tor, lv = tor, level
    codes, inverse = np.unique(group, return_inverse=True)
    low = np.full(codes.shape[0], HIGHLY_EFFECTIVE + 1, dtype=np.int64)
    high = np.full(codes.shape[0], UNRATED, dtype=np.int64)
    np.minimum.at(low, inverse[is_tor], lv[is_tor])
    np.maximum.at(high, inverse[is_tor], lv[is_tor])
    any_tor = np.bincount(inverse[is_tor], minlength=codes.shape[0]) > 0
    low = np.where(any_tor, low, UNRATED)
    t_cat = np.where(high == UNRATED, NOT_RATED, np.where(low == UNRATED, PARTLY_RATED, low))
    ls_learner, ls_subject = codes // subjects, codes % subjects

    # principals: one category per school, NOT_RATED for a school without one
    p_school, p_staff = _i64(principal_school), _i64(principal_staff)
    school_codes, school_cat = combine(p_school, levels_of(p_staff, rated_staff, rated_level))
    order = np.argsort(lid, kind="stable")
    sorted_ids, sorted_school = lid[order], lschool[order]

    def principal_of(ids: I64) -> I64:
        schools = sorted_school[np.searchsorted(sorted_ids, ids)]
        if school_codes.shape[0] == 0:
            return np.full(ids.shape[0], NOT_RATED, dtype=np.int64)
        at = np.clip(np.searchsorted(school_codes, schools), 0, school_codes.shape[0] - 1)
        return np.where(school_codes[at] == schools, school_cat[at], NOT_RATED).astype(np.int64)

    p_cat = principal_of(ls_learner)
    per_subject = AccessRows(
        ls_learner.astype(np.int64),
        ls_subject.astype(np.int64),
        t_cat.astype(np.int64),
        p_cat,
        merge(t_cat, p_cat),
    )
    # per learner: every teacher of record across subjects; none at all is NOT_RATED
    ids_with, t_learner = combine_categories(ls_learner, t_cat)
    everyone = np.unique(lid)
    t_all = np.full(everyone.shape[0], NOT_RATED, dtype=np.int64)
    t_all[np.searchsorted(everyone, ids_with)] = t_learner
    p_all = principal_of(everyone)
    per_learner = AccessRows(everyone, None, t_all, p_all, merge(t_all, p_all))
    return per_subject, per_learner


def encode(values: Sequence[object]) -> tuple[I64, list[object]]:
    """Integer codes for arbitrary labels (and the labels, by code)."""
    labels = sorted(set(values), key=str)
    lookup = {v: i for i, v in enumerate(labels)}
    return np.fromiter((lookup[v] for v in values), dtype=np.int64, count=len(values)), labels


@dataclass(frozen=True, eq=False)
class StaffGrowth:
    """Median SGP by staff member: learners (links with an SGP), the unweighted median and
    the median weighted by instruction share."""

    staff: I64
    n: I64
    median: F8
    weighted_median: F8


def median_sgp_by_staff(
    staff: npt.ArrayLike, sgp: npt.ArrayLike, share: npt.ArrayLike | None = None
) -> StaffGrowth:
    """One row per staff member from (staff, SGP, share) link rows; a NaN SGP is skipped, a
    NaN share counts as 1."""
    ids, index = np.unique(_i64(staff), return_inverse=True)
    values = np.asarray(sgp, dtype=np.float64)
    weight = np.ones_like(values) if share is None else np.asarray(share, dtype=np.float64)
    weight = np.where(np.isnan(weight), 1.0, weight)
    index = index.astype(np.int64)
    n, median = median_by(index, values, np.ones_like(values), ids.shape[0])
    _, weighted = median_by(index, values, weight, ids.shape[0])
    return StaffGrowth(ids.astype(np.int64), n, median, weighted)


def reached(
    *,
    link_learner: npt.ArrayLike,
    link_subject: npt.ArrayLike,
    link_staff: npt.ArrayLike,
    link_is_teacher: npt.ArrayLike,
    link_share: npt.ArrayLike,
    link_always: npt.ArrayLike | None,
    rated_staff: npt.ArrayLike,
    rated_level: npt.ArrayLike,
) -> tuple[I64, I64, B]:
    """Reach (DESIGN.md) per learner–subject: (learner, subject, reached), sorted.

    A learner–subject is reached when any of its teachers of record — picked by
    :func:`teachers_of_record`, as the access measures pick them, a multi-classroom leader
    included — is rated highly effective. The staffing planner counts reach before and
    after a scenario with this, on links it changed as the scenario says.
    """
    ll, ls_ = _i64(link_learner), _i64(link_subject)
    if ll.shape[0] == 0:
        return ll.copy(), ls_.copy(), np.zeros(0, dtype=bool)
    subjects = int(ls_.max()) + 1
    group = ll * subjects + ls_
    tor = teachers_of_record(group, link_is_teacher, link_share, link_always)
    level = levels_of(link_staff, rated_staff, rated_level)
    codes, inverse = np.unique(group, return_inverse=True)
    hits = np.bincount(
        inverse,
        weights=(tor & (level == HIGHLY_EFFECTIVE)).astype(np.float64),
        minlength=codes.shape[0],
    )
    return codes // subjects, codes % subjects, hits > 0
