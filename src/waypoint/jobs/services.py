"""Starting jobs: the row, the audit entry and the queued task, in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from waypoint.audit.services import record_action
from waypoint.jobs.models import JobRun
from waypoint.roster.models import District


def start_job(
    *, kind: str, title: str, district: District, user: Any, params: dict[str, Any]
) -> JobRun:
    from waypoint.jobs.tasks import run_job

    with transaction.atomic():
        job = JobRun.objects.create(
            kind=kind, title=title, district=district, created_by=user, params=params
        )
        record_action(
            user=user,
            district_id=district.pk,
            action=f"job.start:{kind}",
            obj=job,
            details={"title": title},
        )
        result = run_job.enqueue(job.pk)
        JobRun.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def start_job_once(
    *, kind: str, title: str, district: District, user: Any, params: dict[str, Any]
) -> tuple[JobRun, bool]:
    """Queue a job unless one of this kind is queued or running for the district:
    ``(job, created)``. The district row is the lock, so two callers at once queue one."""
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).exists()
        under_way = (
            JobRun.objects.filter(
                district=district,
                kind=kind,
                status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING],
            )
            .order_by("created_at")
            .first()
        )
        if under_way is not None:
            return under_way, False
        return start_job(kind=kind, title=title, district=district, user=user, params=params), True
