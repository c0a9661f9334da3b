"""Equity reports: access to effective teachers and principals, and achievement gaps.

Both are published sets (:mod:`waypoint.reports.published`): the drill-down district →
school → grade / subject / subgroup, every margin and the CSV export are suppressed together.
Only district admins (their district) and school leaders (their schools) may open them; they
show counts and percentages, never names. The numbers come from the district's whole data
(like a nightly job); the viewer decides which schools' aggregates are published.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import Viewer
from waypoint.effectiveness.measures import (
    NO_SCHOOL,
    SUBGROUPS,
    UNKNOWN_GRADE,
    counted_learners,
    year_measures,
)
from waypoint.effectiveness.models import GrowthPercentile, ScaleScore
from waypoint.engine import access_measures as am
from waypoint.reports.published import ALL, N, PublishedSet, Record, publish
from waypoint.reports.suppression import SuppressedSet
from waypoint.roster.grades import grade_label
from waypoint.roster.models import District, School, SchoolYear, Subject

ROLES = ("teacher", "principal", "both")
LEVEL_MEASURES = ("he", "e", "nr")
"""The published numerators per role. "Effective or better" is highly effective + effective,
a derived number (``published.derived``): shown where both are, or where the set pins it
down anyway (a cell of its own would only add work for the suppression)."""
LEVEL_LABELS = {
    "he": "highly effective",
    "e": "effective",
    "eob": "effective or better",
    "pr": "partly rated",
    "nr": "not rated",
}
UNITS = ("learner", "learner_subject")
GAP_DIMENSIONS = tuple(SUBGROUPS)
ACCESS_DIMENSIONS = ("grade", *SUBGROUPS)


def _measures(roles: tuple[str, ...] = ROLES) -> list[str]:
    return [f"{role}_{m}" for role in roles for m in LEVEL_MEASURES]


LEVELS = {"he": am.HIGHLY_EFFECTIVE, "e": am.EFFECTIVE, "nr": am.NOT_RATED}
TEACHER_CELLS = {code: f"teacher_{m}" for m, code in LEVELS.items()}
EOB = {f"{role}_eob": (f"{role}_he", f"{role}_e") for role in ROLES}


def school_measures(principal: dict[Hashable, int]) -> dict[str, dict[Hashable, tuple[str, ...]]]:
    """Principal and both measures of each school as sums of its own cells, in every group.

    A school's principal category is one for all its learners, so "principal X" is all of
    its learners (``N``) or none; "both" is ``engine.access_measures.merge`` of the teacher
    category with that one category, so "both X" is the teacher categories that merge to X
    (e.g. both effective = teacher highly effective + teacher effective under an effective
    principal, teacher effective under a highly effective one, else none)."""
    out: dict[str, dict[Hashable, tuple[str, ...]]] = defaultdict(dict)
    for school, p in principal.items():
        for m, level in LEVELS.items():
            out[f"principal_{m}"][school] = (N,) if p == level else ()
            merged = am.merge(list(am.CATEGORIES), [p] * len(am.CATEGORIES))
            teacher = [t for t, x in zip(am.CATEGORIES, merged.tolist(), strict=True) if x == level]
            if len(teacher) == len(am.CATEGORIES):
                out[f"both_{m}"][school] = (N,)
            elif all(t in TEACHER_CELLS for t in teacher):
                out[f"both_{m}"][school] = tuple(TEACHER_CELLS[t] for t in teacher)
            else:  # not a sum of published cells: refuse rather than publish a wrong number
                raise ValueError(f"both_{m} under a principal category {p} is not published")
    return {m: out[m] for role in ("principal", "both") for m in _measures((role,))}


def _flags(role: str, category: int) -> set[str]:
    out = set()
    if category == am.HIGHLY_EFFECTIVE:
        out.add(f"{role}_he")
    elif category == am.EFFECTIVE:
        out.add(f"{role}_e")
    elif category == am.NOT_RATED:
        out.add(f"{role}_nr")
    return out


@dataclass(frozen=True)
class Scope:
    """The schools a viewer may report on (``None`` = the whole district)."""

    district: District
    schools: frozenset[int] | None

    def includes(self, school: int) -> bool:
        return self.schools is None or school in self.schools


def report_scope(viewer: Viewer) -> Scope:
    """District admins: the district. School leaders: their schools. Anyone else: NotVisible."""
    if viewer.person is None or viewer.district_id is None:
        raise NotVisible()
    district = District.objects.get(pk=viewer.district_id)
    if viewer.is_district_admin:
        return Scope(district, None)
    if viewer.led_school_ids:
        return Scope(district, viewer.led_school_ids)
    raise NotVisible()


def place_names(district: District) -> dict[Hashable, str]:
    names: dict[Hashable, str] = {ALL: "All schools in scope", NO_SCHOOL: "No school"}
    names.update(dict(School.objects.filter(district=district).values_list("pk", "name")))
    return names


def value_label(dim: str, value: Hashable) -> str:
    if dim == ALL:
        return "All learners"
    if dim == "grade":
        return (
            "Grade unknown" if value == UNKNOWN_GRADE else f"Grade {grade_label(int(str(value)))}"
        )
    if dim == "subject":
        return dict(Subject.choices).get(str(value), str(value))
    if value in ("Yes", "No"):
        return f"{SUBGROUPS[dim]}: {str(value).lower()}"
    return str(value)


@dataclass
class AccessReport:
    year: SchoolYear
    unit: str
    scope: Scope
    published: PublishedSet
    places: dict[Hashable, str]
    dimensions: tuple[str, ...]

    def label(self, key: Hashable) -> str:
        assert isinstance(key, tuple)
        measure, _, place, dim, value = key
        what = "learners" if measure == N else measure.replace("_", " ")
        return f"{self.places.get(place, place)}, {value_label(dim, value)} ({what})"

    def effective_or_better(self, role: str, group: tuple[Hashable, ...]) -> tuple[str, str]:
        """Highly effective + effective (count, percent), where both are shown (or where the
        set pins the sum down anyway)."""
        key = (f"{role}_eob", *group)
        return self.published.count(key), self.published.percent(key)

    def csv_rows(self) -> list[list[str]]:
        rows = self.published.csv_rows()
        header = rows[0]
        out = [["year", "place", "group", *header[4:]]]
        for row in rows[1:]:
            r = dict(zip(header, row, strict=True))
            place = self.places.get(_int_or(r["place"]), r["place"])
            value: Hashable = _int_or(r["value"]) if r["dimension"] == "grade" else r["value"]
            if r["value"] in ("True", "False"):
                value = r["value"] == "True"
            out.append([self.year.title, place, value_label(r["dimension"], value), *row[4:]])
        return out


def _int_or(text: str) -> Hashable:
    try:
        return int(text)
    except ValueError:
        return text


def access_report(*, scope: Scope, year: SchoolYear, unit: str = "learner") -> AccessReport:
    """Access to highly effective / effective teachers of record and principals, one year.
    Views get ``scope`` from :func:`report_scope` (the viewer's schools)."""
    if year.district_id != scope.district.pk:
        raise NotVisible()
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    m = year_measures(year)
    records: list[Record] = []
    section = year.title
    if unit == "learner":
        rows = m.per_learner
        subjects: list[str | None] = [None] * rows.learner.shape[0]
    else:
        rows = m.per_subject
        assert rows.subject is not None
        subjects = [m.subjects[int(s)] for s in rows.subject]
    if not np.array_equal(rows.both, am.merge(rows.teacher, rows.principal)):
        raise ValueError("both is not the teacher and principal categories merged")
    principal_of: dict[Hashable, int] = {}  # one per school: its principal(s)' category
    t, principal = rows.teacher.tolist(), rows.principal.tolist()
    for i, learner_id in enumerate(rows.learner.tolist()):
        learner = m.learners[learner_id]
        if not scope.includes(learner.school):
            continue
        values: dict[str, Hashable] = {"grade": learner.grade, **learner.groups}
        if subjects[i] is not None:
            values["subject"] = subjects[i]
        category = int(principal[i])
        if principal_of.setdefault(learner.school, category) != category:
            raise ValueError(f"school {learner.school} has two principal categories")
        records.append(Record(section, learner.school, values, frozenset(_flags("teacher", t[i]))))
    dims = ACCESS_DIMENSIONS if unit == "learner" else ("subject", *ACCESS_DIMENSIONS)
    published = publish(
        records,
        dims,
        _measures(("teacher",)),
        threshold=scope.district.suppression_min_n,
        structural=frozenset({"grade"}),
        school_measures=school_measures(principal_of),
        derived=EOB,
    )
    return AccessReport(year, unit, scope, published, place_names(scope.district), dims)


@dataclass
class GapRow:
    """One shown group of the gap report (statistics only where the group is shown)."""

    year: int
    subject: str
    place: Hashable
    dimension: str
    value: Hashable
    learners: str
    proficient_percent: str
    mean_score: float | None
    median_sgp: float | None
    sgp_learners: str
    gap_to_highest: float | None = None
    gap_to_all: float | None = None
    sgp_gap_to_highest: float | None = None
    rate: float | None = None
    """Percent proficient where the group and its count are shown and not coded (for charts
    and gaps); else None."""


@dataclass
class GapReport:
    scope: Scope
    published: PublishedSet
    places: dict[Hashable, str]
    rows: list[GapRow] = field(default_factory=list)

    def label(self, key: Hashable) -> str:
        """A cell in words, for the suppression note."""
        assert isinstance(key, tuple)
        measure, section, place, dim, value = key
        year, subject = str(section).split(":", 1)
        what = {N: "learners", "prof": "proficient", "sgp": "learners with an SGP"}
        return (
            f"{year} {value_label('subject', subject)}, {self.places.get(place, place)}, "
            f"{value_label(dim, value)} ({what.get(measure, measure)})"
        )

    def csv_rows(self) -> list[list[str]]:
        def num(x: float | None) -> str:
            return "" if x is None else f"{x:.1f}"

        out = [
            [
                "year",
                "subject",
                "place",
                "group",
                "learners",
                "proficient_percent",
                "mean_scale_score",
                "learners_with_sgp",
                "median_sgp",
                "proficiency_gap_to_highest_group",
                "proficiency_gap_to_all",
                "median_sgp_gap_to_highest_group",
            ]
        ]
        for r in self.rows:
            out.append(
                [
                    str(r.year),
                    r.subject,
                    self.places.get(r.place, str(r.place)),
                    value_label(r.dimension, r.value),
                    r.learners,
                    r.proficient_percent,
                    num(r.mean_score),
                    r.sgp_learners,
                    num(r.median_sgp),
                    num(r.gap_to_highest),
                    num(r.gap_to_all),
                    num(r.sgp_gap_to_highest),
                ]
            )
        return out


def gap_report(*, scope: Scope, subject: str | None = None) -> GapReport:
    """Proficiency, mean scale score and median SGP by subgroup, every year of scores, with
    each group's gap to the highest shown group of its dimension and to all learners."""
    district = scope.district
    years = {y.start_date.year: y for y in SchoolYear.objects.filter(district=district)}
    counted = {start: counted_learners(y) for start, y in years.items()}
    scores = ScaleScore.objects.filter(district=district)
    if subject:
        scores = scores.filter(subject=subject)
    sgps = {
        (learner, subj, yr): sgp
        for learner, subj, yr, sgp in GrowthPercentile.objects.filter(
            district=district
        ).values_list("learner_id", "subject", "year", "sgp")
    }
    records: list[Record] = []
    stats: dict[tuple[Hashable, ...], list[tuple[float, int | None]]] = defaultdict(list)
    rows = scores.values_list("learner_id", "subject", "year", "scale_score", "proficient")
    for learner_id, subj, yr, score, proficient in rows.iterator():
        learner = counted.get(yr, {}).get(learner_id)
        if learner is None or not scope.includes(learner.school):
            continue  # only years with a school year, and learners counted in it
        sgp = sgps.get((learner_id, subj, yr))
        flags = {"prof"} if proficient else set()
        if sgp is not None:
            flags.add("sgp")
        section = f"{yr}:{subj}"
        records.append(Record(section, learner.school, learner.groups, frozenset(flags)))
        for place in (ALL, learner.school):
            stats[(section, place, ALL, ALL)].append((score, sgp))
            for dim in GAP_DIMENSIONS:
                stats[(section, place, dim, learner.groups[dim])].append((score, sgp))
    published = publish(
        records, GAP_DIMENSIONS, ("prof", "sgp"), threshold=district.suppression_min_n
    )
    report = GapReport(scope, published, place_names(district))
    result = published.result
    by_dim: dict[tuple[Hashable, Hashable, str], list[GapRow]] = defaultdict(list)
    totals: dict[tuple[Hashable, Hashable], float | None] = {}
    for g_section, g_place, g_dim, g_value in published.groups:
        key = (N, g_section, g_place, g_dim, g_value)
        year_text, subject_code = str(g_section).split(":", 1)
        shown = not result[key].hidden
        values = stats[(g_section, g_place, g_dim, g_value)]
        row = GapRow(
            year=int(year_text),
            subject=subject_code,
            place=g_place,
            dimension=g_dim,
            value=g_value,
            learners=result.count(key),
            proficient_percent=result.percent(("prof", *key[1:])),
            mean_score=statistics.fmean(v[0] for v in values) if shown and values else None,
            median_sgp=_median([v[1] for v in values if v[1] is not None]) if shown else None,
            sgp_learners=result.count(("sgp", *key[1:])),
        )
        row.rate = _rate(result, key)
        report.rows.append(row)
        if g_dim == ALL:
            totals[(g_section, g_place)] = row.rate
        else:
            by_dim[(g_section, g_place, g_dim)].append(row)
    for (g_section, g_place, _dim), group_rows in by_dim.items():
        rates = {id(r): r.rate for r in group_rows}
        shown_rates = [x for x in rates.values() if x is not None]
        top = max(shown_rates) if shown_rates else None
        medians = [r.median_sgp for r in group_rows if r.median_sgp is not None]
        top_sgp = max(medians) if medians else None
        everyone = totals.get((g_section, g_place))
        for r in group_rows:
            rate = rates[id(r)]
            if rate is None:
                continue
            r.gap_to_highest = None if top is None else top - rate
            r.gap_to_all = None if everyone is None else everyone - rate
            if r.median_sgp is not None and top_sgp is not None:
                r.sgp_gap_to_highest = top_sgp - r.median_sgp
    return report


def _rate(result: SuppressedSet, key: tuple[Hashable, ...]) -> float | None:
    """Proficiency rate in percent points where both counts are shown and the percentage is
    not coded (">95%" / "<5%": an exact gap would undo the coding); else None."""
    group, prof = result[key], result[("prof", *key[1:])]
    if group.hidden or prof.hidden or group.value == 0:
        return None
    if result.percent(("prof", *key[1:]))[0] in "<>":
        return None
    return 100.0 * prof.value / group.value


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def level_percent(report: AccessReport, measure: str, group: tuple[Hashable, ...]) -> str:
    return report.published.result.percent((measure, *group))


@dataclass(frozen=True)
class TeacherGrowth:
    """Median SGP of one teacher of record's learners (shown only from ``threshold`` up)."""

    staff_id: int
    name: str
    learners: int
    median_sgp: float | None
    weighted_median_sgp: float | None


def teacher_growth(*, viewer: Viewer, year: SchoolYear) -> list[TeacherGrowth]:
    """Median SGP by teacher of record, plain and weighted by instruction share, for the
    teachers whose records the viewer may see (``access.staff_list``: never a peer). A median
    of fewer learners than the district's threshold is not shown (it would tell learners'
    SGPs)."""
    from waypoint.access.selectors import staff_list

    scope = report_scope(viewer)
    if year.district_id != scope.district.pk:
        raise NotVisible()
    m = year_measures(year)
    visible = dict(
        (p.pk, p.display_name)
        for p in staff_list(viewer=viewer).filter(pk__in={t[2] for t in m.teachers_of_record})
    )
    sgps = dict(
        ((learner, subj), sgp)
        for learner, subj, sgp in GrowthPercentile.objects.filter(
            district=scope.district, year=year.start_date.year
        ).values_list("learner_id", "subject", "sgp")
    )
    links = [
        (staff, float(sgps[(learner, subj)]), share)
        for learner, subj, staff, share in m.teachers_of_record
        if staff in visible and (learner, subj) in sgps
    ]
    if not links:
        return []
    table = am.median_sgp_by_staff(
        [x[0] for x in links], [x[1] for x in links], [x[2] for x in links]
    )
    threshold = scope.district.suppression_min_n
    out = []
    for staff, n, med, wmed in zip(
        table.staff.tolist(),
        table.n.tolist(),
        table.median.tolist(),
        table.weighted_median.tolist(),
        strict=True,
    ):
        shown = n >= threshold
        out.append(
            TeacherGrowth(staff, visible[staff], n, med if shown else None, wmed if shown else None)
        )
    return sorted(out, key=lambda t: t.name)
