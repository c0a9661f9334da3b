"""Shared helpers for standards and CASE tests: the shared data dir, snapshots of the tables."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from waypoint.audit.models import ActionEntry
from waypoint.interop.case.schemas import schema_dir
from waypoint.standards.models import (
    DistrictPrerequisite,
    Framework,
    FrameworkAssociation,
    FrameworkItem,
)

TABLES = (Framework, FrameworkItem, FrameworkAssociation, DistrictPrerequisite)


def case_dir() -> Path:
    """The shared CASE data directory; a test that needs it FAILS (never skips) without it."""
    path = schema_dir()
    if not (path / "case-v1p0-cfpackage-schema.json").is_file():
        pytest.fail(
            f"the shared CASE data directory {path} is missing (expected ../shared/data/case "
            "beside the repository, or WAYPOINT_CASE_SCHEMA_DIR)",
            pytrace=False,
        )
    return path


def case_file(name: str) -> Path:
    path = case_dir() / name
    if not path.is_file():
        pytest.fail(f"the shared CASE file {path} is missing", pytrace=False)
    return path


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def snapshot() -> dict[str, Any]:
    """Row counts and a checksum of every standards table (and the action log's size)."""
    out: dict[str, Any] = {"actions": ActionEntry.objects.count()}
    for model in TABLES:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = list(model.objects.order_by("pk").values_list(*fields))
        out[model.__name__] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


DOC = "d1000000-0000-4000-8000-000000000000"
WHEN = "2025-01-01T00:00:00Z"


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def link(identifier: str, title: str = "x") -> dict[str, str]:
    return {"title": title, "identifier": identifier, "uri": f"urn:uuid:{identifier}"}


def tiny_package(**doc: Any) -> dict[str, Any]:
    """A valid CASE 1.1 package: a domain with three standards, 1 → 2 → 3 by precedes."""
    items = [
        {
            "identifier": uid(1),
            "uri": f"urn:uuid:{uid(1)}",
            "CFItemType": "Domain",
            "humanCodingScheme": "T.D",
            "fullStatement": "Tiny domain",
            "lastChangeDateTime": WHEN,
        },
    ]
    for n in (2, 3, 4):
        items.append(
            {
                "identifier": uid(n),
                "uri": f"urn:uuid:{uid(n)}",
                "CFItemType": "Standard",
                "humanCodingScheme": f"T.D.{n - 1}",
                "fullStatement": f"Standard number {n - 1}",
                "educationLevel": [f"0{n + 1}"],
                "lastChangeDateTime": WHEN,
            }
        )
    assocs = [
        {
            "identifier": uid(101),
            "uri": f"urn:uuid:{uid(101)}",
            "associationType": "isChildOf",
            "originNodeURI": link(uid(1)),
            "destinationNodeURI": link(DOC),
            "sequenceNumber": 1,
            "lastChangeDateTime": WHEN,
        },
    ]
    for n in (2, 3, 4):
        assocs.append(
            {
                "identifier": uid(100 + n),
                "uri": f"urn:uuid:{uid(100 + n)}",
                "associationType": "isChildOf",
                "originNodeURI": link(uid(n)),
                "destinationNodeURI": link(uid(1)),
                "sequenceNumber": n - 1,
                "lastChangeDateTime": WHEN,
            }
        )
    for a, b in ((2, 3), (3, 4)):
        assocs.append(
            {
                "identifier": uid(200 + a),
                "uri": f"urn:uuid:{uid(200 + a)}",
                "associationType": "precedes",
                "originNodeURI": link(uid(a)),
                "destinationNodeURI": link(uid(b)),
                "lastChangeDateTime": WHEN,
            }
        )
    document = {
        "identifier": DOC,
        "uri": f"urn:uuid:{DOC}",
        "caseVersion": "1.1",
        "creator": "Tests",
        "title": "Tiny framework",
        "lastChangeDateTime": WHEN,
    }
    document.update(doc)
    return {"CFDocument": document, "CFItems": items, "CFAssociations": assocs}


def to_bytes(package: Any) -> bytes:
    return json.dumps(package, ensure_ascii=False).encode("utf-8")
