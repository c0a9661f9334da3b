"""A job's page (progress, then its report) and the JSON the page polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from waypoint.jobs.selectors import get_job, job_list
from waypoint.web.context import get_viewer


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_job(viewer=get_viewer(request), id=job_id)
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = get_job(viewer=get_viewer(request), id=job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "stage": job.stage,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@login_required
def job_index(request: HttpRequest) -> HttpResponse:
    jobs = job_list(viewer=get_viewer(request)).select_related("created_by")[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})
