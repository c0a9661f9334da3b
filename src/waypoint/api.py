"""The versioned JSON API (``/api/v1/``). Thin: reads go through ``waypoint.access.selectors``.

Authentication: the browser session (with CSRF on unsafe methods) or an API token sent as
``Authorization: Bearer <token>`` (create one with ``waypoint token create USERNAME``).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer, django_auth

from waypoint.access import selectors
from waypoint.access.models import ApiToken, hash_token
from waypoint.access.viewer import request_viewer as _viewer


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Waypoint API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
)


class LearnerOut(Schema):
    id: int
    sourced_id: str
    given_name: str
    family_name: str
    preferred_name: str
    identifier: str
    active: bool


class LearnerYearOut(Schema):
    school_year: str
    school_id: int | None
    grade: int
    economically_disadvantaged: bool
    english_learner: bool
    disability: bool
    disability_service_level: str
    gifted: bool
    homeless: bool
    foster_care: bool


class LearnerDetailOut(LearnerOut):
    years: list[LearnerYearOut]


class SectionOut(Schema):
    id: int
    sourced_id: str
    title: str
    code: str
    subject: str
    grade: int | None
    school_id: int
    school_year_id: int
    period: str


class EnrollmentOut(Schema):
    id: int
    sourced_id: str
    section_id: int
    person_id: int
    role: str
    primary: bool
    begin_date: dt.date | None
    end_date: dt.date | None
    status: str
    instructor_share: float | None


class RatingOut(Schema):
    id: int
    staff_id: int
    school_year: str
    level: str
    score: float | None

    @staticmethod
    def resolve_school_year(obj: Any) -> str:
        return str(obj.school_year.title)


class LearnerFilter(Schema):
    q: str | None = None


class EnrollmentFilter(Schema):
    section_id: int | None = None
    person_id: int | None = None


class Message(Schema):
    detail: str


@api.get("/learners", response=list[LearnerOut], tags=["learners"])
@paginate(LimitOffsetPagination)
def list_learners(request: HttpRequest, filters: Query[LearnerFilter]) -> Any:
    learners = selectors.student_list(viewer=_viewer(request))
    if filters.q:
        learners = learners.filter(family_name__icontains=filters.q.strip()[:100])
    return learners.order_by("family_name", "given_name", "id")


@api.get(
    "/learners/{learner_id}", response={200: LearnerDetailOut, 404: Message}, tags=["learners"]
)
def get_learner(request: HttpRequest, learner_id: str) -> Any:
    learner = selectors.get_student(viewer=_viewer(request), id=learner_id, view="api:learner")
    years = [
        {
            **{f: getattr(y, f) for f in LearnerYearOut.model_fields if f != "school_year"},
            "school_year": y.school_year.title,
        }
        for y in learner.years.select_related("school_year").order_by("-school_year__start_date")
    ]
    return {**{f: getattr(learner, f) for f in LearnerOut.model_fields}, "years": years}


@api.get("/sections", response=list[SectionOut], tags=["sections"])
@paginate(LimitOffsetPagination)
def list_sections(request: HttpRequest) -> Any:
    return selectors.section_list(viewer=_viewer(request)).order_by("id")


@api.get("/sections/{section_id}", response={200: SectionOut, 404: Message}, tags=["sections"])
def get_section(request: HttpRequest, section_id: str) -> Any:
    return selectors.get_section(viewer=_viewer(request), id=section_id)


@api.get("/enrollments", response=list[EnrollmentOut], tags=["enrollments"])
@paginate(LimitOffsetPagination)
def list_enrollments(request: HttpRequest, filters: Query[EnrollmentFilter]) -> Any:
    enrollments = selectors.enrollment_list(viewer=_viewer(request))
    if filters.section_id is not None:
        enrollments = enrollments.filter(section_id=filters.section_id)
    if filters.person_id is not None:
        enrollments = enrollments.filter(person_id=filters.person_id)
    return enrollments.order_by("id")


@api.get("/ratings", response=list[RatingOut], tags=["staff records"])
@paginate(LimitOffsetPagination)
def list_ratings(request: HttpRequest) -> Any:
    ratings = selectors.rating_list(viewer=_viewer(request)).select_related("school_year")
    return ratings.order_by("id")


@api.get("/ratings/{rating_id}", response={200: RatingOut, 404: Message}, tags=["staff records"])
def get_rating(request: HttpRequest, rating_id: str) -> Any:
    return selectors.get_rating(viewer=_viewer(request), id=rating_id, view="api:rating")


@api.exception_handler(selectors.NotVisible)
def not_visible(request: HttpRequest, exc: Exception) -> Any:
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("/xapi", "waypoint.evidence.api.router")
api.add_router("/learners", "waypoint.mastery.api.router")
api.add_router("/classroom", "waypoint.classroom.api.router")
api.add_router("/plans", "waypoint.plans.api.router")
api.add_router("/staffing", "waypoint.staffing.api.router")
