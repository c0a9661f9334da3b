"""Write a plan: creates, updates and removals in dependency order, in bulk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from waypoint.roster import models as m
from waypoint.roster.importing.data import FIELDS, FOREIGN_KEYS, NATURAL_KEYS, ORDER, Key
from waypoint.roster.importing.fastsql import delete_rows, insert_rows, update_rows
from waypoint.roster.importing.planner import Plan
from waypoint.roster.importing.state import MODELS, REFERENCED, State

Progress = Callable[[int], None]


def _resolver(
    entity: str, ids: dict[str, dict[Key, int]]
) -> Callable[[tuple[Any, ...]], list[Any]]:
    """Turn a row's foreign keys (external ids) into primary keys."""
    fks = FOREIGN_KEYS.get(entity, {})
    at = [(i, ids[fks[n]]) for i, n in enumerate(FIELDS[entity]) if n in fks]

    def resolve(values: tuple[Any, ...]) -> list[Any]:
        row = list(values)
        for i, mapping in at:
            if row[i] is not None:
                row[i] = mapping[row[i]]
        return row

    return resolve


def _reload_ids(entity: str, district_id: int, ids: dict[str, dict[Key, int]]) -> None:
    qs = MODELS[entity].objects.filter(district_id=district_id).exclude(sourced_id="")
    ids[entity] = dict(qs.values_list("sourced_id", "id"))


def _names(entity: str) -> list[str]:
    return list(FIELDS[entity])


# Entities whose rows store the fingerprint of their source row (``source_hash``).
FINGERPRINTED = ("enrollment", "person", "demographics", "learner_year")


def _create_rows(
    entity: str,
    creates: Iterable[tuple[Key, tuple[Any, ...]]],
    ids: dict[str, dict[Key, int]],
    district_id: int,
    deferred: list[tuple[Key, Key]],
    tick: Progress,
    fingerprints: dict[Key, int] | None = None,
) -> Iterator[list[Any]]:
    """New rows with their foreign keys resolved; a term whose parent term is new too is
    written without it first (``deferred``) and linked once both exist."""
    fks = FOREIGN_KEYS.get(entity, {})
    # foreign keys resolved in place, in the row that is written (after district, sourced_id)
    at = [(i + 2, ids[fks[n]]) for i, n in enumerate(FIELDS[entity]) if n in fks]
    parent_at = FIELDS[entity].index("parent") if entity == "term" else -1
    prints = fingerprints if fingerprints is not None else {}
    natural = entity in NATURAL_KEYS
    done = 0
    for key, values in creates:
        if parent_at >= 0 and values[parent_at] not in ids["term"]:
            if values[parent_at] is not None:
                deferred.append((key, values[parent_at]))
            values = (*values[:parent_at], None, *values[parent_at + 1 :])
        sid = "/".join(key) if natural else key
        if fingerprints is None:
            row = [district_id, sid, *values]
        else:
            row = [district_id, sid, *values, prints.get(key)]
        for i, mapping in at:
            v = row[i]
            if v is not None:
                row[i] = mapping[v]
        yield row
        done += 1
        if done == 1000:
            tick(done)
            done = 0
    tick(done)


def write_plan(
    plan: Plan, state: State, district_id: int, progress: Progress | None = None
) -> Counter[str]:
    """Apply ``plan`` for the district; returns rows written per entity."""
    tick = progress or (lambda n: None)
    # only what rows point to (the other maps, an enrollment's a million keys, stay unused)
    ids: dict[str, dict[Key, int]] = {e: dict(state.ids.get(e, {})) for e in REFERENCED}
    written: Counter[str] = Counter()
    for entity in ORDER:
        ep = plan.entities.get(entity)
        if ep is None:
            continue
        model = MODELS[entity]
        names = _names(entity)
        ids.setdefault(entity, {})
        resolve = _resolver(entity, ids)
        deferred: list[tuple[Key, Key]] = []
        prints: dict[Key, int] | None = None
        if entity in FINGERPRINTED:
            incoming = plan.data.entities.get(entity)
            prints = incoming.fingerprints if incoming is not None else {}
            names.append("source_hash")
        if ep.creates:
            rows = _create_rows(entity, ep.creates, ids, district_id, deferred, tick, prints)
            written[entity] += insert_rows(model, ["district", "sourced_id", *names], rows)
            if entity in REFERENCED:
                _reload_ids(entity, district_id, ids)
        if deferred:
            term_ids = ids["term"]
            update_rows(m.Term, ["parent"], [(term_ids[k], term_ids[p]) for k, p in deferred])
        if ep.updates:
            resolve = _resolver(entity, ids)
            if prints is None:
                updated = ((pk, *resolve(values)) for pk, values in ep.updates)
            else:
                # a row changed other than from its source row (deactivated) loses its
                # fingerprint, so that the next import compares it again
                key_of, fps = state.keys.get(entity, {}), prints
                updated = (
                    (pk, *resolve(values), fps.get(key_of.get(pk))) for pk, values in ep.updates
                )
            written[entity] += update_rows(model, names, updated)
            tick(len(ep.updates))
        if ep.deletes:
            written[entity] += delete_rows(model, ep.deletes)
        if entity == "section":
            _write_section_terms(plan, ids)
    return written


def _write_section_terms(plan: Plan, ids: dict[str, dict[Key, int]]) -> None:
    through = m.Section.terms.through
    if plan.section_terms_remove:
        delete_rows(through, plan.section_terms_remove)
    if plan.section_terms_add:
        sections, terms = ids["section"], ids["term"]
        insert_rows(
            through,
            ["section", "term"],
            ((sections[s], terms[t]) for s, t in plan.section_terms_add),
        )
