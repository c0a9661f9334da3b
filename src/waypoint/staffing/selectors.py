"""Who may plan where: district admins every school of their district, school leaders their
own schools. Anyone else, another district's school or scenario: NotVisible (a 404)."""

from __future__ import annotations

from django.db.models import QuerySet

from waypoint.access.selectors import NotVisible, _as_id
from waypoint.access.viewer import Viewer
from waypoint.reports.equity import report_scope
from waypoint.roster.models import District, School, SchoolYear
from waypoint.staffing.models import Position, Scenario


def planning_schools(*, viewer: Viewer) -> QuerySet[School]:
    scope = report_scope(viewer)
    schools = School.objects.filter(district=scope.district)
    if scope.schools is not None:
        schools = schools.filter(pk__in=scope.schools)
    return schools.order_by("name")


def planning_district(*, viewer: Viewer) -> District:
    """The district the viewer plans in (NotVisible for anyone who may not plan)."""
    return report_scope(viewer).district


def get_planning_school(*, viewer: Viewer, id: object) -> School:
    pk = _as_id(id)
    school = planning_schools(viewer=viewer).filter(pk=pk).first() if pk else None
    if school is None:
        raise NotVisible()
    return school


def planning_year(*, viewer: Viewer) -> SchoolYear:
    if viewer.school_year is None:
        raise NotVisible()
    return viewer.school_year


def scenario_list(*, viewer: Viewer) -> QuerySet[Scenario]:
    return (
        Scenario.objects.filter(school__in=planning_schools(viewer=viewer))
        .select_related("school", "school_year")
        .order_by("school__name", "name")
    )


def get_scenario(*, viewer: Viewer, id: object) -> Scenario:
    pk = _as_id(id)
    scenario = scenario_list(viewer=viewer).filter(pk=pk).first() if pk else None
    if scenario is None:
        raise NotVisible()
    return scenario


def get_position(*, viewer: Viewer, id: object) -> Position:
    pk = _as_id(id)
    position = (
        Position.objects.filter(school__in=planning_schools(viewer=viewer), pk=pk)
        .select_related("school", "staff")
        .first()
        if pk
        else None
    )
    if position is None:
        raise NotVisible()
    return position
