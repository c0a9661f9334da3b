"""The district's rows as the planner compares them: keyed by external id, FKs as keys."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, models

from waypoint.roster import models as m
from waypoint.roster.importing.data import FIELDS, FOREIGN_KEYS, NATURAL_KEYS, Key

MODELS: dict[str, type[models.Model]] = {
    "school": m.School,
    "school_year": m.SchoolYear,
    "term": m.Term,
    "course": m.Course,
    "section": m.Section,
    "person": m.Person,
    "demographics": m.Demographics,
    "staff_role": m.StaffRole,
    "guardian_link": m.GuardianLink,
    "enrollment": m.Enrollment,
    "learner_year": m.LearnerYear,
    "coach_link": m.CoachLink,
    "advisor_link": m.AdvisorLink,
}

# Entities other rows point to: their id maps are always loaded.
REFERENCED = ("school", "school_year", "term", "course", "section", "person")


@dataclass
class State:
    """Existing rows of one district: ``ids[entity][key] = pk`` and ``rows[entity][key]``."""

    district_id: int | None
    ids: dict[str, dict[Key, int]] = field(default_factory=dict)
    rows: dict[str, dict[Key, tuple[Any, ...]]] = field(default_factory=dict)
    keys: dict[str, dict[int, Key]] = field(default_factory=dict)
    section_terms: dict[str, dict[str, int]] = field(default_factory=dict)  # through-row pks
    # ids of the rows whose source fingerprint in the database is the one the import brings:
    # their rows are not loaded, and ``rows`` leaves them out (so do ``ids`` and ``keys``,
    # but for the entities other rows point to, whose id maps stay whole)
    unchanged: dict[str, set[int]] = field(default_factory=dict)
    # how many rows of each entity were found unchanged (those of ``unchanged``, or the rows
    # the import claimed when it knew them unchanged without looking again: see load_state)
    unchanged_count: dict[str, int] = field(default_factory=dict)
    # the district's active learners (when people are loaded), counted in the database so
    # that learners left out of ``rows`` as unchanged count too
    active_learners: int | None = None


class _Cache:
    """Converts database values the way Django would, once per distinct value: dates, JSON
    and date-times repeat millions of times in enrollments, and equal values share one object
    (they are only read, never changed)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        self.convert = convert
        self.seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            return self.seen[value]
        except KeyError:
            out = self.seen[value] = self.convert(value)
            return out
        except TypeError:  # an unhashable value (already converted by the driver)
            return value


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _to_date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _to_datetime(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return _Cache(_to_json)
    if isinstance(field, models.DateTimeField):
        return _Cache(_to_datetime)
    if isinstance(field, models.DateField):
        return _Cache(_to_date)
    if isinstance(field, models.BooleanField):
        return _Cache(bool)
    if isinstance(field, models.DecimalField):
        places = decimal.Decimal(1).scaleb(-field.decimal_places)
        return _Cache(lambda v: decimal.Decimal(str(v)).quantize(places))
    if isinstance(field, models.CharField):
        return _Cache(str)  # shares equal strings (roles, statuses, kinds)
    return None


def _raw_rows(
    model: type[models.Model],
    names: list[str],
    district_id: int,
    skip: set[int] | None = None,
    only: list[int] | None = None,
) -> Iterator[Any]:
    """``(id, sourced_id, *values)`` of the district's rows (but those whose id is in
    ``skip``), straight from the cursor. ``only``: just the rows without a source fingerprint
    and those with these ids."""
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    quote = connection.ops.quote_name
    cols = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
    sql = (
        f"SELECT {quote('id')}, {quote('sourced_id')}, {cols} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {quote('district_id')} = %s"
    )
    params: list[Any] = [district_id]
    if only is not None:
        if connection.vendor == "postgresql":
            sql += f" AND ({quote('source_hash')} IS NULL OR {quote('id')} = ANY(%s))"
            params.append(only)
        else:  # SQLite: the ids as a JSON array
            sql += (
                f" AND ({quote('source_hash')} IS NULL OR {quote('id')} IN "  # noqa: S608
                "(SELECT value FROM json_each(%s)))"
            )
            params.append(json.dumps(only))
    convert = [(i + 2, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            for row in batch:
                if skip and row[0] in skip:
                    continue
                values = list(row)
                for i, conv in convert:
                    values[i] = conv(values[i])
                yield values


def load_keys(district_id: int | None, entities: tuple[str, ...] = REFERENCED) -> State:
    """Only the key → id maps of ``entities`` (enough to check references)."""
    state = State(district_id)
    for entity in entities:
        ids: dict[Key, int] = {}
        if district_id is not None:
            qs = MODELS[entity].objects.filter(district_id=district_id).exclude(sourced_id="")
            ids = dict(qs.values_list("sourced_id", "id"))
        state.ids[entity] = ids
        state.keys[entity] = {pk: key for key, pk in ids.items()}
    return state


def _unchanged(entity: str, district_id: int, claimed: Claimed) -> tuple[set[int], list[int]]:
    """Of the rows an import says it brings unchanged (key → source fingerprint), the ids of
    those whose stored fingerprint matches; and the ids of the other rows with a fingerprint."""
    table = MODELS[entity]._meta.db_table
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')}, {quote('sourced_id')}, {quote('source_hash')} "  # noqa: S608
        f"FROM {quote(table)} WHERE {quote('district_id')} = %s "
        f"AND {quote('source_hash')} IS NOT NULL"
    )
    ids: set[int] = set()
    others: list[int] = []
    get = claimed.get
    with connection.cursor() as cursor:
        cursor.execute(sql, [district_id])
        while batch := cursor.fetchmany(50_000):
            for pk, sid, fp in batch:
                if get(sid) == fp:
                    ids.add(pk)
                else:
                    others.append(pk)
    return ids, others


class Claimed(Protocol):
    def get(self, key: Key, /) -> int | None: ...
    def __len__(self) -> int: ...


def _known_exactly(claimed: Claimed) -> bool:
    """Whether the importer knows, without reading the fingerprints again, that every row of
    the entity that has one is claimed with exactly that fingerprint (``claimed.exact()``,
    when it has it: for example, it read them in this connection and nothing was written to
    the database since)."""
    exact = getattr(claimed, "exact", None)
    return bool(exact is not None and exact())


def load_state(
    district_id: int | None,
    entities: set[str],
    unchanged: dict[str, Claimed] | None = None,
) -> State:
    """Full rows of ``entities`` (plus the id maps of everything they point to).

    ``unchanged``: per entity, the rows the import brings as they were last imported (key →
    source fingerprint); those whose stored fingerprint matches are left out of ``rows``."""
    state = load_keys(district_id)
    if district_id is None:
        for entity in entities:
            state.ids.setdefault(entity, {})
            state.rows[entity] = {}
        return state
    for entity in [e for e in MODELS if e in entities]:
        model = MODELS[entity]
        fks = FOREIGN_KEYS.get(entity, {})
        names = FIELDS[entity]
        fk_at = [(i, state.keys[fks[n]]) for i, n in enumerate(names) if n in fks]
        natural = NATURAL_KEYS.get(entity)
        nat_at = [names.index(n) for n in natural] if natural else []
        rows: dict[Key, tuple[Any, ...]] = {}
        ids: dict[Key, int] = {}
        skip: set[int] | None = None
        only: list[int] | None = None
        claimed = unchanged.get(entity) if unchanged else None
        if claimed:
            if _known_exactly(claimed):
                skip, others = set(), []
                state.unchanged_count[entity] = len(claimed)
            else:
                skip, others = _unchanged(entity, district_id, claimed)
                state.unchanged_count[entity] = len(skip)
            state.unchanged[entity] = skip
            only = others  # the database leaves the unchanged rows out
        for pk, sid, *values in _raw_rows(model, list(names), district_id, skip, only):
            for i, keys in fk_at:
                if values[i] is not None:
                    values[i] = keys.get(values[i])
            if natural:
                key: Key = tuple(values[i] for i in nat_at)
                if None in key:
                    continue
            else:
                if not sid:
                    continue
                key = sid
            rows[key] = tuple(values)
            ids[key] = pk
        state.rows[entity] = rows
        if entity in REFERENCED and state.unchanged_count.get(entity):
            continue  # load_keys' maps hold every row, the unchanged ones too
        state.ids[entity] = ids
        state.keys[entity] = {pk: key for key, pk in ids.items()}
    if "person" in entities:
        learners = m.Person.objects.filter(
            district_id=district_id, kind=m.Person.Kind.LEARNER, active=True
        )
        state.active_learners = learners.exclude(sourced_id="").count()
    if "section" in entities:
        through = m.Section.terms.through
        sec, term = state.keys["section"], state.keys["term"]
        links: dict[str, dict[str, int]] = {}
        qs = through.objects.filter(section__district_id=district_id)
        for pk, section_id, term_id in qs.values_list("id", "section_id", "term_id"):
            s, t = sec.get(section_id), term.get(term_id)
            if s is not None and t is not None:
                links.setdefault(s, {})[t] = pk
        state.section_terms = links
    return state
