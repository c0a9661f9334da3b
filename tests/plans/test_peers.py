"""Feedback from peers the teacher allows (issue 5): the grant, the narrow peer view, the
feedback a peer posts (stored and shown as "peer"), revocation, and every way in that must
stay a 404 — other learners, other sections, another district, the peer's guardian — in pages,
the API and the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.factories import PASSWORD
from tests.plans.helpers import add_classmates, add_standards, png, viewer
from waypoint.access.selectors import NotAllowed, NotVisible
from waypoint.audit.models import AccessEntry, ActionEntry
from waypoint.plans import selectors, services
from waypoint.plans.models import Artifact, Comment, Goal, PeerGrant, Reflection
from waypoint.plans.services import COMMENT_MAX, MilestoneIn, PlanInputError
from waypoint.roster.models import Enrollment


@pytest.fixture
def w(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    w = add_classmates(add_standards(world))
    services.save_profile(
        viewer=viewer(w.l1), learner_id=w.l1.pk, interests="secret-interest-robots"
    )
    w.goal = services.save_goal(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        kind=Goal.Kind.ACADEMIC,
        title="Fractions",
        status=Goal.Status.IN_PROGRESS,
        standard_ids=[w.std1.pk],
        milestones=[MilestoneIn("Fraction strips", done=True)],
    )
    services.add_reflection(viewer=viewer(w.l1), learner_id=w.l1.pk, text="secret-reflection-text")
    services.add_comment(viewer=viewer(w.t1), learner_id=w.l1.pk, text="Teacher says well done")
    w.art = services.add_artifact(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        title="secret-artifact-title",
        kind=Artifact.Kind.FILE,
        file_name="poster.png",
        data=png(),
        standard_ids=[w.std1.pk],
    )
    return w


def grant(w, peer=None, by=None) -> PeerGrant:
    return services.grant_peer_feedback(
        viewer=viewer(by or w.t1), learner_id=w.l1.pk, peer_id=(peer or w.peer1).pk
    )


def client_for(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def peer_url(w) -> str:
    return reverse("plans:peer", args=[w.l1.pk])


def full_urls(w) -> list[str]:
    """Everything of Ada's that is not the narrow peer view."""
    pk, a = w.l1.pk, w.art.pk
    return [
        reverse("plans:plan", args=[pk]),
        reverse("plans:profile", args=[pk]),
        reverse("plans:path", args=[pk]),
        reverse("plans:portfolio", args=[pk]),
        reverse("plans:artifact", args=[pk, a]),
        reverse("plans:artifact-file", args=[pk, a]),
        reverse("plans:family", args=[pk]),
        reverse("plans:portfolio-zip", args=[pk]),
        reverse("plans:records", args=[pk]),
        reverse("plans:report", args=[pk]),
        reverse("plans:goal", args=[pk, w.goal.pk]),
        reverse("plans:peers", args=[pk]),
        reverse("learner-detail", args=[pk]),
    ]


# --- the grant ----------------------------------------------------------------------------


def test_a_teacher_grants_a_classmate_with_who_whom_whose_and_when(w):
    g = grant(w)
    assert (g.learner, g.peer, g.granted_by, g.section) == (w.l1, w.peer1, w.t1, w.s1)
    assert g.granted_at is not None and g.revoked_at is None
    entry = ActionEntry.objects.get(action="plans.peer_grant.create")
    assert entry.details == {"learner": w.l1.pk, "peer": w.peer1.pk, "section": w.s1.pk}


