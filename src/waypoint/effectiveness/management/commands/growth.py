"""`waypoint growth [--district SLUG]`: compute and store SGPs from the stored scale scores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.effectiveness.growth import compute_growth
from waypoint.effectiveness.management.commands.report import pick_district


class Command(BaseCommand):
    help = "Compute student growth percentiles from the stored scale scores and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", help="the district's slug (default: the only one)")
        parser.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        district = pick_district(options["district"])
        out = compute_growth(district=district, threads=options["threads"])
        p = out.percentiles
        self.stdout.write(
            f"{out.scores:,} scale scores: {p.created + p.updated + p.unchanged:,} growth "
            f"percentiles ({p.created:,} new, {p.updated:,} changed); knots and boundaries "
            f"stored for {out.knots.created + out.knots.updated + out.knots.unchanged} "
            "subject-grade pairs."
        )
