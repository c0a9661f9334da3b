"""Users, demographics and programs rows as last imported are skipped, like enrollments.

Each imported person, demographics row and learner year keeps a fingerprint of its source row
(``source_hash``). A re-import takes a row with the same fingerprint as it is: its references
are checked again (and a user's staff roles and guardian links are still built from it), but
its row is neither built, loaded nor compared.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.interop.oneroster.builders import SCHOOLS, district_package
from tests.interop.oneroster.support import snapshot
from waypoint.interop.oneroster import importer, spec
from waypoint.roster import models as m
from waypoint.roster import services
from waypoint.roster.importing import state as state_module

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 9, 1)
ENTITIES = ("person", "demographics", "learner_year")


def _first(tmp_path, **kwargs):
    pkg = district_package(**kwargs)
    folder = pkg.write(tmp_path / "first")
    d = importer.run(folder, district="create", as_of=AS_OF).result.district
    return pkg, folder, d


def _watch_loaded(monkeypatch) -> list[dict[str, int]]:
    """Per load of the district's state: how many rows of each entity it read in full."""
    loaded: list[dict[str, int]] = []
    real = state_module.load_state

    def load(*args, **kwargs):
        st = real(*args, **kwargs)
        loaded.append({e: len(st.rows.get(e, {})) for e in ENTITIES})
        return st

    monkeypatch.setattr(services, "load_state", load)
    return loaded


def test_every_imported_person_demographics_and_learner_year_keeps_its_fingerprint(tmp_path):
    _pkg, _folder, d = _first(tmp_path)
    for model in (m.Person, m.Demographics, m.LearnerYear):
        rows = model.objects.filter(district=d)
        assert rows.count() >= 20
        assert not rows.filter(source_hash__isnull=True).exists(), model.__name__


def test_reimport_of_unchanged_files_loads_and_plans_none_of_them(tmp_path, monkeypatch):
    _pkg, folder, d = _first(tmp_path)
    before = snapshot()
    loaded = _watch_loaded(monkeypatch)
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    plan = outcome.result.plan
    assert not plan.changed
    assert loaded == [dict.fromkeys(ENTITIES, 0)]
    for entity, model in (
        ("person", m.Person),
        ("demographics", m.Demographics),
        ("learner_year", m.LearnerYear),
    ):
        rows = plan.data.entities[entity]
        assert not rows.rows, entity  # none was parsed beyond its references
        assert rows.unchanged == model.objects.filter(district=d).count(), entity
    # staff roles and guardian links are still built from the skipped user rows
    assert plan.data.entities["staff_role"].rows
    assert plan.data.entities["guardian_link"].rows
    assert snapshot() == before


