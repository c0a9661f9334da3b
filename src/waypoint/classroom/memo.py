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


def dashboard_parts(
    *, viewer: Viewer, section_id: object, domain: str, sort: str
) -> tuple[selectors.Dashboard, dict[int, list[dict[str, str]]], str]:
    """(the dashboard, each learner's next best step for display, the grid's rows as HTML)."""
    section = selectors.dashboard_section(viewer=viewer, section_id=section_id)
    learners = list(selectors.section_learners(viewer=viewer, section=section))
    key = stamp(section, learners, viewer.today, domain, sort)
    found = cache.get(key)
    if found is not None:
        dash, steps, html = found
        dash.section = section  # this request's section (the same row)
        return dash, steps, html
    dash = selectors.section_dashboard(
        viewer=viewer, section_id=section.pk, domain=domain, sort=sort
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
    html = str(grid_rows(dash, steps))
    cache.set(key, (dash, steps, html), TIMEOUT)
    return dash, steps, html
