"""Server-rendered pages. Thin: every read of people goes through ``waypoint.access.selectors``."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from waypoint.access import selectors
from waypoint.access.viewer import Viewer
from waypoint.roster.models import (
    AdvisorLink,
    CoachLink,
    Enrollment,
    GuardianLink,
    LearnerYear,
    Person,
    School,
    Section,
)
from waypoint.web.context import get_viewer

PAGE_SIZE = 50


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _current_sections(viewer: Viewer, teacher_ids: Any) -> QuerySet[Section]:
    """This year's visible sections taught by the given people, with their current learners."""
    learners = selectors.student_list(viewer=viewer)
    taught = Enrollment.objects.filter(
        person_id__in=teacher_ids, role__in=(Enrollment.Role.TEACHER, Enrollment.Role.AIDE)
    ).values("section_id")
    current_learners = (
        Enrollment.objects.filter(
            Enrollment.active_on_q(viewer.today),
            section_id=OuterRef("pk"),
            role=Enrollment.Role.STUDENT,
            person_id__in=learners.values("id"),
        )
        .order_by()
        .values("section_id")
        .annotate(n=Count("person_id", distinct=True))
        .values("n")
    )
    return (
        selectors.section_list(viewer=viewer)
        .filter(school_year=viewer.school_year, id__in=taught)
        .select_related("school")
        .annotate(learner_count=Coalesce(Subquery(current_learners), 0))
        .order_by("period", "title")
    )


def _with_current_year(learners: QuerySet[Person], viewer: Viewer) -> QuerySet[Person]:
    return learners.prefetch_related(
        Prefetch(
            "years",
            queryset=LearnerYear.objects.filter(school_year=viewer.school_year).select_related(
                "school"
            ),
            to_attr="current_years",
        )
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    if viewer.person is None:
        return render(request, "web/home_unlinked.html", status=200)
    if viewer.kind == Person.Kind.LEARNER:
        return redirect("learner-detail", learner_id=viewer.person_id)
    context: dict[str, Any] = {"school_year": viewer.school_year}
    learners = selectors.student_list(viewer=viewer)
    if viewer.kind == Person.Kind.GUARDIAN:
        children = GuardianLink.objects.filter(guardian_id=viewer.person_id).values("learner_id")
        context["children"] = _with_current_year(learners.filter(id__in=children), viewer)
        return render(request, "web/home_guardian.html", context)

    context["my_sections"] = _current_sections(viewer, [viewer.person_id])
    team = CoachLink.objects.filter(coach_id=viewer.person_id, school_year=viewer.school_year)
    context["team"] = [
        {
            "teacher": link.teacher,
            "kind": link.get_kind_display(),
            "sections": _current_sections(viewer, [link.teacher_id]),
        }
        for link in team.select_related("teacher").order_by("teacher__family_name")
    ]
    advisees = AdvisorLink.objects.filter(
        advisor_id=viewer.person_id, school_year=viewer.school_year
    )
    context["advisees"] = _with_current_year(
        learners.filter(id__in=advisees.values("learner_id")), viewer
    )
    if viewer.is_district_admin or viewer.led_school_ids:
        schools = School.objects.filter(district_id=viewer.district_id)
        if not viewer.is_district_admin:
            schools = schools.filter(id__in=viewer.led_school_ids)
        context["schools"] = schools.annotate(
            learner_count=Count(
                "learneryear",
                filter=Q(
                    learneryear__school_year=viewer.school_year,
                    learneryear__learner_id__in=learners.values("id"),
                ),
            )
        )
    context["learner_total"] = learners.count()
    return render(request, "web/home_staff.html", context)


def _filtered_learners(request: HttpRequest, viewer: Viewer) -> QuerySet[Person]:
    learners = selectors.student_list(viewer=viewer)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        for word in query.split():
            learners = learners.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(identifier__iexact=word)
            )
    return learners.order_by("family_name", "given_name", "id")


@login_required
def learner_list(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    learners = _filtered_learners(request, viewer)
    page = Paginator(learners, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_current_year(page.object_list, viewer)  # type: ignore[assignment]
    return render(
        request,
        "web/learner_list.html",
        {"page": page, "query": request.GET.get("q", ""), "total": page.paginator.count},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def learner_export(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of the learners the viewer may see (the same filter as the list), streamed."""
    viewer = get_viewer(request)
    learners = _filtered_learners(request, viewer)
    current = {
        row["learner_id"]: row
        for row in LearnerYear.objects.filter(
            school_year=viewer.school_year, learner_id__in=learners.values("id")
        ).values("learner_id", "grade", "school__name")
    }
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(["id", "sourced_id", "family_name", "given_name", "grade", "school"])
        for person in learners.iterator(chunk_size=2000):
            year = current.get(person.pk, {})
            yield writer.writerow(
                [
                    person.pk,
                    person.sourced_id,
                    person.family_name,
                    person.given_name,
                    year.get("grade", ""),
                    year.get("school__name", ""),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learners.csv"'
    return response


@login_required
def learner_detail(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    learner = selectors.get_student(viewer=viewer, id=learner_id, view="web:learner-detail")
    years = learner.years.select_related("school_year", "school").order_by(
        "-school_year__start_date"
    )
    enrollments = (
        selectors.enrollment_list(viewer=viewer)
        .filter(person=learner)
        .select_related("section", "section__school", "section__school_year")
        .order_by("-section__school_year__start_date", "section__period", "section__title")
    )
    visible_section_ids = set(
        selectors.section_list(viewer=viewer)
        .filter(id__in=[e.section_id for e in enrollments])
        .values_list("id", flat=True)
    )
    guardians = Person.objects.filter(
        children_links__learner=learner, district_id=learner.district_id
    ).order_by("family_name")
    return render(
        request,
        "web/learner_detail.html",
        {
            "learner": learner,
            "demographics": getattr(learner, "demographics", None),
            "years": years,
            "current": next(
                (y for y in years if y.school_year_id == getattr(viewer.school_year, "pk", None)),
                None,
            ),
            "enrollments": enrollments,
            "visible_section_ids": visible_section_ids,
            "guardians": guardians,
            "is_staff_viewer": viewer.kind == Person.Kind.STAFF,
        },
    )


@login_required
def section_detail(request: HttpRequest, section_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    section = selectors.get_section(viewer=viewer, id=section_id)
    enrollments = selectors.enrollment_list(viewer=viewer).filter(section=section)
    staff = enrollments.exclude(role=Enrollment.Role.STUDENT).select_related("person")
    roster = (
        enrollments.filter(role=Enrollment.Role.STUDENT)
        .filter(Enrollment.active_on_q(viewer.today) | ~Q(section__school_year=viewer.school_year))
        .select_related("person")
        .order_by("person__family_name", "person__given_name")
    )
    return render(
        request,
        "web/section_detail.html",
        {"section": section, "staff": staff, "roster": roster},
    )


@login_required
def rating_detail(request: HttpRequest, rating_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    rating = selectors.get_rating(viewer=viewer, id=rating_id, view="web:rating-detail")
    return render(request, "web/rating_detail.html", {"rating": rating})
