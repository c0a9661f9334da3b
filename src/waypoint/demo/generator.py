"""Build the demo district: a realistic, seeded, fictional district, written in bulk.

The district is made of clusters (a feeder pattern of elementary schools, one middle and one
high school, about 2,000 learners; see ``cluster``). Each cluster is planned in memory,
written with multi-row INSERTs in batches, and dropped before the next one, so memory stays
flat however many learners are asked for. The caller wraps :func:`build_demo` in one
transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from waypoint.demo import bulk
from waypoint.demo import population as pop
from waypoint.demo import schedule as sched
from waypoint.demo import staff as stf
from waypoint.demo.cluster import ClusterBuilder, elementary_schools
from waypoint.demo.names import DOMAIN, ascii_slug, school_names
from waypoint.demo.years import mid_year_window, year_plans
from waypoint.roster.models import Course, District, Person, SchoolYear, StaffRole, Term

DEMO_SLUG = "demo"
DEMO_SOURCED_ID = "waypoint-demo-district"
DEMO_NAME = "Riverbend Public Schools (demo)"
CLUSTER_LEARNERS = 2000
MIN_LEARNERS = 100
MAX_LEARNERS = 1_000_000
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://waypoint.example.org/demo")
YEARS = ("prev", "cur")


@dataclass
class BuildResult:
    district: District
    people: dict[str, int]  # demo username -> person id
    rows: Counter[str]
    learners: int
    schools: int


def cluster_sizes(learners: int) -> list[int]:
    """Learners per cluster: about 2,000 each, at least one cluster."""
    clusters = max(1, round(learners / CLUSTER_LEARNERS))
    return pop.split_counts(learners, [1.0] * clusters)


class DemoBuilder:
    """Plans and writes the demo district. Call :meth:`build` inside ``transaction.atomic``."""

    def __init__(
        self,
        *,
        seed: int,
        learners: int,
        today: dt.date,
        progress: Callable[[int], object] | None = None,
    ) -> None:
        self.seed = seed
        self.learners = learners
        self.today = today
        self.progress = progress or (lambda n: None)
        self.rows: Counter[str] = Counter()
        self.plans = dict(zip(YEARS, year_plans(today), strict=True))
        self.windows = {k: mid_year_window(p, today) for k, p in self.plans.items()}
        self.people: dict[str, int] = {}
        self.emails: set[str] = set()
        self.staff_count = 0
        self.school_no = 0

    # ---- helpers -------------------------------------------------------------------------
    def sid(self, key: str) -> str:
        """A stable sourced id: the same seed and key always give the same id."""
        return str(uuid.uuid5(NAMESPACE, f"{self.seed}/{key}"))

    def save(
        self,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        returning: bool = False,
    ) -> list[int]:
        """Insert rows in batches (``district`` is filled in); returns new ids if asked."""
        district_id = self.district.pk
        count, ids = bulk.insert(
            model,
            ["district", *names],
            ((district_id, *row) for row in rows),
            returning=returning,
        )
        self.rows[model._meta.label] += count
        return ids

    def email(self, given: str, family: str) -> str:
        base = f"{ascii_slug(given)}.{ascii_slug(family)}"
        address, n = f"{base}@{DOMAIN}", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@{DOMAIN}"
        self.emails.add(address)
        return address

    PERSON_FIELDS = (
        "sourced_id",
        "kind",
        "given_name",
        "family_name",
        "email",
        "identifier",
        "active",
    )

    def staff_row(self, person: stf.Staff, key: str) -> tuple[Any, ...]:
        """A Person row for a staff member (columns as ``PERSON_FIELDS``)."""
        self.staff_count += 1
        return (
            self.sid(f"staff/{key}/{person.key}"),
            Person.Kind.STAFF,
            person.given,
            person.family,
            self.email(person.given, person.family),
            f"E{self.staff_count:06d}",
            person.active or person.school is None,
        )

    # ---- the district --------------------------------------------------------------------
    def build(self) -> BuildResult:
        self.district = District.objects.create(
            sourced_id=DEMO_SOURCED_ID, name=DEMO_NAME, slug=DEMO_SLUG
        )
        self.rows["roster.District"] += 1
        self._years()
        self._courses()
        self._district_staff()
        sizes = cluster_sizes(self.learners)
        self.school_names = school_names(
            random.Random(f"waypoint-demo:{self.seed}:schools"),
            sum(elementary_schools(n) + 2 for n in sizes),
        )
        for c, size in enumerate(sizes):
            ClusterBuilder(self, c, size).build()
            self.progress(size)
        return BuildResult(self.district, self.people, self.rows, self.learners, self.school_no)

    def _years(self) -> None:
        self.years: dict[str, int] = {}
        self.semesters: dict[str, list[int]] = {}
        for key, plan in self.plans.items():
            year = SchoolYear.objects.create(
                district=self.district,
                sourced_id=self.sid(f"year/{plan.start_year}"),
                title=plan.title,
                start_date=plan.start_date,
                end_date=plan.end_date,
                count_date=plan.count_date,
            )
            self.rows["roster.SchoolYear"] += 1
            names = ("sourced_id", "school_year", "kind", "title", "start_date", "end_date")
            semesters = self.save(
                Term,
                names,
                [
                    (
                        self.sid(f"term/{plan.start_year}/{title}"),
                        year.pk,
                        Term.Kind.SEMESTER,
                        title,
                        start,
                        end,
                    )
                    for title, start, end in plan.semesters()
                ],
                returning=True,
            )
            self.save(
                Term,
                (*names, "parent"),
                [
                    (
                        self.sid(f"term/{plan.start_year}/{title}"),
                        year.pk,
                        Term.Kind.GRADING_PERIOD,
                        title,
                        start,
                        end,
                        semesters[semester],
                    )
                    for title, semester, start, end in plan.quarters()
                ],
            )
            self.years[key], self.semesters[key] = year.pk, semesters

    def _courses(self) -> None:
        specs = sched.catalogue()
        ids = self.save(
            Course,
            ("sourced_id", "title", "code", "subject", "grade"),
            [(self.sid(f"course/{s.key}"), s.title, s.code, s.subject, s.grade) for s in specs],
            returning=True,
        )
        self.courses = {s.key: (pk, s) for s, pk in zip(specs, ids, strict=True)}

    def _district_staff(self) -> None:
        rng = random.Random(f"waypoint-demo:{self.seed}:district")
        titles = ("Director of data and accountability", "Chief academic officer")
        admins = [stf.new_person(rng, f"district:admin:{i}", None, t) for i, t in enumerate(titles)]
        ids = self.save(
            Person,
            self.PERSON_FIELDS,
            [self.staff_row(a, "district") for a in admins],
            returning=True,
        )
        self.save(
            StaffRole,
            ("person", "role", "primary"),
            [(pk, StaffRole.Role.DISTRICT_ADMIN, True) for pk in ids],
        )
        self.people["admin"] = ids[0]


def build_demo(
    *,
    seed: int,
    learners: int,
    today: dt.date,
    progress: Callable[[int], object] | None = None,
) -> BuildResult:
    """Plan and write the demo district (inside the caller's transaction)."""
    return DemoBuilder(seed=seed, learners=learners, today=today, progress=progress).build()
