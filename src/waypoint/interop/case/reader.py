"""Read a CASE CFPackage (JSON) into a ``FrameworkPackage``, or a list of problems.

Versions: CASE 1.1 (``"caseVersion": "1.1"``) is validated against the 1.1 schema; anything
else against the 1.0 schema (and, when that fails but 1.1 passes, read as 1.1). The 2016 pre-1.0
draft is detected explicitly and read by ``draft2016`` (it fails both schemas by design).

Before validation two known quirks are repaired, each named in a WARNING: a ``sequenceNumber``
given as a string of digits (OpenSALT exports) is read as the integer, and a property given as
``null`` is read as absent. Every problem is reported at once, with a JSON pointer, the value
and the reason; the reader never raises on bad input.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from waypoint.interop.case import draft2016
from waypoint.interop.case.schemas import SchemaUnavailable, validator
from waypoint.roster.grades import grade_from_code
from waypoint.standards.graph import find_cycle
from waypoint.standards.package import (
    AssociationData,
    FrameworkData,
    FrameworkPackage,
    ItemData,
    Problem,
)

MAX_PROBLEMS = 500
SHORT = 255  # longest value kept in a short (indexed) column
INT32 = 2**31
UUID_RE = re.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
)
HIERARCHY = "isChildOf"
PRECEDES = "precedes"


@dataclass
class ReadResult:
    """What the reader made of a file: the version it read, the package, and problems."""

    version: str | None = None
    package: FrameworkPackage | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return self.package is not None and not self.errors


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- bytes → JSON ---------------------------------------------------------------------------


def _decode(raw: bytes, problems: list[Problem]) -> str | None:
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            problems.append(
                Problem.of("/", f"{name} byte order mark", f"the file is {name}; save it as UTF-8")
            )
            return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:1000]:
        problems.append(
            Problem.of(
                "/",
                "NUL byte at offset " + str(raw.index(b"\x00")),
                "the file is not UTF-8 text (it looks like UTF-16); CASE JSON must be UTF-8",
            )
        )
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 4]
        problems.append(
            Problem.of(
                "/",
                f"bytes {bad!r} at offset {exc.start}",
                "the file is not UTF-8 text; CASE JSON must be UTF-8",
            )
        )
        return None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = Counter(k for k, _ in pairs)
    dupes = [k for k, n in keys.items() if n > 1]
    if dupes:
        raise _DuplicateKey(dupes[0])
    return dict(pairs)


class _DuplicateKey(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes, problems: list[Problem]) -> Any:
    """Bytes to a JSON value; on failure, a problem explaining where and why, and None."""
    if not raw.strip():
        problems.append(Problem.of("/", "", "the file is empty"))
        return None
    text = _decode(raw, problems)
    if text is None:
        return None
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        near = text[max(0, exc.pos - 30) : exc.pos + 30]
        if exc.pos >= len(text.rstrip()):
            reason = f"the file ends too early (truncated?): {exc.msg} at line {exc.lineno}"
        else:
            reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        problems.append(Problem.of("/", near, reason))
    except _DuplicateKey as exc:
        problems.append(Problem.of("/", str(exc), "a JSON object repeats this key"))
    except RecursionError:
        problems.append(Problem.of("/", "", "the JSON is nested too deeply"))
    except ValueError as exc:
        problems.append(Problem.of("/", "", f"not valid JSON: {exc}"))
    return None


def _check_strings(data: Any, problems: list[Problem]) -> None:
    """Every string (key or value) must be storable: valid Unicode, no NUL characters."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                _check_string(k, pointer_join(path, k), problems)
                stack.append((v, pointer_join(path, k)))
        elif isinstance(value, list):
            stack.extend((v, pointer_join(path, i)) for i, v in enumerate(value))
        elif isinstance(value, str):
            _check_string(value, path, problems)


def _check_string(text: str, path: str, problems: list[Problem]) -> None:
    if "\x00" in text:
        problems.append(Problem.of(path, text, "contains a NUL character"))
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(Problem.of(path, text, "contains an unpaired surrogate (not Unicode)"))


