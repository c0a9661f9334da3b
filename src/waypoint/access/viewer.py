"""Who is asking: a login account resolved to its person, district, roles and current year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from waypoint.roster.models import Person, SchoolYear, StaffRole


def current_school_year(district_id: int, today: dt.date) -> SchoolYear | None:
    """The school year containing ``today``; between years, the one that started last."""
    years = SchoolYear.objects.filter(district_id=district_id, start_date__lte=today)
    return years.filter(end_date__gte=today).first() or years.order_by("-start_date").first()


@dataclass(frozen=True)
class Viewer:
    """Everything the access rules need to know about the person asking, computed once."""

    user_id: int | None
    username: str
    person: Person | None
    today: dt.date
    school_year: SchoolYear | None
    roles: frozenset[str] = field(default_factory=frozenset)
    # school ids where the person holds each role this year (None in the set = district-wide)
    role_schools: dict[str, frozenset[int | None]] = field(default_factory=dict)

    @property
    def district_id(self) -> int | None:
        return self.person.district_id if self.person else None

    @property
    def person_id(self) -> int | None:
        return self.person.pk if self.person else None

    @property
    def kind(self) -> str | None:
        return self.person.kind if self.person else None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_district_admin(self) -> bool:
        return StaffRole.Role.DISTRICT_ADMIN in self.roles

    @property
    def led_school_ids(self) -> frozenset[int]:
        schools = self.role_schools.get(StaffRole.Role.SCHOOL_LEADER, frozenset())
        return frozenset(s for s in schools if s is not None)

    @property
    def can_use_admin(self) -> bool:
        return self.is_district_admin or bool(self.led_school_ids)


ANONYMOUS = Viewer(user_id=None, username="", person=None, today=dt.date.min, school_year=None)


def viewer_for(user: Any, today: dt.date | None = None) -> Viewer:
    """Resolve a Django user (possibly anonymous) to a Viewer. Unknown people see nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    today = today or timezone.localdate()
    person = Person.objects.select_related("district").filter(user_id=user.pk, active=True).first()
    if person is None:
        return Viewer(user.pk, user.get_username(), None, today, None)
    year = current_school_year(person.district_id, today)
    roles: set[str] = set()
    role_schools: dict[str, set[int | None]] = {}
    if person.kind == Person.Kind.STAFF:
        current = Q(school_year__isnull=True)
        if year is not None:
            current |= Q(school_year=year)
        for role, school_id in person.staff_roles.filter(current).values_list("role", "school_id"):
            roles.add(role)
            role_schools.setdefault(role, set()).add(school_id)
    return Viewer(
        user_id=user.pk,
        username=user.get_username(),
        person=person,
        today=today,
        school_year=year,
        roles=frozenset(roles),
        role_schools={k: frozenset(v) for k, v in role_schools.items()},
    )


def request_viewer(request: Any) -> Viewer:
    """The viewer of a request (page or API), resolved once and kept on the request."""
    cached: Viewer | None = getattr(request, "_waypoint_viewer", None)
    if cached is None:
        cached = viewer_for(getattr(request, "user", None))
        request._waypoint_viewer = cached
    return cached
