"""Read-only Django admin for standards, scoped to the viewer's district."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from waypoint.standards.models import (
    DistrictPrerequisite,
    Framework,
    FrameworkAssociation,
    FrameworkItem,
)
from waypoint.web.admin import ScopedAdmin, admin_site
from waypoint.web.context import get_viewer


class DistrictScopedAdmin(ScopedAdmin):
    """Rows of the viewer's district only; another district's row is a 404."""

    related: tuple[str, ...] = ()

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        viewer = get_viewer(request)
        manager = self.model._default_manager
        if viewer.district_id is None:
            return manager.none()
        return manager.filter(district_id=viewer.district_id).select_related(*self.related)


@admin.register(Framework, site=admin_site)
class FrameworkAdmin(DistrictScopedAdmin):
    list_display = ("title", "creator", "version", "adoption_status", "case_version_read")
    search_fields = ("title", "identifier", "creator")


@admin.register(FrameworkItem, site=admin_site)
class FrameworkItemAdmin(DistrictScopedAdmin):
    list_display = ("human_coding_scheme", "item_type", "framework", "grade_low", "retired")
    list_filter = ("item_type", "retired")
    search_fields = ("human_coding_scheme", "identifier", "full_statement")
    raw_id_fields = ("framework",)
    related = ("framework",)


@admin.register(FrameworkAssociation, site=admin_site)
class FrameworkAssociationAdmin(DistrictScopedAdmin):
    list_display = ("association_type", "origin_identifier", "destination_identifier", "framework")
    list_filter = ("association_type",)
    raw_id_fields = ("framework", "origin_item", "destination_item")
    related = ("framework",)


@admin.register(DistrictPrerequisite, site=admin_site)
class DistrictPrerequisiteAdmin(DistrictScopedAdmin):
    list_display = ("prerequisite", "dependent", "note", "created_at")
    raw_id_fields = ("prerequisite", "dependent", "created_by")
    related = ("prerequisite", "dependent")
