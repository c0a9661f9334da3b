"""Pages of plans, paths, portfolios, the family view and growth plans. Thin: reads through
``waypoint.plans.selectors`` (the access layer), writes through ``waypoint.plans.services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waypoint.access import selectors as access
from waypoint.access.selectors import NotAllowed
from waypoint.plans import exports, forms, selectors, services, uploads
from waypoint.plans.models import Artifact, GrowthPlan, Plan
from waypoint.roster.models import Person
from waypoint.standards.models import FrameworkItem
from waypoint.web.context import get_viewer


def _forbidden() -> HttpResponse:
    return HttpResponseForbidden(_("You may see this, but not change it."))


def _role(viewer: Any, learner: Person) -> str:
    if viewer.person_id == learner.pk:
        return "learner"
    return "staff" if viewer.kind == Person.Kind.STAFF else "guardian"


def _standard_choices(learner: Person, grade: int | None) -> list[tuple[str, str]]:
    items = FrameworkItem.objects.filter(
        district_id=learner.district_id, retired=False, item_type__iexact="standard"
    )
    if grade is not None:
        items = items.filter(grade_low__lte=grade, grade_high__gte=grade)
    return [
        (str(i.pk), f"{i.human_coding_scheme} — {i.full_statement[:90]}")
        for i in items.order_by("human_coding_scheme", "pk")[:300]
    ]


def _grade(learner: Person, viewer: Any) -> int | None:
    year = learner.years.filter(school_year=viewer.school_year).first()
    return year.grade if year else None


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """/plans/: a learner's own plan; staff's review queue."""
    viewer = get_viewer(request)
    if viewer.kind == Person.Kind.LEARNER:
        return redirect("plans:plan", learner_id=viewer.person_id)
    return redirect("plans:reviews")


@login_required
def plan(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    view = selectors.plan_for(viewer=viewer, learner_id=learner_id)
    role = _role(viewer, view.learner)
    comments = reflections = []
    if view.plan is not None:
        comments = list(view.plan.comments.select_related("author", "goal"))
        reflections = list(view.plan.reflections.select_related("author", "goal"))
    peer_plans = list(access.peer_student_list(viewer=viewer)) if role == "learner" else []
    can_grant_peers = (
        role == "staff"
        and access.peer_grant_sections_of(viewer=viewer, learner=view.learner).exists()
    )
    return render(
        request,
        "plans/plan.html",
        {
            "tab": "plan",
            "learner": view.learner,
            "plan": view.plan,
            "profile": view.profile,
            "goals": view.goals,
            "chosen": view.chosen,
            "comments": comments,
            "reflections": reflections,
            "role": role,
            "peer_grants": list(access.peer_grant_list(viewer=viewer, learner=view.learner)),
            "can_grant_peers": can_grant_peers,
            "peer_plans": peer_plans,
            "text_form": forms.TextForm(),
            "leadership_form": forms.LeadershipForm(
                initial={"leadership": view.plan.leadership if view.plan else None}
            ),
        },
    )


@login_required
def profile_edit(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    view = selectors.plan_for(viewer=viewer, learner_id=learner_id, view="plans:profile")
    if _role(viewer, view.learner) != "learner":
        return _forbidden()
    grade = _grade(view.learner, viewer)
    young = grade is not None and grade <= 2
    form = forms.profile_form(
        request.POST,
        initial={f: getattr(view.profile, f, "") for f in services.PROFILE_FIELDS},
        young=young,
    )
    if request.method == "POST" and form.is_valid():
        services.save_profile(
            viewer=viewer, learner_id=view.learner.pk, user=request.user, **form.cleaned_data
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("plans:plan", learner_id=view.learner.pk)
    return render(
        request,
        "plans/profile_form.html",
        {
            "tab": "plan",
            "learner": view.learner,
            "form": form,
            "young": young,
        },
    )


def _milestones_from(post: Any) -> list[services.MilestoneIn]:
    out = []
    for n in range(20):
        title = post.get(f"ms-{n}-title", "").strip()
        if not title:
            continue
        raw_due = post.get(f"ms-{n}-due", "").strip()
        try:
            due = dt.date.fromisoformat(raw_due) if raw_due else None
        except ValueError:
            due = None
        out.append(services.MilestoneIn(title, due, post.get(f"ms-{n}-done") == "on"))
    return out


@login_required
def goal_edit(request: HttpRequest, learner_id: str, goal_id: str | None = None) -> HttpResponse:
    viewer = get_viewer(request)
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:goal-form")
    if _role(viewer, learner) == "guardian":
        return _forbidden()
    goal = None
    if goal_id is not None:
        goal = selectors.get_goal(viewer=viewer, learner_id=learner.pk, goal_id=goal_id)
    initial: dict[str, Any] = {}
    if goal is not None:
        initial = {
            "kind": goal.kind,
            "title": goal.title,
            "description": goal.description,
            "status": goal.status,
            "target_date": goal.target_date,
            "standards": [str(s.pk) for s in goal.standards.all()],
        }
    form = forms.GoalForm(request.POST or None, initial=initial)
    form.fields["standards"].choices = _standard_choices(learner, _grade(learner, viewer))
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_goal(
                viewer=viewer,
                learner_id=learner.pk,
                goal_id=goal.pk if goal else None,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                status=data["status"],
                target_date=data["target_date"],
                standard_ids=data["standards"],
                milestones=_milestones_from(request.POST),
                user=request.user,
            )
        except services.PlanInputError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The goal “%(title)s” is saved.") % {"title": saved.title})
            return redirect("plans:plan", learner_id=learner.pk)
    milestones: list[Any] = list(goal.milestones.all()) if goal else []
    rows = [
        {"n": n, "title": m.title, "due": m.due_date, "done": m.done}
        for n, m in enumerate(milestones)
    ]
    rows += [
        {"n": n, "title": "", "due": None, "done": False} for n in range(len(rows), len(rows) + 2)
    ]
    return render(
        request,
        "plans/goal_form.html",
        {
            "tab": "plan",
            "learner": learner,
            "goal": goal,
            "form": form,
            "errors": errors,
            "milestones": rows,
        },
    )


def _post_text(request: HttpRequest, learner_id: str, action: Any, done: str) -> HttpResponse:
    viewer = get_viewer(request)
    form = forms.TextForm(request.POST)
    # the service says what is wrong (empty, too long) and saves nothing
    text = form.cleaned_data["text"] if form.is_valid() else request.POST.get("text", "")
    try:
        action(
            viewer=viewer,
            learner_id=learner_id,
            text=text,
            goal_id=request.POST.get("goal") or None,
            user=request.user,
        )
    except NotAllowed:
        return _forbidden()
    except services.PlanInputError as exc:
        messages.error(request, " ".join(exc.errors.values()))
    else:
        messages.success(request, done)
    return redirect("plans:plan", learner_id=learner_id)


@login_required
@require_POST
def reflection_add(request: HttpRequest, learner_id: str) -> HttpResponse:
    return _post_text(request, learner_id, services.add_reflection, _("Your reflection is saved."))


@login_required
@require_POST
def comment_add(request: HttpRequest, learner_id: str) -> HttpResponse:
    return _post_text(request, learner_id, services.add_comment, _("Your feedback is posted."))


@login_required
def peer_plan(request: HttpRequest, learner_id: str) -> HttpResponse:
    """A classmate's plan for a peer the teacher allowed: goals and feedback only, and a form
    to give feedback. Anyone else (other learners, guardians, staff) gets the same 404."""
    viewer = get_viewer(request)
    view = selectors.peer_plan_for(viewer=viewer, learner_id=learner_id)
    errors: dict[str, str] = {}
    text = chosen_goal = ""
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        chosen_goal = request.POST.get("goal", "")
        try:
            services.add_comment(
                viewer=viewer,
                learner_id=view.learner.pk,
                text=text,
                goal_id=chosen_goal or None,
                user=request.user,
            )
        except services.PlanInputError as exc:
            errors = exc.errors
            status = 400
        else:
            messages.success(request, _("Your feedback is posted."))
            return redirect("plans:peer", learner_id=view.learner.pk)
    return render(
        request,
        "plans/peer.html",
        {
            "classmate": view.learner,
            "plan": view.plan,
            "goals": view.goals,
            "comments": view.comments,
            "errors": errors,
            "text": text,
            "chosen_goal": chosen_goal,
        },
        status=status,
    )


@login_required
def peers(request: HttpRequest, learner_id: str) -> HttpResponse:
    """The learner's teacher chooses classmates who may give feedback on the plan."""
    viewer = get_viewer(request)
    try:
        learner = access.get_student_to_grant_peers(
            viewer=viewer, id=learner_id, view="plans:peers"
        )
    except NotAllowed:
        return _forbidden()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            grant = services.grant_peer_feedback(
                viewer=viewer,
                learner_id=learner.pk,
                peer_id=request.POST.get("peer"),
                user=request.user,
            )
        except NotAllowed:
            return _forbidden()
        except services.PlanInputError as exc:
            errors = exc.errors
            status = 400
        else:
            messages.success(
                request,
                _("%(name)s may now give feedback on this plan.")
                % {"name": grant.peer.display_name},
            )
            return redirect("plans:peers", learner_id=learner.pk)
    grants = list(access.peer_grant_list(viewer=viewer, learner=learner))
    allowed = {g.peer_id for g in grants}
    candidates = [
        p for p in access.peer_candidates(viewer=viewer, learner=learner) if p.pk not in allowed
    ]
    return render(
        request,
        "plans/peers.html",
        {
            "tab": "plan",
            "learner": learner,
            "grants": grants,
            "candidates": candidates,
            "errors": errors,
        },
        status=status,
    )


