"""Write a framework as a CASE 1.1 CFPackage (a JSON-ready dict).

Only the current version is written: retired items, and associations that touch them, are left
out. District prerequisites are not part of the framework and are not written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from waypoint.standards.models import Framework, FrameworkAssociation, FrameworkItem


def _when(value: dt.datetime | None, fallback: dt.datetime) -> str:
    moment = (value or fallback).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value not in ("", None, []):
        out[key] = value


def _document(fw: Framework) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identifier": fw.identifier,
        "uri": fw.uri or f"urn:uuid:{fw.identifier}",
        "caseVersion": "1.1",
        "creator": fw.creator or "Unknown",
        "title": fw.title,
        "lastChangeDateTime": _when(fw.last_change, fw.changed_at),
    }
    _put(out, "frameworkType", fw.framework_type)
    _put(out, "officialSourceURL", fw.official_source_url)
    _put(out, "publisher", fw.publisher)
    _put(out, "description", fw.description)
    _put(out, "subject", list(fw.subject))
    _put(out, "language", fw.language)
    _put(out, "version", fw.version)
    _put(out, "adoptionStatus", fw.adoption_status)
    _put(out, "statusStartDate", fw.status_start_date.isoformat() if fw.status_start_date else "")
    _put(out, "statusEndDate", fw.status_end_date.isoformat() if fw.status_end_date else "")
    _put(out, "notes", fw.notes)
    return out


def _item(item: FrameworkItem, fallback: dt.datetime) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identifier": item.identifier,
        "uri": item.uri or f"urn:uuid:{item.identifier}",
        "fullStatement": item.full_statement,
        "lastChangeDateTime": _when(item.last_change, fallback),
    }
    _put(out, "CFItemType", item.item_type)
    _put(out, "humanCodingScheme", item.human_coding_scheme)
    _put(out, "abbreviatedStatement", item.abbreviated_statement)
    _put(out, "alternativeLabel", item.alternative_label)
    _put(out, "listEnumeration", item.list_enumeration)
    _put(out, "educationLevel", list(item.education_levels))
    _put(out, "language", item.language)
    _put(out, "subject", list(item.subject))
    _put(out, "conceptKeywords", list(item.concept_keywords))
    _put(out, "notes", item.notes)
    _put(
        out, "statusStartDate", item.status_start_date.isoformat() if item.status_start_date else ""
    )
    _put(out, "statusEndDate", item.status_end_date.isoformat() if item.status_end_date else "")
    return out


def _association(a: FrameworkAssociation, fallback: dt.datetime) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identifier": a.identifier,
        "uri": a.uri or f"urn:uuid:{a.identifier}",
        "associationType": a.association_type,
        "originNodeURI": {
            "title": a.origin_title or "Origin",
            "identifier": a.origin_identifier,
            "uri": a.origin_uri or f"urn:uuid:{a.origin_identifier}",
        },
        "destinationNodeURI": {
            "title": a.destination_title or "Destination",
            "identifier": a.destination_identifier,
            "uri": a.destination_uri or f"urn:uuid:{a.destination_identifier}",
        },
        "lastChangeDateTime": _when(a.last_change, fallback),
    }
    if a.sequence_number is not None:
        out["sequenceNumber"] = a.sequence_number
    _put(out, "notes", a.notes)
    return out


def framework_to_case(framework: Framework) -> dict[str, Any]:
    """The framework's current version as a CASE 1.1 CFPackage."""
    fallback = framework.changed_at
    items = list(framework.items.filter(retired=False).order_by("id"))
    retired = set(framework.items.filter(retired=True).values_list("pk", flat=True))
    assocs = [
        a
        for a in framework.associations.order_by("id")
        if a.origin_item_id not in retired and a.destination_item_id not in retired
    ]
    return {
        "CFDocument": _document(framework),
        "CFItems": [_item(i, fallback) for i in items],
        "CFAssociations": [_association(a, fallback) for a in assocs],
    }