def test_a_changed_user_row_is_picked_up(tmp_path, monkeypatch):
    pkg, _folder, d = _first(tmp_path)
    pkg.row("users.csv", "l-005")["givenName"] = "Renamed"
    loaded = _watch_loaded(monkeypatch)
    outcome = importer.run(pkg.write(tmp_path / "second"), district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["person"] == {
        "create": 0,
        "update": 1,
        "deactivate": 0,
        "remove": 0,
    }
    assert loaded[0]["person"] == 1  # only the changed row was compared
    person = m.Person.objects.get(district=d, sourced_id="l-005")
    assert person.given_name == "Renamed"
    assert person.source_hash is not None
    again = importer.run(pkg.write(tmp_path / "third"), district=d.slug, as_of=AS_OF)
    assert not again.result.plan.changed


def test_changed_demographics_and_program_rows_are_picked_up(tmp_path):
    pkg, _folder, d = _first(tmp_path)
    old = m.LearnerYear.objects.get(district=d, learner__sourced_id="l-003")
    pkg.row("demographics.csv", "l-003")["birthDate"] = "2012-02-02"
    pkg.row("programs.csv", "l-003")["englishLearner"] = "false" if old.english_learner else "true"
    outcome = importer.run(pkg.write(tmp_path / "second"), district=d.slug, as_of=AS_OF)
    summary = outcome.result.plan.summary()
    assert summary["demographics"]["update"] == 1
    assert summary["learner_year"]["update"] == 1
    assert m.Demographics.objects.get(district=d, sourced_id="l-003").birth_date == dt.date(
        2012, 2, 2
    )
    new = m.LearnerYear.objects.get(pk=old.pk)
    assert new.english_learner != old.english_learner
    assert new.source_hash not in (None, old.source_hash)


def test_a_learner_left_out_loses_the_fingerprint_and_comes_back(tmp_path):
    pkg, _folder, d = _first(tmp_path)
    users = pkg.files["users.csv"]
    gone = next(u for u in users if u["sourcedId"] == "l-010")
    users.remove(gone)
    pkg.files["demographics.csv"] = [
        r for r in pkg.files["demographics.csv"] if r["sourcedId"] != "l-010"
    ]
    pkg.files["programs.csv"] = [
        r for r in pkg.files["programs.csv"] if r["learnerSourcedId"] != "l-010"
    ]
    pkg.files["enrollments.csv"] = [
        r for r in pkg.files["enrollments.csv"] if r["userSourcedId"] != "l-010"
    ]
    importer.run(pkg.write(tmp_path / "without"), district=d.slug, as_of=AS_OF)
    person = m.Person.objects.get(district=d, sourced_id="l-010")
    assert not person.active and person.source_hash is None
    users.append(gone)
    outcome = importer.run(pkg.write(tmp_path / "with"), district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["person"]["update"] == 1
    person.refresh_from_db()
    assert person.active and person.source_hash is not None


def test_a_user_row_whose_stored_fingerprint_changed_is_read_again_in_full(tmp_path):
    """As for enrollments: the hint is checked again inside the import's transaction."""
    pkg, folder, d = _first(tmp_path)
    real = importer._known_fingerprints

    def hint(slug):
        known = real(slug)
        # as if another import had changed the row after the hint was read
        m.Person.objects.filter(district=d, sourced_id="l-007").update(
            source_hash=1, given_name="Changed meanwhile"
        )
        return known

    importer._known_fingerprints = hint
    try:
        outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    finally:
        importer._known_fingerprints = real
    assert outcome.result.plan.summary()["person"]["update"] == 1
    person = m.Person.objects.get(district=d, sourced_id="l-007")
    assert person.given_name == pkg.row("users.csv", "l-007")["givenName"]
    assert person.source_hash not in (None, 1)
    assert not importer.run(folder, district=d.slug, as_of=AS_OF).result.plan.changed


def test_skipped_user_and_program_rows_still_need_their_school(tmp_path):
    """A row taken as it is still points at orgs that must exist."""
    pkg, _folder, d = _first(tmp_path)
    pkg.files["orgs.csv"] = [o for o in pkg.files["orgs.csv"] if o["sourcedId"] != SCHOOLS[1]]
    with pytest.raises(importer.RefusedImport) as refused:
        importer.run(pkg.write(tmp_path / "broken"), district=d.slug, as_of=AS_OF)
    # l-000's user and program rows are unchanged (as last imported) and its school is gone
    where = {(p.file, p.row, p.column, p.value) for p in refused.value.problems}
    users_row = 1 + next(
        i for i, u in enumerate(pkg.files["users.csv"], 1) if u["sourcedId"] == "l-000"
    )
    programs_row = 1 + next(
        i for i, r in enumerate(pkg.files["programs.csv"], 1) if r["learnerSourcedId"] == "l-000"
    )
    assert ("users.csv", users_row, "orgSourcedIds", SCHOOLS[1]) in where
    assert ("programs.csv", programs_row, "schoolSourcedId", SCHOOLS[1]) in where


def test_a_skipped_demographics_row_still_needs_its_user(tmp_path):
    pkg, _folder, d = _first(tmp_path)
    # l-004 leaves users.csv (a bulk file: it is not in Waypoint either, for this import)
    pkg.files["users.csv"] = [u for u in pkg.files["users.csv"] if u["sourcedId"] != "l-004"]
    pkg.files["enrollments.csv"] = [
        r for r in pkg.files["enrollments.csv"] if r["userSourcedId"] != "l-004"
    ]
    with pytest.raises(importer.RefusedImport) as refused:
        importer.run(pkg.write(tmp_path / "broken"), district=d.slug, as_of=AS_OF)
    row = 1 + next(
        i for i, r in enumerate(pkg.files["demographics.csv"], 1) if r["sourcedId"] == "l-004"
    )
    assert any(
        (p.file, p.row, p.column, p.value) == ("demographics.csv", row, "sourcedId", "l-004")
        and "unknown reference" in p.reason
        for p in refused.value.problems
    )


def test_a_skipped_program_row_is_checked_against_its_learner_s_new_kind(tmp_path):
    """The learner's user row changed (now a guardian); the program row did not."""
    pkg, _folder, d = _first(tmp_path)
    pkg.row("users.csv", "l-006")["role"] = "guardian"
    pkg.files["enrollments.csv"] = [
        r for r in pkg.files["enrollments.csv"] if r["userSourcedId"] != "l-006"
    ]
    with pytest.raises(importer.RefusedImport) as refused:
        importer.run(pkg.write(tmp_path / "broken"), district=d.slug, as_of=AS_OF)
    assert any(
        p.file == "programs.csv" and p.value == "l-006" and "not a learner" in p.reason
        for p in refused.value.problems
    )


def test_a_skipped_user_row_s_roles_and_guardian_links_stay(tmp_path):
    pkg, _folder, d = _first(tmp_path)
    roles = set(m.StaffRole.objects.filter(district=d).values_list("person__sourced_id", "role"))
    links = set(
        m.GuardianLink.objects.filter(district=d).values_list(
            "guardian__sourced_id", "learner__sourced_id"
        )
    )
    assert roles and links
    # another user row changes: the roles and links of the unchanged ones stay as they are
    pkg.row("users.csv", "t-ada")["givenName"] = "Adah"
    importer.run(pkg.write(tmp_path / "second"), district=d.slug, as_of=AS_OF)
    assert (
        set(m.StaffRole.objects.filter(district=d).values_list("person__sourced_id", "role"))
        == roles
    )
    assert (
        set(
            m.GuardianLink.objects.filter(district=d).values_list(
                "guardian__sourced_id", "learner__sourced_id"
            )
        )
        == links
    )


def test_a_removed_staff_role_comes_back_from_an_unchanged_user_row(tmp_path):
    """Roles are compared in full even when the user row is skipped."""
    _pkg, folder, d = _first(tmp_path)
    m.StaffRole.objects.filter(district=d, person__sourced_id="t-ben").delete()
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    assert outcome.result.plan.summary()["staff_role"]["create"] == 1
    assert m.StaffRole.objects.filter(district=d, person__sourced_id="t-ben").exists()


def test_users_of_a_1_2_package_are_compared_in_full(tmp_path, monkeypatch):
    """In OneRoster 1.2 a user's kind and roles come from roles.csv, not the user row."""
    _pkg, folder, d = _first(tmp_path, version=spec.V12)
    loaded = _watch_loaded(monkeypatch)
    outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    assert not outcome.result.plan.changed
    assert loaded[0]["person"] == m.Person.objects.filter(district=d).count()
    assert loaded[0]["demographics"] == 0


def test_a_program_row_whose_stored_fingerprint_changed_is_read_again_in_full(tmp_path):
    _pkg, folder, d = _first(tmp_path)
    real = importer._known_fingerprints
    old = m.LearnerYear.objects.get(district=d, learner__sourced_id="l-002")

    def hint(slug):
        known = real(slug)
        m.LearnerYear.objects.filter(pk=old.pk).update(source_hash=1, gifted=not old.gifted)
        return known

    importer._known_fingerprints = hint
    try:
        outcome = importer.run(folder, district=d.slug, as_of=AS_OF)
    finally:
        importer._known_fingerprints = real
    assert outcome.result.plan.summary()["learner_year"]["update"] == 1
    new = m.LearnerYear.objects.get(pk=old.pk)
    assert new.gifted == old.gifted
    assert new.source_hash not in (None, 1)
    assert not importer.run(folder, district=d.slug, as_of=AS_OF).result.plan.changed
