"""A re-import that provably finds the database as its hint read it does not read the
fingerprints a second time inside its transaction (SQLite: nothing written by this connection
and nothing committed by another since); any doubt and it checks them again, as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.interop.oneroster.builders import district_package
from waypoint.interop.oneroster import importer
from waypoint.roster import models as m
from waypoint.roster.importing import state as state_module
from waypoint.roster.models import ImportLock
from waypoint.roster.services import ImportRunning

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 9, 1)
SQLITE = connection.vendor == "sqlite"


def _first(tmp_path):
    pkg = district_package()
    folder = pkg.write(tmp_path / "first")
    d = importer.run(folder, district="create", as_of=AS_OF).result.district
    return pkg, folder, d


def _watch_checks(monkeypatch) -> list[str]:
    """The entities whose fingerprints an import reads again inside its transaction."""
    checked: list[str] = []
    real = state_module._unchanged

    def unchanged(entity, district_id, claimed):
        checked.append(entity)
        return real(entity, district_id, claimed)

    monkeypatch.setattr(state_module, "_unchanged", unchanged)
    return checked


def test_an_unchanged_reimport_reads_the_fingerprints_once_on_sqlite(tmp_path, monkeypatch):
    _pkg, folder, d = _first(tmp_path)
    checked = _watch_checks(monkeypatch)
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    assert not outcome.result.plan.changed
    every = {"enrollment", "person", "demographics", "learner_year"}
    assert set(checked) == (set() if SQLITE else every)
    enrollment = outcome.result.plan.data.entities["enrollment"]
    assert enrollment.unchanged == m.Enrollment.objects.filter(district=d).count()


def test_a_file_with_a_changed_row_is_checked_again(tmp_path, monkeypatch):
    """The changed row's fingerprint is left over from the hint: that entity is checked again
    (and the change applied); the others are known as they are."""
    pkg, _folder, d = _first(tmp_path)
    row = pkg.files["enrollments.csv"][3]
    old = m.Enrollment.objects.get(district=d, sourced_id=row["sourcedId"])
    row["primary"] = "false" if old.primary else "true"
    checked = _watch_checks(monkeypatch)
    outcome = importer.run(pkg.write(tmp_path / "second"), district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["enrollment"]["update"] == 1
    assert "enrollment" in checked
    if SQLITE:
        assert checked == ["enrollment"]
    assert m.Enrollment.objects.get(pk=old.pk).primary != old.primary
    assert not importer.run(pkg.write(tmp_path / "third"), district=d.slug).result.plan.changed


def test_a_row_left_out_of_the_file_is_checked_again(tmp_path, monkeypatch):
    pkg, _folder, d = _first(tmp_path)
    gone = pkg.files["enrollments.csv"].pop(7)
    checked = _watch_checks(monkeypatch)
    importer.run(pkg.write(tmp_path / "without"), district=d.slug, as_of=AS_OF)
    assert "enrollment" in checked
    e = m.Enrollment.objects.get(district=d, sourced_id=gone["sourcedId"])
    assert e.status == "inactive" and e.source_hash is None


def test_a_database_changed_after_the_hint_is_checked_again(tmp_path, monkeypatch):
    """When the stamp taken before the hint differs inside the transaction (another
    connection committed, or this one wrote), every entity is checked again."""
    _pkg, folder, d = _first(tmp_path)
    stamps = iter(range(1000))
    monkeypatch.setattr(importer, "_stamp", lambda: (0, next(stamps), 0))
    checked = _watch_checks(monkeypatch)
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    assert set(checked) == {"enrollment", "person", "demographics", "learner_year"}
    assert not outcome.result.plan.changed


def test_the_stamp_tells_a_write_by_this_connection():
    if not SQLITE:
        assert importer._stamp() is None
        return
    before = importer._stamp()
    assert importer._stamp() == before
    ImportLock.objects.create(district_key="x", started_at=dt.datetime.now(dt.UTC))
    assert importer._stamp() != before


def test_the_district_lock_is_taken_before_the_files_are_read(tmp_path, monkeypatch):
    _pkg, folder, d = _first(tmp_path)
    ImportLock.objects.create(
        district_key=d.sourced_id, started_at=dt.datetime.now(dt.UTC), started_by="someone"
    )

    def read(*args, **kwargs):
        raise AssertionError("the files were read while another import held the lock")

    monkeypatch.setattr(importer, "read", read)
    with pytest.raises(ImportRunning, match="someone"):
        importer.run(folder, district=d.slug, as_of=AS_OF)
