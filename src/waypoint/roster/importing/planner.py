"""Compare what an import brings with the district's rows: creates, updates, deactivations.

Nothing is written here. People and enrollments are never deleted: missing from a bulk file or
marked to be deleted, a person becomes inactive and an enrollment inactive and end-dated.
Links (staff roles, guardian links, coach and advisor links, a class's terms) that a bulk file
no longer names are removed, so that access follows the district's current roster.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from waypoint.roster.importing.data import BULK, FIELDS, Key, RosterData
from waypoint.roster.importing.state import State

MASS_DEACTIVATION_SHARE = 0.10

_P = {name: i for i, name in enumerate(FIELDS["person"])}
_E = {name: i for i, name in enumerate(FIELDS["enrollment"])}
_S = {name: i for i, name in enumerate(FIELDS["section"])}
_Y = {name: i for i, name in enumerate(FIELDS["school_year"])}
_R = {name: i for i, name in enumerate(FIELDS["staff_role"])}
_G = {name: i for i, name in enumerate(FIELDS["guardian_link"])}
_C = {name: i for i, name in enumerate(FIELDS["coach_link"])}
_A = {name: i for i, name in enumerate(FIELDS["advisor_link"])}


@dataclass
class EntityPlan:
    creates: list[tuple[Key, tuple[Any, ...]]] = field(default_factory=list)
    updates: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    deactivations: int = 0  # how many of ``updates`` deactivate a row
    deletes: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)


@dataclass
class Plan:
    district_id: int | None
    data: RosterData
    entities: dict[str, EntityPlan] = field(default_factory=dict)
    section_terms_add: list[tuple[str, str]] = field(default_factory=list)
    section_terms_remove: list[int] = field(default_factory=list)
    district_changes: dict[str, Any] = field(default_factory=dict)
    learners_deactivated: int = 0
    active_learners: int = 0

    def summary(self) -> dict[str, dict[str, int]]:
        """Per entity: creates, updates (other than deactivations), deactivations, removals."""
        out: dict[str, dict[str, int]] = {}
        for name, p in self.entities.items():
            out[name] = {
                "create": len(p.creates),
                "update": len(p.updates) - p.deactivations,
                "deactivate": p.deactivations,
                "remove": len(p.deletes),
            }
        out["section_term"] = {
            "create": len(self.section_terms_add),
            "update": 0,
            "deactivate": 0,
            "remove": len(self.section_terms_remove),
        }
        if self.district_changes:
            out["district"] = {
                "create": int(self.district_id is None),
                "update": int(self.district_id is not None),
                "deactivate": 0,
                "remove": 0,
            }
        return out

    @property
    def changed(self) -> bool:
        return bool(
            self.district_changes
            or self.section_terms_add
            or self.section_terms_remove
            or any(p.changed for p in self.entities.values())
        )

    @property
    def mass_deactivation(self) -> bool:
        """More than 10% of the district's active learners would be deactivated."""
        if not self.learners_deactivated:
            return False
        return self.learners_deactivated > MASS_DEACTIVATION_SHARE * max(self.active_learners, 1)


def _diff(desired: dict[Key, tuple[Any, ...]], state: State, entity: str) -> EntityPlan:
    existing = state.rows.get(entity, {})
    ids = state.ids.get(entity, {})
    plan = EntityPlan()
    for key, values in desired.items():
        old = existing.get(key)
        if old is None:
            plan.creates.append((key, values))
        elif old != values:
            plan.updates.append((ids[key], values))
    return plan


def _year_end_of_section(data: RosterData, state: State) -> dict[str, dt.date]:
    """Each section's school-year end date (from the file where given, else the database)."""
    year_end: dict[Key, dt.date] = {
        k: v[_Y["end_date"]] for k, v in state.rows.get("school_year", {}).items()
    }
    if "school_year" in data.entities:
        year_end.update(
            {k: v[_Y["end_date"]] for k, v in data.entities["school_year"].rows.items()}
        )
    sections = dict(state.rows.get("section", {}))
    if "section" in data.entities:
        sections.update(data.entities["section"].rows)
    out: dict[str, dt.date] = {}
    for key, values in sections.items():
        end = year_end.get(values[_S["school_year"]])
        if end is not None:
            out[key] = end
    return out


def _end_date(
    old: tuple[Any, ...] | None, section: Key, as_of: dt.date, year_end: dict[str, dt.date]
) -> dt.date:
    """When an enrollment ends on deactivation: its own end if earlier, else today or the
    end of its school year (whichever comes first), never before it began."""
    cutoff = min(as_of, year_end.get(section, as_of))
    if old is not None:
        end, begin = old[_E["end_date"]], old[_E["begin_date"]]
        if end is not None and end <= cutoff:
            return end  # type: ignore[no-any-return]
        if begin is not None and begin > cutoff:
            return begin  # type: ignore[no-any-return]
    return cutoff


