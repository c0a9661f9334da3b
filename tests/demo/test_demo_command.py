"""`waypoint demo`: the district it builds is complete, realistic, repeatable and coherent
with the access rules (asserted through ``waypoint.access``, the rules the site uses)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from tests.demo.conftest import Build, demo_district, digest
from waypoint.access.policies import visible_learners
from waypoint.access.viewer import viewer_for
from waypoint.demo.logins import DEMO_PASSWORD, USERNAMES
from waypoint.effectiveness.models import EffectivenessRating
from waypoint.roster.models import (
    AdvisorLink,
    CoachLink,
    Demographics,
    District,
    Enrollment,
    GuardianLink,
    LearnerYear,
    Person,
    School,
    SchoolYear,
    Section,
    StaffRole,
    Term,
)


def user(username: str) -> object:
    return get_user_model().objects.get(username=username)


def person_of(username: str) -> Person:
    return Person.objects.get(user__username=username)


def years() -> tuple[SchoolYear, SchoolYear]:
    current, previous = SchoolYear.objects.filter(district=demo_district()).order_by("-start_date")
    return previous, current


def current_sections_of(person: Person, role: str = Enrollment.Role.TEACHER) -> set[int]:
    today = timezone.localdate()
    _, current = years()
    return set(
        Enrollment.objects.filter(
            Enrollment.active_on_q(today), person=person, role=role, section__school_year=current
        ).values_list("section_id", flat=True)
    )


def learners_active_in(section_ids: set[int]) -> set[int]:
    today = timezone.localdate()
    return set(
        Enrollment.objects.filter(
            Enrollment.active_on_q(today),
            section_id__in=section_ids,
            role=Enrollment.Role.STUDENT,
        ).values_list("person_id", flat=True)
    )


def visible_to(username: str) -> set[int]:
    return set(visible_learners(viewer_for(user(username))).values_list("id", flat=True))


def test_builds_a_district_with_every_role_and_login(build_demo: Build) -> None:
    out = build_demo("--learners", "300")
    district = demo_district()
    assert Person.objects.filter(district=district, kind="learner", active=True).count() <= 300
    assert LearnerYear.objects.filter(school_year=years()[1]).count() == 300
    kinds = set(School.objects.filter(district=district).values_list("kind", flat=True))
    assert kinds == {"elementary", "middle", "high"}
    roles = set(StaffRole.objects.filter(district=district).values_list("role", flat=True))
    assert roles == set(StaffRole.Role.values)
    assert set(Person.objects.filter(district=district).values_list("kind", flat=True)) == {
        "learner",
        "staff",
        "guardian",
    }
    for username in USERNAMES:
        account = authenticate(username=username, password=DEMO_PASSWORD)
        assert account is not None, username
        assert account.person.district == district  # type: ignore[attr-defined]
        assert username in out
    assert get_user_model().objects.count() == len(USERNAMES)
    assert DEMO_PASSWORD in out


def test_two_school_years_with_history(build_demo: Build) -> None:
    build_demo("--learners", "300")
    previous, current = years()
    today = timezone.localdate()
    assert current.contains(today) and not previous.contains(today)
    assert current.count_date == dt.date(current.start_date.year, 10, 1)
    for year in (previous, current):
        semesters = Term.objects.filter(school_year=year, kind=Term.Kind.SEMESTER)
        assert semesters.count() == 2
        assert Section.objects.filter(school_year=year).exists()
    # last year's enrollments ended; this year's teacher enrollments run on
    last_year = Enrollment.objects.filter(section__school_year=previous)
    assert not last_year.filter(end_date__isnull=True).exists()
    assert last_year.filter(end_date__lte=previous.end_date).count() == last_year.count()
    # most learners moved up one grade; last year's fifth graders are at the middle school
    rows = LearnerYear.objects.filter(school_year=current).values_list("learner_id", "grade")
    now = dict(rows)
    before = dict(
        LearnerYear.objects.filter(school_year=previous).values_list("learner_id", "grade")
    )
    both = set(now) & set(before)
    assert sum(now[i] == before[i] + 1 for i in both) / len(both) > 0.95
    fifth = [i for i in both if before[i] == 5]
    assert fifth
    assert set(
        LearnerYear.objects.filter(school_year=current, learner_id__in=fifth).values_list(
            "school__kind", flat=True
        )
    ) == {"middle"}
    # former learners (left or graduated) and new learners both exist
    former = set(before) - set(now)
    assert former and set(now) - set(before)
    assert not Person.objects.filter(id__in=former, active=True).exists()
    assert 12 in {before[i] for i in former}  # graduates


def test_realistic_shares(build_demo: Build) -> None:
    build_demo("--learners", "1500")
    _, current = years()
    rows = LearnerYear.objects.filter(school_year=current)
    n = rows.count()

    def share(**flags: object) -> float:
        return rows.filter(**flags).count() / n

    assert share(economically_disadvantaged=True) == pytest.approx(0.50, abs=0.06)
    assert share(english_learner=True) == pytest.approx(0.10, abs=0.04)
    assert share(disability=True) == pytest.approx(0.14, abs=0.04)
    assert share(gifted=True) == pytest.approx(0.07, abs=0.03)
    assert share(homeless=True) == pytest.approx(0.025, abs=0.02)
    assert share(foster_care=True) < 0.02
    early = rows.filter(grade__lte=2)
    late = rows.filter(grade__gte=9)
    assert (
        early.filter(english_learner=True).count() / early.count()
        > late.filter(english_learner=True).count() / late.count()
    )
    levels = set(rows.filter(disability=True).values_list("disability_service_level", flat=True))
    assert levels == {"consult", "resource", "separate"}
    races = Counter(d.race_ethnicity for d in Demographics.objects.filter(district=demo_district()))
    total = sum(races.values())
    assert races["White"] / total == pytest.approx(0.45, abs=0.06)
    assert races["Hispanic or Latino"] / total == pytest.approx(0.28, abs=0.06)
    assert races["Two or more races"] / total == pytest.approx(0.045, abs=0.03)
    ratings = Counter(
        EffectivenessRating.objects.filter(district=demo_district()).values_list("level", flat=True)
    )
    rated = sum(ratings.values())
    assert rated > 40
    assert ratings["effective"] / rated == pytest.approx(0.62, abs=0.15)
    assert ratings["highly_effective"] / rated == pytest.approx(0.20, abs=0.12)
    # guardians: one or two per learner, and some siblings share them
    per_learner = Counter(
        GuardianLink.objects.filter(district=demo_district()).values_list("learner_id", flat=True)
    )
    assert set(per_learner.values()) == {1, 2}
    children = Counter(
        GuardianLink.objects.filter(district=demo_district()).values_list("guardian_id", flat=True)
    )
    assert max(children.values()) >= 2


def test_sections_classes_and_staffing(build_demo: Build) -> None:
    build_demo("--learners", "1500")
    district = demo_district()
    _, current = years()
    sections = Section.objects.filter(school_year=current).annotate(
        learners=Count("enrollments", filter=Q(enrollments__role="student")),
        leads=Count(
            "enrollments", filter=Q(enrollments__role="teacher", enrollments__primary=True)
        ),
    )
    assert all(s.leads == 1 for s in sections)
    elementary = [s.learners for s in sections.filter(school__kind="elementary")]
    secondary = [s.learners for s in sections.exclude(school__kind="elementary")]
    assert 20 <= sum(elementary) / len(elementary) <= 27
    assert 24 <= sum(secondary) / len(secondary) <= 30
    assert max(secondary) <= 30
    elementary_subjects = set(
        sections.filter(school__kind="elementary").values_list("subject", flat=True)
    )
    assert elementary_subjects == {"ela", "mathematics", "science", "social_studies"}
    # middle and high school learners take six sections this year
    today = timezone.localdate()
    per_learner = Counter(
        Enrollment.objects.filter(
            Enrollment.active_on_q(today),
            role="student",
            section__school_year=current,
            section__school__kind__in=["middle", "high"],
        ).values_list("person_id", flat=True)
    )
    assert set(per_learner.values()) == {6}
    # co-teaching: shares on both teachers add up to one; aides are never primary
    co_taught = Enrollment.objects.filter(district=district, instructor_share__isnull=False)
    by_section: dict[int, list[Decimal]] = {}
    for section_id, share in co_taught.values_list("section_id", "instructor_share"):
        by_section.setdefault(section_id, []).append(share)
    assert by_section
    assert all(
        sorted(v) in ([Decimal("0.4"), Decimal("0.6")], [Decimal("0.5")] * 2)
        for v in by_section.values()
    )
    aides = Enrollment.objects.filter(district=district, role="aide")
    assert aides.exists() and not aides.filter(primary=True).exists()
    # coaching and MCL teams, advisors
    teams = Counter(CoachLink.objects.filter(school_year=current).values_list("coach_id", "kind"))
    assert all(4 <= n <= 8 for (_, kind), n in teams.items() if kind == "coach")
    assert all(3 <= n <= 5 for (_, kind), n in teams.items() if kind == "mcl")
    advised = set(
        AdvisorLink.objects.filter(school_year=current).values_list("learner_id", flat=True)
    )
    high = set(
        LearnerYear.objects.filter(school_year=current, school__kind="high").values_list(
            "learner_id", flat=True
        )
    )
    assert advised == high
    advisors = set(
        AdvisorLink.objects.filter(school_year=current).values_list("advisor_id", flat=True)
    )
    assert advisors <= set(
        StaffRole.objects.filter(role="advisor", school_year=current).values_list(
            "person_id", flat=True
        )
    )


def test_demo_logins_tell_one_story_through_the_access_rules(build_demo: Build) -> None:
    build_demo("--learners", "300")
    _, current = years()
    teacher = person_of("teacher")
    taught = current_sections_of(teacher)
    assert len(taught) >= 3
    # the teacher sees exactly the learners actively enrolled in their current sections
    in_class = learners_active_in(taught)
    assert in_class and visible_to("teacher") == in_class
    # the guardian sees exactly their children; one of them is in the teacher's class
    guardian = person_of("guardian")
    children = set(
        GuardianLink.objects.filter(guardian=guardian).values_list("learner_id", flat=True)
    )
    assert visible_to("guardian") == children
    learner = person_of("learner")
    assert learner.pk in children and learner.pk in in_class
    assert visible_to("learner") == {learner.pk}
    # the aide works in one of the teacher's sections and sees that section's learners
    aided = current_sections_of(person_of("aide"), Enrollment.Role.AIDE)
    assert aided & taught
    assert visible_to("aide") == learners_active_in(aided)
    # the coach supports the teacher and sees the learners of every teacher they support
    coach = person_of("coach")
    supported = CoachLink.objects.filter(coach=coach, school_year=current, kind="coach")
    assert teacher.pk in set(supported.values_list("teacher_id", flat=True))
    team_sections: set[int] = set()
    for link in supported.select_related("teacher"):
        team_sections |= current_sections_of(link.teacher)
    assert visible_to("coach") == learners_active_in(team_sections)
    # the leader leads the teacher's school and sees its learners
    leader_schools = set(
        StaffRole.objects.filter(
            person=person_of("leader"), role="school_leader", school_year=current
        ).values_list("school_id", flat=True)
    )
    teacher_schools = set(Section.objects.filter(id__in=taught).values_list("school_id", flat=True))
    assert teacher_schools <= leader_schools
    at_school = set(
        LearnerYear.objects.filter(school_year=current, school_id__in=leader_schools).values_list(
            "learner_id", flat=True
        )
    )
    assert at_school <= visible_to("leader")
    # the advisor sees their advisees; the MCL leads a team; the admin sees everyone
    advisees = set(
        AdvisorLink.objects.filter(advisor=person_of("advisor"), school_year=current).values_list(
            "learner_id", flat=True
        )
    )
    assert advisees and advisees <= visible_to("advisor")
    team = CoachLink.objects.filter(coach=person_of("mcl"), school_year=current, kind="mcl")
    assert 3 <= team.count() <= 5
    everyone = Person.objects.filter(district=demo_district(), kind="learner").count()
    assert len(visible_to("admin")) == everyone
    # former learners are not visible to a teacher
    assert not Person.objects.filter(id__in=visible_to("teacher"), active=False).exists()


def test_same_seed_same_district_different_seed_different(build_demo: Build) -> None:
    build_demo("--learners", "200", "--seed", "7")
    first = digest(demo_district())
    out = build_demo("--learners", "200", "--seed", "7", "--reset")
    assert "Removing the old demo district" in out
    assert District.objects.filter(slug="demo").count() == 1
    assert digest(demo_district()) == first
    build_demo("--learners", "200", "--seed", "8", "--reset")
    assert digest(demo_district()) != first
    assert get_user_model().objects.count() == len(USERNAMES)


def test_running_again_reuses_the_demo(build_demo: Build) -> None:
    build_demo("--learners", "200")
    before = (Person.objects.count(), Enrollment.objects.count(), District.objects.count())
    out = build_demo("--learners", "200")
    assert "already exists" in out and "--reset" in out
    assert (Person.objects.count(), Enrollment.objects.count(), District.objects.count()) == before
    assert "teacher" in out  # the login table is shown again


@pytest.mark.parametrize("value", ["0", "-5", "99", "1000001"])
def test_bad_learner_counts_are_refused(build_demo: Build, value: str) -> None:
    with pytest.raises(CommandError, match="--learners must be between 100 and 1,000,000"):
        build_demo("--learners", value)
    assert not District.objects.filter(slug="demo").exists()


def test_bad_address_is_refused(build_demo: Build) -> None:
    with pytest.raises(CommandError, match="--addr must be PORT or HOST:PORT"):
        build_demo("--addr", "not an address")


def test_reset_refuses_a_district_it_did_not_make(build_demo: Build) -> None:
    District.objects.create(sourced_id="real-district", name="Real", slug="demo")
    with pytest.raises(CommandError, match="was not made by `waypoint demo`"):
        build_demo("--learners", "200", "--reset")
    with pytest.raises(CommandError, match="was not made by `waypoint demo`"):
        build_demo("--learners", "200")
    assert District.objects.get(slug="demo").name == "Real"


def test_taken_username_fails_and_leaves_nothing(build_demo: Build) -> None:
    get_user_model().objects.create_user(username="teacher", password="someone-else-123")
    with pytest.raises(CommandError, match="already taken"):
        build_demo("--learners", "200")
    assert not District.objects.filter(slug="demo").exists()
    assert not Person.objects.exists()


def test_a_failure_midway_leaves_no_half_built_demo(
    build_demo: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    from waypoint.demo import logins

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(logins, "create_logins", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        build_demo("--learners", "200")
    assert not District.objects.filter(slug="demo").exists()
    assert not Person.objects.exists() and not Enrollment.objects.exists()


@pytest.mark.parametrize("value", ["0", "-5"])
def test_bad_learner_count_on_the_command_line_has_no_traceback(tmp_path: Path, value: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "waypoint.cli", "demo", "--no-serve", "--learners", value],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "--learners must be between 100 and 1,000,000" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_demo_has_its_standards_framework_and_reset_keeps_one(build_demo: Build) -> None:
    from waypoint.standards.models import Framework, FrameworkItem

    out = build_demo("--learners", "200")
    assert "Loaded the demo standards" in out
    framework = Framework.objects.get(district=demo_district())
    items = FrameworkItem.objects.filter(framework=framework)
    assert items.filter(item_type__iexact="standard").count() >= 80
    build_demo("--learners", "200", "--reset")
    assert Framework.objects.filter(district=demo_district()).count() == 1