@login_required
@require_POST
def peer_revoke(request: HttpRequest, learner_id: str, grant_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    try:
        grant = services.revoke_peer_feedback(
            viewer=viewer, learner_id=learner_id, grant_id=grant_id, user=request.user
        )
    except NotAllowed:
        return _forbidden()
    messages.success(
        request,
        _("%(name)s no longer gives feedback on this plan.") % {"name": grant.peer.display_name},
    )
    return redirect("plans:peers", learner_id=grant.learner_id)


@login_required
@require_POST
def leadership_set(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    try:
        services.set_leadership(
            viewer=viewer,
            learner_id=learner_id,
            leadership=request.POST.get("leadership", ""),
            user=request.user,
        )
    except NotAllowed:
        return _forbidden()
    except services.PlanInputError as exc:
        messages.error(request, " ".join(exc.errors.values()))
    return redirect("plans:plan", learner_id=learner_id)


@login_required
def path(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:path-page")
    if request.method == "POST":
        try:
            services.choose_next(
                viewer=viewer,
                learner_id=learner.pk,
                item_id=request.POST.get("item"),
                user=request.user,
            )
        except NotAllowed:
            return _forbidden()
        except services.PlanInputError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        else:
            messages.success(request, _("Your choice is saved. Your teachers can see it."))
        return redirect("plans:path", learner_id=learner.pk)
    the_path = selectors.path_for(viewer=viewer, learner_id=learner.pk)
    return render(
        request,
        "plans/path.html",
        {"tab": "path", "learner": learner, "path": the_path, "role": _role(viewer, learner)},
    )


@login_required
def portfolio(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:portfolio-page")
    role = _role(viewer, learner)
    form = forms.ArtifactForm(request.POST or None, request.FILES or None)
    form.fields["standards"].choices = _standard_choices(learner, _grade(learner, viewer))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if role != "learner":
            return _forbidden()
        if form.is_valid():
            data = form.cleaned_data
            upload = data.get("file")
            try:
                artifact = services.add_artifact(
                    viewer=viewer,
                    learner_id=learner.pk,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    url=data["url"],
                    text=data["text"],
                    file_name=upload.name if upload else "",
                    data=_read_limited(upload) if upload else None,
                    standard_ids=data["standards"],
                    user=request.user,
                )
            except services.PlanInputError as exc:
                errors = exc.errors
                status = 400
            else:
                messages.success(
                    request, _("“%(title)s” is in your portfolio.") % {"title": artifact.title}
                )
                return redirect("plans:portfolio", learner_id=learner.pk)
        else:
            status = 400
    artifacts = selectors.artifacts_for(viewer=viewer, learner_id=learner.pk)
    return render(
        request,
        "plans/portfolio.html",
        {
            "tab": "portfolio",
            "learner": learner,
            "artifacts": artifacts,
            "form": form,
            "errors": errors,
            "role": role,
            "max_mb": f"{uploads.max_bytes() / 1048576:.3g}",
            "allowed": ", ".join(sorted(uploads.ALLOWED)),
        },
        status=status,
    )


def _read_limited(upload: Any) -> bytes:
    """The upload's bytes, reading at most one byte past the limit (enough to refuse it)."""
    limit = uploads.max_bytes()
    if upload.size is not None and upload.size > limit:
        return bytes(upload.read(limit + 1))
    return bytes(upload.read())


@login_required
def artifact(request: HttpRequest, learner_id: str, artifact_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    item = selectors.get_artifact(viewer=viewer, learner_id=learner_id, artifact_id=artifact_id)
    can_review = bool(access.ASSESSING_ROLES & viewer.roles)
    form = forms.ReviewForm(request.POST or None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_review:
            return _forbidden()
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_artifact(
                    viewer=viewer,
                    learner_id=item.learner_id,
                    artifact_id=item.pk,
                    accept=data["decision"] == "accept",
                    score=data["score"],
                    max_score=data["max_score"],
                    feedback=data["feedback"],
                    user=request.user,
                )
            except NotAllowed:
                return _forbidden()
            except services.PlanInputError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Your review is saved."))
                return redirect("plans:artifact", learner_id=item.learner_id, artifact_id=item.pk)
    mastery = [
        (s, selectors.probability_of(viewer=viewer, learner_id=item.learner_id, item_id=s.pk))
        for s in item.standards.all()
    ]
    return render(
        request,
        "plans/artifact.html",
        {
            "tab": "portfolio",
            "learner": item.learner,
            "artifact": item,
            "form": form,
            "errors": errors,
            "can_review": can_review and item.status == Artifact.Status.SUBMITTED,
            "mastery": mastery,
            "role": _role(viewer, item.learner),
        },
    )


@login_required
def artifact_file(request: HttpRequest, learner_id: str, artifact_id: str) -> HttpResponse:
    """The stored file, only for those who may see the learner (else the same 404)."""
    viewer = get_viewer(request)
    item = selectors.get_artifact(
        viewer=viewer, learner_id=learner_id, artifact_id=artifact_id, view="plans:artifact-file"
    )
    if item.kind != Artifact.Kind.FILE or not item.stored_name:
        raise access.NotVisible()
    path = uploads.path_of(item.district_id, item.stored_name)
    if not path.is_file():
        raise access.NotVisible()
    inline = item.content_type in {"image/png", "image/jpeg", "image/gif", "application/pdf"}
    response = FileResponse(
        path.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=item.file_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def family(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    view = selectors.plan_for(viewer=viewer, learner_id=learner_id, view="plans:family")
    the_path = selectors.path_for(viewer=viewer, learner_id=view.learner.pk)
    upcoming = [g for g in view.goals if g.status in ("not_started", "in_progress")]
    upcoming.sort(key=lambda g: (g.target_date or dt.date.max, g.pk))
    recent = selectors.recent_artifacts(view.learner, viewer.today).prefetch_related("standards")
    return render(
        request,
        "plans/family.html",
        {
            "tab": "family",
            "learner": view.learner,
            "plan": view.plan,
            "profile": view.profile,
            "path": the_path,
            "upcoming": upcoming[:5],
            "met": [g for g in view.goals if g.status == "met"],
            "recent": recent,
            "role": _role(viewer, view.learner),
        },
    )


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    return render(request, "plans/reviews.html", {"queue": selectors.review_queue(viewer=viewer)})


@login_required
def growth(request: HttpRequest, staff_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    staff = services.open_staff(viewer=viewer, staff_id=staff_id, view="plans:growth")
    goal_form = forms.GrowthGoalForm(request.POST if "title" in request.POST else None)
    text_form = forms.TextForm(request.POST if "text" in request.POST else None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if "title" in request.POST and goal_form.is_valid():
                services.save_growth_goal(
                    viewer=viewer, staff_id=staff.pk, user=request.user, **goal_form.cleaned_data
                )
            elif "text" in request.POST and text_form.is_valid():
                services.add_growth_comment(
                    viewer=viewer,
                    staff_id=staff.pk,
                    text=text_form.cleaned_data["text"],
                    user=request.user,
                )
            else:
                raise services.PlanInputError({"form": _("Check the form and try again.")})
        except services.PlanInputError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:growth", staff_id=staff.pk)
    plan: GrowthPlan | None = services.current_growth_plan(viewer=viewer, staff=staff)
    return render(
        request,
        "plans/growth.html",
        {
            "staff": staff,
            "plan": plan,
            "goals": list(plan.goals.select_related("author")) if plan else [],
            "comments": list(plan.comments.select_related("author")) if plan else [],
            "goal_form": goal_form,
            "text_form": text_form,
            "errors": errors,
            "is_self": staff.pk == viewer.person_id,
        },
    )


@login_required
def portfolio_zip(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    learner = access.get_student(viewer=viewer, id=learner_id, view="plans:portfolio-zip")
    artifacts = selectors.artifacts_for(viewer=viewer, learner_id=learner.pk)
    data = exports.portfolio_zip(learner, list(artifacts))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="portfolio-{learner.pk}.zip"'
    return response


@login_required
def records(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    data = exports.records_json(viewer=viewer, learner_id=learner_id)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="records-{learner_id}.json"'
    return response


@login_required
def report_pdf(request: HttpRequest, learner_id: str) -> HttpResponse:
    viewer = get_viewer(request)
    data = exports.progress_report_pdf(viewer=viewer, learner_id=learner_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="progress-report-{learner_id}.pdf"'
    return response


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in account remembers it on every device."""
    from django.conf import settings
    from django.utils import translation

    code = request.POST.get("language", "")
    # back to the page the switch was on (the form does not echo the URL, so that a 404
    # page reads the same whatever was asked for)
    target = request.POST.get("next") or request.headers.get("referer") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    if code not in dict(settings.LANGUAGES):
        return redirect(target)
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=code)
    translation.activate(code)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


@login_required
def ownership(request: HttpRequest) -> HttpResponse:
    """School leaders and district admins: how learner-led plans are, this year and last."""
    viewer = get_viewer(request)
    report = selectors.ownership_report(viewer=viewer)
    if report is None:
        raise access.NotVisible()
    tables, note, levels = report
    labels = dict(Plan.Leadership.choices)
    headers = [labels.get(level, _("No plan yet")) for level in levels] + [_("All learners")]
    return render(
        request, "plans/ownership.html", {"tables": tables, "note": note, "headers": headers}
    )
