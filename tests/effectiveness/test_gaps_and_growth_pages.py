"""The gaps page and the median-SGP-by-teacher page: hand-worked numbers equal to the report
(and the command), a small group and its complement hidden on the page and in the CSV, and
who may see what (another school, another district: 404; a teacher: their own row only).

The scene is added to the two-district world (``tests/world.py``), in district A with a
threshold of 5 (a district setting):

- Alder Elementary (a1), this year: 20 learners ``i = 0..19`` in a mathematics section taught
  by t1 (share 0.6) and t2 (share 0.5), with t1's multi-classroom leader alongside; scale
  score 400 + 5i, proficient from i = 10; SGP 10 + 4i. Learners 0–2 are English learners
  (3 < 5: hidden, and "not English learner" at a1 with them). Female: i in {0–3, 10–15}.
  Last year the same learners were at a1 with 390 + 5i, proficient from i = 15.
- Alder Middle (a2), this year: 12 learners ``j = 0..11`` taught by t3; 430 + 5j, proficient
  from j = 3; SGP 30 + 5j. Female: j < 6.
"""

from __future__ import annotations

import csv
import io
import statistics
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import factories as f
from waypoint.effectiveness.models import GrowthPercentile, ScaleScore
from waypoint.reports.equity import Scope, gap_report
from waypoint.roster.models import Demographics, Enrollment, Subject

A1_FEMALE = {0, 1, 2, 3, 10, 11, 12, 13, 14, 15}


def _score(learner, year: int, score: float, proficient: bool, grade: int = 4) -> None:
    ScaleScore.objects.create(
        district=learner.district,
        learner=learner,
        subject="mathematics",
        year=year,
        grade=grade,
        scale_score=score,
        proficient=proficient,
    )


@pytest.fixture
def scene(world: SimpleNamespace) -> SimpleNamespace:
    w = world
    d = w.district_a
    d.suppression_min_n = 5
    d.save(update_fields=["suppression_min_n"])
    this, last = w.year_a.start_date.year, w.last_year_a.start_date.year
    w.this, w.last = this, last
    math = Subject.MATHEMATICS
    sec1 = f.SectionFactory(school=w.school_a1, school_year=w.year_a, subject=math)
    sec2 = f.SectionFactory(school=w.school_a2, school_year=w.year_a, subject=math)
    for teacher, share in ((w.t1, "0.6"), (w.t2, "0.5")):
        f.EnrollmentFactory(
            section=sec1, person=teacher, role=Enrollment.Role.TEACHER, instructor_share=share
        )
    f.EnrollmentFactory(section=sec2, person=w.t3, role=Enrollment.Role.TEACHER)
    w.a1, w.a2 = [], []
    for i in range(20):
        learner = f.LearnerFactory(district=d, given_name=f"Zanzibar{i}")
        f.LearnerYearFactory(
            learner=learner, school_year=w.year_a, school=w.school_a1, english_learner=i < 3
        )
        f.LearnerYearFactory(learner=learner, school_year=w.last_year_a, school=w.school_a1)
        f.EnrollmentFactory(section=sec1, person=learner)
        gender = "female" if i in A1_FEMALE else "male"
        Demographics.objects.create(district=d, person=learner, gender=gender)
        _score(learner, this, 400 + 5 * i, i >= 10)
        _score(learner, last, 390 + 5 * i, i >= 15, grade=3)
        GrowthPercentile.objects.create(
            district=d, learner=learner, subject="mathematics", year=this, grade=4,
            sgp=10 + 4 * i, priors=1,
        )  # fmt: skip
        w.a1.append(learner)
    for j in range(12):
        learner = f.LearnerFactory(district=d, given_name=f"Zanzibar{20 + j}")
        f.LearnerYearFactory(learner=learner, school_year=w.year_a, school=w.school_a2, grade=7)
        f.EnrollmentFactory(section=sec2, person=learner)
        gender = "female" if j < 6 else "male"
        Demographics.objects.create(district=d, person=learner, gender=gender)
        _score(learner, this, 430 + 5 * j, j >= 3, grade=7)
        GrowthPercentile.objects.create(
            district=d, learner=learner, subject="mathematics", year=this, grade=7,
            sgp=30 + 5 * j, priors=1,
        )  # fmt: skip
        w.a2.append(learner)
    # district B has scores too: never on A's pages
    _score(w.lb, w.year_b.start_date.year, 999, True)
    return w


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _by(rows: list[list[str]]) -> dict[tuple[str, ...], dict[str, str]]:
    header = rows[0]
    out = {}
    for row in rows[1:]:
        r = dict(zip(header, row, strict=True))
        out[(r["year"], r["place"], r["group"])] = r
    return out


