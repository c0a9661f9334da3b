"""One published set for a drill-down report: place (district → school) × dimension → value.

A report counts records (learners, or learner–subjects) into groups and, within each group,
the records with some property (numerators: "highly effective teacher of record",
"proficient"…). Every drill-down level, every margin and the CSV export are one published set
(DESIGN.md, "suppression"), so this module builds all of their cells and relations at once
and suppresses them in one call to :mod:`waypoint.reports.suppression`:

- places: ``ALL`` (the whole scope) and each school;
- dimensions: ``ALL`` (the place's total), then e.g. grade, subject, English learner, race;
- a group's cell is ``(N, section, place, dimension, value)``; a numerator's is
  ``(measure, section, place, dimension, value)``; ``section`` separates independent parts
  of one set (years, subjects) that share no totals;
- ``place_measures`` are numerators counted for the scope and each school only (a principal's
  rating is the same for every learner of a school, so it is not broken down by group);
- relations: the scope total is the sum of the schools; each place's total is the sum of the
  values of each dimension; each (dimension, value) over the scope is the sum over schools;
  numerators add up the same way (``mirror``).

Values of a dimension seen anywhere in a section are published for every school (a 0 is a
small cell, hidden, not left out); values of a ``structural`` dimension (grade) only where
they occur, since a grade a school does not teach is a structural zero.

Django-free, so the property tests and the benchmark use it directly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from waypoint.reports.suppression import Relation, SuppressedSet, mirror, suppress

ALL = "all"
N = "n"


@dataclass(frozen=True)
class Record:
    """One counted record: its section, school, dimension values and numerator flags."""

    section: Hashable
    school: Hashable
    values: Mapping[str, Hashable]
    flags: frozenset[str] = frozenset()


@dataclass
class PublishedSet:
    """The cells, relations and numerators of one published set, and their suppression."""

    counts: dict[Hashable, int]
    relations: list[Relation]
    numerators: dict[Hashable, Hashable]
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]
    result: SuppressedSet
    groups: list[tuple[Hashable, Hashable, str, Hashable]] = field(default_factory=list)
    """Every group as (section, place, dimension, value), in report order."""
    place_measures: tuple[str, ...] = ()
    """Measures published for the scope and each school only."""

    def csv_rows(self) -> list[list[str]]:
        """The CSV export: a header, then :meth:`rows` (the same cells as the page)."""
        rows = self.rows()
        header = list(rows[0]) if rows else ["section", "place", "dimension", "value"]
        return [header] + [[r[h] for h in header] for r in rows]

    def shown(self, section: Hashable, place: Hashable, dim: str, value: Hashable) -> bool:
        return not self.result[(N, section, place, dim, value)].hidden

    def rows(self) -> list[dict[str, str]]:
        """Every group with its count and each measure's count and percentage, as shown."""
        out = []
        for section, place, dim, value in self.groups:
            key = (section, place, dim, value)
            row = {
                "section": str(section),
                "place": str(place),
                "dimension": dim,
                "value": str(value),
                "learners": self.result.count((N, *key)),
            }
            for m in self.measures:
                row[m] = self.result.count((m, *key))
                row[f"{m}_percent"] = self.result.percent((m, *key))
            for m in self.place_measures:
                at_place = dim == ALL
                row[m] = self.result.count((m, *key)) if at_place else ""
                row[f"{m}_percent"] = self.result.percent((m, *key)) if at_place else ""
            out.append(row)
        return out


def _renamer(measure: str) -> Callable[[Hashable], Hashable]:
    def rename(key: Hashable) -> Hashable:
        assert isinstance(key, tuple)
        return (measure, *key[1:])

    return rename


