"""Helpers for the OneRoster tests: run the command, and fingerprint every roster table."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command

from waypoint.interop.oneroster import importer
from waypoint.roster.importing.data import Problem, RefusedImport


def roster_tables() -> dict[str, Any]:
    models = list(apps.get_app_config("roster").get_models())
    models.append(apps.get_model("roster", "Section").terms.through)
    return {m._meta.db_table: m for m in models if not m._meta.proxy}


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every roster table."""
    out = {}
    for table, model in sorted(roster_tables().items()):
        digest = hashlib.sha256()
        n = 0
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            n += 1
        out[table] = (n, digest.hexdigest())
    return out


def run_import(path: Path, district: str = "create", **options: Any) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", "oneroster", str(path), district=district, stdout=out, stderr=err, **options
    )
    return out.getvalue() + err.getvalue()


def refused(path: Path, district: str = "create", **options: Any) -> list[Problem]:
    """Import and expect refusal; returns the problems."""
    try:
        importer.run(path, district=district, **options)
    except RefusedImport as exc:
        return exc.problems
    raise AssertionError("the import was not refused")


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def has(
    problems: list[Problem],
    *,
    file: str,
    reason: str,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> bool:
    for p in problems:
        if p.file != file or reason not in p.reason:
            continue
        if row is not None and p.row != row:
            continue
        if column is not None and p.column != column:
            continue
        if value is not None and p.value != value:
            continue
        return True
    return False
