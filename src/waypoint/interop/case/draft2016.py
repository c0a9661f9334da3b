"""The 2016 pre-1.0 CASE draft (as in OpenSALT's ``math_cfs_sample.json``).

Such a file fails both CASE schemas by design, so it is detected explicitly and read here:

* detection: the CFDocument ``identifier`` is not a UUID but a URI (an ASN resource), and the
  file carries a field only the draft has (``subjectURL`` on the document,
  ``originNodeIdentifier``/``destinationNodeIdentifier`` on associations, or
  ``CFItemAssociationURI`` on items);
* identifiers: a non-UUID identifier becomes the name-based UUID
  ``uuid5(NAMESPACE_URL, identifier)`` (stable: the same URI always gives the same UUID); the
  original is kept as ``original_identifier``; association ends are mapped the same way;
* ``subject`` as a string becomes a one-element list; ``educationalLevel`` (a string) is read as
  the education level; unknown draft fields are ignored.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from waypoint.standards.package import FrameworkPackage, Problem

UUID_RE = re.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
)
DRAFT_ITEM_FIELDS = ("CFItemAssociationURI",)
DRAFT_ASSOCIATION_FIELDS = ("originNodeIdentifier", "destinationNodeIdentifier")


def stable_uuid(identifier: str) -> str:
    """The identifier itself if it is a UUID, else a UUID derived from it (uuid5, URL space)."""
    if UUID_RE.match(identifier):
        return identifier
    return str(uuid.uuid5(uuid.NAMESPACE_URL, identifier))


def _has_any(rows: Any, fields: tuple[str, ...]) -> bool:
    return isinstance(rows, list) and any(
        isinstance(r, dict) and any(f in r for f in fields) for r in rows
    )


def is_2016_draft(data: dict[str, Any]) -> bool:
    doc = data.get("CFDocument")
    if not isinstance(doc, dict):
        return False
    identifier = doc.get("identifier")
    if not isinstance(identifier, str) or UUID_RE.match(identifier):
        return False
    if not re.match(r"^https?://", identifier):
        return False
    return (
        "subjectURL" in doc
        or _has_any(data.get("CFAssociations"), DRAFT_ASSOCIATION_FIELDS)
        or _has_any(data.get("CFItems"), DRAFT_ITEM_FIELDS)
    )


def _list_of_objects(data: dict[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem.of(f"/{key}", value, "should be a list"))
        return []
    return value


def read(data: dict[str, Any], problems: list[Problem]) -> FrameworkPackage | None:
    """Map a draft package onto CASE 1.x shapes, then read it with the common mapper."""
    from waypoint.interop.case.reader import map_package

    doc = dict(data["CFDocument"])
    original_doc_id = doc["identifier"]
    doc["identifier"] = stable_uuid(original_doc_id)
    doc.pop("subjectURL", None)
    items = []
    for raw in _list_of_objects(data, "CFItems", problems):
        if isinstance(raw, dict):
            raw = dict(raw)
            if isinstance(raw.get("identifier"), str):
                raw["original_identifier"] = raw["identifier"]
                raw["identifier"] = stable_uuid(raw["identifier"])
            if "educationalLevel" in raw and "educationLevel" not in raw:
                raw["educationLevel"] = raw.pop("educationalLevel")
        items.append(raw)
    assocs = []
    for raw in _list_of_objects(data, "CFAssociations", problems):
        if isinstance(raw, dict):
            raw = dict(raw)
            if isinstance(raw.get("identifier"), str):
                raw["identifier"] = stable_uuid(raw["identifier"])
            for end in ("originNodeURI", "destinationNodeURI"):
                link = raw.get(end)
                if isinstance(link, dict) and isinstance(link.get("identifier"), str):
                    raw[end] = {**link, "identifier": stable_uuid(link["identifier"])}
        assocs.append(raw)
    if problems:
        return None
    package = map_package(
        {"CFDocument": doc, "CFItems": items, "CFAssociations": assocs}, "2016-draft", problems
    )
    if package is None:
        return None
    package.framework.original_identifier = original_doc_id
    originals = {
        stable_uuid(r["original_identifier"]): r["original_identifier"]
        for r in items
        if isinstance(r, dict) and isinstance(r.get("original_identifier"), str)
    }
    for item in package.items:
        original = originals.get(item.identifier, "")
        item.original_identifier = "" if original == item.identifier else original
    problems.append(
        Problem.of(
            "/CFDocument/identifier",
            original_doc_id,
            "read as the 2016 CASE draft (pre-1.0): URI identifiers replaced by stable "
            "UUIDs (uuid5 of the URI), the URIs kept as original identifiers",
            "warning",
        )
    )
    return package
