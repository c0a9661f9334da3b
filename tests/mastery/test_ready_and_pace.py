"""Ready to learn and pace on a small hand-made graph, answers worked out by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.evidence import factories as ef
from waypoint.access.selectors import NotVisible
from waypoint.access.viewer import Viewer, viewer_for
from waypoint.mastery import selectors
from waypoint.mastery.models import MasteryState
from waypoint.mastery.services import mastered_at, set_mastered_at
from waypoint.standards.models import DistrictPrerequisite, FrameworkAssociation


@pytest.fixture
def graph(world: SimpleNamespace) -> SimpleNamespace:
    """Learner l1 is in grade 4 this year. Standards of district A (grades, P(mastered)):

    ====  ======  ========  =======================================================
    code  grades  P         prerequisites
    ====  ======  ========  =======================================================
    A     3       0.97      —
    B     4       0.96      A (framework ``precedes``)
    C     4       0.50      A and D
    D     4       —         —
    E     4       0.30      B (the district's own prerequisite)
    F     3–5     0.94      —
    G     5       —         —
    H     4       0.20      A and B
    P     4       —         — (a cluster: B and C are its children)
    R     4       —         — (retired)
    X     —       —         — (no grade levels)
    ====  ======  ========  =======================================================
    """
    district = world.district_a
    framework = ef.FrameworkFactory(district=district)

    def item(code: str, low: int | None, high: int | None, **kw: object):
        return ef.FrameworkItemFactory(
            framework=framework, human_coding_scheme=code, grade_low=low, grade_high=high, **kw
        )

    g = SimpleNamespace(world=world)
    g.A, g.B, g.C, g.D = item("A", 3, 3), item("B", 4, 4), item("C", 4, 4), item("D", 4, 4)
    g.E, g.F, g.G, g.H = item("E", 4, 4), item("F", 3, 5), item("G", 5, 5), item("H", 4, 4)
    g.P = item("P", 4, 4, item_type="Cluster")
    g.R = item("R", 4, 4, retired=True)
    g.X = item("X", None, None)
    for before, after in [(g.A, g.B), (g.A, g.C), (g.D, g.C), (g.A, g.H), (g.B, g.H)]:
        ef.AssociationFactory(origin_item=before, destination_item=after)
    for child in (g.B, g.C):
        ef.AssociationFactory(
            origin_item=child,
            destination_item=g.P,
            association_type=FrameworkAssociation.Type.IS_CHILD_OF,
        )
    DistrictPrerequisite.objects.create(
        district=district, prerequisite=g.B, dependent=g.E, created_at=ef.WHEN
    )
    for it, p in [(g.A, 0.97), (g.B, 0.96), (g.C, 0.5), (g.E, 0.3), (g.F, 0.94), (g.H, 0.2)]:
        ef.MasteryStateFactory(learner=world.l1, item=it, probability=p)
    # another learner's mastery changes nothing for l1
    ef.MasteryStateFactory(learner=world.l2, item=g.D, probability=0.99)
    return g


def at(world: SimpleNamespace, user_of: object, share: float) -> Viewer:
    """A viewer on the day when ``share`` of this school year has gone by."""
    year = world.year_a
    day = year.start_date + dt.timedelta(days=round(share * (year.end_date - year.start_date).days))
    return viewer_for(user_of.user, today=day)  # type: ignore[attr-defined]


def test_ready_to_learn(graph: SimpleNamespace) -> None:
    """Worked by hand (mastered = P >= 0.95, grade 4):

    A mastered → no.  B mastered → no.  C: prerequisite A is mastered but D is not → no.
    D: not mastered, grade 4, no prerequisites → yes.  E: its district prerequisite B is
    mastered → yes.  F: 0.94 is not mastered, grades 3–5 start below 4 → yes.  G: grade 5 is
    above grade 4 → no.  H: both prerequisites A and B mastered → yes.  P has children (not a
    tracked standard), R is retired, X has no grade → no.  Listed by (lowest grade, code):
    F, D, E, H.
    """
    w = graph.world
    viewer = at(w, w.t1, 0.25)
    ready = selectors.ready_to_learn(viewer=viewer, learner_id=w.l1.pk)
    assert [i.human_coding_scheme for i in ready] == ["F", "D", "E", "H"]

    # once D is mastered, C becomes ready (both its prerequisites now are) and D drops out
    ef.MasteryStateFactory(learner=w.l1, item=graph.D, probability=0.95)
    ready = selectors.ready_to_learn(viewer=viewer, learner_id=w.l1.pk)
    assert [i.human_coding_scheme for i in ready] == ["F", "C", "E", "H"]


@pytest.mark.parametrize(("share", "status"), [(0.05, "ahead"), (0.25, "on pace"), (0.5, "behind")])
def test_pace(graph: SimpleNamespace, share: float, status: str) -> None:
    """Worked by hand: l1's grade-level standards (grade span holds 4, tracked, current) are
    B, C, D, E, F, H — six (A is grade 3 only, G grade 5, P has children, R is retired, X has
    no grade). Mastered: B only (F at 0.94 is not) → 1/6 = 16.7%.

    5% of the year gone: 16.7 − 5 = +11.7 points → ahead.  25%: −8.3 → on pace (within 10).
    50%: −33.3 → behind.
    """
    w = graph.world
    result = selectors.pace(viewer=at(w, w.t1, share), learner_id=w.l1.pk)
    assert (result.mastered, result.total, result.grade) == (1, 6, 4)
    assert result.mastered_share == pytest.approx(1 / 6)
    assert result.elapsed_share == pytest.approx(share, abs=0.003)
    assert result.status == status


def test_the_district_sets_its_own_mastery_threshold(graph: SimpleNamespace) -> None:
    """At 0.94 instead of 0.95, F (P = 0.94) counts as mastered: it leaves ready-to-learn and
    joins B in pace (2/6). District B keeps the default."""
    w = graph.world
    set_mastered_at(district=w.district_a, threshold=0.94)
    viewer = at(w, w.t1, 0.25)
    ready = selectors.ready_to_learn(viewer=viewer, learner_id=w.l1.pk)
    assert [i.human_coding_scheme for i in ready] == ["D", "E", "H"]
    assert selectors.pace(viewer=viewer, learner_id=w.l1.pk).mastered == 2
    assert (mastered_at(w.district_a.pk), mastered_at(w.district_b.pk)) == (0.94, 0.95)
    for bad in (0.3, 1.0, float("nan")):
        with pytest.raises(ValueError, match="mastery threshold"):
            set_mastered_at(district=w.district_a, threshold=bad)
    assert mastered_at(w.district_a.pk) == 0.94


def test_a_parent_shows_the_share_of_its_children_mastered(graph: SimpleNamespace) -> None:
    """P is the parent of B (0.96, mastered) and C (0.5): 1 of 2. A domain above P counts the
    standards below its cluster too; a retired child is left out."""
    w = graph.world
    domain = ef.FrameworkItemFactory(framework=graph.P.framework, item_type="Domain")
    for child, parent in [(graph.P, domain), (graph.F, domain), (graph.R, graph.P)]:
        ef.AssociationFactory(
            origin_item=child,
            destination_item=parent,
            association_type=FrameworkAssociation.Type.IS_CHILD_OF,
        )
    shares = selectors.parent_progress(viewer=at(w, w.t1, 0.5), learner_id=w.l1.pk)
    assert (shares[graph.P.pk].mastered, shares[graph.P.pk].total) == (1, 2)
    assert shares[graph.P.pk].share == 0.5
    assert (shares[domain.pk].mastered, shares[domain.pk].total) == (1, 3)  # B, C, F
    assert set(shares) == {graph.P.pk, domain.pk}
    with pytest.raises(NotVisible):
        selectors.parent_progress(viewer=at(w, w.t2, 0.5), learner_id=w.l1.pk)


def test_pace_without_a_grade_this_year_is_unknown(graph: SimpleNamespace) -> None:
    w = graph.world
    w.l1.years.all().delete()
    viewer = at(w, w.t1, 0.5)
    assert selectors.pace(viewer=viewer, learner_id=w.l1.pk).status == "unknown"
    assert selectors.ready_to_learn(viewer=viewer, learner_id=w.l1.pk) == []


def test_mastery_follows_the_access_rules(graph: SimpleNamespace) -> None:
    w = graph.world
    own_teacher = at(w, w.t1, 0.5)
    states = selectors.mastery_for(viewer=own_teacher, learner_id=w.l1.pk)
    assert [s.item.human_coding_scheme for s in states] == ["A", "B", "C", "E", "F", "H"]
    for allowed in (w.l1, w.guardian, w.admin):
        assert selectors.mastery_for(viewer=at(w, allowed, 0.5), learner_id=w.l1.pk).count() == 6
    # another section's teacher, another district's admin, a guardian of another child
    for refused in (w.t2, w.admin_b, w.guardian2, w.tb):
        viewer = at(w, refused, 0.5) if refused is not w.admin_b else viewer_for(refused.user)
        for read in (selectors.mastery_for, selectors.ready_to_learn, selectors.pace):
            with pytest.raises(NotVisible):
                read(viewer=viewer, learner_id=w.l1.pk)
    # a learner who does not exist looks the same
    with pytest.raises(NotVisible):
        selectors.mastery_for(viewer=own_teacher, learner_id=10**9)
    assert MasteryState.objects.filter(learner=w.l1).count() == 6