def _plan_enrollments(plan: Plan, data: RosterData, state: State, as_of: dt.date) -> None:
    incoming = data.entities.get("enrollment")
    existing = state.rows.get("enrollment", {})
    ids = state.ids.get("enrollment", {})
    year_end = _year_end_of_section(data, state)
    inactive, active = "inactive", "active"
    desired: dict[Key, tuple[Any, ...]] = incoming.rows if incoming is not None else {}
    for key, values in desired.items():
        if values[_E["status"]] == inactive and values[_E["end_date"]] is None:
            row = list(values)
            row[_E["end_date"]] = _end_date(existing.get(key), row[_E["section"]], as_of, year_end)
            desired[key] = tuple(row)  # replacing a value while iterating is allowed
    ep = _diff(desired, state, "enrollment")
    ep.deactivations = sum(
        1
        for pk_, values in ep.updates
        if values[_E["status"]] == inactive
        and existing[state.keys["enrollment"][pk_]][_E["status"]] == active
    )
    # End the enrollments a bulk file leaves out, and those of people being deactivated.
    ending_people = {
        state.keys["person"][pk_]
        for pk_, values in plan.entities.get("person", EntityPlan()).updates
        if not values[_P["active"]]
    }
    bulk = incoming is not None and incoming.mode == BULK
    for key, old in existing.items():
        if old[_E["status"]] != active or key in desired:
            continue
        if bulk or old[_E["person"]] in ending_people:
            row = list(old)
            row[_E["status"]] = inactive
            row[_E["end_date"]] = _end_date(old, old[_E["section"]], as_of, year_end)
            ep.updates.append((ids[key], tuple(row)))
            ep.deactivations += 1
    if ep.changed or incoming is not None:
        plan.entities["enrollment"] = ep


def _plan_people(plan: Plan, data: RosterData, state: State) -> None:
    incoming = data.entities.get("person")
    if incoming is None:
        return
    existing = state.rows.get("person", {})
    pp = _diff(incoming.rows, state, "person")
    learner = "learner"
    deactivated = 0
    for pk_, values in pp.updates:
        old = existing[state.keys["person"][pk_]]
        if old[_P["active"]] and not values[_P["active"]]:
            pp.deactivations += 1
            deactivated += old[_P["kind"]] == learner
    if incoming.mode == BULK:
        ids = state.ids["person"]
        for key, old in existing.items():
            if key not in incoming.rows and old[_P["active"]]:
                row = list(old)
                row[_P["active"]] = False
                pp.updates.append((ids[key], tuple(row)))
                pp.deactivations += 1
                deactivated += old[_P["kind"]] == learner
    plan.learners_deactivated = deactivated
    if state.active_learners is not None:
        plan.active_learners = state.active_learners
    else:
        plan.active_learners = sum(
            1 for v in existing.values() if v[_P["active"]] and v[_P["kind"]] == learner
        )
    plan.entities["person"] = pp


def _in_scope(entity: str, key: Key, values: tuple[Any, ...], scope: Container[Key]) -> bool:
    if entity == "staff_role":
        return (values[_R["person"]], values[_R["role"]]) in scope
    if entity == "guardian_link":
        return values[_G["guardian"]] in scope or values[_G["learner"]] in scope
    if entity == "coach_link":
        return values[_C["school_year"]] in scope
    if entity == "advisor_link":
        return values[_A["school_year"]] in scope
    return key in scope


def _plan_links(plan: Plan, data: RosterData, state: State, entity: str) -> None:
    incoming = data.entities.get(entity)
    if incoming is None:
        return
    lp = _diff(incoming.rows, state, entity)
    if incoming.mode == BULK and incoming.scope is not None:
        ids = state.ids[entity]
        for key, values in state.rows.get(entity, {}).items():
            if key not in incoming.rows and _in_scope(entity, key, values, incoming.scope):
                lp.deletes.append(ids[key])
    for key in incoming.deleted:
        if key in state.ids.get(entity, {}) and key not in incoming.rows:
            lp.deletes.append(state.ids[entity][key])
    plan.entities[entity] = lp


def _plan_section_terms(plan: Plan, data: RosterData, state: State) -> None:
    for section, terms in data.section_terms.items():
        have = state.section_terms.get(section, {})
        for term in terms:
            if term not in have:
                plan.section_terms_add.append((section, term))
        plan.section_terms_remove += [pk_ for t, pk_ in have.items() if t not in terms]


LINKS = ("staff_role", "guardian_link", "coach_link", "advisor_link")


def build_plan(
    *, data: RosterData, state: State, district_id: int | None, district_row: dict[str, Any]
) -> Plan:
    """The whole plan. ``district_row`` is the district's current name and extra (if any)."""
    as_of = data.as_of or dt.date.today()
    plan = Plan(district_id=district_id, data=data)
    if data.district is not None:
        wanted = {"name": data.district.name, "extra": data.district.extra}
        plan.district_changes = {
            k: v for k, v in wanted.items() if district_row.get(k) != v or district_id is None
        }
        if district_id is None:
            plan.district_changes["sourced_id"] = data.district.sourced_id
    for entity in ("school", "school_year", "term", "course", "section"):
        if entity in data.entities:
            plan.entities[entity] = _diff(data.entities[entity].rows, state, entity)
    _plan_section_terms(plan, data, state)
    _plan_people(plan, data, state)
    if "demographics" in data.entities:
        plan.entities["demographics"] = _diff(
            data.entities["demographics"].rows, state, "demographics"
        )
    for entity in LINKS:
        _plan_links(plan, data, state, entity)
    _plan_enrollments(plan, data, state, as_of)
    if "learner_year" in data.entities:
        plan.entities["learner_year"] = _diff(
            data.entities["learner_year"].rows, state, "learner_year"
        )
    return plan


def totals(plan: Plan) -> Counter[str]:
    out: Counter[str] = Counter()
    for counts in plan.summary().values():
        out.update(counts)
    return out
