"""Factories and helpers for the salaries and positions import tests."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import factory
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests import factories as f
from waypoint.audit.models import ActionEntry
from waypoint.interop.staffing.files import Refused
from waypoint.roster.importing.data import Problem
from waypoint.staffing.models import Position, SalarySchedule, SalaryStep


class SalaryScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalarySchedule

    district = factory.SubFactory(f.DistrictFactory)
    name = factory.Sequence(lambda n: f"Schedule {n}")


class SalaryStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalaryStep

    schedule = factory.SubFactory(SalaryScheduleFactory)
    district = factory.SelfAttribute("schedule.district")
    lane = ""
    step = factory.Sequence(lambda n: n)
    salary = Decimal("50000.00")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    school = factory.SubFactory(f.SchoolFactory)
    district = factory.SelfAttribute("school.district")
    sourced_id = factory.Sequence(lambda n: f"position-{n}")
    kind = Position.Kind.TEACHER
    fte = Decimal("1.00")
    salary = Decimal("50000.00")


def staffing_world(world: SimpleNamespace) -> SimpleNamespace:
    """The two-district world, plus identifiers, a salary schedule in each district (same
    name, so a leak shows) and one position in district B."""
    w = world
    w.school_a1.identifier = "NCES-A1"
    w.school_a1.save(update_fields=["identifier"])
    w.school_b1.identifier = "NCES-B1"
    w.school_b1.save(update_fields=["identifier"])
    w.t2.identifier = "E-T2"
    w.t2.save(update_fields=["identifier"])
    w.teachers = SalaryScheduleFactory(district=w.district_a, name="Teachers")
    for lane, step, salary in [
        ("BA", 0, 48000),
        ("BA", 1, 50000),
        ("BA", 2, 52500),
        ("MA", 0, 53000),
    ]:
        SalaryStepFactory(schedule=w.teachers, lane=lane, step=step, salary=Decimal(salary))
    w.teachers_b = SalaryScheduleFactory(district=w.district_b, name="Teachers")
    SalaryStepFactory(schedule=w.teachers_b, lane="BA", step=5, salary=Decimal(70000))
    w.position_b = PositionFactory(school=w.school_b1, staff=w.tb, sourced_id="pos-t1")
    return w


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every staffing table (and the audit log)."""
    models = [m for m in apps.get_app_config("staffing").get_models() if not m._meta.proxy]
    models += [Position.covers.through, ActionEntry]
    out = {}
    for model in sorted(models, key=lambda m: m._meta.db_table):
        digest = hashlib.sha256()
        n = 0
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            n += 1
        out[model._meta.db_table] = (n, digest.hexdigest())
    return out


def run(fmt: str, path: Path, slug: str = "alder", *extra: str) -> str:
    out = io.StringIO()
    call_command("import", fmt, str(path), "--district", slug, *extra, stdout=out)
    return out.getvalue()


def refused(importer: Any, path: Path, district: Any, **options: Any) -> list[Problem]:
    """Import and expect refusal with nothing changed; returns the problems."""
    before = snapshot()
    with pytest.raises(Refused) as caught:
        importer(path, district=district, **options)
    assert snapshot() == before
    return caught.value.problems


def refused_cli(fmt: str, path: Path, slug: str = "alder") -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", fmt, str(path), "--district", slug, stderr=err)
    return err.getvalue()
