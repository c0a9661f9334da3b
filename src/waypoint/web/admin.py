"""Django admin, through the access layer: a read-only window for district data teams.

Only district admins and school leaders may enter. Every queryset comes from
``waypoint.access``; an object outside it is a 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from waypoint.access import policies, selectors
from waypoint.audit.models import AccessEntry
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import Enrollment, Learner, Section
from waypoint.web.context import get_viewer


class WaypointAdminSite(admin.AdminSite):
    site_header = "Waypoint data administration"
    site_title = "Waypoint admin"
    index_title = "District data"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and get_viewer(request).can_use_admin)


admin_site = WaypointAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, and scoped by a rule from ``waypoint.access``."""

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scoped(request)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Not found.")
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return get_viewer(request).can_use_admin

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return get_viewer(request).can_use_admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Learner, site=admin_site)
class LearnerAdmin(ScopedAdmin):
    list_display = ("family_name", "given_name", "identifier", "sourced_id", "active")
    search_fields = ("family_name", "given_name", "identifier", "sourced_id")
    exclude = ("user",)

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        visible = selectors.student_list(viewer=get_viewer(request))
        return Learner.objects.filter(id__in=visible.values("id"))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        person = selectors.get_student(
            viewer=get_viewer(request), id=object_id, view="admin:learner"
        )
        return Learner.objects.get(pk=person.pk)


@admin.register(Section, site=admin_site)
class SectionAdmin(ScopedAdmin):
    list_display = ("title", "school", "school_year", "subject", "grade")
    list_filter = ("school_year", "subject")
    search_fields = ("title", "code", "sourced_id")

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.section_list(viewer=get_viewer(request)).select_related(
            "school", "school_year"
        )


@admin.register(Enrollment, site=admin_site)
class EnrollmentAdmin(ScopedAdmin):
    list_display = ("person", "section", "role", "primary", "begin_date", "end_date", "status")
    list_filter = ("role", "status")
    raw_id_fields = ("person", "section")

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.enrollment_list(viewer=get_viewer(request)).select_related(
            "person", "section"
        )


@admin.register(EffectivenessRating, site=admin_site)
class RatingAdmin(ScopedAdmin):
    list_display = ("staff", "school_year", "level", "score")
    list_filter = ("level",)

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        return policies.visible_ratings(get_viewer(request)).select_related("staff", "school_year")

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        return selectors.get_rating(viewer=get_viewer(request), id=object_id, view="admin:rating")


@admin.register(AccessEntry, site=admin_site)
class AccessEntryAdmin(ScopedAdmin):
    """District admins read their district's access log."""

    list_display = ("at", "username", "record_type", "record_id", "view", "outcome")
    list_filter = ("outcome", "record_type")

    def scoped(self, request: HttpRequest) -> QuerySet[Any]:
        viewer = get_viewer(request)
        if not viewer.is_district_admin:
            return AccessEntry.objects.none()
        return AccessEntry.objects.filter(district_id=viewer.district_id)
