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
