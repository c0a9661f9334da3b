"""`waypoint mastery fit|evaluate --district SLUG`: refit BKT, or score it on held-out evidence."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.jobs.progress import TerminalProgress
from waypoint.mastery.evaluation import EvaluationError, evaluate_district, format_report, write_svg
from waypoint.mastery.services import fit_district
from waypoint.roster.models import District


class Command(BaseCommand):
    help = "Mastery tasks: refit the knowledge-tracing model of a district, or evaluate it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")
        fit = sub.add_parser("fit", help="refit BKT from all evidence and recompute states")
        fit.add_argument("--district", required=True, help="the district's slug")
        fit.add_argument("--restarts", type=int, default=5, help="EM restarts per new standard")
        fit.add_argument("--progress", action="store_true", help="show the bar even when piped")
        evaluate = sub.add_parser(
            "evaluate", help="fit on earlier evidence, report AUC, RMSE, log-loss on the rest"
        )
        evaluate.add_argument("--district", required=True, help="the district's slug")
        evaluate.add_argument(
            "--test-share",
            type=float,
            default=0.2,
            help="share of each learner's latest observations held out (default 0.2)",
        )
        evaluate.add_argument(
            "--min-count",
            type=int,
            default=30,
            help="standards with fewer held-out observations are grouped as 'other'",
        )
        evaluate.add_argument("--restarts", type=int, default=5, help="EM restarts per standard")
        evaluate.add_argument("--plot", metavar="FILE.svg", help="write a reliability plot (SVG)")

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            raise CommandError(f"no district with the slug {options['district']!r}")
        if options["task"] == "evaluate":
            self.evaluate(district, options)
            return
        started = time.perf_counter()
        progress = TerminalProgress(enabled=True if options["progress"] else None)
        result = fit_district(district=district, progress=progress, restarts=options["restarts"])
        self.stdout.write(
            f"fitted {result.standards} standard(s) from {result.observations} observation(s) "
            f"of {result.learners} learner(s); {result.states} mastery state(s) recomputed "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def evaluate(self, district: District, options: dict[str, Any]) -> None:
        share = options["test_share"]
        if not 0.0 < share < 1.0:
            raise CommandError("--test-share must be between 0 and 1 (exclusive)")
        if options["min_count"] < 1:
            raise CommandError("--min-count must be at least 1")
        try:
            result = evaluate_district(
                district=district,
                test_share=share,
                min_count=options["min_count"],
                restarts=options["restarts"],
            )
        except EvaluationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_report(result), ending="")
        if options["plot"]:
            try:
                write_svg(result, options["plot"])
            except OSError as exc:
                raise CommandError(f"cannot write {options['plot']}: {exc}") from exc
            self.stdout.write(f"reliability plot written to {options['plot']}")
