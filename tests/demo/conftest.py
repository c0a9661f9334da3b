from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command

from waypoint.roster.models import District, Enrollment, LearnerYear, Person

Build = Callable[..., str]


@pytest.fixture
def build_demo(db: None) -> Build:
    """Run `waypoint demo --no-serve` in-process; returns what it printed."""

    def build(*args: str) -> str:
        out = io.StringIO()
        call_command("demo", "--no-serve", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    return build


def demo_district() -> District:
    return District.objects.get(slug="demo")


def digest(district: District) -> str:
    """A fingerprint of the demo's people, enrollments and yearly facts (not database ids)."""
    h = hashlib.sha256()
    people = Person.objects.filter(district=district).order_by("sourced_id")
    for row in people.values_list(
        "sourced_id", "kind", "given_name", "family_name", "identifier", "email", "active"
    ):
        h.update(repr(row).encode())
    enrollments = Enrollment.objects.filter(district=district).order_by("sourced_id")
    for row in enrollments.values_list(
        "sourced_id",
        "section__sourced_id",
        "section__title",
        "section__period",
        "person__sourced_id",
        "role",
        "primary",
        "begin_date",
        "end_date",
        "instructor_share",
    ):
        h.update(repr(row).encode())
    years = LearnerYear.objects.filter(district=district).order_by(
        "learner__sourced_id", "school_year__start_date"
    )
    for row in years.values_list(
        "learner__sourced_id",
        "school_year__title",
        "school__sourced_id",
        "grade",
        "economically_disadvantaged",
        "english_learner",
        "disability_service_level",
        "gifted",
        "homeless",
        "foster_care",
    ):
        h.update(repr(row).encode())
    return h.hexdigest()