def test_a_granted_peer_reads_the_narrow_view_and_posts_feedback_as_peer(w):
    grant(w)
    view = selectors.peer_plan_for(viewer=viewer(w.peer1), learner_id=w.l1.pk)
    assert [g.title for g in view.goals] == ["Fractions"]
    assert [c.text for c in view.comments] == ["Teacher says well done"]
    assert not hasattr(view, "profile") and not hasattr(view, "reflections")
    comment = services.add_comment(
        viewer=viewer(w.peer1), learner_id=w.l1.pk, text="Nice strips!", goal_id=w.goal.pk
    )
    assert (comment.author, comment.author_role, comment.goal) == (w.peer1, "peer", w.goal)
    assert ActionEntry.objects.filter(action="plans.comment", object_id=str(comment.pk)).exists()
    assert AccessEntry.objects.filter(
        viewer_person_id=w.peer1.pk, record_id=w.l1.pk, view="plans:peer", outcome="allowed"
    ).exists()


def test_every_comment_records_the_role_it_was_written_in(w):
    services.add_comment(viewer=viewer(w.advisor), learner_id=w.l1.pk, text="From the advisor")
    services.add_comment(viewer=viewer(w.l1), learner_id=w.l1.pk, text="My reply")
    services.add_comment(viewer=viewer(w.admin), learner_id=w.l1.pk, text="From the office")
    roles = dict(Comment.objects.values_list("text", "author_role"))
    assert roles == {
        "Teacher says well done": "teacher",
        "From the advisor": "advisor",
        "My reply": "learner",
        "From the office": "staff",
    }


def test_the_peer_page_shows_goals_and_feedback_and_nothing_else(w):
    grant(w)
    c = client_for("peer1")
    page = c.get(peer_url(w))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Fractions" in body and "Fraction strips" in body and "In progress" in body
    assert "Teacher says well done" in body
    for secret in ("secret-interest-robots", "secret-reflection-text", "secret-artifact-title"):
        assert secret not in body
    assert reverse("plans:portfolio", args=[w.l1.pk]) not in body  # no tabs into the rest
    posted = c.post(peer_url(w), {"text": "Try a number line too.", "goal": w.goal.pk})
    assert posted.status_code == 302
    body = c.get(peer_url(w)).content.decode()
    assert "Try a number line too." in body and "Peer" in body
    # the learner and the teacher see who wrote it, and in which role
    for username in ("learner1", "t1"):
        plan = client_for(username).get(reverse("plans:plan", args=[w.l1.pk])).content.decode()
        assert "Try a number line too." in plan
        assert (
            f'data-role="peer"><p>Try a number line too.</p><p class="meta">{w.peer1.display_name}'
            in plan
        )


def test_the_peer_finds_the_classmates_plan_from_their_own(w):
    grant(w)
    own = client_for("peer1").get(reverse("plans:plan", args=[w.peer1.pk])).content.decode()
    assert peer_url(w) in own
    ada = client_for("learner1").get(reverse("plans:plan", args=[w.l1.pk])).content.decode()
    assert w.peer1.display_name in ada  # Ada sees who may give her feedback


def test_the_peer_sees_nothing_else_of_the_learner(w):
    grant(w)
    c = client_for("peer1")
    for url in full_urls(w):
        response = c.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.content
    base = f"/api/v1/plans/{w.l1.pk}"
    api_urls = (
        base,
        f"{base}/path",
        f"{base}/artifacts",
        f"/api/v1/learners/{w.l1.pk}",
        f"/api/v1/learners/{w.l1.pk}/mastery",
    )
    for url in api_urls:
        assert c.get(url).status_code == 404, url
    for write in (
        lambda v: services.add_reflection(viewer=v, learner_id=w.l1.pk, text="x"),
        lambda v: services.save_goal(viewer=v, learner_id=w.l1.pk, kind="personal", title="x"),
        lambda v: services.set_leadership(viewer=v, learner_id=w.l1.pk, leadership="learner_led"),
    ):
        with pytest.raises(NotVisible):
            write(viewer(w.peer1))


# --- who gets a 404 -----------------------------------------------------------------------


