"""`waypoint mastery fit|evaluate|settings`: refit BKT (now or as a background job), score it on
held-out evidence, or read and change a district's mastery rules."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from waypoint.evidence.services import score_threshold, set_score_threshold
from waypoint.jobs.progress import TerminalProgress
from waypoint.mastery.evaluation import EvaluationError, evaluate_district, format_report, write_svg
from waypoint.mastery.jobs import start_refit
from waypoint.mastery.services import fit_district, mastered_at, set_mastered_at
from waypoint.roster.models import District


class Command(BaseCommand):
    help = "Mastery tasks: refit the knowledge-tracing model of a district, or evaluate it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")
        fit = sub.add_parser("fit", help="refit BKT from all evidence and recompute states")
        which = fit.add_mutually_exclusive_group(required=True)
        which.add_argument("--district", help="the district's slug")
        which.add_argument(
            "--all-districts", action="store_true", help="every district (with --background)"
        )
        fit.add_argument("--restarts", type=int, default=5, help="EM restarts per new standard")
        fit.add_argument("--progress", action="store_true", help="show the bar even when piped")
        fit.add_argument(
            "--background",
            action="store_true",
            help="queue the refit for `waypoint db_worker` and print its job page (nightly cron)",
        )
        rules = sub.add_parser("settings", help="show or change the district's mastery rules")
        rules.add_argument("--district", required=True, help="the district's slug")
        rules.add_argument(
            "--mastered-at", type=float, help="P(mastered) that counts as mastered (0.5 to <1)"
        )
        rules.add_argument(
            "--score-threshold",
            type=float,
            help="share of the maximum score that counts as correct (above 0, at most 1)",
        )
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
        if options.get("all_districts"):
            if not options["background"]:
                raise CommandError("--all-districts queues background jobs: add --background")
            for district in District.objects.order_by("slug"):
                self.queue(district, options)
            return
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            raise CommandError(f"no district with the slug {options['district']!r}")
        if options["task"] == "evaluate":
            self.evaluate(district, options)
            return
        if options["task"] == "settings":
            self.settings(district, options)
            return
        if options["background"]:
            self.queue(district, options)
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

    def queue(self, district: District, options: dict[str, Any]) -> None:
        job, created = start_refit(district=district, restarts=options["restarts"])
        state = "queued" if created else "already queued or running"
        self.stdout.write(f"{district.slug}: refit {state} as job {job.pk} (/jobs/{job.pk}/)")

    def settings(self, district: District, options: dict[str, Any]) -> None:
        try:
            with transaction.atomic():  # both or neither
                self._change(district, options)
        except ValueError as exc:
            raise CommandError(f"{exc}; nothing was changed") from exc
        self.stdout.write(
            f"{district.slug}: mastered at P ≥ {mastered_at(district.pk):g}; a score is correct "
            f"at ≥ {score_threshold(district):.0%} of its maximum"
        )
        if options["score_threshold"] is not None:
            self.stdout.write(
                "The score threshold applies to evidence that arrives from now on; "
                "observations already stored keep their correctness."
            )

    def _change(self, district: District, options: dict[str, Any]) -> None:
        if options["mastered_at"] is not None:
            set_mastered_at(district=district, threshold=options["mastered_at"])
        if options["score_threshold"] is not None:
            set_score_threshold(district=district, threshold=options["score_threshold"])