def pointer_join(path: str, *parts: object) -> str:
    return path + pointer(*parts)


# --- repairs, schema validation -------------------------------------------------------------


def _repair(data: dict[str, Any], problems: list[Problem]) -> None:
    """Fix the known harmless quirks in place, naming each in a warning."""
    assocs = data.get("CFAssociations")
    if isinstance(assocs, list):
        for i, a in enumerate(assocs):
            if not isinstance(a, dict):
                continue
            seq = a.get("sequenceNumber")
            if isinstance(seq, str) and re.fullmatch(r"\s*[+-]?\d{1,10}\s*", seq):
                a["sequenceNumber"] = int(seq)
                problems.append(
                    Problem.of(
                        pointer("CFAssociations", i, "sequenceNumber"),
                        json.dumps(seq),
                        f"sequenceNumber is a string; read as the integer {int(seq)}",
                        "warning",
                    )
                )
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in [k for k, v in value.items() if v is None]:
                del value[key]
                problems.append(
                    Problem.of(pointer_join(path, key), None, "null read as absent", "warning")
                )
            stack.extend((v, pointer_join(path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, pointer_join(path, i)) for i, v in enumerate(value))


def _reason(error: ValidationError) -> tuple[str, Any, str]:
    path = pointer(*error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        name = missing.group(1) if missing else str(error.validator_value)
        return pointer_join(path, name), "", "required property is missing"
    if kind == "additionalProperties":
        return path, "", error.message
    if kind == "type":
        return path, error.instance, f"should be of type {error.validator_value}"
    if kind == "enum":
        return path, error.instance, f"should be one of {error.validator_value}"
    if kind == "format":
        return path, error.instance, f"is not a valid {error.validator_value}"
    if kind == "pattern":
        return path, error.instance, f"does not match the pattern {error.validator_value}"
    if kind in ("oneOf", "anyOf") and error.context:
        inner = best_match(error.context)
        return _reason(inner)
    return path, error.instance, error.message[:200]


def schema_problems(data: Any, version: str) -> list[Problem]:
    errors = sorted(validator(version).iter_errors(data), key=lambda e: list(map(str, e.path)))
    out: list[Problem] = []
    for error in errors[:MAX_PROBLEMS]:
        path, value, reason = _reason(error)
        out.append(Problem.of(path, value, f"CASE {version} schema: {reason}"))
    if len(errors) > MAX_PROBLEMS:
        out.append(Problem.of("/", len(errors), f"… and {len(errors) - MAX_PROBLEMS} more"))
    return out


# --- entry points ---------------------------------------------------------------------------


def read_path(path: Path) -> ReadResult:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ReadResult(problems=[Problem.of("/", str(path), f"cannot read the file: {exc}")])
    return read_bytes(raw)


def read_bytes(raw: bytes) -> ReadResult:
    """The whole reader: bytes in, a ReadResult out. Never raises for bad input."""
    result = ReadResult()
    data = parse_json(raw, result.problems)
    if result.problems:
        return result
    return read_data(data)


def read_data(data: Any) -> ReadResult:
    result = ReadResult()
    problems = result.problems
    try:
        _read(data, result)
    except SchemaUnavailable:
        raise
    except RecursionError:
        problems.append(Problem.of("/", "", "the JSON is nested too deeply"))
    if result.errors:
        result.package = None
    result.problems = _collapse_warnings(result.problems)
    return result


def _collapse_warnings(problems: list[Problem], keep: int = 3) -> list[Problem]:
    """Errors all stay; a warning repeated many times is shown a few times, then counted."""
    seen: Counter[str] = Counter(p.reason for p in problems if p.level == "warning")
    shown: Counter[str] = Counter()
    out = []
    for p in problems:
        if p.level == "warning" and seen[p.reason] > keep:
            shown[p.reason] += 1
            if shown[p.reason] > keep:
                continue
            if shown[p.reason] == keep:
                more = seen[p.reason] - keep
                p = Problem(p.path, p.value, f"{p.reason} (and {more} more like this)", p.level)
        out.append(p)
    return out


def _read(data: Any, result: ReadResult) -> None:
    problems = result.problems
    _check_strings(data, problems)
    if problems:
        return
    if not isinstance(data, dict):
        problems.append(Problem.of("/", data, "a CASE package is a JSON object with a CFDocument"))
        return
    if not isinstance(data.get("CFDocument"), dict):
        problems.append(
            Problem.of(
                "/CFDocument",
                data.get("CFDocument", ""),
                "missing CFDocument: a CASE package must hold one CFDocument object",
            )
        )
        return
    if draft2016.is_2016_draft(data):
        result.version = "2016-draft"
        package = draft2016.read(data, problems)
        if package is not None and not result.errors:
            result.package = _checked(package, problems)
        return

    data = copy.deepcopy(data)
    _repair(data, problems)
    declared = data["CFDocument"].get("caseVersion")
    if declared == "1.1":
        version, errors = "1.1", schema_problems(data, "1.1")
    else:
        version, errors = "1.0", schema_problems(data, "1.0")
        if errors and not schema_problems(data, "1.1"):
            version, errors = "1.1", []
            problems.append(
                Problem.of(
                    "/CFDocument/caseVersion",
                    declared or "",
                    "no caseVersion, and not valid CASE 1.0; valid as CASE 1.1, read as 1.1",
                    "warning",
                )
            )
    result.version = version
    problems.extend(errors)
    if errors:
        return
    package = map_package(data, version, problems)
    if package is not None and not result.errors:
        result.package = _checked(package, problems)


# --- mapping a (valid) package onto the dataclasses -----------------------------------------


class _Get:
    """Typed reads of one JSON object that add a problem (and return a default) when wrong."""

    def __init__(self, obj: dict[str, Any], path: str, problems: list[Problem]) -> None:
        self.obj, self.path, self.problems = obj, path, problems

    def error(self, key: str, value: Any, reason: str) -> None:
        self.problems.append(Problem.of(pointer_join(self.path, key), value, reason))

    def str(self, key: str, *, required: bool = False, limit: int | None = None) -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.error(key, "", "required property is missing")
            return ""
        if not isinstance(value, str):
            self.error(key, value, "should be a string")
            return ""
        if required and not value.strip():
            self.error(key, value, "must not be empty")
        if limit is not None and len(value) > limit:
            self.error(key, value, f"is longer than {limit} characters")
            return ""
        return value

    def str_list(self, key: str) -> list[str]:
        value = self.obj.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.error(key, value, "should be a string or a list of strings")
        return []

    def int(self, key: str) -> int | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, value, "should be an integer")
            return None
        if not -INT32 <= value < INT32:
            self.error(key, value, "is outside the 32-bit integer range")
            return None
        return value

    def datetime(self, key: str) -> dt.datetime | None:
        value = self.obj.get(key)
        if value is None:
            return None
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.error(key, value, "is not an ISO 8601 date-time")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)

    def date(self, key: str) -> dt.date | None:
        value = self.obj.get(key)
        if value is None:
            return None
        text = str(value).strip()
        try:
            return (
                dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
            )
        except ValueError:
            self.error(key, value, "is not an ISO 8601 date")
            return None

    def link(self, key: str) -> tuple[str, str, str]:
        """(identifier, uri, title) of a LinkGenURI object."""
        value = self.obj.get(key)
        if not isinstance(value, dict):
            self.error(key, value, "should be an object with identifier, uri and title")
            return "", "", ""
        inner = _Get(value, pointer_join(self.path, key), self.problems)
        return (
            inner.str("identifier", required=True, limit=SHORT),
            inner.str("uri"),
            inner.str("title"),
        )


