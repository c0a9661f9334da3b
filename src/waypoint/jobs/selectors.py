"""Reading jobs: a job is seen by who started it and by its district's admins."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import Viewer
from waypoint.jobs.models import JobRun


def job_list(*, viewer: Viewer) -> QuerySet[JobRun]:
    if viewer.district_id is None:
        return JobRun.objects.none()
    jobs = JobRun.objects.filter(district_id=viewer.district_id)
    if viewer.is_district_admin:
        return jobs
    return jobs.filter(Q(created_by_id=viewer.user_id))


def get_job(*, viewer: Viewer, id: object) -> JobRun:
    try:
        pk = int(str(id))
    except ValueError:
        raise NotVisible() from None
    job = job_list(viewer=viewer).filter(pk=pk).first()
    if job is None:
        raise NotVisible()
    return job