def _assert_not_found_everywhere(w, username: str, person) -> None:
    c = client_for(username)
    assert c.get(peer_url(w)).status_code == 404
    assert c.post(peer_url(w), {"text": "hello"}).status_code == 404
    assert c.get(f"/api/v1/plans/{w.l1.pk}/peer").status_code == 404
    posted = c.post(
        f"/api/v1/plans/{w.l1.pk}/feedback", {"text": "hello"}, content_type="application/json"
    )
    assert posted.status_code == 404
    with pytest.raises(NotVisible):
        selectors.peer_plan_for(viewer=viewer(person), learner_id=w.l1.pk)
    assert not Comment.objects.filter(author=person).exists()


def test_a_classmate_who_is_not_granted_gets_a_404(w):
    grant(w)
    _assert_not_found_everywhere(w, "peer2", w.peer2)


@pytest.mark.parametrize("username", ["guardianp", "guardian1", "guardian2", "t2", "tb"])
def test_guardians_of_the_peer_and_everyone_else_get_a_404(w, username):
    grant(w)
    assert client_for(username).get(peer_url(w)).status_code == 404
    assert client_for(username).get(f"/api/v1/plans/{w.l1.pk}/peer").status_code == 404


def test_after_revocation_the_peer_gets_a_404(w):
    g = grant(w)
    services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="Before revoking")
    services.revoke_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, grant_id=g.pk)
    g.refresh_from_db()
    assert g.revoked_at is not None and g.revoked_by == w.t1
    assert ActionEntry.objects.filter(action="plans.peer_grant.revoke").exists()
    c = client_for("peer1")
    assert c.get(peer_url(w)).status_code == 404
    assert c.post(peer_url(w), {"text": "After"}).status_code == 404
    with pytest.raises(NotVisible):
        services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="After")
    # what they wrote stays in the thread, with its author
    assert Comment.objects.filter(author=w.peer1).count() == 1
    with pytest.raises(NotVisible):  # revoking twice: the live grant is gone
        services.revoke_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, grant_id=g.pk)
    again = grant(w)  # a new grant is a new row; the old one keeps its history
    assert again.pk != g.pk and c.get(peer_url(w)).status_code == 200


def test_a_learner_of_another_section_cannot_be_granted_nor_use_a_forged_grant(w):
    with pytest.raises(PlanInputError) as refused:
        grant(w, peer=w.l2)  # Ben learns in T2's section
    assert "peer" in refused.value.errors
    assert not PeerGrant.objects.exists()
    # a grant row that names a section Ben is not in opens nothing
    PeerGrant.objects.create(
        district=w.district_a, learner=w.l1, peer=w.l2, section=w.s1, granted_by=w.t1
    )
    _assert_not_found_everywhere(w, "learner2", w.l2)


def test_a_peer_who_leaves_the_section_gets_a_404(w):
    grant(w)
    Enrollment.objects.filter(person=w.peer1, section=w.s1).update(
        end_date=f.today() - dt.timedelta(days=1)
    )
    _assert_not_found_everywhere(w, "peer1", w.peer1)


def test_another_district_gets_a_404_even_with_a_forged_grant(w):
    PeerGrant.objects.create(
        district=w.district_a, learner=w.l1, peer=w.lb, section=w.s1, granted_by=w.t1
    )
    f.EnrollmentFactory(section=w.s1, person=w.lb, district=w.district_a)
    _assert_not_found_everywhere(w, "learnerb", w.lb)
    for username in ("tb", "adminb"):
        response = client_for(username).post(
            reverse("plans:peers", args=[w.l1.pk]), {"peer": w.peer1.pk}
        )
        assert response.status_code == 404
    assert PeerGrant.objects.filter(peer=w.peer1).count() == 0


# --- who may grant ------------------------------------------------------------------------


