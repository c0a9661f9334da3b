"""Demo plans: profiles, this year's plans with goals, milestones, reflections and feedback,
portfolios (small generated PNG and text files) and the demo teacher's growth plan.

For the learners of the demo teacher's sections this year (at most :data:`MAX_LEARNERS`,
plus the demo "learner" login): every one gets a profile and a plan; academic goals are
linked to a grade-level standard they have not mastered yet. The demo learner also gets
three pieces of work: one accepted (its score went through the real evidence and mastery
services), one waiting for the teacher's review and one returned with feedback. A third of
the other learners have a piece of text work waiting for review. Seeded; files are written
under ``settings.UPLOAD_DIR``.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass

from django.utils import timezone

from waypoint.access.viewer import current_school_year
from waypoint.evidence.models import Observation
from waypoint.evidence.services import ObservationRow
from waypoint.mastery.models import MasteryState
from waypoint.mastery.selectors import prerequisite_map, ready_among, tracked_items
from waypoint.mastery.services import mastered_at, record_evidence
from waypoint.plans import uploads
from waypoint.plans.models import (
    Artifact,
    ArtifactReview,
    Comment,
    Goal,
    GrowthComment,
    GrowthGoal,
    GrowthPlan,
    LearnerProfile,
    Milestone,
    PathChoice,
    Plan,
    Reflection,
)
from waypoint.roster.models import CoachLink, District, Enrollment, LearnerYear, Person

MAX_LEARNERS = 400

STRENGTHS = [
    "Drawing and design",
    "Explaining my thinking",
    "Puzzles and patterns",
    "Helping classmates",
    "Reading a lot",
    "Building things",
]
INTERESTS = [
    "Soccer and space",
    "Music and coding",
    "Animals and nature",
    "Cooking",
    "Video games and stories",
    "Basketball and drawing",
]
ASPIRATIONS = [
    "Engineer",
    "Nurse",
    "Game designer",
    "Teacher",
    "Veterinarian",
    "Start my own business",
]
LEARNS_BEST = [
    "With pictures and by trying",
    "Working with a partner",
    "When I can explain it out loud",
    "With quiet time to think",
]
LANGUAGES = ["English", "English, Spanish", "Spanish", "English, Vietnamese", "English, Arabic"]
PERSONAL = [
    "Ask for help when I am stuck",
    "Finish my reading log every week",
    "Keep my planner up to date",
]
CAREER = [
    "Visit a college campus",
    "Job-shadow someone whose work I like",
    "Learn about the FAFSA with my family",
    "Choose my courses for next year",
]
REFLECTIONS = [
    "I kept going even when the problems got hard.",
    "Explaining my work to a partner helped me understand it.",
    "I need to practise a bit every day, not only before a test.",
]
FEEDBACK = [
    "Great progress this month. Keep using the strategies that work for you.",
    "Try drawing a model before you start the calculation.",
    "Nice reflection. What will you try next time?",
]


@dataclass(frozen=True)
class PlansResult:
    learners: int
    goals: int
    artifacts: int


def demo_png(seed: int, width: int = 48, height: int = 32) -> bytes:
    """A small, valid PNG of coloured stripes (generated, so the repository ships no images)."""
    rng = random.Random(seed)
    colours = [bytes(rng.randrange(60, 230) for _ in range(3)) for _ in range(4)]

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + colours[(y // 8) % 4] * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def seed_plans(*, district: District, seed: int, today: dt.date) -> PlansResult:
    """Write the demo's plans and portfolios (see the module docstring)."""
    year = current_school_year(district.pk, today)
    teacher = Person.objects.filter(district=district, user__username="teacher").first()
    if year is None or teacher is None:
        return PlansResult(0, 0, 0)
    rng = random.Random(seed * 7919 + 5)
    sections = Enrollment.objects.filter(
        person=teacher, role=Enrollment.Role.TEACHER, section__school_year=year
    ).values("section_id")
    learner_ids = list(
        Enrollment.objects.filter(
            Enrollment.active_on_q(today), section_id__in=sections, role=Enrollment.Role.STUDENT
        )
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:MAX_LEARNERS]
    )
    demo_learner = Person.objects.filter(district=district, user__username="learner").first()
    if demo_learner is not None and demo_learner.pk not in learner_ids:
        learner_ids.append(demo_learner.pk)
    grades = dict(
        LearnerYear.objects.filter(school_year=year, learner_id__in=learner_ids).values_list(
            "learner_id", "grade"
        )
    )
    threshold = mastered_at(district.pk)
    probability: dict[int, dict[int, float]] = {}
    for lid, iid, p in MasteryState.objects.filter(
        district=district, learner_id__in=learner_ids
    ).values_list("learner_id", "item_id", "probability"):
        probability.setdefault(lid, {})[iid] = p
    by_grade: dict[int, list[int]] = {}
    for pk, low, high in (
        tracked_items(district.pk)
        .filter(grade_low__isnull=False)
        .values_list("pk", "grade_low", "grade_high")
    ):
        for g in range(low, (high if high is not None else low) + 1):
            by_grade.setdefault(g, []).append(pk)

    def pick(*options: list[str]) -> list[str]:
        return [rng.choice(o) for o in options]

    LearnerProfile.objects.bulk_create(
        LearnerProfile(
            district=district,
            learner_id=lid,
            **dict(
                zip(
                    ("strengths", "interests", "aspirations", "learns_best", "home_languages"),
                    pick(STRENGTHS, INTERESTS, ASPIRATIONS, LEARNS_BEST, LANGUAGES),
                    strict=True,
                )
            ),
            updated_by_id=lid,
        )
        for lid in learner_ids
    )
    leadership = [
        Plan.Leadership.TEACHER_SET,
        Plan.Leadership.CO_CREATED,
        Plan.Leadership.LEARNER_LED,
    ]
    plans = Plan.objects.bulk_create(
        Plan(district=district, learner_id=lid, school_year=year, leadership=rng.choice(leadership))
        for lid in learner_ids
    )
    goals: list[Goal] = []
    links: list[tuple[int, int]] = []  # goal index, standard
    for plan in plans:
        lid = plan.learner_id
        open_items = [
            i
            for i in by_grade.get(grades.get(lid, -1), [])
            if probability.get(lid, {}).get(i, 0.0) < threshold
        ]
        target = year.start_date + dt.timedelta(days=rng.randrange(120, 300))
        if open_items:
            item = rng.choice(open_items[:6])
            goals.append(
                Goal(
                    district=district,
                    plan=plan,
                    kind=Goal.Kind.ACADEMIC,
                    title="Master the next grade-level skill",
                    status=Goal.Status.IN_PROGRESS,
                    target_date=target,
                    author_id=teacher.pk,
                    updated_by_id=lid,
                )
            )
            links.append((len(goals) - 1, item))
        goals.append(
            Goal(
                district=district,
                plan=plan,
                kind=Goal.Kind.PERSONAL,
                title=rng.choice(PERSONAL),
                status=rng.choice(
                    [Goal.Status.NOT_STARTED, Goal.Status.IN_PROGRESS, Goal.Status.MET]
                ),
                target_date=target,
                author_id=lid,
            )
        )
        goals.append(
            Goal(
                district=district,
                plan=plan,
                kind=Goal.Kind.COLLEGE_CAREER,
                title=rng.choice(CAREER),
                status=Goal.Status.NOT_STARTED,
                target_date=target + dt.timedelta(days=30),
                author_id=lid,
            )
        )
    goals = Goal.objects.bulk_create(goals)
    Goal.standards.through.objects.bulk_create(
        Goal.standards.through(goal_id=goals[g].pk, frameworkitem_id=item) for g, item in links
    )
    Milestone.objects.bulk_create(
        Milestone(
            district=district,
            goal=goal,
            title=title,
            done=done,
            due_date=(goal.target_date or today) - dt.timedelta(days=days),
        )
        for goal in goals
        for title, done, days in (
            ("Practise with my teacher's examples", True, 60),
            ("Show it in my portfolio", False, 14),
        )
        if goal.kind == Goal.Kind.ACADEMIC
    )
    Reflection.objects.bulk_create(
        Reflection(
            district=district, plan=plan, author_id=plan.learner_id, text=rng.choice(REFLECTIONS)
        )
        for plan in plans
        if rng.random() < 0.6
    )
    Comment.objects.bulk_create(
        Comment(
            district=district,
            plan=plan,
            author_id=teacher.pk,
            author_role=Comment.AuthorRole.TEACHER,
            text=rng.choice(FEEDBACK),
        )
        for plan in plans
        if rng.random() < 0.5
    )
    prerequisites = prerequisite_map(district.pk)
    choices = []
    for lid in learner_ids[::2]:  # half the learners have chosen what to learn next
        own = probability.get(lid, {})
        ready = sorted(
            ready_among(by_grade.get(grades.get(lid, -1), []), own, threshold, prerequisites)
        )
        if ready:
            choices.append(
                PathChoice(district=district, learner_id=lid, item_id=rng.choice(ready[:4]))
            )
    PathChoice.objects.bulk_create(choices)

    artifacts = 0
    waiting = [lid for lid in learner_ids if demo_learner is None or lid != demo_learner.pk]
    Artifact.objects.bulk_create(
        Artifact(
            district=district,
            learner_id=lid,
            title="My explanation",
            kind=Artifact.Kind.TEXT,
            text="I solved it by drawing a model first, then checking with the numbers.",
        )
        for lid in waiting
        if rng.random() < 1 / 3
    )
    artifacts += Artifact.objects.filter(district=district).count()
    if demo_learner is not None:
        artifacts += _demo_learner_portfolio(
            today, district, demo_learner, teacher, grades, by_grade, seed
        )
    _growth_plan(district, teacher, year)
    return PlansResult(len(learner_ids), len(goals), artifacts)


