"""Where the CASE JSON Schemas live, and validators for them.

The schemas are not copied into Waypoint: they are read at run time from the directory named by
the ``WAYPOINT_CASE_SCHEMA_DIR`` setting or environment variable, by default ``../shared/data/case``
beside the repository (``case-v1p0-cfpackage-schema.json`` for CASE 1.0,
``schemas_opencase/case-v1p1-cfpackage.json`` for CASE 1.1).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

import waypoint

SCHEMA_FILES = {
    "1.0": Path("case-v1p0-cfpackage-schema.json"),
    "1.1": Path("schemas_opencase") / "case-v1p1-cfpackage.json",
}


class SchemaUnavailable(RuntimeError):
    """The schema directory or a schema file is missing or unreadable."""


def schema_dir() -> Path:
    configured = getattr(settings, "WAYPOINT_CASE_SCHEMA_DIR", None) or os.environ.get(
        "WAYPOINT_CASE_SCHEMA_DIR"
    )
    if configured:
        return Path(configured).expanduser().resolve()
    repo = Path(waypoint.__file__).resolve().parents[2]
    return (repo.parent / "shared" / "data" / "case").resolve()


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            schema = json.load(fh)
    except FileNotFoundError as exc:
        raise SchemaUnavailable(
            f"the CASE JSON Schema {path} is missing; set WAYPOINT_CASE_SCHEMA_DIR to the "
            "directory that holds case-v1p0-cfpackage-schema.json and schemas_opencase/"
        ) from exc
    except (OSError, ValueError) as exc:
        raise SchemaUnavailable(f"the CASE JSON Schema {path} cannot be read: {exc}") from exc
    if not isinstance(schema, dict):
        raise SchemaUnavailable(f"the CASE JSON Schema {path} is not a JSON object")
    return schema


def validator(version: str) -> Validator:
    """A validator (with format checks: uuid, date, …) for the CFPackage schema of a version."""
    path = schema_dir() / SCHEMA_FILES[version]
    schema = _load(path)
    # The 1.0 schema names no draft; it is written in draft-07 style ("definitions").
    cls = validator_for(schema, default=Draft7Validator)
    return cls(schema, format_checker=FormatChecker())  # type: ignore[no-any-return]
