"""Opening a learner's record writes exactly one access entry; refusals are logged too; the log
holds identifiers, never the record's values, and cannot be changed or removed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from waypoint.audit.models import AccessEntry, AppendOnlyError


def _login(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(getattr(world, role).user)
    return client


def test_opening_a_learner_page_writes_exactly_one_entry(world: SimpleNamespace) -> None:
    client = _login(world, "t1")
    before = AccessEntry.objects.count()
    assert client.get(f"/learners/{world.l1.pk}/").status_code == 200
    assert AccessEntry.objects.count() == before + 1
    entry = AccessEntry.objects.order_by("-id").first()
    assert entry is not None
    assert entry.outcome == "allowed"
    assert entry.record_type == "learner"
    assert entry.record_id == world.l1.pk
    assert entry.user_id == world.t1.user.pk
    assert entry.viewer_person_id == world.t1.pk
    assert entry.district_id == world.district_a.pk
    assert entry.view == "web:learner-detail"
    assert entry.at.utcoffset().total_seconds() == 0


def test_denied_attempts_are_logged_without_revealing_the_record(world: SimpleNamespace) -> None:
    client = _login(world, "t1")
    before = AccessEntry.objects.count()
    assert client.get(f"/learners/{world.lb.pk}/").status_code == 404
    assert client.get("/api/v1/learners/not-a-number").status_code == 404
    denied = list(AccessEntry.objects.filter(outcome="denied").order_by("id"))
    assert AccessEntry.objects.count() == before + 2
    assert [d.requested_id for d in denied] == [str(world.lb.pk), "not-a-number"]
    assert all(d.record_id is None for d in denied)  # nothing about the hidden learner
    assert [d.view for d in denied] == ["web:learner-detail", "api:learner"]


def test_entries_hold_no_record_values(world: SimpleNamespace) -> None:
    _login(world, "t1").get(f"/learners/{world.l1.pk}/")
    entry = AccessEntry.objects.get(record_id=world.l1.pk)
    values = " ".join(str(getattr(entry, f.attname)) for f in AccessEntry._meta.fields)
    assert world.l1.given_name not in values
    assert world.l1.family_name not in values


def test_rating_openings_are_logged(world: SimpleNamespace) -> None:
    client = _login(world, "t2")
    assert client.get(f"/ratings/{world.rating_t2.pk}/").status_code == 200
    assert client.get(f"/ratings/{world.rating_t1.pk}/").status_code == 404
    outcomes = list(
        AccessEntry.objects.filter(record_type="rating")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["allowed", "denied"]


def test_list_pages_do_not_write_per_learner_entries(world: SimpleNamespace) -> None:
    client = _login(world, "admin")
    before = AccessEntry.objects.count()
    assert client.get("/learners/").status_code == 200
    assert AccessEntry.objects.count() == before


def test_audit_rows_cannot_be_updated_or_deleted(world: SimpleNamespace) -> None:
    _login(world, "t1").get(f"/learners/{world.l1.pk}/")
    entry = AccessEntry.objects.get(record_id=world.l1.pk)
    entry.view = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessEntry.objects.filter(pk=entry.pk).update(view="tampered")
    with pytest.raises(AppendOnlyError):
        AccessEntry.objects.all().delete()
    # Even raw SQL is refused by the database trigger.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessentry SET view = 'tampered'")
    assert AccessEntry.objects.get(pk=entry.pk).view == "web:learner-detail"