def _demo_learner_portfolio(
    today: dt.date,
    district: District,
    learner: Person,
    teacher: Person,
    grades: dict[int, int],
    by_grade: dict[int, list[int]],
    seed: int,
) -> int:
    items = by_grade.get(grades.get(learner.pk, -1), [])[:3]
    if not items:
        return 0
    pieces = [
        (
            "Fraction wall poster",
            demo_png(seed),
            "poster.png",
            "image/png",
            Artifact.Status.ACCEPTED,
        ),
        (
            "Word problems, worked",
            b"1) 3/4 of 12 = 9, because 12 / 4 = 3 and 3 x 3 = 9.\n",
            "word-problems.txt",
            "text/plain",
            Artifact.Status.SUBMITTED,
        ),
        (
            "Number line sketch",
            demo_png(seed + 1),
            "number-line.png",
            "image/png",
            Artifact.Status.RETURNED,
        ),
    ]
    # yesterday afternoon, so that the same seed on the same day gives the same evidence
    when = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(14)))
    for n, (title, data, name, content_type, status) in enumerate(pieces):
        item = items[n % len(items)]
        artifact = Artifact.objects.create(
            district=district,
            learner=learner,
            title=title,
            kind=Artifact.Kind.FILE,
            file_name=name,
            stored_name=uploads.store(district.pk, data),
            content_type=content_type,
            size=len(data),
            status=status,
        )
        artifact.standards.set([item])
        if status == Artifact.Status.ACCEPTED:
            record_evidence(
                district=district,
                rows=[
                    ObservationRow(
                        learner_id=learner.pk,
                        item_ids=[item],
                        observed_at=when,
                        score=4,
                        max_score=4,
                        source_ref=f"artifact:{artifact.pk}",
                    )
                ],
                source=Observation.Source.TEACHER,
            )
            ArtifactReview.objects.create(
                district=district,
                artifact=artifact,
                reviewer=teacher,
                decision=status,
                score=4,
                max_score=4,
                feedback="Clear and complete.",
            )
        elif status == Artifact.Status.RETURNED:
            ArtifactReview.objects.create(
                district=district,
                artifact=artifact,
                reviewer=teacher,
                decision=status,
                feedback="Label the marks on the number line, then send it again.",
            )
    return len(pieces)


def _growth_plan(district: District, teacher: Person, year: object) -> None:
    plan = GrowthPlan.objects.create(district=district, staff=teacher, school_year=year)
    GrowthGoal.objects.bulk_create(
        [
            GrowthGoal(
                district=district,
                plan=plan,
                title="Run small groups three times a week",
                status=Goal.Status.IN_PROGRESS,
                author=teacher,
            ),
            GrowthGoal(
                district=district,
                plan=plan,
                title="Give written feedback on every portfolio piece within a week",
                status=Goal.Status.NOT_STARTED,
                author=teacher,
            ),
        ]
    )
    coach = (
        CoachLink.objects.filter(teacher=teacher, school_year=plan.school_year)
        .select_related("coach")
        .first()
    )
    if coach is not None:
        GrowthComment.objects.create(
            district=district,
            plan=plan,
            author=coach.coach,
            text="Let's look at your group rotation together on Thursday.",
        )
