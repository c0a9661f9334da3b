"""`waypoint import scores|instructors|ratings`: all or nothing, every problem located."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from waypoint.audit.models import ActionEntry
from waypoint.effectiveness.models import EffectivenessRating, InstructorLink, ScaleScore


def _run(fmt: str, path: Path, slug: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("import", fmt, str(path), "--district", slug, *extra, stdout=out)
    return out.getvalue()


def _refused(fmt: str, path: Path, slug: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", fmt, str(path), "--district", slug, stderr=err)
    return err.getvalue()


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_scores_csv_then_reimport_changes_nothing(world: SimpleNamespace, tmp_path: Path) -> None:
    y = world.year_a.start_date.year
    path = _csv(
        tmp_path,
        "scores.csv",
        "learner,subject,year,grade,scale_score,achievement_level\n"
        f"{world.l1.sourced_id},math,{y},04,512.5,Proficient\n"
        f"{world.l1.sourced_id},ELA,{y - 1},03,470,Level 2\n",
    )
    assert "2 new" in _run("scores", path, "alder")
    rows = {(s.subject, s.year): s for s in ScaleScore.objects.filter(learner=world.l1)}
    assert rows[("mathematics", y)].proficient and rows[("mathematics", y)].grade == 4
    assert not rows[("ela", y - 1)].proficient
    actions = ActionEntry.objects.count()
    assert "0 new, 0 changed, 2 already stored" in _run("scores", path, "alder")
    assert ActionEntry.objects.count() == actions


def test_scores_parquet(world: SimpleNamespace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "learner": [world.l2.sourced_id],
            "subject": ["mathematics"],
            "year": [2024],
            "grade": [4],
            "scale_score": [401.0],
            "achievement_level": ["Basic"],
            "proficient": [False],
        }
    )
    path = tmp_path / "scores.parquet"
    pq.write_table(table, path)
    assert "1 new" in _run("scores", path, "alder")
    assert ScaleScore.objects.get(learner=world.l2).scale_score == 401.0


def test_bad_scores_store_nothing_and_say_where(world: SimpleNamespace, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "scores.csv",
        "learner,subject,year,grade,scale_score,achievement_level\n"
        f"{world.l1.sourced_id},math,2025,04,500,Proficient\n"
        f"{world.lb.sourced_id},math,2025,04,500,Proficient\n"  # other district
        f"{world.l2.sourced_id},chess,2025,04,abc,Proficient\n"
        f"{world.l1.sourced_id},math,2025,04,501,Proficient\n",  # duplicate
    )
    err = _refused("scores", path, "alder")
    assert f"scores.csv, row 3, column learner (value '{world.lb.sourced_id}')" in err
    assert "row 4, column subject (value 'chess'): not a subject" in err
    assert "row 4, column scale_score (value 'abc'): a number is required" in err
    assert "row 5, column learner" in err and "same learner as row 2" in err
    assert not ScaleScore.objects.exists()


def test_missing_columns(world: SimpleNamespace, tmp_path: Path) -> None:
    path = _csv(tmp_path, "s.csv", "learner,subject\nx,math\n")
    err = _refused("scores", path, "alder")
    assert "s.csv, row 1, column year: this column is required" in err


def test_instructors(world: SimpleNamespace, tmp_path: Path) -> None:
    y = world.year_a.start_date.year
    path = _csv(
        tmp_path,
        "links.csv",
        "learner,subject,year,staff,share\n"
        f"{world.l1.sourced_id},math,{y},{world.t1.sourced_id},0.6\n"
        f"{world.l1.sourced_id},math,{y},{world.t2.sourced_id},0.4\n",
    )
    dry = _run("instructors", path, "alder", "--dry-run")
    assert "Dry run, nothing changed: 2 instructor link row(s) are valid" in dry
    assert not InstructorLink.objects.exists()  # the dry run stored nothing
    assert "2 new" in _run("instructors", path, "alder")
    shares = dict(InstructorLink.objects.values_list("staff_id", "share"))
    assert shares == {world.t1.pk: Decimal("0.600"), world.t2.pk: Decimal("0.400")}
    assert "2 already stored" in _run("instructors", path, "alder")


def test_instructors_refused(world: SimpleNamespace, tmp_path: Path) -> None:
    y = world.year_a.start_date.year
    path = _csv(
        tmp_path,
        "links.csv",
        "learner,subject,year,staff,share\n"
        f"{world.l1.sourced_id},math,{y},{world.tb.sourced_id},0.6\n"  # staff of district B
        f"{world.l1.sourced_id},math,1999,{world.t2.sourced_id},1.4\n",
    )
    err = _refused("instructors", path, "alder")
    assert "row 2, column staff" in err
    assert "row 3, column year (value '1999')" in err
    assert "row 3, column share (value '1.4'): a number from 0 to 1 is required" in err
    assert not InstructorLink.objects.exists()


def test_ratings_update_and_components(world: SimpleNamespace, tmp_path: Path) -> None:
    y = world.year_a.start_date.year
    path = _csv(
        tmp_path,
        "ratings.csv",
        "staff,year,level,score,component_growth,component_observation\n"
        f"{world.t1.sourced_id},{y},Highly effective,3.62,3.9,3.4\n"
        f"{world.leader.sourced_id},{world.last_year_a.title},developing,,,\n",
    )
    out = _run("ratings", path, "alder")
    assert "1 new, 1 changed" in out  # the leader's rating for last year existed
    r = EffectivenessRating.objects.get(staff=world.t1, school_year=world.year_a)
    assert r.level == "highly_effective" and r.score == Decimal("3.62")
    assert r.components == {"growth": 3.9, "observation": 3.4}
    assert EffectivenessRating.objects.get(staff=world.leader).level == "developing"
    assert "2 already stored" in _run("ratings", path, "alder")


def test_ratings_refused_whole_file(world: SimpleNamespace, tmp_path: Path) -> None:
    before = list(EffectivenessRating.objects.values_list("id", "level"))
    path = _csv(
        tmp_path,
        "ratings.csv",
        "staff,year,level\n"
        f"{world.t1.sourced_id},{world.last_year_a.title},ineffective\n"
        f"{world.t2.sourced_id},{world.last_year_a.title},superb\n",
    )
    err = _refused("ratings", path, "alder")
    assert "row 3, column level (value 'superb')" in err
    assert list(EffectivenessRating.objects.values_list("id", "level")) == before


def test_unreadable_file(world: SimpleNamespace, tmp_path: Path) -> None:
    err = _refused("ratings", tmp_path / "missing.csv", "alder")
    assert "missing.csv: no such file" in err
