"""The one background task: run a JobRun by its kind. The worker is `waypoint db_worker`."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from waypoint.jobs import registry
from waypoint.jobs.models import JobRun
from waypoint.jobs.progress import JobProgress

log = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> str:
    job = JobRun.objects.get(pk=job_id)
    if job.status != JobRun.Status.QUEUED:
        return job.status
    JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.RUNNING, started_at=timezone.now())
    try:
        report = registry.get(job.kind)(job, JobProgress(job))
        status = JobRun.Status.SUCCEEDED
    except registry.JobFailed as failed:
        report, status = failed.report, JobRun.Status.FAILED
    except Exception:
        log.exception("job %s (%s) crashed", job.pk, job.kind)
        report = {"summary": "The job stopped because of an internal error. Nothing was changed."}
        status = JobRun.Status.FAILED
    JobRun.objects.filter(pk=job.pk).update(
        status=status, report=report, finished_at=timezone.now()
    )
    return str(status)
