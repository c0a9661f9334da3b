"""Plan pages, downloads and uploaded files through the test client: every role, every leak."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.plans.helpers import add_standards, png, viewer
from waypoint.plans import services
from waypoint.plans.models import Artifact, Goal


@pytest.fixture
def w(world, tmp_path, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    w = add_standards(world)
    w.goal = services.save_goal(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        kind=Goal.Kind.ACADEMIC,
        title="Fractions",
        standard_ids=[w.std1.pk],
    )
    w.art = services.add_artifact(
        viewer=viewer(w.l1),
        learner_id=w.l1.pk,
        title="Fraction poster",
        kind=Artifact.Kind.FILE,
        file_name="poster.png",
        data=png(),
        standard_ids=[w.std1.pk],
    )
    return w


def client_for(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def learner_urls(w) -> list[str]:
    pk, a = w.l1.pk, w.art.pk
    return [
        reverse("plans:plan", args=[pk]),
        reverse("plans:path", args=[pk]),
        reverse("plans:portfolio", args=[pk]),
        reverse("plans:artifact", args=[pk, a]),
        reverse("plans:artifact-file", args=[pk, a]),
        reverse("plans:family", args=[pk]),
        reverse("plans:portfolio-zip", args=[pk]),
        reverse("plans:records", args=[pk]),
        reverse("plans:report", args=[pk]),
        reverse("plans:goal", args=[pk, w.goal.pk]),
    ]


@pytest.mark.parametrize(
    "username", ["learner1", "t1", "aide1", "advisor1", "coach1", "guardian1", "admin1"]
)
def test_everyone_who_may_see_the_learner_opens_every_page(w, username):
    c = client_for(username)
    for url in learner_urls(w):
        if username == "guardian1" and "/goals/" in url:
            assert c.get(url).status_code == 403
            continue
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("username", ["t2", "t3", "guardian2", "guardianb", "tb", "adminb"])
def test_everyone_else_gets_the_same_404(w, username):
    c = client_for(username)
    for url in learner_urls(w):
        response = c.get(url)
        assert response.status_code == 404, url
        assert b"\x89PNG" not in response.content
    missing = reverse("plans:artifact-file", args=[w.l1.pk, 999999])
    assert client_for("learner1").get(missing).status_code == 404


def test_an_artifact_under_another_learners_id_is_not_found(w):
    # guardian2 may see l2; asking for l1's artifact under l2's id must not find it
    url = reverse("plans:artifact-file", args=[w.l2.pk, w.art.pk])
    assert client_for("guardian2").get(url).status_code == 404


def test_file_is_served_with_its_type_and_no_sniffing(w):
    response = client_for("guardian1").get(reverse("plans:artifact-file", args=[w.l1.pk, w.art.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png()


def test_upload_through_the_page_refuses_bad_files_with_a_clear_message(w, settings):
    c = client_for("learner1")
    url = reverse("plans:portfolio", args=[w.l1.pk])
    before = Artifact.objects.count()
    settings.WAYPOINT_MAX_UPLOAD_BYTES = 1000
    cases = [
        (SimpleUploadedFile("big.png", png() + b"\0" * 5000), "too large"),
        (SimpleUploadedFile("run.exe", b"MZ"), "cannot be added"),
        (SimpleUploadedFile("fake.png", b"%PDF-1.4"), "does not match"),
    ]
    for upload, message in cases:
        response = c.post(
            url, {"title": "Bad", "kind": "file", "file": upload, "standards": [w.std1.pk]}
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert message in body and "Nothing was saved" in body
    assert Artifact.objects.count() == before
    ok = c.post(url, {"title": "Good", "kind": "file", "file": SimpleUploadedFile("g.png", png())})
    assert ok.status_code == 302
    assert Artifact.objects.count() == before + 1


def test_teacher_accepts_through_the_page(w):
    c = client_for("t1")
    url = reverse("plans:artifact", args=[w.l1.pk, w.art.pk])
    bad = c.post(url, {"decision": "accept", "score": "9", "max_score": "4"})
    assert "Give a score between 0 and the maximum" in bad.content.decode()
    response = c.post(url, {"decision": "accept", "score": "4", "max_score": "4"})
    assert response.status_code == 302
    page = c.get(url).content.decode()
    assert "Accepted" in page and "likely mastered" in page
    assert (
        client_for("guardian1").post(url, {"decision": "return", "feedback": "x"}).status_code
        == 403
    )


def test_portfolio_zip_has_an_index_and_the_files(w):
    services.add_artifact(
        viewer=viewer(w.l1), learner_id=w.l1.pk, title="Essay", kind="text", text="Ñandú"
    )
    response = client_for("learner1").get(reverse("plans:portfolio-zip", args=[w.l1.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "index.html" in names
    png_member = next(n for n in names if n.endswith(".png"))
    assert archive.read(png_member) == png()
    index = archive.read("index.html").decode()
    assert "Fraction poster" in index and png_member in index and "Essay" in index
    assert any(archive.read(n) == "Ñandú".encode() for n in names if n.endswith(".txt"))


def test_records_and_report(w):
    c = client_for("guardian1")
    records = json.loads(c.get(reverse("plans:records", args=[w.l1.pk])).content)
    assert records["plan"]["goals"][0]["title"] == "Fractions"
    assert records["portfolio"][0]["title"] == "Fraction poster"
    pdf = c.get(reverse("plans:report", args=[w.l1.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    c.post(reverse("plans:language"), {"language": "es", "next": "/"})
    spanish = c.get(reverse("plans:report", args=[w.l1.pk])).content
    assert b"/Title (Progress report - " in pdf.content
    assert b"/Title (Informe de progreso - " in spanish


def test_language_switch_is_remembered_per_account(w):
    c = client_for("guardian1")
    c.post(reverse("plans:language"), {"language": "es", "next": "/"})
    other_device = client_for("guardian1")  # a new session, no language cookie
    page = other_device.get(reverse("plans:family", args=[w.l1.pk]))
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
    assert client_for("guardian2").get("/")["Content-Language"] == "en"


def test_language_switch_refuses_foreign_redirects(w):
    response = client_for("guardian1").post(
        reverse("plans:language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_goal_form_round_trip(w):
    c = client_for("learner1")
    url = reverse("plans:goal", args=[w.l1.pk, w.goal.pk])
    response = c.post(
        url,
        {
            "kind": "academic",
            "title": "Fractions, for real",
            "status": "in_progress",
            "standards": [w.std1.pk],
            "ms-0-title": "Practise",
            "ms-0-due": "2031-01-01",
            "ms-0-done": "on",
        },
    )
    assert response.status_code == 302
    w.goal.refresh_from_db()
    assert w.goal.title == "Fractions, for real" and w.goal.status == "in_progress"
    assert [(m.title, m.done) for m in w.goal.milestones.all()] == [("Practise", True)]
    bad = c.post(url, {"kind": "academic", "title": "", "status": "in_progress"})
    assert bad.status_code == 200
    w.goal.refresh_from_db()
    assert w.goal.title == "Fractions, for real"


def test_growth_plan_pages(w):
    url = reverse("plans:growth", args=[w.t1.pk])
    assert (
        client_for("t1").post(url, {"title": "Small groups", "status": "in_progress"}).status_code
        == 302
    )
    assert client_for("coach1").post(url, {"text": "Nice"}).status_code == 302
    page = client_for("leader1").get(url).content.decode()
    assert "Small groups" in page and "Nice" in page
    for peer in ("t2", "t3", "aide1", "guardian1", "learner1", "tb"):
        assert client_for(peer).get(url).status_code == 404


def test_language_switch_goes_back_to_the_page_it_was_on(w):
    c = client_for("guardian1")
    page = f"http://testserver{reverse('plans:family', args=[w.l1.pk])}"
    response = c.post(reverse("plans:language"), {"language": "es"}, HTTP_REFERER=page)
    assert response["Location"] == page


def test_the_login_page_has_the_language_switch(w):
    c = Client()
    assert 'name="language"' in c.get(reverse("login")).content.decode()
    c.post(
        reverse("plans:language"),
        {"language": "es"},
        HTTP_REFERER="http://testserver/accounts/login/",
    )
    assert "Iniciar sesión en Waypoint" in c.get(reverse("login")).content.decode()


def test_ownership_report_counts_and_suppresses(w, settings):
    from tests import factories as f
    from waypoint.plans.models import Plan

    # twelve more learners at Alder Elementary with plans, so some cells are shown
    for n in range(12):
        learner = f.LearnerFactory(district=w.district_a)
        f.LearnerYearFactory(learner=learner, school_year=w.year_a, school=w.school_a1)
        Plan.objects.create(
            district=w.district_a,
            learner=learner,
            school_year=w.year_a,
            leadership="learner_led" if n < 10 else "teacher_set",
        )
    page = client_for("admin1").get(reverse("plans:ownership")).content.decode()
    assert "Alder Elementary" in page and "Alder Middle" in page
    assert "<td>10</td>" in page  # ten learner-led plans at Alder Elementary: shown
    assert "<td>2</td>" not in page  # two teacher-set: fewer than 10, hidden
    assert "*" in page and "fewer than 10 learners" in page
    assert client_for("leader1").get(reverse("plans:ownership")).status_code == 200
    for username in ("t1", "guardian1", "learner1", "coach1"):
        assert client_for(username).get(reverse("plans:ownership")).status_code == 404
    # the other district's admin sees their own schools only
    assert "Alder" not in client_for("adminb").get(reverse("plans:ownership")).content.decode()


def test_the_login_pages_language_becomes_the_accounts(w):
    from waypoint.plans.models import AccountPreference

    c = Client()
    c.post(reverse("plans:language"), {"language": "es"})
    c.post(reverse("login"), {"username": "guardian2", "password": PASSWORD})
    assert AccountPreference.objects.get(user=w.guardian2.user).language == "es"
    # an account that already chose keeps its choice
    services.set_language(user=w.guardian.user, language="en")
    c2 = Client()
    c2.post(reverse("plans:language"), {"language": "es"})
    c2.post(reverse("login"), {"username": "guardian1", "password": PASSWORD})
    assert AccountPreference.objects.get(user=w.guardian.user).language == "en"


def test_young_learners_get_the_friendlier_profile_form(w):
    from tests import factories as f

    young = f.LearnerFactory(district=w.district_a)
    young.user = f.UserFactory(username="young1")
    young.save(update_fields=["user"])
    f.LearnerYearFactory(learner=young, school_year=w.year_a, school=w.school_a1, grade=1)
    page = client_for("young1").get(reverse("plans:profile", args=[young.pk])).content.decode()
    assert "I like…" in page and "A grown-up can help you write" in page
    older = client_for("learner1").get(reverse("plans:profile", args=[w.l1.pk])).content.decode()
    assert "What I love and care about" in older and "I like…" not in older
    assert client_for("learner1").get(reverse("plans:profile", args=[young.pk])).status_code == 404
    assert client_for("t1").get(reverse("plans:profile", args=[w.l1.pk])).status_code == 403


def test_the_report_prints_any_name(w):
    from waypoint.plans import exports

    w.l1.given_name, w.l1.family_name = "Thảo", "Nguyễn"
    w.l1.save(update_fields=["given_name", "family_name"])
    response = client_for("guardian1").get(reverse("plans:report", args=[w.l1.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    if any(regular.is_file() for regular, _ in exports.UNICODE_FONTS):
        assert b"/FontFile2" in response.content  # a TrueType font is embedded, no "?" for ả
