"""`waypoint growth [--district SLUG] [--background] [--all-districts --background]`: compute
and store SGPs from the stored scale scores, now or as a background job (nightly: every
district)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.effectiveness.growth import compute_growth
from waypoint.effectiveness.jobs import start_growth
from waypoint.effectiveness.management.commands.report import pick_district
from waypoint.roster.models import District


class Command(BaseCommand):
    help = "Compute student growth percentiles from the stored scale scores and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", help="the district's slug (default: the only one)")
        parser.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue it as a job for `waypoint db_worker` instead of running it now",
        )
        parser.add_argument(
            "--all-districts",
            action="store_true",
            help="every district (with --background; for a nightly schedule)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all_districts"]:
            if not options["background"]:
                raise CommandError("--all-districts queues one job per district: add --background")
            for district in District.objects.order_by("pk"):
                self._queue(district)
            return
        district = pick_district(options["district"])
        if options["background"]:
            self._queue(district)
            return
        out = compute_growth(district=district, threads=options["threads"])
        p = out.percentiles
        self.stdout.write(
            f"{out.scores:,} scale scores: {p.created + p.updated + p.unchanged:,} growth "
            f"percentiles ({p.created:,} new, {p.updated:,} changed); knots and boundaries "
            f"stored for {out.knots.created + out.knots.updated + out.knots.unchanged} "
            "subject-grade pairs."
        )

    def _queue(self, district: District) -> None:
        job, created = start_growth(district=district)
        state = "queued as" if created else "already queued or running as"
        self.stdout.write(f"{district.slug}: growth percentiles {state} job {job.pk}")
