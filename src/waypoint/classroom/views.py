"""Pages of the teacher's dashboard. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.safestring import mark_safe

from waypoint.access.selectors import ASSESSING_ROLES, NotAllowed, NotVisible, get_student
from waypoint.classroom import memo, rollup, selectors, services
from waypoint.classroom.models import Intervention
from waypoint.evidence.models import Observation
from waypoint.mastery.models import MasteryState
from waypoint.web.context import get_viewer


def _ints(values: list[str]) -> list[int]:
    out = []
    for value in values:
        for part in value.split(","):
            if part.strip().isdigit():
                out.append(int(part))
    return out


@login_required
def section_dashboard(request: HttpRequest, section_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    sort = request.GET.get("sort", "name")
    domain = request.GET.get("domain", "")
    dash = memo.grid_page(viewer=viewer, section_id=section_id, domain=domain, sort=sort)
    meets_on, groups = selectors.saved_groups(section=dash.section)
    history = selectors.section_interventions(section=dash.section)
    return render(
        request,
        "classroom/dashboard.html",
        {
            "dash": dash,
            "rows": dash.learners,
            "grid_rows": mark_safe(dash.grid_html),  # noqa: S308 — built escaped by classroom.grid
            "sort": sort,
            "domain": domain,
            "sorts": selectors.SORTS,
            "meets_on": meets_on,
            "groups": groups,
            "history": history[:15],
            "outcomes": selectors.outcomes(history),
            "can_edit": bool(ASSESSING_ROLES & viewer.roles),
            "actions": Intervention.Action.choices,
            "today": viewer.today,
        },
    )


def _suggest_context(request: HttpRequest, section_id: str) -> dict[str, Any]:
    viewer = get_viewer(request)
    dash = selectors.section_dashboard(viewer=viewer, section_id=section_id)
    targets = _ints(request.GET.getlist("targets"))
    problems: list[str] = []
    grouping = None
    try:
        low = int(request.GET.get("min", 3))
        high = int(request.GET.get("max", 6))
        grouping = selectors.suggested_groups(
            dash, targets=targets or None, min_size=low, max_size=high
        )
    except ValueError as exc:
        problems.append(str(exc))
        low, high = 3, 6
    names = {row.learner.pk: row.learner for row in dash.rows}
    return {
        "dash": dash,
        "grouping": grouping,
        "suggested": [
            (group, [names[i] for i in group.learners])
            for group in (grouping.groups if grouping else ())
        ],
        "problems": problems,
        "targets": targets,
        "min": low,
        "max": high,
        "leads": selectors.group_leads(dash.section),
        "today": viewer.today,
        "can_edit": bool(ASSESSING_ROLES & viewer.roles),
    }


@login_required
def suggest_groups(request: HttpRequest, section_id: str) -> HttpResponse:
    """The suggested groups as a form (a fragment when the dashboard fetches it)."""
    context = _suggest_context(request, section_id)
    fragment = request.headers.get("X-Requested-With") == "fetch"
    template = "classroom/_suggested.html" if fragment else "classroom/suggest.html"
    return render(request, template, context)


@login_required
def save_groups(request: HttpRequest, section_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = get_viewer(request)
    meets_on = parse_date(request.POST.get("meets_on", "")) or viewer.today
    raw_count = request.POST.get("groups", "")
    count = int(raw_count) if raw_count.isdigit() else 0
    members: dict[int, list[int]] = {g: [] for g in range(count)}
    for key, value in request.POST.items():
        if key.startswith("learner-") and key[8:].isdigit() and value.isdigit():
            members.setdefault(int(value), []).append(int(key[8:]))
    plans = []
    for g in range(count):
        target = request.POST.get(f"target-{g}", "")
        lead = request.POST.get(f"lead-{g}", "")
        if not members.get(g):
            continue  # a group the teacher emptied is dropped
        plans.append(
            services.GroupPlan(
                target_id=int(target) if target.isdigit() else -1,
                learner_ids=sorted(members[g]),
                led_by_id=int(lead) if lead.isdigit() else None,
            )
        )
    extra = [g for g in members if g >= count and members[g]]
    try:
        if extra:
            raise services.ClassroomError([f"group {g + 1} does not exist" for g in extra])
        services.save_groups(
            viewer=viewer,
            user=request.user,
            section_id=section_id,
            meets_on=meets_on,
            groups=plans,
        )
    except NotAllowed as exc:
        return render(request, "classroom/refused.html", {"reason": str(exc)}, status=403)
    except services.ClassroomError as exc:
        context = _suggest_context(request, section_id)
        context["problems"] = exc.problems
        return render(request, "classroom/suggest.html", context, status=400)
    return redirect(reverse("classroom:section", args=[section_id]) + "#saved-groups")


@login_required
def record_intervention(request: HttpRequest, section_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = get_viewer(request)
    standard = request.POST.get("standard", "")
    done_on = parse_date(request.POST.get("done_on", "")) or viewer.today
    try:
        services.record_intervention(
            viewer=viewer,
            user=request.user,
            learner_id=request.POST.get("learner", ""),
            action=request.POST.get("action", ""),
            done_on=done_on,
            standard_id=int(standard) if standard.isdigit() else None,
            section_id=section_id,
            note=request.POST.get("note", ""),
        )
    except NotAllowed as exc:
        return render(request, "classroom/refused.html", {"reason": str(exc)}, status=403)
    except services.ClassroomError as exc:
        return render(
            request, "classroom/refused.html", {"reason": "; ".join(exc.problems)}, status=400
        )
    return redirect(reverse("classroom:section", args=[section_id]) + "#history")


@login_required
def cell_evidence(request: HttpRequest, learner_id: str, item_id: str) -> HttpResponse:
    """The evidence behind one cell of the grid: the learner's observations on the standard."""
    viewer = get_viewer(request)
    if viewer.kind != "staff":
        raise NotVisible()
    learner = get_student(viewer=viewer, id=learner_id, view="classroom:cell")
    if not item_id.isdigit():
        raise NotVisible()
    observations = Observation.objects.filter(
        district_id=learner.district_id, learner=learner, item_id=int(item_id)
    ).select_related("item")
    state = MasteryState.objects.filter(learner=learner, item_id=int(item_id)).first()
    if state is None and not observations.exists():
        raise NotVisible()
    fragment = request.headers.get("X-Requested-With") == "fetch"
    return render(
        request,
        "classroom/_cell.html" if fragment else "classroom/cell.html",
        {
            "learner": learner,
            "state": state,
            "observations": observations.order_by("-observed_at")[:25],
            "total": observations.count(),
        },
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """Every section this viewer teaches or supports this year, with its flags at a glance."""
    viewer = get_viewer(request)
    if viewer.kind != "staff":
        raise NotVisible()
    return render(request, "classroom/team.html", {"cards": rollup.team_cards(viewer=viewer)})


@login_required
def school(request: HttpRequest, school_id: str) -> HttpResponse:
    """A school leader's roll-up by grade and subject, small groups suppressed."""
    viewer = get_viewer(request)
    report = rollup.school_rollup(viewer=viewer, school_id=school_id)
    return render(request, "classroom/school.html", {"report": report})