# --- gaps -----------------------------------------------------------------------------------


def test_gaps_page_numbers_are_the_hand_worked_ones_and_the_commands(scene, tmp_path) -> None:
    w = scene
    client = _client(w.admin)
    page = client.get(reverse("effectiveness:gaps")).content.decode()
    rows = _csv(client.get(reverse("effectiveness:gaps-export")))
    # the page's CSV is the report the command prints, row for row
    assert rows == gap_report(scope=Scope(w.district_a, None)).csv_rows()
    path = tmp_path / "gaps.csv"
    call_command("report", "gaps", "--district", "alder", "--csv", str(path), stderr=io.StringIO())
    assert rows == list(csv.reader(path.open(encoding="utf-8")))

    by = _by(rows)
    this, last = str(w.this), str(w.last)
    everyone = by[(this, "All schools in scope", "All learners")]
    assert everyone["learners"] == "32"
    assert everyone["proficient_percent"] == "59%"  # 19 of 32
    assert everyone["mean_scale_score"] == "451.2"  # (20 × 447.5 + 12 × 457.5) / 32
    expected_median = statistics.median(
        [10 + 4 * i for i in range(20)] + [30 + 5 * j for j in range(12)]
    )
    assert everyone["median_sgp"] == f"{expected_median:.1f}"
    a1 = by[(this, "Alder Elementary", "All learners")]
    assert (a1["learners"], a1["proficient_percent"], a1["mean_scale_score"]) == (
        "20",
        "50%",
        "447.5",
    )
    assert a1["median_sgp"] == "48.0"  # (46 + 50) / 2
    a2 = by[(this, "Alder Middle", "All learners")]
    assert (a2["proficient_percent"], a2["mean_scale_score"], a2["median_sgp"]) == (
        "75%",
        "457.5",
        "57.5",
    )
    # gender at a1: female 6 of 10 (60%), male 4 of 10 (40%), all 50%
    female = by[(this, "Alder Elementary", "Female")]
    male = by[(this, "Alder Elementary", "Male")]
    assert (female["proficient_percent"], male["proficient_percent"]) == ("60%", "40%")
    assert (
        female["proficiency_gap_to_highest_group"],
        male["proficiency_gap_to_highest_group"],
    ) == ("0.0", "20.0")
    assert (female["proficiency_gap_to_all"], male["proficiency_gap_to_all"]) == ("-10.0", "10.0")
    assert female["mean_scale_score"] == "440.5" and male["mean_scale_score"] == "454.5"
    assert female["median_sgp"] == "52.0"  # 10 14 18 22 50 | 54 58 62 66 70
    # at a2 the male group is 6 of 6: coded ">95%", so it has no gap and is no one's top
    m2 = by[(this, "Alder Middle", "Male")]
    f2 = by[(this, "Alder Middle", "Female")]
    assert m2["proficient_percent"] == ">95%" and m2["proficiency_gap_to_highest_group"] == ""
    assert (
        f2["proficiency_gap_to_highest_group"] == "0.0" and f2["proficiency_gap_to_all"] == "25.0"
    )
    # district: female 9 of 16, male 10 of 16, all 19 of 32
    fd = by[(this, "All schools in scope", "Female")]
    assert fd["proficiency_gap_to_highest_group"] == "6.2" and fd["proficiency_gap_to_all"] == "3.1"
    # the trend: last year a1 had 5 of 20 proficient
    assert by[(last, "Alder Elementary", "All learners")]["proficient_percent"] == "25%"

    # the page shows the same numbers (this year, mathematics, the district)
    assert "Achievement gaps" in page and "59%" in page and "451.2" in page
    assert 'role="img"' in page and page.count("<svg") == 4
    assert "Zanzibar" not in page and "999" not in page
    school = client.get(reverse("effectiveness:gaps"), {"school": w.school_a1.pk}).content.decode()
    assert "Alder Elementary: by group" in school
    assert ">60%<" in school and ">40%<" in school and "+20.0" in school and "-10.0" in school
    trend = client.get(
        reverse("effectiveness:gaps"), {"school": w.school_a1.pk, "trend": "gender"}
    ).content.decode()
    assert f"{w.last_year_a.title}: proficient (gap to all)" in trend
    assert "<td>25%</td>" in trend