def grades(levels: list[str], path: str, problems: list[Problem]) -> tuple[int | None, int | None]:
    """Lowest and highest grade of CEDS education-level codes; unknown codes give a warning."""
    values = []
    for i, code in enumerate(levels):
        for part in code.split(","):
            if not part.strip():
                continue
            try:
                values.append(grade_from_code(part))
            except ValueError:
                problems.append(
                    Problem.of(
                        pointer_join(path, i),
                        part,
                        "not a CEDS grade code; kept as given, without a grade range",
                        "warning",
                    )
                )
    return (min(values), max(values)) if values else (None, None)


def map_package(
    data: dict[str, Any], version: str, problems: list[Problem]
) -> FrameworkPackage | None:
    doc = _Get(data["CFDocument"], "/CFDocument", problems)
    framework = FrameworkData(
        identifier=doc.str("identifier", required=True, limit=SHORT),
        title=doc.str("title", required=True),
        uri=doc.str("uri"),
        creator=doc.str("creator"),
        publisher=doc.str("publisher"),
        description=doc.str("description"),
        official_source_url=doc.str("officialSourceURL"),
        version=doc.str("version", limit=SHORT),
        adoption_status=doc.str("adoptionStatus", limit=SHORT),
        status_start_date=doc.date("statusStartDate"),
        status_end_date=doc.date("statusEndDate"),
        subject=doc.str_list("subject"),
        language=doc.str("language", limit=SHORT),
        framework_type=doc.str("frameworkType", limit=SHORT),
        notes=doc.str("notes"),
        last_change=doc.datetime("lastChangeDateTime"),
    )
    items = []
    raw_items = data.get("CFItems") or []
    if not isinstance(raw_items, list):
        problems.append(Problem.of("/CFItems", raw_items, "should be a list"))
        raw_items = []
    for i, raw in enumerate(raw_items):
        path = pointer("CFItems", i)
        if not isinstance(raw, dict):
            problems.append(Problem.of(path, raw, "should be an object"))
            continue
        items.append(map_item(raw, path, problems))
    assocs = []
    raw_assocs = data.get("CFAssociations") or []
    if not isinstance(raw_assocs, list):
        problems.append(Problem.of("/CFAssociations", raw_assocs, "should be a list"))
        raw_assocs = []
    for i, raw in enumerate(raw_assocs):
        path = pointer("CFAssociations", i)
        if not isinstance(raw, dict):
            problems.append(Problem.of(path, raw, "should be an object"))
            continue
        assocs.append(map_association(raw, path, problems))
    return FrameworkPackage(version, framework, items, assocs)


