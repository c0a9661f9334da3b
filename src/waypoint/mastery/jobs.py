"""The district refit as a background job: `waypoint mastery fit --background`, or nightly.

`waypoint db_worker` runs it; its page (``/jobs/<id>/``) shows the stages as they go. One
refit per district is queued or running at a time: asking again returns the job under way.
"""

from __future__ import annotations

from typing import Any

from waypoint.jobs.models import JobRun
from waypoint.jobs.registry import register
from waypoint.jobs.services import start_job_once
from waypoint.mastery.services import fit_district
from waypoint.roster.models import District

KIND = "mastery.fit"


def start_refit(*, district: District, user: Any = None, restarts: int = 5) -> tuple[JobRun, bool]:
    """Queue a refit of the district's mastery; ``(job, created)``. Not twice at once."""
    return start_job_once(
        kind=KIND,
        title=f"Mastery refit for {district.name}",
        district=district,
        user=user,
        params={"restarts": restarts},
    )


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