def test_a_teacher_who_does_not_teach_the_learner_cannot_grant(w):
    for outsider in (w.t2, w.t3, w.tb):
        with pytest.raises(NotVisible):
            grant(w, by=outsider)
    for sees_but_does_not_teach in (w.aide, w.advisor, w.coach, w.leader, w.admin):
        with pytest.raises(NotAllowed):
            grant(w, by=sees_but_does_not_teach)
    with pytest.raises(NotAllowed):  # the learner themselves
        grant(w, by=w.l1)
    assert not PeerGrant.objects.exists()
    url = reverse("plans:peers", args=[w.l1.pk])
    assert client_for("t2").post(url, {"peer": w.peer1.pk}).status_code == 404
    assert client_for("t2").get(url).status_code == 404
    assert client_for("aide1").post(url, {"peer": w.peer1.pk}).status_code == 403
    assert client_for("learner1").get(url).status_code == 403
    assert client_for("peer1").get(url).status_code == 404
    assert not PeerGrant.objects.exists()


def test_only_the_teacher_who_may_grant_may_revoke(w):
    g = grant(w)
    with pytest.raises(NotVisible):
        services.revoke_peer_feedback(viewer=viewer(w.t2), learner_id=w.l1.pk, grant_id=g.pk)
    with pytest.raises(NotAllowed):
        services.revoke_peer_feedback(viewer=viewer(w.aide), learner_id=w.l1.pk, grant_id=g.pk)
    url = reverse("plans:peer-revoke", args=[w.l1.pk, g.pk])
    assert client_for("t2").post(url).status_code == 404
    assert client_for("peer1").post(url).status_code == 404
    g.refresh_from_db()
    assert g.revoked_at is None


def test_the_grant_page_round_trip(w):
    c = client_for("t1")
    plan = c.get(reverse("plans:plan", args=[w.l1.pk])).content.decode()
    url = reverse("plans:peers", args=[w.l1.pk])
    assert url in plan
    page = c.get(url).content.decode()
    assert w.peer1.display_name in page and w.peer2.display_name in page
    assert w.l2.display_name not in page and w.l1.display_name in page  # title only
    response = c.post(url, {"peer": w.peer1.pk}, follow=True)
    assert response.status_code == 200
    assert "may now give feedback" in response.content.decode()
    g = PeerGrant.objects.get()
    duplicate = c.post(url, {"peer": w.peer1.pk})
    assert (
        duplicate.status_code == 400 and "may already give feedback" in duplicate.content.decode()
    )
    stranger = c.post(url, {"peer": w.l3.pk})
    assert stranger.status_code == 400 and "Choose a classmate" in stranger.content.decode()
    assert PeerGrant.objects.count() == 1
    revoked = c.post(reverse("plans:peer-revoke", args=[w.l1.pk, g.pk]), follow=True)
    assert "no longer gives feedback" in revoked.content.decode()
    assert not PeerGrant.objects.filter(revoked_at__isnull=True).exists()


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something first."),
        ("   \n ", "Write something first."),
        ("x" * (COMMENT_MAX + 1), "at most 4000 characters"),
    ],
)
def test_bad_feedback_is_refused_clearly_and_nothing_is_saved(w, text, message):
    grant(w)
    before = Comment.objects.count()
    with pytest.raises(PlanInputError) as refused:
        services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text=text)
    assert message in refused.value.errors["text"]
    page = client_for("peer1").post(peer_url(w), {"text": text})
    assert page.status_code == 400
    body = page.content.decode()
    assert "Nothing was saved" in body and message in body
    api = client_for("peer1").post(
        f"/api/v1/plans/{w.l1.pk}/feedback", {"text": text}, content_type="application/json"
    )
    assert api.status_code == 400 and message in api.json()["errors"]["text"]
    assert Comment.objects.count() == before
    assert not ActionEntry.objects.filter(action="plans.comment", details__role="peer").exists()


def test_feedback_on_a_goal_of_another_plan_is_refused(w):
    grant(w)
    other = services.save_goal(
        viewer=viewer(w.t1), learner_id=w.peer1.pk, kind="personal", title="Mine"
    )
    with pytest.raises(PlanInputError):
        services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="x", goal_id=other.pk)
    assert not Comment.objects.filter(author=w.peer1).exists()