def test_gaps_small_group_and_complement_hidden_on_page_and_csv(scene) -> None:
    w = scene
    client = _client(w.admin)
    by = _by(_csv(client.get(reverse("effectiveness:gaps-export"))))
    this = str(w.this)
    small = by[(this, "Alder Elementary", "English learner: yes")]  # 3 learners
    complement = by[(this, "Alder Elementary", "English learner: no")]  # 17 = 20 − 3
    for row in (small, complement):
        assert row["learners"] == "*" and row["proficient_percent"] == "*"
        assert row["mean_scale_score"] == "" and row["median_sgp"] == ""
        assert row["proficiency_gap_to_all"] == ""
    assert by[(this, "Alder Elementary", "All learners")]["learners"] == "20"
    page = client.get(reverse("effectiveness:gaps"), {"school": w.school_a1.pk}).content.decode()
    for label in ("English learner: yes", "English learner: no"):
        row = page.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
        assert row.startswith("<td>*</td><td>*</td>"), row
        assert "17" not in row and "3" not in row.replace("<td>", "")[:3]
    note = page.split('id="suppression-note">', 1)[1].split("</details>", 1)[0]
    assert "fewer than 5" in note.split("<details>")[0]  # the summary, then the cells
    assert "Alder Elementary, English learner: yes (learners)" in note


def test_gaps_who_may_see(scene) -> None:
    w = scene
    url = reverse("effectiveness:gaps")
    leader = _client(w.leader)
    page = leader.get(url).content.decode()
    assert "Alder Elementary" in page and "Alder Middle" not in page
    rows = _csv(leader.get(reverse("effectiveness:gaps-export")))
    assert {r[2] for r in rows[1:]} == {"All schools in scope", "Alder Elementary"}
    # school leader of a1 asking for a2: 404, like a school that does not exist
    assert leader.get(url, {"school": w.school_a2.pk}).status_code == 404
    assert leader.get(url, {"school": 999999}).status_code == 404
    assert (
        leader.get(reverse("effectiveness:dashboard"), {"school": w.school_a2.pk}).status_code
        == 404
    )
    # district B's admin sees district B only; another district's school is a 404
    other = _client(w.admin_b)
    assert "Alder" not in other.get(url).content.decode()
    assert other.get(url, {"school": w.school_a1.pk}).status_code == 404
    for person in (w.t1, w.aide, w.coach, w.guardian, w.l1):
        assert _client(person).get(url).status_code == 404
        assert _client(person).get(reverse("effectiveness:gaps-export")).status_code == 404


# --- median SGP by teacher of record ---------------------------------------------------------


def _growth(client: Client, **params) -> list[list[str]]:
    return _csv(client.get(reverse("effectiveness:growth-export"), params))


