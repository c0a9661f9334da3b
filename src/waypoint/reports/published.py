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
- ``school_measures`` are measures that, within one school, equal the sum of some of its
  other cells in every group (a principal's rating is one per school: "principal highly
  effective" is all of a school's learners or none of them). At a school they are *derived*
  (an alias of a cell, the sum of two, or a constant 0), not new unknowns; for the scope they
  are partial sums over schools, new cells with a relation each;
- ``derived`` measures are sums of other measures in every group (effective or better =
  highly effective + effective), shown where their addends are, or where the rest of the
  set pins them down anyway (then showing them tells nothing new);
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

from waypoint.reports.suppression import (
    HIDDEN_TEXT,
    Relation,
    SuppressedSet,
    exposed,
    format_count,
    format_percent,
    mirror,
    suppress,
)

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
    """The cells the suppression decides (see ``derived`` for the other shown numbers)."""
    relations: list[Relation]
    numerators: dict[Hashable, Hashable]
    measures: tuple[str, ...]
    dimensions: tuple[str, ...]
    result: SuppressedSet
    groups: list[tuple[Hashable, Hashable, str, Hashable]] = field(default_factory=list)
    """Every group as (section, place, dimension, value), in report order."""
    school_measures: tuple[str, ...] = ()
    """Measures fixed per school (see the module docstring), published in every group."""
    derived: dict[Hashable, tuple[Hashable, ...]] = field(default_factory=dict)
    """Shown numbers that are not cells of the suppression: key → the cells they add up
    (none: a constant 0)."""
    derived_measures: tuple[str, ...] = ()
    revealed: frozenset[Hashable] = frozenset()
    """Derived numbers shown although an addend is hidden: the set pins them down anyway."""

    def value(self, key: Hashable) -> int:
        """The true number (for the report's code, never for the page)."""
        if key in self.derived:
            return sum(self.result[k].value for k in self.derived[key])
        return self.result[key].value

    def is_hidden(self, key: Hashable) -> bool:
        if key not in self.derived:
            return self.result[key].hidden
        if key in self.revealed:
            return False
        return any(self.result[k].hidden for k in self.derived[key])

    def shown_value(self, key: Hashable) -> int | None:
        return None if self.is_hidden(key) else self.value(key)

    def count(self, key: Hashable) -> str:
        """A count as the page shows it."""
        return format_count(self.shown_value(key))

    def percent(self, key: Hashable) -> str:
        """A numerator's share of its group, coded; hidden when either is hidden."""
        assert isinstance(key, tuple)
        group = (N, *key[1:])
        if self.is_hidden(key) or self.result[group].hidden:
            return HIDDEN_TEXT
        return format_percent(self.value(key), self.result[group].value)

    def note(self, label: Callable[[Hashable], str] | None = None) -> str:
        """The suppression note, and a sentence for hidden derived numbers if any."""
        text = self.result.note(label=label)
        hidden = sum(1 for k in self.derived if self.is_hidden(k))
        if hidden:
            text += (
                f" {hidden} further {'number is' if hidden == 1 else 'numbers are'} hidden "
                "because a hidden number above is part of "
                f"{'it' if hidden == 1 else 'them'} (sums such as effective or better, "
                "and principal or both measures for all schools)."
            )
        return text

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
            for m in (*self.measures, *self.school_measures, *self.derived_measures):
                row[m] = self.count((m, *key))
                row[f"{m}_percent"] = self.percent((m, *key))
            out.append(row)
        return out


def _renamer(measure: str) -> Callable[[Hashable], Hashable]:
    def rename(key: Hashable) -> Hashable:
        assert isinstance(key, tuple)
        return (measure, *key[1:])

    return rename


@dataclass
class Cells:
    """What :func:`build_counts` returns."""

    counts: dict[Hashable, int]
    relations: list[Relation]
    numerators: dict[Hashable, Hashable]
    groups: list[tuple[Hashable, Hashable, str, Hashable]]
    derived: dict[Hashable, tuple[Hashable, ...]] = field(default_factory=dict)
    derived_values: dict[Hashable, int] = field(default_factory=dict)


def build_counts(
    records: Iterable[Record],
    dimensions: Sequence[str],
    measures: Sequence[str],
    *,
    structural: frozenset[str] = frozenset(),
    sums: Mapping[str, Sequence[str]] | None = None,
    school_measures: Mapping[str, Mapping[Hashable, Sequence[str]]] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> Cells:
    """Cells, relations, numerators, groups and derived numbers (see the module docstring).

    ``school_measures[m][school]`` names the cells (``N`` or measures) whose sum ``m`` is in
    every group of ``school`` (none: 0); a school left out counts as none. ``derived[m]``
    names the measures ``m`` adds up in every group."""
    school_measures = dict(school_measures or {})
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
    groups: list[tuple[Hashable, Hashable, str, Hashable]] = []
    relations: list[Relation] = []
    # parts of each scope group over schools, for the relations and the partial sums
    over_schools: dict[tuple[Hashable, str, Hashable], list[Hashable]] = {}
    for section in sorted(sections, key=str):
        schools = sorted(sections[section], key=str)
        places: list[Hashable] = [ALL, *schools]
        over_schools[(section, ALL, ALL)] = schools
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
                over_schools[(section, dim, v)] = [
                    s for s in schools if dim not in structural or v in seen_at[(section, s, dim)]
                ]
        for dim in dimensions:
            for v in sorted(seen[(section, dim)], key=str):
                parts = [(N, section, s, dim, v) for s in over_schools[(section, dim, v)]]
                relations.append(Relation((N, section, ALL, dim, v), parts))
    cells: dict[Hashable, int] = {}
    numerators: dict[Hashable, Hashable] = {}
    for section, place, dim, v in groups:
        cells[(N, section, place, dim, v)] = counts[(N, section, place, dim, v)]
        for m in measures:
            cells[(m, section, place, dim, v)] = counts[(m, section, place, dim, v)]
            numerators[(m, section, place, dim, v)] = (N, section, place, dim, v)
    all_relations = list(relations)
    for m in measures:
        all_relations += mirror(relations, _renamer(m))
    for total, addends in (sums or {}).items():
        # a measure that is the sum of others (effective or better = highly effective +
        # effective) in every group: a reader knows it, so the suppression must too
        all_relations += [Relation((total, *g), [(part, *g) for part in addends]) for g in groups]
    out = Cells(cells, all_relations, numerators, groups)
    for m, by_school in school_measures.items():
        for g in groups:
            section, place, dim, v = g
            if place != ALL:
                out.derived[(m, *g)] = tuple((b, *g) for b in by_school.get(place, ()))
                continue
            # the scope: a partial sum of the schools' cells
            out.derived[(m, *g)] = tuple(
                (b, section, s, dim, v)
                for s in over_schools[(section, dim, v)]
                for b in by_school.get(s, ())
            )
    for m, addends in (derived or {}).items():
        for g in groups:
            parts = []
            for a in addends:
                key = (a, *g)
                parts += list(out.derived[key]) if key in out.derived else [key]
            if len(set(parts)) != len(parts):
                raise ValueError(f"{m} adds a cell twice in {g!r}")
            out.derived[(m, *g)] = tuple(parts)
    for key, parts in out.derived.items():
        out.derived_values[key] = sum(cells[p] for p in parts)
    return out


def pinned_down(
    cells: Cells, result: SuppressedSet, keys: Iterable[Hashable]
) -> frozenset[Hashable]:
    """Which of the derived ``keys`` (each with a hidden addend) the published set pins
    down anyway (over whole numbers): showing them tells a reader nothing new."""
    same: dict[frozenset[Hashable], list[Hashable]] = defaultdict(list)
    for k in keys:
        if len(cells.derived[k]) >= 2:  # (one addend: the addend's own protection holds)
            same[frozenset(cells.derived[k])].append(k)
    if not same:
        return frozenset()
    counts = dict(cells.counts)
    relations = list(cells.relations)
    todo = [ks[0] for ks in same.values()]  # one check for numbers adding the same cells
    for k in todo:
        counts[k] = cells.derived_values[k]
        relations.append(Relation(k, cells.derived[k]))
    hidden = {c.key for c in result.hidden()} | set(todo)
    found = exposed(counts, relations, hidden, numerators=cells.numerators)
    return frozenset(k for ks in same.values() if ks[0] in found for k in ks)


def publish(
    records: Iterable[Record],
    dimensions: Sequence[str],
    measures: Sequence[str],
    *,
    threshold: int,
    structural: frozenset[str] = frozenset(),
    sums: Mapping[str, Sequence[str]] | None = None,
    school_measures: Mapping[str, Mapping[Hashable, Sequence[str]]] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
) -> PublishedSet:
    """Build and suppress one published set. ``sums`` names measures that are the sum of
    others in every group (each must also be in ``measures``; cells of the suppression);
    ``school_measures`` and ``derived`` as :func:`build_counts` (shown numbers that are not
    new unknowns)."""
    cells = build_counts(
        records,
        dimensions,
        measures,
        structural=structural,
        sums=sums,
        school_measures=school_measures,
        derived=derived,
    )
    result = suppress(
        cells.counts, cells.relations, threshold=threshold, numerators=cells.numerators
    )
    published = PublishedSet(
        cells.counts,
        cells.relations,
        cells.numerators,
        tuple(measures),
        tuple(dimensions),
        result,
        cells.groups,
        tuple(school_measures or ()),
        cells.derived,
        tuple(derived or ()),
    )
    hidden = [k for k in cells.derived if published.is_hidden(k)]
    published.revealed = pinned_down(cells, result, hidden)
    return published
