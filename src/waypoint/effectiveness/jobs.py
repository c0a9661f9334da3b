"""Growth percentiles as a background job: `waypoint growth --background`, or nightly with
`--all-districts`. `waypoint db_worker` runs it; its page (``/jobs/<id>/``) shows it. One
growth run per district is queued or running at a time."""

from __future__ import annotations

from typing import Any

from waypoint.jobs.models import JobRun
from waypoint.jobs.registry import register
from waypoint.jobs.services import start_job_once
from waypoint.roster.models import District

KIND = "effectiveness.growth"


def start_growth(*, district: District, user: Any = None) -> tuple[JobRun, bool]:
    """Queue the district's SGP computation; ``(job, created)``. Not twice at once."""
    return start_job_once(
        kind=KIND,
        title=f"Growth percentiles for {district.name}",
        district=district,
        user=user,
        params={},
    )


@register(KIND)
def run_growth(job: Any, progress: Any) -> dict[str, Any]:
    # imported here: the growth kernels (numba) are not loaded at every start-up
    from waypoint.effectiveness.growth import compute_growth

    progress.start("Fitting growth models and storing growth percentiles", 1)
    out = compute_growth(district=job.district, user=job.created_by)
    progress.advance()
    p = out.percentiles
    if not out.scores:
        summary = "No scale scores yet: nothing to compute."
    else:
        summary = (
            f"{out.scores:,} scale score(s): {p.created + p.updated + p.unchanged:,} growth "
            f"percentile(s) ({p.created:,} new, {p.updated:,} changed)."
        )
    return {
        "summary": summary,
        "scores": out.scores,
        "created": p.created,
        "updated": p.updated,
        "unchanged": p.unchanged,
    }
