"""The district refit as a background job: `waypoint mastery fit --background`, or nightly.

`waypoint db_worker` runs it; its page (``/jobs/<id>/``) shows the stages as they go. One
refit per district is queued or running at a time: asking again returns the job under way.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from waypoint.jobs.models import JobRun
from waypoint.jobs.registry import register
from waypoint.jobs.services import start_job
from waypoint.mastery.services import fit_district
from waypoint.roster.models import District

KIND = "mastery.fit"


def start_refit(*, district: District, user: Any = None, restarts: int = 5) -> tuple[JobRun, bool]:
    """Queue a refit of the district's mastery; ``(job, created)``. Not twice at once."""
    with transaction.atomic():
        # the district row is the lock: two callers at once queue one job
        District.objects.select_for_update().filter(pk=district.pk).exists()
        return _start_refit(district=district, user=user, restarts=restarts)


def _start_refit(*, district: District, user: Any, restarts: int) -> tuple[JobRun, bool]:
    under_way = (
        JobRun.objects.filter(
            district=district,
            kind=KIND,
            status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING],
        )
        .order_by("created_at")
        .first()
    )
    if under_way is not None:
        return under_way, False
    job = start_job(
        kind=KIND,
        title=f"Mastery refit for {district.name}",
        district=district,
        user=user,
        params={"restarts": restarts},
    )
    return job, True


@register(KIND)
def refit_mastery(job: Any, progress: Any) -> dict[str, Any]:
    result = fit_district(
        district=job.district,
        progress=progress,
        user=job.created_by,
        restarts=int(job.params.get("restarts", 5)),
    )
    if not result.observations:
        summary = "No evidence yet: nothing to fit."
    else:
        summary = (
            f"Fitted {result.standards} standard(s) from {result.observations} observation(s) "
            f"of {result.learners} learner(s); {result.states} mastery state(s) recomputed."
        )
    return {"summary": summary, "fit": result.__dict__}
