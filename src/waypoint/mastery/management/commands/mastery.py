"""`waypoint mastery fit --district SLUG`: refit BKT and recompute every mastery state."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.jobs.progress import TerminalProgress
from waypoint.mastery.services import fit_district
from waypoint.roster.models import District


class Command(BaseCommand):
    help = "Mastery tasks: refit the knowledge-tracing model of a district."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")
        fit = sub.add_parser("fit", help="refit BKT from all evidence and recompute states")
        fit.add_argument("--district", required=True, help="the district's slug")
        fit.add_argument("--restarts", type=int, default=5, help="EM restarts per new standard")
        fit.add_argument("--progress", action="store_true", help="show the bar even when piped")

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            raise CommandError(f"no district with the slug {options['district']!r}")
        started = time.perf_counter()
        progress = TerminalProgress(enabled=True if options["progress"] else None)
        result = fit_district(district=district, progress=progress, restarts=options["restarts"])
        self.stdout.write(
            f"fitted {result.standards} standard(s) from {result.observations} observation(s) "
            f"of {result.learners} learner(s); {result.states} mastery state(s) recomputed "
            f"in {time.perf_counter() - started:.1f} s"
        )