# --- the API ------------------------------------------------------------------------------


def test_the_api_follows_the_same_rules(w):
    t1 = client_for("t1")
    base = f"/api/v1/plans/{w.l1.pk}"
    created = t1.post(f"{base}/peers", {"peer_id": w.peer1.pk}, content_type="application/json")
    assert created.status_code == 200, created.content
    assert created.json()["granted_by_id"] == w.t1.pk
    assert [g["peer_id"] for g in t1.get(f"{base}/peers").json()] == [w.peer1.pk]
    bad = t1.post(f"{base}/peers", {"peer_id": w.l2.pk}, content_type="application/json")
    assert bad.status_code == 400 and "peer" in bad.json()["errors"]
    assert (
        client_for("aide1")
        .post(f"{base}/peers", {"peer_id": w.peer2.pk}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        client_for("t2")
        .post(f"{base}/peers", {"peer_id": w.peer2.pk}, content_type="application/json")
        .status_code
        == 404
    )

    peer = client_for("peer1")
    narrow = peer.get(f"{base}/peer")
    assert narrow.status_code == 200
    data = narrow.json()
    assert set(data) == {"learner_id", "name", "school_year", "goals", "feedback"}
    assert data["goals"][0]["milestones"][0]["title"] == "Fraction strips"
    assert "standards" not in data["goals"][0]
    posted = peer.post(f"{base}/feedback", {"text": "Good!"}, content_type="application/json")
    assert posted.status_code == 200 and posted.json()["author_role"] == "peer"
    feedback = t1.get(base).json()["feedback"]
    assert [(n["author_id"], n["author_role"]) for n in feedback] == [
        (w.t1.pk, "teacher"),
        (w.peer1.pk, "peer"),
    ]

    revoked = t1.delete(f"{base}/peers/{created.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert peer.get(f"{base}/peer").status_code == 404
    assert (
        peer.post(f"{base}/feedback", {"text": "x"}, content_type="application/json").status_code
        == 404
    )


def test_the_records_download_says_who_wrote_feedback_in_which_role(w):
    grant(w)
    services.add_comment(viewer=viewer(w.peer1), learner_id=w.l1.pk, text="From Pia")
    data = client_for("guardian1").get(reverse("plans:records", args=[w.l1.pk])).json()
    assert [(c["author"], c["role"]) for c in data["plan"]["feedback"]] == [
        (w.t1.display_name, "teacher"),
        (w.peer1.display_name, "peer"),
    ]


def test_one_live_grant_per_classmate_is_kept_by_the_database(w):
    from django.db import IntegrityError, transaction

    g = grant(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerGrant.objects.create(
            district=w.district_a, learner=w.l1, peer=w.peer1, section=w.s1, granted_by=w.t1
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # nobody is their own peer
        PeerGrant.objects.create(
            district=w.district_a, learner=w.l1, peer=w.l1, section=w.s1, granted_by=w.t1
        )
    services.revoke_peer_feedback(viewer=viewer(w.t1), learner_id=w.l1.pk, grant_id=g.pk)
    assert grant(w).pk != g.pk  # a revoked grant does not block a new one


def test_over_long_text_on_the_plan_page_is_refused_not_cut(w):
    c = client_for("learner1")
    long_text = "y" * (COMMENT_MAX + 1)
    before = Comment.objects.count()
    for name, message in (
        ("plans:comment-add", "Feedback can be at most 4000 characters"),
        ("plans:reflection-add", "A reflection can be at most 4000 characters"),
    ):
        response = c.post(reverse(name, args=[w.l1.pk]), {"text": long_text}, follow=True)
        assert message in response.content.decode()
    assert Comment.objects.count() == before
    assert not Reflection.objects.filter(text__startswith="yyy").exists()
