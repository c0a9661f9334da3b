"""A re-import skips the enrollments it brings exactly as last imported, and stays correct.

Each imported enrollment keeps a fingerprint of its source row (``source_hash``); a re-import
takes a row with the same fingerprint as it is (checking its references only), and compares,
plans and writes only the others.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.interop.oneroster.builders import district_package
from waypoint.interop.oneroster import importer
from waypoint.roster import models as m
from waypoint.roster import services
from waypoint.roster.importing import state as state_module

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 9, 1)


def _first(tmp_path):
    pkg = district_package()
    folder = pkg.write(tmp_path / "first")
    d = importer.run(folder, district="create", as_of=AS_OF).result.district
    return pkg, folder, d


def _watch_loaded(monkeypatch) -> list[int]:
    """The number of enrollment rows each load of the district's state reads in full."""
    loaded: list[int] = []
    real = state_module.load_state

    def load(*args, **kwargs):
        st = real(*args, **kwargs)
        loaded.append(len(st.rows.get("enrollment", {})))
        return st

    monkeypatch.setattr(services, "load_state", load)
    return loaded


def test_every_imported_enrollment_keeps_its_fingerprint(tmp_path):
    _pkg, _folder, d = _first(tmp_path)
    rows = m.Enrollment.objects.filter(district=d)
    assert rows.count() > 50
    assert not rows.filter(source_hash__isnull=True).exists()


def test_reimport_of_unchanged_files_loads_plans_and_writes_no_enrollment(tmp_path, monkeypatch):
    _pkg, folder, d = _first(tmp_path)
    before = list(m.Enrollment.objects.filter(district=d).order_by("id").values())
    loaded = _watch_loaded(monkeypatch)
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    plan = outcome.result.plan
    assert not plan.changed
    assert loaded == [0]  # no enrollment row was loaded to be compared
    enrollment = plan.data.entities["enrollment"]
    assert not enrollment.rows  # and none was parsed beyond its references
    assert enrollment.unchanged == len(before)
    assert outcome.result.written == {}
    assert list(m.Enrollment.objects.filter(district=d).order_by("id").values()) == before


def test_a_changed_row_is_compared_and_written_with_its_new_fingerprint(tmp_path, monkeypatch):
    pkg, _folder, d = _first(tmp_path)
    row = pkg.files["enrollments.csv"][3]
    old = m.Enrollment.objects.get(district=d, sourced_id=row["sourcedId"])
    row["primary"] = "false" if old.primary else "true"
    loaded = _watch_loaded(monkeypatch)
    outcome = importer.run(pkg.write(tmp_path / "second"), district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["enrollment"]["update"] == 1
    assert loaded == [1]
    new = m.Enrollment.objects.get(pk=old.pk)
    assert new.primary != old.primary
    assert new.source_hash is not None and new.source_hash != old.source_hash
    again = importer.run(pkg.write(tmp_path / "third"), district=d.slug, as_of=AS_OF)
    assert not again.result.plan.changed


def test_a_row_whose_stored_fingerprint_changed_is_read_again_in_full(tmp_path):
    """The fingerprints read before the import are a hint: the import checks them again in its
    transaction, and reads the rows whose fingerprint no longer matches from the file."""
    pkg, folder, d = _first(tmp_path)
    sid = pkg.files["enrollments.csv"][5]["sourcedId"]
    real = importer._known_fingerprints

    def hint(slug):
        known = real(slug)
        # as if another import had changed the row after the hint was read
        m.Enrollment.objects.filter(district=d, sourced_id=sid).update(
            source_hash=1, primary=not m.Enrollment.objects.get(sourced_id=sid).primary
        )
        return known

    importer._known_fingerprints = hint
    try:
        outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    finally:
        importer._known_fingerprints = real
    assert outcome.result.plan.summary()["enrollment"]["update"] == 1
    e = m.Enrollment.objects.get(district=d, sourced_id=sid)
    assert e.source_hash not in (None, 1)
    assert not importer.run(folder, district=d.slug, as_of=AS_OF).result.plan.changed


def test_a_deactivated_enrollment_loses_its_fingerprint_and_comes_back(tmp_path):
    pkg, _folder, d = _first(tmp_path)
    gone = pkg.files["enrollments.csv"].pop(7)
    importer.run(pkg.write(tmp_path / "without"), district=d.slug, as_of=AS_OF)
    e = m.Enrollment.objects.get(district=d, sourced_id=gone["sourcedId"])
    assert e.status == "inactive" and e.end_date is not None
    assert e.source_hash is None
    pkg.files["enrollments.csv"].insert(7, gone)
    outcome = importer.run(pkg.write(tmp_path / "with"), district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["enrollment"]["update"] == 1
    e.refresh_from_db()
    assert e.status == "active" and e.source_hash is not None


def test_an_unchanged_row_still_needs_its_references(tmp_path):
    """A row taken as it is still points at a class and a user the package must hold."""
    pkg, _folder, d = _first(tmp_path)
    row = pkg.files["enrollments.csv"][0]
    pkg.files["classes.csv"] = [
        c for c in pkg.files["classes.csv"] if c["sourcedId"] != row["classSourcedId"]
    ]
    pkg.files["enrollments.csv"] = [
        e for e in pkg.files["enrollments.csv"] if e["classSourcedId"] != row["classSourcedId"]
    ] + [row]
    with pytest.raises(importer.RefusedImport) as refused:
        importer.run(pkg.write(tmp_path / "broken"), district=d.slug, as_of=AS_OF)
    assert any(
        p.column == "classSourcedId" and p.value == row["classSourcedId"]
        for p in refused.value.problems
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")
def test_a_large_import_leaves_fresh_planner_statistics(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "ANALYZE_AFTER", 1)
    _pkg, _folder, d = _first(tmp_path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s",
            [m.Enrollment._meta.db_table],
        )
        (tuples,) = cursor.fetchone()
    assert tuples >= m.Enrollment.objects.filter(district=d).count()
