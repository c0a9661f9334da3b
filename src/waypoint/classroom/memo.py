"""The costly part of a section page, memoized under a stamp of everything it is made from.

Many teachers reload their dashboards all day while the evidence under them changes a few
times an hour. The grid, the flags, every learner's next best step and the rendered rows are
a pure function of: the learners (who the viewer may see, computed for this viewer on every
request, never cached), their names, their mastery states, the district's fitted parameters,
frameworks and prerequisites, the mastery threshold, the day, and the chosen domain and
order. The stamp reads the last change of each with a few aggregate queries; the result is
kept in Django's cache (per process by default; set ``CACHES`` to share it) under that stamp,
so any change to any input gives a new key and the next view computes afresh. Nothing about
who may see what is ever taken from the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from waypoint.access.viewer import Viewer
from waypoint.classroom import selectors
from waypoint.classroom.grid import grid_rows
from waypoint.classroom.models import Intervention
from waypoint.mastery.models import MasterySettings, MasteryState, SkillModel
from waypoint.roster.models import Person, Section
from waypoint.standards.models import DistrictPrerequisite, Framework

TIMEOUT = 15 * 60


def stamp(section: Section, learners: Sequence[Person], today: Any, domain: str, sort: str) -> str:
    """A key that changes whenever anything the page is computed from changes."""
    ids = [p.pk for p in learners]
    district = section.district_id
    parts: list[Any] = [
        "classroom-dashboard-v1",
        section.pk,
        section.grade,
        section.subject,
        today,
        domain,
        sort,
        [(p.pk, p.family_name, p.given_name, p.preferred_name) for p in learners],
        MasteryState.objects.filter(learner_id__in=ids).aggregate(
            m=Max("updated_at"), n=Count("id")
        ),
        SkillModel.objects.filter(district_id=district).aggregate(
            m=Max("fitted_at"), v=Sum("version"), n=Count("id")
        ),
        Framework.objects.filter(district_id=district).aggregate(
            m=Max("changed_at"), n=Count("id")
        ),
        DistrictPrerequisite.objects.filter(district_id=district).aggregate(
            m=Max("created_at"), n=Count("id")
        ),
        MasterySettings.objects.filter(district_id=district)
        .values_list("mastered_at", flat=True)
        .first(),
    ]
    return "wp:dash:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class GridPage:
    """What the page shows of a dashboard, in plain values (cheap to keep and to load)."""

    section: Section
    standards: list[selectors.Standard]
    domains: list[tuple[int, str]]
    learners: list[tuple[int, str]]
    mastered_at: float
    elapsed: float | None
    grid_html: str

    @property
    def rows(self) -> list[tuple[int, str]]:
        return self.learners


def grid_page(*, viewer: Viewer, section_id: object, domain: str, sort: str) -> GridPage:
    """The section page's grid for this viewer, from the memo when nothing has changed."""
    section = selectors.dashboard_section(viewer=viewer, section_id=section_id)
    learners = list(selectors.section_learners(viewer=viewer, section=section))
    key = stamp(section, learners, viewer.today, domain, sort)
    found = cache.get(key)
    if isinstance(found, GridPage):
        found.section = section  # this request's section row, not a copy from the memo
        return found
    dash = selectors.build_dashboard(
        viewer=viewer, section=section, learners=learners, domain=domain, sort=sort
    )
    labels = dict(Intervention.Action.choices)
    steps = {
        row.learner.pk: [
            {
                "action": str(labels.get(str(step.action), str(step.action))),
                "code": dash.label(step.standard) if step.standard is not None else "",
                "reason": step.reason,
            }
            for step in selectors.next_steps(dash, row, 1)
        ]
        for row in dash.rows
    }
    page = GridPage(
        section=section,
        standards=dash.standards,
        domains=dash.domains,
        learners=[
            (r.learner.pk, f"{r.learner.family_name}, {r.learner.given_name}") for r in dash.rows
        ],
        mastered_at=dash.mastered_at,
        elapsed=dash.elapsed,
        grid_html=str(grid_rows(dash, steps)),
    )
    cache.set(key, replace(page, section=None), TIMEOUT)  # type: ignore[arg-type]
    return page
