"""Plans services: who may write what, the changes and their audit entries, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from tests.plans.helpers import add_standards, png, viewer
from waypoint.access.selectors import NotAllowed, NotVisible
from waypoint.audit.models import ActionEntry
from waypoint.evidence.models import Observation
from waypoint.mastery.models import MasteryState
from waypoint.plans import selectors, services, uploads
from waypoint.plans.models import Artifact, Goal, Plan, Reflection
from waypoint.plans.services import MilestoneIn, PlanInputError


@pytest.fixture
def w(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return add_standards(world)


def test_learner_writes_profile_and_adults_read_it(w):
    services.save_profile(viewer=viewer(w.l1), learner_id=w.l1.pk, interests="robots")
    for reader in (w.t1, w.advisor, w.guardian, w.l1):
        assert (
            selectors.plan_for(viewer=viewer(reader), learner_id=w.l1.pk).profile.interests
            == "robots"
        )
    with pytest.raises(NotAllowed):
        services.save_profile(viewer=viewer(w.t1), learner_id=w.l1.pk, interests="x")
    with pytest.raises(NotAllowed):
        services.save_profile(viewer=viewer(w.guardian), learner_id=w.l1.pk, interests="x")
    for outsider in (w.t2, w.guardian2, w.tb, w.admin_b):
        with pytest.raises(NotVisible):
            selectors.plan_for(viewer=viewer(outsider), learner_id=w.l1.pk)
    assert ActionEntry.objects.filter(action="plans.profile").count() == 1


def test_goal_with_standards_and_milestones(w):
    goal = services.save_goal(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        kind=Goal.Kind.ACADEMIC,
        title="Master fractions",
        target_date=dt.date(2030, 3, 1),
        standard_ids=[w.std1.pk, str(w.std2.pk)],
        milestones=[MilestoneIn("Practise halves"), MilestoneIn("Quiz", done=True)],
    )
    assert goal.author == w.l1
    assert {s.pk for s in goal.standards.all()} == {w.std1.pk, w.std2.pk}
    assert [m.title for m in goal.milestones.all()] == ["Practise halves", "Quiz"]
    plan = Plan.objects.get(learner=w.l1)
    assert plan.school_year == w.year_a
    # the teacher edits it; the change keeps who did what
    services.save_goal(
        viewer=viewer(w.t1),
        learner_id=w.l1.pk,
        goal_id=goal.pk,
        kind=Goal.Kind.ACADEMIC,
        title="Master fractions",
        status=Goal.Status.IN_PROGRESS,
        standard_ids=[w.std1.pk],
    )
    goal.refresh_from_db()
    assert (goal.author, goal.updated_by, goal.status) == (w.l1, w.t1, "in_progress")
    assert goal.milestones.count() == 2  # milestones=None leaves them
    assert ActionEntry.objects.filter(action__startswith="plans.goal").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "hobby"}, "kind"),
        ({"status": "done"}, "status"),
        ({"milestones": [MilestoneIn(" ")]}, "milestones"),
        ({"standard_ids": ["abc"]}, "standards"),
        ({"kind": Goal.Kind.PERSONAL, "standard_ids": ["STD1"]}, "standards"),
    ],
)
def test_bad_goal_input_saves_nothing(w, changes, field):
    args = {"kind": Goal.Kind.ACADEMIC, "title": "A goal", "standard_ids": []}
    args.update(changes)
    if args["standard_ids"] == ["STD1"]:
        args["standard_ids"] = [w.std1.pk]
    with pytest.raises(PlanInputError) as info:
        services.save_goal(viewer=viewer(w.l1), learner_id=w.l1.pk, **args)
    assert field in info.value.errors
    assert not Goal.objects.exists()
    assert not ActionEntry.objects.filter(action__startswith="plans.goal").exists()


def test_goal_cannot_link_another_districts_standard(w):
    with pytest.raises(PlanInputError):
        services.save_goal(
            viewer=viewer(w.l1),
            learner_id=w.l1.pk,
            kind=Goal.Kind.ACADEMIC,
            title="x",
            standard_ids=[w.std_b.pk],
        )
    assert not Goal.objects.exists()


def test_guardian_reads_but_cannot_write(w):
    for write in (
        lambda v: services.save_goal(viewer=v, learner_id=w.l1.pk, kind="personal", title="x"),
        lambda v: services.add_comment(viewer=v, learner_id=w.l1.pk, text="x"),
        lambda v: services.add_reflection(viewer=v, learner_id=w.l1.pk, text="x"),
    ):
        with pytest.raises(NotAllowed):
            write(viewer(w.guardian))
    with pytest.raises(NotVisible):  # someone else's child: not even "not allowed"
        services.save_goal(
            viewer=viewer(w.guardian2), learner_id=w.l1.pk, kind="personal", title="x"
        )


def test_another_learners_goal_is_not_found(w):
    goal = services.save_goal(
        viewer=viewer(w.t2), learner_id=w.l2.pk, kind="personal", title="Ben's"
    )
    with pytest.raises(NotVisible):
        services.save_goal(
            viewer=viewer(w.l1), learner_id=w.l1.pk, goal_id=goal.pk, kind="personal", title="mine"
        )
    goal.refresh_from_db()
    assert goal.title == "Ben's"


def test_reflections_comments_and_leadership(w):
    services.add_reflection(viewer=viewer(w.l1), learner_id=w.l1.pk, text="I kept going.")
    services.add_comment(viewer=viewer(w.advisor), learner_id=w.l1.pk, text="Well done.")
    services.add_comment(viewer=viewer(w.l1), learner_id=w.l1.pk, text="Thanks!")
    with pytest.raises(NotAllowed):
        services.add_reflection(viewer=viewer(w.t1), learner_id=w.l1.pk, text="not mine")
    with pytest.raises(PlanInputError):
        services.add_reflection(viewer=viewer(w.l1), learner_id=w.l1.pk, text="   ")
    plan = Plan.objects.get(learner=w.l1)
    assert [c.author for c in plan.comments.all()] == [w.advisor, w.l1]
    assert Reflection.objects.count() == 1
    services.set_leadership(viewer=viewer(w.t1), learner_id=w.l1.pk, leadership="learner_led")
    with pytest.raises(NotAllowed):
        services.set_leadership(viewer=viewer(w.l1), learner_id=w.l1.pk, leadership="teacher_set")
    with pytest.raises(PlanInputError):
        services.set_leadership(viewer=viewer(w.t1), learner_id=w.l1.pk, leadership="boss")
    plan.refresh_from_db()
    assert plan.leadership == "learner_led"


def test_path_and_choosing_a_ready_standard(w):
    from tests.evidence.factories import MasteryStateFactory

    MasteryStateFactory(learner=w.l1, item=w.std1, probability=0.99)
    MasteryStateFactory(learner=w.l1, item=w.std3, probability=0.4)
    path = selectors.path_for(viewer=viewer(w.t1), learner_id=w.l1.pk)
    assert [s.item for s in path.mastered] == [w.std1]
    assert [s.item for s in path.in_progress] == [w.std3]
    assert [s.item for s in path.ready] == [w.std2]
    assert path.pace is not None and path.pace.total == 3
    with pytest.raises(PlanInputError):  # mastered already: not among the ready ones
        services.choose_next(viewer=viewer(w.l1), learner_id=w.l1.pk, item_id=w.std1.pk)
    with pytest.raises(NotAllowed):
        services.choose_next(viewer=viewer(w.t1), learner_id=w.l1.pk, item_id=w.std2.pk)
    services.choose_next(viewer=viewer(w.l1), learner_id=w.l1.pk, item_id=w.std2.pk)
    assert selectors.path_for(viewer=viewer(w.t1), learner_id=w.l1.pk).chosen.item == w.std2


def _add_png(w, name="work.png", data=None):
    return services.add_artifact(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        title="My drawing",
        kind=Artifact.Kind.FILE,
        file_name=name,
        data=png() if data is None else data,
        standard_ids=[w.std1.pk],
    )


def _stored_files(settings):
    root = settings.UPLOAD_DIR
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_is_checked_and_stored(w, settings):
    artifact = _add_png(w)
    assert (artifact.content_type, artifact.size, artifact.status) == (
        "image/png",
        len(png()),
        "submitted",
    )
    assert uploads.path_of(artifact.district_id, artifact.stored_name).read_bytes() == png()
    assert len(_stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("big.png", None, "too large"),
        ("virus.exe", b"MZ\x90\x00", "cannot be added"),
        ("page.html", b"<script>alert(1)</script>", "cannot be added"),
        ("fake.png", b"GIF89a not a png", "does not match"),
        ("fake.pdf", b"just some text", "does not match"),
        ("notes.txt", b"\x89PNG\r\n\x1a\nbinary", "does not match"),
        ("notes.txt", b"\xff\xfe\x00bad", "does not match"),
        ("empty.txt", b"", "empty"),
    ],
)
@override_settings(WAYPOINT_MAX_UPLOAD_BYTES=1024)
def test_refused_files_leave_nothing(w, settings, name, data, reason):
    if data is None:
        data = png() + b"\x00" * 2048
    with pytest.raises(PlanInputError) as info:
        _add_png(w, name=name, data=data)
    assert reason in info.value.errors["file"]
    assert not Artifact.objects.exists()
    assert _stored_files(settings) == []
    assert not ActionEntry.objects.filter(action="plans.artifact.add").exists()


def test_a_failing_save_removes_the_file(w, settings, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_action", boom)
    with pytest.raises(RuntimeError):
        _add_png(w)
    assert not Artifact.objects.exists()
    assert _stored_files(settings) == []


def test_only_the_learner_adds_work(w):
    with pytest.raises(NotAllowed):
        services.add_artifact(
            viewer=viewer(w.t1), learner_id=w.l1.pk, title="x", kind="text", text="hello"
        )
    with pytest.raises(PlanInputError) as info:
        services.add_artifact(
            viewer=viewer(w.l1),
            learner_id=w.l1.pk,
            title="x",
            kind="link",
            url="javascript:alert(1)",
        )
    assert "url" in info.value.errors
    assert not Artifact.objects.exists()


def test_accepting_work_records_evidence_and_raises_mastery(w):
    artifact = _add_png(w)
    review = services.review_artifact(
        viewer=viewer(w.t1),
        learner_id=w.l1.pk,
        artifact_id=artifact.pk,
        accept=True,
        score=4,
        max_score=4,
    )
    assert review.decision == "accepted"
    obs = Observation.objects.get(learner=w.l1, item=w.std1)
    assert (obs.source, obs.source_ref, obs.correct) == ("teacher", f"artifact:{artifact.pk}", True)
    state = MasteryState.objects.get(learner=w.l1, item=w.std1)
    assert state.probability > 0.2  # above the default prior it started from
    artifact.refresh_from_db()
    assert artifact.status == "accepted"
    with pytest.raises(PlanInputError):  # reviewed once
        services.review_artifact(
            viewer=viewer(w.t1),
            learner_id=w.l1.pk,
            artifact_id=artifact.pk,
            accept=False,
            feedback="x",
        )


def test_review_rules(w):
    artifact = _add_png(w)
    for who, error in (
        (w.advisor, NotAllowed),
        (w.guardian, NotAllowed),
        (w.t2, NotVisible),
        (w.tb, NotVisible),
    ):
        with pytest.raises(error):
            services.review_artifact(
                viewer=viewer(who),
                learner_id=w.l1.pk,
                artifact_id=artifact.pk,
                accept=True,
                score=1,
                max_score=1,
            )
    for bad in (
        {"score": 5, "max_score": 4},
        {"score": None, "max_score": 4},
        {"score": 1, "max_score": 0},
    ):
        with pytest.raises(PlanInputError):
            services.review_artifact(
                viewer=viewer(w.t1), learner_id=w.l1.pk, artifact_id=artifact.pk, accept=True, **bad
            )
    with pytest.raises(PlanInputError):  # returning needs feedback
        services.review_artifact(
            viewer=viewer(w.t1), learner_id=w.l1.pk, artifact_id=artifact.pk, accept=False
        )
    assert not Observation.objects.exists()
    assert not MasteryState.objects.exists()
    services.review_artifact(
        viewer=viewer(w.t1),
        learner_id=w.l1.pk,
        artifact_id=artifact.pk,
        accept=False,
        feedback="Label the axes.",
    )
    artifact.refresh_from_db()
    assert artifact.status == "returned"
    assert not Observation.objects.exists()


def test_review_queue_is_scoped(w):
    _add_png(w)
    assert selectors.review_queue(viewer=viewer(w.t1)).count() == 1
    assert selectors.review_queue(viewer=viewer(w.t2)).count() == 0
    assert selectors.review_queue(viewer=viewer(w.tb)).count() == 0
    assert selectors.review_queue(viewer=viewer(w.guardian)).count() == 0


def test_growth_plans_are_never_seen_by_peers(w):
    services.save_growth_goal(viewer=viewer(w.t1), staff_id=w.t1.pk, title="Use more small groups")
    services.add_growth_comment(viewer=viewer(w.coach), staff_id=w.t1.pk, text="Try stations.")
    services.add_growth_comment(viewer=viewer(w.leader), staff_id=w.t1.pk, text="Agreed.")
    for peer in (w.t2, w.t3, w.aide, w.tb, w.guardian, w.l1):
        with pytest.raises(NotVisible):
            services.open_staff(viewer=viewer(peer), staff_id=w.t1.pk, view="test")
        with pytest.raises(NotVisible):
            services.add_growth_comment(viewer=viewer(peer), staff_id=w.t1.pk, text="peek")
    plan = services.current_growth_plan(viewer=viewer(w.t1), staff=w.t1)
    assert [c.author for c in plan.comments.all()] == [w.coach, w.leader]
    with pytest.raises(PlanInputError):
        services.save_growth_goal(viewer=viewer(w.t1), staff_id=w.t1.pk, title=" ")


def test_language_is_remembered(w):
    from waypoint.plans.models import AccountPreference

    services.set_language(user=w.guardian.user, language="es")
    assert AccountPreference.objects.get(user=w.guardian.user).language == "es"
    with pytest.raises(PlanInputError):
        services.set_language(user=w.guardian.user, language="xx")
