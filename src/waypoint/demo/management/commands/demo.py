"""`waypoint demo`: build a realistic fictional district and serve the site on it."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm  # type: ignore[import-untyped]

from waypoint.access.viewer import current_school_year
from waypoint.demo import logins
from waypoint.demo.classroom import seed_classroom
from waypoint.demo.effectiveness import seed_effectiveness
from waypoint.demo.evidence import simulate_evidence
from waypoint.demo.generator import (
    DEMO_SLUG,
    DEMO_SOURCED_ID,
    MAX_LEARNERS,
    MIN_LEARNERS,
    build_demo,
)
from waypoint.demo.plans import seed_plans
from waypoint.demo.reset import analyze_tables, delete_district
from waypoint.demo.staffing import seed_staffing
from waypoint.roster.models import District, LearnerYear, School
from waypoint.standards.demo import load_demo_framework


@contextlib.contextmanager
def background_worker(*, verbosity: int) -> Iterator[None]:
    """Run `waypoint db_worker` beside the demo server so uploads and other long jobs run."""
    worker = subprocess.Popen(  # noqa: S603 — our own interpreter and module, fixed arguments
        [sys.executable, "-m", "waypoint.cli", "db_worker", "--verbosity", str(min(verbosity, 1))],
        stdin=subprocess.DEVNULL,
    )
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` runs
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


ADDR = re.compile(r"^(?:(?P<host>[\w.-]+|\[[0-9a-fA-F:]+\]):)?(?P<port>\d{1,5})$")


class Command(BaseCommand):
    help = (
        "Build a realistic fictional demo district (seeded, about 2,000 learners by default) "
        "with one login per role, print the logins, and serve the site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--learners",
            type=int,
            default=2000,
            help=f"learners this year, {MIN_LEARNERS:,}–{MAX_LEARNERS:,} (default 2,000)",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="build the demo, then stop (no web server)"
        )
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo district first and build anew"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        learners: int = options["learners"]
        if not MIN_LEARNERS <= learners <= MAX_LEARNERS:
            raise CommandError(
                f"--learners must be between {MIN_LEARNERS:,} and {MAX_LEARNERS:,} "
                f"(got {learners:,}); a demo needs enough learners for every school and role."
            )
        addr: str = options["addr"]
        match = ADDR.match(addr)
        if match is None or not 0 < int(match["port"]) < 65536:
            raise CommandError(
                f"--addr must be PORT or HOST:PORT, e.g. 127.0.0.1:8000 (got {addr!r})."
            )
        verbosity: int = options["verbosity"]
        say = self.stdout.write if verbosity > 0 else (lambda *a, **k: None)

        call_command("migrate", verbosity=0, interactive=False)
        district = District.objects.filter(slug=DEMO_SLUG).first()
        if district is not None and district.sourced_id != DEMO_SOURCED_ID:
            raise CommandError(
                f"A district with slug {DEMO_SLUG!r} exists but was not made by `waypoint demo` "
                f"({district.name}); refusing to reuse or reset it."
            )
        if district is not None and not options["reset"]:
            year = current_school_year(district.pk, timezone.localdate())
            count = LearnerYear.objects.filter(school_year=year).count()
            say(
                f"The demo district already exists ({district.name}, {count:,} learners "
                "this year); reusing it. Run with --reset to build it anew."
            )
        else:
            district = self._build(
                seed=options["seed"],
                learners=learners,
                existing=district,
                verbosity=verbosity,
                say=say,
            )
        say("")
        say("Log in with one of these accounts (one per role):")
        say(logins.render_table(logins.login_rows(district)))
        say("")
        if options["no_serve"]:
            return
        host_port = addr if match["host"] else f"127.0.0.1:{addr}"
        self.stdout.write(f"Serving the demo at http://{host_port}/ (press Ctrl-C to stop)")
        self.stdout.flush()
        with background_worker(verbosity=verbosity):
            call_command("runserver", host_port, use_reloader=False, verbosity=verbosity)

    def _build(
        self,
        *,
        seed: int,
        learners: int,
        existing: District | None,
        verbosity: int,
        say: Any,
    ) -> District:
        started = time.monotonic()
        bar = tqdm(
            total=learners,
            unit=" learners",
            desc="Building the demo district",
            disable=verbosity == 0 or not sys.stderr.isatty(),
            file=sys.stderr,
        )
        with bar, transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if existing is not None:
                say("Removing the old demo district…")
                delete_district(existing)
            taken = logins.taken_usernames()
            if taken:
                raise CommandError(
                    "These demo usernames are already taken by other accounts: "
                    + ", ".join(taken)
                    + ". Use a fresh database (set DATABASE_URL) or remove those accounts."
                )
            say(f"Building the demo district: {learners:,} learners, seed {seed}…")
            result = build_demo(
                seed=seed, learners=learners, today=timezone.localdate(), progress=bar.update
            )
            logins.create_logins(result.district, result.people)
            framework = load_demo_framework(result.district)
            say(f"Loaded the demo standards: {framework.title}.")
            evidence = simulate_evidence(
                district=result.district, framework=framework, seed=seed, today=timezone.localdate()
            )
            say(
                f"Simulated {evidence.observations:,} observations for "
                f"{evidence.learners:,} learners."
            )
            classroom = seed_classroom(
                district=result.district, seed=seed, today=timezone.localdate()
            )
            say(
                f"Saved {classroom.groups} small groups and {classroom.interventions} "
                f"interventions in {classroom.sections} sections."
            )
            effect = seed_effectiveness(
                district=result.district, seed=seed, today=timezone.localdate()
            )
            say(
                f"Rated {effect.ratings} staff-years; {effect.scores:,} scale scores, "
                f"{effect.growth:,} growth percentiles."
            )
            plans = seed_plans(district=result.district, seed=seed, today=timezone.localdate())
            say(
                f"Wrote {plans.learners} learners' plans with {plans.goals} goals and "
                f"{plans.artifacts} pieces of work."
            )
            staffing = seed_staffing(
                district=result.district, seed=seed, today=timezone.localdate()
            )
            say(
                f"Gave {staffing.positions} positions ({staffing.vacancies} vacant) a salary; "
                f"saved the scenario {staffing.scenario!r} at {staffing.school}."
            )
        analyze_tables()
        total = sum(result.rows.values())
        say(
            f"Built {result.district.name}: {result.learners:,} learners in "
            f"{School.objects.filter(district=result.district).count()} schools, "
            f"{total:,} rows in {time.monotonic() - started:.1f}s."
        )
        return result.district