def _teacher_rows(rows: list[list[str]]) -> dict[tuple[str, str, str], tuple[str, str, str]]:
    return {(r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in rows[1:]}


def test_growth_by_teacher_hand_worked(scene) -> None:
    w = scene
    rows = _teacher_rows(_growth(_client(w.admin)))
    name = {p: p.display_name for p in (w.t1, w.t2, w.t3, w.mcl)}
    # t1 (share 0.6): 20 SGPs 10, 14, …, 86; median (46 + 50) / 2 = 48; weighted by an equal
    # share, the smallest SGP at which half the weight is reached: the 10th, 46
    assert rows[("Alder Elementary", name[w.t1], "All learners")] == ("20", "48", "46")
    assert rows[("Alder Elementary", name[w.t2], "All learners")] == ("20", "48", "46")
    # the MCL of t1 is a teacher of record of t1's learners (no share: weight 1)
    assert rows[("Alder Elementary", name[w.mcl], "All learners")] == ("20", "48", "46")
    # t3: 12 SGPs 30 … 85: (55 + 60) / 2
    assert rows[("Alder Middle", name[w.t3], "All learners")] == ("12", "57.5", "55")
    # by group: t1's female learners 10 14 18 22 50 | 54 58 62 66 70
    assert rows[("Alder Elementary", name[w.t1], "Female")] == ("10", "52", "50")
    assert rows[("Alder Elementary", name[w.t1], "Mathematics")] == ("20", "48", "46")
    # a small group and its complement: hidden, no median
    assert rows[("Alder Elementary", name[w.t1], "English learner: yes")] == ("*", "", "")
    assert rows[("Alder Elementary", name[w.t1], "English learner: no")] == ("*", "", "")
    # the same as the existing report function (which the engine also feeds)
    from waypoint.access.viewer import viewer_for
    from waypoint.reports.equity import teacher_growth

    plain = {t.staff_id: t for t in teacher_growth(viewer=viewer_for(w.admin.user), year=w.year_a)}
    assert plain[w.t3.pk].median_sgp == 57.5 and plain[w.t1.pk].median_sgp == 48.0
    page = _client(w.admin).get(reverse("effectiveness:growth")).content.decode()
    assert name[w.t1] in page and name[w.t3] in page and "57.5" in page
    assert "Zanzibar" not in page and 'role="img"' in page
    female = _client(w.admin).get(reverse("effectiveness:growth"), {"group": "gender:Female"})
    assert "Alder Elementary: Female" in female.content.decode()
    hidden = (
        _client(w.admin)
        .get(reverse("effectiveness:growth"), {"group": "english_learner:Yes"})
        .content.decode()
    )
    assert "<td>*</td><td></td><td></td>" in hidden
    assert "English learner: yes" in hidden.split('id="suppression-note">', 1)[1]


def test_growth_who_sees_which_rows(scene) -> None:
    w = scene
    teachers = lambda rows: {r[2] for r in rows[1:]}  # noqa: E731
    name = {p: p.display_name for p in (w.t1, w.t2, w.t3, w.mcl)}
    # school leader of a1: the teachers of a1's learners, not a2's
    leader = _client(w.leader)
    assert teachers(_growth(leader)) == {name[w.t1], name[w.t2], name[w.mcl]}
    page = leader.get(reverse("effectiveness:growth")).content.decode()
    assert name[w.t3] not in page and "Alder Middle" not in page
    assert (
        leader.get(reverse("effectiveness:growth"), {"school": w.school_a2.pk}).status_code == 404
    )
    # a teacher: their own rows only, never a peer's (t2 teaches the same section)
    t1 = _client(w.t1)
    rows = _growth(t1)
    assert teachers(rows) == {name[w.t1]}
    page = t1.get(reverse("effectiveness:growth")).content.decode()
    assert name[w.t1] in page
    for peer in (w.t2, w.t3, w.mcl):
        assert name[peer] not in page
    assert teachers(_growth(_client(w.t2))) == {name[w.t2]}
    # a coach sees the teachers they support (t1), not others
    assert teachers(_growth(_client(w.coach))) == {name[w.t1]}
    # another district: its admin sees none of A, and A's year is a 404
    other = _client(w.admin_b)
    assert other.get(reverse("effectiveness:growth"), {"year": w.year_a.pk}).status_code == 404
    assert name[w.t1] not in other.get(reverse("effectiveness:growth")).content.decode()
    assert (
        _client(w.admin).get(reverse("effectiveness:growth"), {"year": w.year_b.pk}).status_code
        == 404
    )
    # learners and guardians: 404
    for person in (w.l1, w.guardian):
        assert _client(person).get(reverse("effectiveness:growth")).status_code == 404
        assert _client(person).get(reverse("effectiveness:growth-export")).status_code == 404


def test_pages_without_scores_or_growth(world: SimpleNamespace) -> None:
    client = _client(world.admin)
    gaps = client.get(reverse("effectiveness:gaps"))
    assert gaps.status_code == 200 and "No scale scores" in gaps.content.decode()
    assert _csv(client.get(reverse("effectiveness:gaps-export"))) == [
        gap_report(scope=Scope(world.district_a, None)).csv_rows()[0]
    ]
    growth = client.get(reverse("effectiveness:growth"))
    assert growth.status_code == 200 and "No student growth" in growth.content.decode()
    assert len(_growth(client)) == 1  # the header


def test_growth_a_subject_a_teacher_does_not_teach_is_left_out(scene) -> None:
    """t3 teaches mathematics at a2; a new teacher teaches the same learners ELA. t3 has no
    ELA row (a structural zero, not a hidden 0 that would hide t3's mathematics row too)."""
    w = scene
    ela_teacher = f.StaffFactory(district=w.district_a)
    sec = f.SectionFactory(school=w.school_a2, school_year=w.year_a, subject=Subject.ELA)
    f.EnrollmentFactory(section=sec, person=ela_teacher, role=Enrollment.Role.TEACHER)
    for j, learner in enumerate(w.a2):
        f.EnrollmentFactory(section=sec, person=learner)
        GrowthPercentile.objects.create(
            district=w.district_a, learner=learner, subject="ela", year=w.this, grade=7,
            sgp=20 + j, priors=1,
        )  # fmt: skip
    rows = _teacher_rows(_growth(_client(w.admin)))
    t3, ela = w.t3.display_name, ela_teacher.display_name
    assert rows[("Alder Middle", t3, "Mathematics")] == ("12", "57.5", "55")
    assert ("Alder Middle", t3, "English language arts") not in rows
    assert rows[("Alder Middle", ela, "English language arts")] == ("12", "25.5", "25")
    assert ("Alder Middle", ela, "Mathematics") not in rows