def build_counts(
    records: Iterable[Record],
    dimensions: Sequence[str],
    measures: Sequence[str],
    *,
    structural: frozenset[str] = frozenset(),
    sums: Mapping[str, Sequence[str]] | None = None,
    place_measures: Sequence[str] = (),
) -> tuple[
    dict[Hashable, int],
    list[Relation],
    dict[Hashable, Hashable],
    list[tuple[Hashable, Hashable, str, Hashable]],
]:
    """Cells, relations, numerators and the list of groups (see the module docstring)."""
    counts: Counter[Hashable] = Counter()
    sections: dict[Hashable, set[Hashable]] = defaultdict(set)
    seen: dict[tuple[Hashable, str], set[Hashable]] = defaultdict(set)
    seen_at: dict[tuple[Hashable, Hashable, str], set[Hashable]] = defaultdict(set)
    for r in records:
        sections[r.section].add(r.school)
        places_of: list[tuple[Hashable, str, Hashable]] = [(ALL, ALL, ALL), (r.school, ALL, ALL)]
        for dim in dimensions:
            v = r.values[dim]
            seen[(r.section, dim)].add(v)
            seen_at[(r.section, r.school, dim)].add(v)
            places_of += [(ALL, dim, v), (r.school, dim, v)]
        for place, dim, v in places_of:
            counts[(N, r.section, place, dim, v)] += 1
            for m in measures:
                if m in r.flags:
                    counts[(m, r.section, place, dim, v)] += 1
        for m in place_measures:
            if m in r.flags:
                counts[(m, r.section, ALL, ALL, ALL)] += 1
                counts[(m, r.section, r.school, ALL, ALL)] += 1
    groups: list[tuple[Hashable, Hashable, str, Hashable]] = []
    relations: list[Relation] = []
    for section in sorted(sections, key=str):
        schools = sorted(sections[section], key=str)
        places: list[Hashable] = [ALL, *schools]
        relations.append(
            Relation((N, section, ALL, ALL, ALL), [(N, section, s, ALL, ALL) for s in schools])
        )
        for place in places:
            groups.append((section, place, ALL, ALL))
            for dim in dimensions:
                if dim in structural and place != ALL:
                    values = seen_at[(section, place, dim)]
                else:
                    values = seen[(section, dim)]
                ordered = sorted(values, key=str)
                groups += [(section, place, dim, v) for v in ordered]
                relations.append(
                    Relation(
                        (N, section, place, ALL, ALL),
                        [(N, section, place, dim, v) for v in ordered],
                    )
                )
        for dim in dimensions:
            for v in sorted(seen[(section, dim)], key=str):
                parts = [
                    (N, section, s, dim, v)
                    for s in schools
                    if dim not in structural or v in seen_at[(section, s, dim)]
                ]
                relations.append(Relation((N, section, ALL, dim, v), parts))
    cells: dict[Hashable, int] = {}
    numerators: dict[Hashable, Hashable] = {}
    for section, place, dim, v in groups:
        cells[(N, section, place, dim, v)] = counts[(N, section, place, dim, v)]
        for m in measures:
            cells[(m, section, place, dim, v)] = counts[(m, section, place, dim, v)]
            numerators[(m, section, place, dim, v)] = (N, section, place, dim, v)
    place_relations: list[Relation] = []
    for section in sections:
        schools = sorted(sections[section], key=str)
        place_relations.append(
            Relation((N, section, ALL, ALL, ALL), [(N, section, s, ALL, ALL) for s in schools])
        )
    for section, place, dim, v in groups:
        if dim != ALL:
            continue
        for m in place_measures:
            cells[(m, section, place, dim, v)] = counts[(m, section, place, dim, v)]
            numerators[(m, section, place, dim, v)] = (N, section, place, dim, v)
    all_relations = list(relations)
    for m in place_measures:
        all_relations += mirror(place_relations, _renamer(m))
    for m in measures:
        all_relations += mirror(relations, _renamer(m))
    for total, addends in (sums or {}).items():
        # a measure that is the sum of others (effective or better = highly effective +
        # effective) in every group: a reader knows it, so the suppression must too
        all_relations += [Relation((total, *g), [(part, *g) for part in addends]) for g in groups]
    return cells, all_relations, numerators, groups


def publish(
    records: Iterable[Record],
    dimensions: Sequence[str],
    measures: Sequence[str],
    *,
    threshold: int,
    structural: frozenset[str] = frozenset(),
    sums: Mapping[str, Sequence[str]] | None = None,
    place_measures: Sequence[str] = (),
) -> PublishedSet:
    """Build and suppress one published set. ``sums`` names measures that are the sum of
    others in every group (each must also be in ``measures``); ``place_measures`` are
    counted for the scope and each school only (not by dimension)."""
    cells, relations, numerators, groups = build_counts(
        records,
        dimensions,
        measures,
        structural=structural,
        sums=sums,
        place_measures=place_measures,
    )
    result = suppress(cells, relations, threshold=threshold, numerators=numerators)
    return PublishedSet(
        cells,
        relations,
        numerators,
        tuple(measures),
        tuple(dimensions),
        result,
        groups,
        tuple(place_measures),
    )
