"""The section dashboard: grid and flags worked out by hand; access; groups; interventions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.classroom import scenes
from tests.evidence import factories as ef
from waypoint.access.selectors import NotAllowed, NotVisible
from waypoint.access.viewer import Viewer, viewer_for
from waypoint.audit.models import ActionEntry
from waypoint.classroom import rollup, selectors, services
from waypoint.classroom.models import Intervention, InterventionComparison, SmallGroup
from waypoint.mastery.models import MasteryState
from waypoint.mastery.services import apply_observations, set_mastered_at
from waypoint.roster.models import Enrollment


def at(world: SimpleNamespace, who: object, share: float = 0.5) -> Viewer:
    year = world.year_a
    day = year.start_date + dt.timedelta(days=round(share * (year.end_date - year.start_date).days))
    return viewer_for(who.user, today=day)  # type: ignore[attr-defined]


@pytest.fixture
def scene(world: SimpleNamespace) -> SimpleNamespace:
    """l1 and three more learners in t1's grade 4 mathematics section (see scenes.py).

    =====  ======  ======  ===========================  ======  ======
    who    3.NF.1  4.NF.1  4.NF.2                       4.NF.3  4.OA.1
    =====  ======  ======  ===========================  ======  ======
    l1     0.97    0.96    0.30 (8 obs, gain 0.05)      —       0.50
    x1     —       —       —                            —       —
    x2     0.99    0.99    0.99                         0.99    0.99
    x3     0.96    0.50    0.35                         —       0.20 (30 days ago)
    =====  ======  ======  ===========================  ======  ======
    """
    s = scenes.standards(world)
    x1, x2, x3 = scenes.add_learners(world, 3)
    day = at(world, world.t1).today
    for learner, values in [
        (world.l1, {s.F: 0.97, s.A: 0.96, s.D: 0.5}),
        (x2, {s.F: 0.99, s.A: 0.99, s.B: 0.99, s.C: 0.99, s.D: 0.99}),
        (x3, {s.F: 0.96, s.A: 0.5, s.B: 0.35}),
    ]:
        for item, p in values.items():
            scenes.state(learner, item, p, today=day)
    trail = [0.25, 0.2, 0.28, 0.22, 0.3, 0.26, 0.3]
    scenes.state(world.l1, s.B, 0.3, n=8, trail=trail, today=day)
    scenes.state(x3, s.D, 0.2, days_ago=30, today=day)
    return SimpleNamespace(world=world, s=s, x1=x1, x2=x2, x3=x3)


def test_the_grid_worked_by_hand(scene: SimpleNamespace) -> None:
    """Columns: the grade 3 prerequisite first, then the grade 4 standards; no English.

    Ready = not mastered and every prerequisite mastered. l1: 4.NF.2 (3.NF.1 mastered) and
    4.OA.1; 4.NF.3 waits for 4.NF.2. Stuck on 4.NF.2: 8 observations, P up 0.05 over the last
    six. Grade-level mastered 1 of 4 = 25% at half the year: behind. x1 has no evidence: ready
    for 3.NF.1 and 4.OA.1, quiet, behind. x2 has mastered all: no need, ahead. x3: ready for
    4.NF.1, 4.NF.2 and 4.OA.1; its only evidence in two weeks is none on 4.OA.1 (30 days) but
    the rest is recent, so not quiet.
    """
    w, s = scene.world, scene.s
    dash = selectors.section_dashboard(viewer=at(w, w.t1), section_id=w.s1.pk)
    assert [c.code for c in dash.standards] == ["3.NF.1", "4.NF.1", "4.NF.2", "4.NF.3", "4.OA.1"]
    assert [c.grade_level for c in dash.standards] == [False, True, True, True, True]
    rows = {r.learner.pk: r for r in dash.rows}
    assert set(rows) == {w.l1.pk, scene.x1.pk, scene.x2.pk, scene.x3.pk}  # not ld (dropped)
    code = dash.label

    l1 = rows[w.l1.pk]
    assert [code(i) for i in l1.ready] == ["4.NF.2", "4.OA.1"]
    assert [code(i) for i in l1.stuck] == ["4.NF.2"]
    assert (l1.mastered, l1.pace, l1.quiet, code(l1.need)) == (1, "behind", False, "4.NF.2")
    assert l1.flags == ("ready", "stuck", "behind")
    assert [c.band for c in l1.cells] == ["mastered", "mastered", "low", "none", "learning"]

    x1 = rows[scene.x1.pk]
    assert [code(i) for i in x1.ready] == ["3.NF.1", "4.OA.1"]
    assert (x1.pace, x1.quiet, code(x1.need)) == ("behind", True, "3.NF.1")

    x2 = rows[scene.x2.pk]
    assert (x2.ready, x2.mastered, x2.pace, x2.need, x2.flags) == ((), 4, "ahead", None, ())

    x3 = rows[scene.x3.pk]
    assert [code(i) for i in x3.ready] == ["4.NF.1", "4.NF.2", "4.OA.1"]
    assert (x3.quiet, code(x3.need)) == (False, "4.NF.1")

    only_oa = selectors.section_dashboard(viewer=at(w, w.t1), section_id=w.s1.pk, domain=s.OA.pk)
    assert [c.code for c in only_oa.standards] == ["4.OA.1"]
    by_pace = selectors.section_dashboard(viewer=at(w, w.t1), section_id=w.s1.pk, sort="pace")
    assert by_pace.rows[-1].learner == scene.x2  # ahead last


def test_who_may_open_the_dashboard(scene: SimpleNamespace) -> None:
    w = scene.world
    for allowed in (w.t1, w.aide, w.coach, w.mcl, w.leader, w.admin):
        dash = selectors.section_dashboard(viewer=at(w, allowed), section_id=w.s1.pk)
        assert len(dash.rows) == 4, allowed
    for refused in (w.t2, w.t3, w.guardian, w.l1, w.admin_b, w.tb, w.advisor):
        with pytest.raises(NotVisible):
            selectors.section_dashboard(viewer=at(w, refused), section_id=w.s1.pk)
    with pytest.raises(NotVisible):
        selectors.section_dashboard(viewer=at(w, w.t1), section_id=10**9)


def test_suggested_groups_place_everyone_with_a_need_once(scene: SimpleNamespace) -> None:
    w = scene.world
    more = scenes.add_learners(w, 6)  # no evidence: their next step is 3.NF.1
    dash = selectors.section_dashboard(viewer=at(w, w.t1), section_id=w.s1.pk)
    grouping = selectors.suggested_groups(dash)
    placed = [i for g in grouping.groups for i in g.learners]
    assert sorted(placed) == sorted(
        [w.l1.pk, scene.x1.pk, scene.x3.pk] + [m.pk for m in more]
    )  # x2 has nothing left to learn here
    assert all(3 <= len(g.learners) <= 6 for g in grouping.groups)
    assert grouping.status == "optimal" or grouping.status.lower().startswith("optimal")
    assert any("3.NF.1" in g.explanation for g in grouping.groups)
    chosen = selectors.suggested_groups(dash, targets=[scene.s.D.pk])
    assert [dash.label(g.target) for g in chosen.groups] == ["4.OA.1"] * len(chosen.groups)


def test_saving_groups_is_all_or_nothing_and_replaces_the_day(scene: SimpleNamespace) -> None:
    w, s = scene.world, scene.s
    viewer = at(w, w.t1)
    day = viewer.today
    plan = [
        services.GroupPlan(s.B.pk, [w.l1.pk, scene.x3.pk], led_by_id=w.aide.pk),
        services.GroupPlan(s.F.pk, [scene.x1.pk]),
    ]
    bad = [
        services.GroupPlan(s.B.pk, [w.l1.pk, w.l2.pk]),  # l2 is in t2's section
        services.GroupPlan(s.F.pk, [w.l1.pk], led_by_id=w.t2.pk),  # twice; t2 does not teach
        services.GroupPlan(scene.s.E.pk + 10**6, [scene.x1.pk]),  # no such standard
    ]
    with pytest.raises(services.ClassroomError) as refused:
        services.save_groups(
            viewer=viewer, user=w.t1.user, section_id=w.s1.pk, meets_on=day, groups=bad
        )
    assert len(refused.value.problems) == 4
    assert not SmallGroup.objects.exists()

    services.save_groups(
        viewer=viewer, user=w.t1.user, section_id=w.s1.pk, meets_on=day, groups=plan
    )
    meets_on, groups = selectors.saved_groups(section=w.s1)
    assert meets_on == day
    assert [(g.target, g.led_by, sorted(p.pk for p in g.learners.all())) for g in groups] == [
        (s.B, w.aide, sorted([w.l1.pk, scene.x3.pk])),
        (s.F, None, [scene.x1.pk]),
    ]
    # saving the same day again replaces that day's groups
    services.save_groups(
        viewer=viewer,
        user=w.t1.user,
        section_id=w.s1.pk,
        meets_on=day,
        groups=[services.GroupPlan(s.D.pk, [w.l1.pk, scene.x1.pk, scene.x3.pk])],
    )
    assert SmallGroup.objects.count() == 1
    assert ActionEntry.objects.filter(action="classroom.save_groups").count() == 2
    # a leader may look but not plan; another teacher may not even look
    with pytest.raises(NotAllowed):
        services.save_groups(
            viewer=at(w, w.leader),
            user=w.leader.user,
            section_id=w.s1.pk,
            meets_on=day,
            groups=plan,
        )
    with pytest.raises(NotVisible):
        services.save_groups(
            viewer=at(w, w.t2), user=w.t2.user, section_id=w.s1.pk, meets_on=day, groups=plan
        )


def test_interventions_are_compared_with_similar_learners(scene: SimpleNamespace) -> None:
    """l1 gets practice on 4.NF.2 at P 0.30; x3 (0.35, within 0.1) is the comparison; x2
    (0.99) is not. Later l1 is at 0.80 and x3 at 0.45: +0.50 against +0.10."""
    w, s = scene.world, scene.s
    viewer = at(w, w.t1)
    done = services.record_intervention(
        viewer=viewer,
        user=w.t1.user,
        learner_id=w.l1.pk,
        action="practice",
        standard_id=s.B.pk,
        section_id=w.s1.pk,
        done_on=viewer.today,
        note="fraction strips",
    )
    assert done.mastery_before == pytest.approx(0.3)
    compared = InterventionComparison.objects.filter(intervention=done)
    assert [(c.learner, c.probability_before) for c in compared] == [(scene.x3, 0.35)]
    MasteryState.objects.filter(learner=w.l1, item=s.B).update(probability=0.8)
    MasteryState.objects.filter(learner=scene.x3, item=s.B).update(probability=0.45)
    [outcome] = selectors.outcomes(selectors.section_interventions(section=w.s1))
    assert (outcome.action, outcome.treated, outcome.compared) == ("practice", 1, 1)
    assert outcome.treated_change == pytest.approx(0.5)
    assert outcome.compared_change == pytest.approx(0.1)
    assert outcome.difference == pytest.approx(0.4)

    check_in = services.record_intervention(
        viewer=viewer, user=w.t1.user, learner_id=w.l1.pk, action="check-in", done_on=viewer.today
    )
    assert check_in.standard is None and check_in.mastery_before is None
    for bad, reason in [
        ({"action": "magic", "standard_id": s.B.pk}, "unknown action"),
        ({"action": "practice"}, "name the standard"),
        (
            {
                "action": "practice",
                "standard_id": s.B.pk,
                "done_on": viewer.today + dt.timedelta(1),
            },
            "future",
        ),
    ]:
        args = {"done_on": viewer.today, **bad}
        with pytest.raises(services.ClassroomError, match=reason):
            services.record_intervention(viewer=viewer, user=w.t1.user, learner_id=w.l1.pk, **args)
    with pytest.raises(NotVisible):
        services.record_intervention(
            viewer=at(w, w.t2),
            user=w.t2.user,
            learner_id=w.l1.pk,
            action="check-in",
            done_on=viewer.today,
        )
    with pytest.raises(NotAllowed):
        services.record_intervention(
            viewer=at(w, w.guardian),
            user=w.guardian.user,
            learner_id=w.l1.pk,
            action="check-in",
            done_on=viewer.today,
        )
    assert Intervention.objects.count() == 2


def test_the_page_costs_the_same_queries_for_5_and_35_learners(scene: SimpleNamespace) -> None:
    w, s = scene.world, scene.s
    client = Client()
    client.force_login(w.t1.user)
    url = f"/classroom/sections/{w.s1.pk}/"
    client.get(url)  # warm caches (content types, sessions)

    def queries() -> tuple[int, int]:
        """(computed afresh, then taken from the memo)."""
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            assert client.get(url).status_code == 200
        return len(cold.captured_queries), len(warm.captured_queries)

    small = queries()
    for learner in scenes.add_learners(w, 31):
        scenes.state(learner, s.F, 0.97)
        scenes.state(learner, s.B, 0.4)
    large = queries()
    assert client.get(url).content.decode().count('data-learner="') >= 35
    assert large == small
    assert small[1] < small[0]


def test_the_page_changes_as_soon_as_its_data_does(scene: SimpleNamespace) -> None:
    """The memo never serves a stale grid: new evidence, a dropped learner, a new threshold."""
    w, s = scene.world, scene.s
    client = Client()
    client.force_login(w.t1.user)
    url = f"/classroom/sections/{w.s1.pk}/"
    row = f'<tr data-learner="{scene.x1.pk}">'
    assert row in client.get(url).content.decode()
    obs = ef.ObservationFactory(item=s.D, learner=scene.x1, correct=True)
    apply_observations(district=w.district_a, observations=[obs])
    page = client.get(url).content.decode()
    x1_row = page[page.index(row) :].split("</tr>", 1)[0]
    assert ">60<" in x1_row  # 4.OA.1: from no evidence to 0.60 (prior 0.2, one correct answer)
    Enrollment.objects.filter(person=scene.x1, section=w.s1).update(end_date=dt.date(2000, 1, 1))
    assert row not in client.get(url).content.decode()
    set_mastered_at(district=w.district_a, threshold=0.5)
    page = client.get(url).content.decode()
    assert "mastered (P ≥ 0.5)" in page


def test_the_pages(scene: SimpleNamespace) -> None:
    w, s = scene.world, scene.s
    t1 = Client()
    t1.force_login(w.t1.user)
    page = t1.get(f"/classroom/sections/{w.s1.pk}/").content.decode()
    for text in ("4.NF.2", "3.NF.1", "stuck", "behind pace", "Suggested small groups"):
        assert text in page
    assert "4.RL.1" not in page
    other = Client()
    other.force_login(w.t2.user)
    assert other.get(f"/classroom/sections/{w.s1.pk}/").status_code == 404
    assert other.get(f"/classroom/sections/{w.s1.pk}/groups/suggest/").status_code == 404
    assert other.get(f"/classroom/cells/{w.l1.pk}/{s.B.pk}/").status_code == 404

    suggest = t1.get(f"/classroom/sections/{w.s1.pk}/groups/suggest/")
    assert suggest.status_code == 200 and b"Save groups" in suggest.content
    form = {
        "groups": "2",
        "meets_on": "2026-11-30",
        "target-0": str(s.B.pk),
        "target-1": str(s.F.pk),
        "lead-0": str(w.t1.pk),
        f"learner-{w.l1.pk}": "0",
        f"learner-{scene.x3.pk}": "0",
        f"learner-{scene.x1.pk}": "1",
    }
    saved = t1.post(f"/classroom/sections/{w.s1.pk}/groups/save/", form)
    assert saved.status_code == 302
    assert SmallGroup.objects.count() == 2
    bad = {**form, f"learner-{w.l2.pk}": "1", "meets_on": "2026-12-01"}
    refused = t1.post(f"/classroom/sections/{w.s1.pk}/groups/save/", bad)
    assert refused.status_code == 400 and b"is not in this section" in refused.content
    assert SmallGroup.objects.count() == 2
    page = t1.get(f"/classroom/sections/{w.s1.pk}/").content.decode()
    assert 'Saved groups · <time datetime="2026-11-30">' in page

    cell = t1.get(f"/classroom/cells/{w.l1.pk}/{s.B.pk}/", HTTP_X_REQUESTED_WITH="fetch")
    assert cell.status_code == 200 and b"P(mastered) 0.30" in cell.content
    recorded = t1.post(
        f"/classroom/sections/{w.s1.pk}/interventions/",
        {"learner": w.l1.pk, "action": "reteach", "standard": s.F.pk, "note": "number line"},
    )
    assert recorded.status_code == 302 and Intervention.objects.count() == 1
    assert "number line" in t1.get(f"/classroom/sections/{w.s1.pk}/").content.decode()

    team = t1.get("/classroom/").content.decode()
    assert w.s1.title in team and w.s2.title not in team
    coach = Client()
    coach.force_login(w.coach.user)
    assert w.s1.title in coach.get("/classroom/").content.decode()


def test_the_school_roll_up_hides_small_groups(scene: SimpleNamespace) -> None:
    """School A1 this year: grade 4 has l1, l2, lf, x1–x3 and 10 more (16 learners); grade 5
    has 2. Grade 5 is hidden (under 10), and so is grade 4 or the total, or grade 5 could be
    worked out from them."""
    w = scene.world
    scenes.add_learners(w, 10)
    ef.FrameworkItemFactory(
        framework=scene.s.framework, human_coding_scheme="5.NF.1", grade_low=5, grade_high=5,
        subject=["mathematics"],
    )  # fmt: skip
    for learner in scenes.add_learners(w, 2, section=w.s2):
        learner.years.update(grade=5)
    report = rollup.school_rollup(viewer=at(w, w.leader), school_id=w.school_a1.pk)
    [maths] = report.tables
    assert maths.grades == [4, 5]
    rows = {r.label: r for r in maths.rows}
    assert rows["5"].learners == "*"
    assert "*" in (rows["4"].learners, rows["All grades"].learners)
    assert "fewer than 10 learners" in report.note
    for refused in (w.t1, w.admin_b, w.leader_b if hasattr(w, "leader_b") else w.tb):
        with pytest.raises(NotVisible):
            rollup.school_rollup(viewer=at(w, refused), school_id=w.school_a1.pk)
    page = Client()
    page.force_login(w.leader.user)
    html = page.get(f"/classroom/schools/{w.school_a1.pk}/").content.decode()
    assert "fewer than 10 learners" in html and "Mathematics" in html