def map_item(raw: dict[str, Any], path: str, problems: list[Problem]) -> ItemData:
    get = _Get(raw, path, problems)
    level_key = "educationLevel"
    if "educationLevel" not in raw and "educationalLevel" in raw:
        level_key = "educationalLevel"
        problems.append(
            Problem.of(
                pointer_join(path, "educationalLevel"),
                raw["educationalLevel"],
                "non-standard property educationalLevel read as educationLevel",
                "warning",
            )
        )
    levels = get.str_list(level_key)
    low, high = grades(levels, pointer_join(path, level_key), problems)
    return ItemData(
        identifier=get.str("identifier", required=True, limit=SHORT),
        full_statement=get.str("fullStatement", required=True),
        path=path,
        uri=get.str("uri"),
        item_type=get.str("CFItemType", limit=SHORT),
        human_coding_scheme=get.str("humanCodingScheme", limit=SHORT),
        abbreviated_statement=get.str("abbreviatedStatement"),
        alternative_label=get.str("alternativeLabel"),
        list_enumeration=get.str("listEnumeration", limit=SHORT),
        education_levels=levels,
        grade_low=low,
        grade_high=high,
        language=get.str("language", limit=SHORT),
        subject=get.str_list("subject"),
        concept_keywords=get.str_list("conceptKeywords"),
        notes=get.str("notes"),
        status_start_date=get.date("statusStartDate"),
        status_end_date=get.date("statusEndDate"),
        last_change=get.datetime("lastChangeDateTime"),
    )


