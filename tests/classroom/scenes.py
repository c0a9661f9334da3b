"""A class to look at: t1's section s1 (grade 4 mathematics) with extra learners and evidence.

Standards (subject mathematics): F (grade 3) precedes A and B (grade 4); B precedes C
(grade 4); D (grade 4, another domain). An English standard E (grade 4) must never show in a
mathematics section. P(mastered) is set per learner by ``scene``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tests import factories as f
from tests.evidence import factories as ef
from waypoint.mastery.models import MasteryState
from waypoint.standards.models import FrameworkAssociation


def standards(world: SimpleNamespace) -> SimpleNamespace:
    framework = ef.FrameworkFactory(district=world.district_a)

    def item(code: str, grade: int, subject: str = "mathematics", kind: str = "Standard"):
        return ef.FrameworkItemFactory(
            framework=framework,
            human_coding_scheme=code,
            grade_low=grade,
            grade_high=grade,
            subject=[subject],
            item_type=kind,
        )

    s = SimpleNamespace(framework=framework)
    s.NF = item("4.NF", 4, kind="Domain")
    s.OA = item("4.OA", 4, kind="Domain")
    s.F, s.A, s.B = item("3.NF.1", 3), item("4.NF.1", 4), item("4.NF.2", 4)
    s.C, s.D = item("4.NF.3", 4), item("4.OA.1", 4)
    s.E = item("4.RL.1", 4, subject="English language arts")
    for before, after in [(s.F, s.A), (s.F, s.B), (s.B, s.C)]:
        ef.AssociationFactory(origin_item=before, destination_item=after)
    for child, parent in [(s.A, s.NF), (s.B, s.NF), (s.C, s.NF), (s.D, s.OA)]:
        ef.AssociationFactory(
            origin_item=child,
            destination_item=parent,
            association_type=FrameworkAssociation.Type.IS_CHILD_OF,
        )
    return s


def add_learners(world: SimpleNamespace, n: int, section=None) -> list:
    section = section or world.s1
    out = []
    for _ in range(n):
        learner = f.LearnerFactory(district=section.district)
        f.EnrollmentFactory(section=section, person=learner)
        f.LearnerYearFactory(
            learner=learner, school_year=section.school_year, school=section.school, grade=4
        )
        out.append(learner)
    return out


def state(
    learner, item, p: float, n: int = 3, trail=None, days_ago: int = 1, today=None
) -> MasteryState:
    """A mastery state whose last evidence was ``days_ago`` before ``today`` (default: now)."""
    now = (
        dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC) if today else dt.datetime.now(dt.UTC)
    )
    return ef.MasteryStateFactory(
        learner=learner,
        item=item,
        probability=p,
        observation_count=n,
        trail=trail or [],
        last_evidence_at=now - dt.timedelta(days=days_ago),
    )