def map_association(raw: dict[str, Any], path: str, problems: list[Problem]) -> AssociationData:
    get = _Get(raw, path, problems)
    origin = get.link("originNodeURI")
    destination = get.link("destinationNodeURI")
    return AssociationData(
        identifier=get.str("identifier", required=True, limit=SHORT),
        association_type=get.str("associationType", required=True, limit=SHORT),
        origin_identifier=origin[0],
        origin_uri=origin[1],
        origin_title=origin[2],
        destination_identifier=destination[0],
        destination_uri=destination[1],
        destination_title=destination[2],
        path=path,
        uri=get.str("uri"),
        sequence_number=get.int("sequenceNumber"),
        notes=get.str("notes"),
        last_change=get.datetime("lastChangeDateTime"),
    )


# --- checks across the package --------------------------------------------------------------


def _checked(package: FrameworkPackage, problems: list[Problem]) -> FrameworkPackage | None:
    """Duplicates, dangling associations and cycles; sets each item's sequence number."""
    doc_id = package.framework.identifier
    seen: dict[str, str] = {doc_id: "/CFDocument"}
    for item in package.items:
        if item.identifier in seen:
            problems.append(
                Problem.of(
                    pointer_join(item.path, "identifier"),
                    item.identifier,
                    f"duplicate identifier (also at {seen[item.identifier]})",
                )
            )
        else:
            seen[item.identifier] = item.path
    item_ids = {i.identifier for i in package.items}
    seen_assoc: dict[str, str] = {}
    for a in package.associations:
        if a.identifier in seen_assoc:
            problems.append(
                Problem.of(
                    pointer_join(a.path, "identifier"),
                    a.identifier,
                    f"duplicate association identifier (also at {seen_assoc[a.identifier]})",
                )
            )
        else:
            seen_assoc[a.identifier] = a.path
        _check_ends(a, item_ids, doc_id, problems)

    for kind in (HIERARCHY, PRECEDES):
        edges = {
            (a.origin_identifier, a.destination_identifier): a
            for a in package.associations
            if a.association_type == kind
            and a.origin_identifier in item_ids
            and a.destination_identifier in item_ids
        }
        cycle = find_cycle(edges)
        if cycle:
            first = edges[(cycle[0], cycle[1])]
            problems.append(
                Problem.of(
                    first.path,
                    " → ".join(cycle),
                    f"these {kind} associations form a cycle",
                )
            )

    order: dict[str, int] = {}
    for a in package.associations:
        if a.association_type == HIERARCHY and a.sequence_number is not None:
            order.setdefault(a.origin_identifier, a.sequence_number)
    for item in package.items:
        item.sequence_number = order.get(item.identifier)
    return None if any(p.level == "error" for p in problems) else package


def _check_ends(
    a: AssociationData, item_ids: set[str], doc_id: str, problems: list[Problem]
) -> None:
    origin_in = a.origin_identifier in item_ids or a.origin_identifier == doc_id
    dest_in = a.destination_identifier in item_ids or a.destination_identifier == doc_id
    if a.association_type == HIERARCHY:
        if a.origin_identifier not in item_ids:
            problems.append(
                Problem.of(
                    pointer_join(a.path, "originNodeURI", "identifier"),
                    a.origin_identifier,
                    "isChildOf points at an unknown item (not in this package)",
                )
            )
        if not dest_in:
            problems.append(
                Problem.of(
                    pointer_join(a.path, "destinationNodeURI", "identifier"),
                    a.destination_identifier,
                    "isChildOf points at an unknown item (not in this package)",
                )
            )
        return
    if not origin_in and not dest_in:
        problems.append(
            Problem.of(
                a.path,
                f"{a.origin_identifier} → {a.destination_identifier}",
                f"{a.association_type} association touches no item of this package",
            )
        )
    elif a.association_type == PRECEDES and not (
        a.origin_identifier in item_ids and a.destination_identifier in item_ids
    ):
        outside = a.destination_identifier if origin_in else a.origin_identifier
        problems.append(
            Problem.of(
                a.path,
                outside,
                "precedes points outside this framework; kept, but not used as a prerequisite",
                "warning",
            )
        )
